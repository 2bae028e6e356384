"""The pytest plugin: fixture options, and a cheap import that needs no jsonschema."""

from __future__ import annotations

import subprocess
import sys

import pytest

from moengage_async import MoEngageClient
from moengage_async.sandbox import Sandbox


@pytest.mark.moengage_sandbox(workspace_id="MARKED_WS", seed=7)
async def test_the_marker_configures_the_fixture(moengage_sandbox: Sandbox) -> None:
    """Keyword arguments of the marker reach the Sandbox."""
    assert moengage_sandbox.workspace_id == "MARKED_WS"


@pytest.mark.parametrize("moengage_sandbox", [{"api_key": "param-key"}], indirect=True)
async def test_indirect_parametrization_configures_the_fixture(
    moengage_sandbox: Sandbox,
) -> None:
    """An indirect parameter (a dict) is passed to the Sandbox too."""
    assert moengage_sandbox.api_key == "param-key"


async def test_the_client_fixture_talks_to_the_sandbox(
    moengage_sandbox: Sandbox, moengage_sandbox_client: MoEngageClient
) -> None:
    """``moengage_sandbox_client`` is a client pointed at the fixture's sandbox."""
    ids = moengage_sandbox.seed_campaigns(1)
    await moengage_sandbox_client.change_status("PAUSE", ids)
    assert moengage_sandbox.campaign(ids[0]).status == "PAUSED"


def test_the_plugin_imports_without_jsonschema() -> None:
    """Importing the plugin never imports jsonschema (or aiohttp's server)."""
    code = (
        "import sys; sys.modules['jsonschema'] = None; "
        "import moengage_async.sandbox.pytest_plugin; "
        "assert 'aiohttp.web' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
