"""pytest plugin: the ``moengage_sandbox`` fixture (registered as ``pytest11``).

Imports nothing heavy at collection time, so it never breaks a pytest run where
the ``sandbox`` extra (jsonschema) is missing; only using the fixture needs it.
Async fixtures need an async test runner: anyio's plugin (``anyio_mode = "auto"``
or ``@pytest.mark.anyio``) or pytest-asyncio.

Options come from a marker, or from indirect parametrization::

    @pytest.mark.moengage_sandbox(budgets="status:=10/0.05", faults="error_rate=0.1")
    async def test_pause(moengage_sandbox): ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .._client import MoEngageClient
    from ._server import Sandbox

__all__ = ["moengage_sandbox", "moengage_sandbox_client", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker so ``--strict-markers`` accepts it."""
    config.addinivalue_line(
        "markers",
        "moengage_sandbox(**options): keyword arguments for the moengage_sandbox "
        "fixture's Sandbox (budgets, faults, clock, seed, ...)",
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    marker = request.node.get_closest_marker("moengage_sandbox")
    if marker is not None:
        options.update(marker.kwargs)
    param = getattr(request, "param", None)
    if isinstance(param, dict):
        options.update(param)
    return options


@pytest.fixture
async def moengage_sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """A started ``Sandbox`` for one test (options: marker or indirect param)."""
    from ._server import Sandbox

    async with Sandbox(**_options(request)) as sandbox:
        yield sandbox


@pytest.fixture
async def moengage_sandbox_client(
    moengage_sandbox: Sandbox,
) -> AsyncIterator[MoEngageClient]:
    """A ``MoEngageClient`` pointed at ``moengage_sandbox``, closed after the test."""
    async with moengage_sandbox.client() as client:
        yield client
