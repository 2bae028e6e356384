"""Ways to start the sandbox: in process, ``serve()``, ``python -m``; control routes."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from contextlib import redirect_stdout

import aiohttp
import anyio
import pytest

from moengage_async import FakeClock, RetryPolicy
from moengage_async.sandbox import Sandbox, serve
from moengage_async.sandbox.__main__ import main


async def test_the_url_is_unknown_before_start() -> None:
    """Asking for the URL of a sandbox that is not serving is an error."""
    with pytest.raises(RuntimeError, match="not started"):
        _ = Sandbox().url


async def test_port_zero_binds_a_free_loopback_port() -> None:
    """The default binds 127.0.0.1 on a free port, reported in ``url``."""
    async with Sandbox() as sandbox:
        assert sandbox.url == f"http://127.0.0.1:{sandbox.port}"
        assert sandbox.port > 0


async def test_the_client_gets_the_keyword_arguments(moengage_sandbox: Sandbox) -> None:
    """``sandbox.client(**kwargs)`` forwards them to ``MoEngageClient``."""
    clock = FakeClock()
    async with moengage_sandbox.client(clock=clock, retry=RetryPolicy()) as client:
        assert client.clock is clock
        assert client.base_url == moengage_sandbox.url


async def test_the_ledger_endpoint_serves_actions_and_budgets(
    moengage_sandbox: Sandbox,
) -> None:
    """``GET /_sandbox/ledger`` holds the same actions as the Python ledger."""
    ids = moengage_sandbox.seed_campaigns(1)
    async with moengage_sandbox.client() as client:
        await client.change_status("PAUSE", ids)
    async with (
        aiohttp.ClientSession() as session,
        session.get(moengage_sandbox.url + "/_sandbox/ledger") as response,
    ):
        ledger = await response.json()
    assert [a["kind"] for a in ledger["actions"][ids[0]]] == ["PAUSE"]
    assert len(ledger["budgets"]["SANDBOX_WS"]["status"]["accepted"]) == 1


async def test_the_campaign_control_route_shows_the_status(
    moengage_sandbox: Sandbox,
) -> None:
    """``GET /_sandbox/campaigns/{id}`` reports the stored status."""
    (cid,) = moengage_sandbox.seed_campaigns(1, status="PAUSED")
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{moengage_sandbox.url}/_sandbox/campaigns/{cid}") as response,
    ):
        assert (await response.json())["status"] == "PAUSED"


async def test_an_unknown_path_is_a_404_envelope(moengage_sandbox: Sandbox) -> None:
    """Paths outside the API answer 404 with an error envelope, not HTML."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(moengage_sandbox.url + "/nowhere") as response,
    ):
        assert response.status == 404
        assert "error" in await response.json()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_serve_prints_where_and_serves_until_cancelled() -> None:
    """``serve()`` prints the URL and credentials, then answers until cancelled."""
    port = _free_port()
    out = io.StringIO()
    with redirect_stdout(out):
        async with anyio.create_task_group() as tg:
            tg.start_soon(lambda: serve(port=port, budgets="status:=5/1", seed=3))
            while "sandbox on" not in out.getvalue():
                await anyio.sleep(0.001)
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{port}/_sandbox/health") as response,
            ):
                assert response.status == 200
            tg.cancel_scope.cancel()
    assert f"http://127.0.0.1:{port}" in out.getvalue()
    assert "workspace_id=SANDBOX_WS" in out.getvalue()


def test_main_rejects_a_bad_budget_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``python -m moengage_async.sandbox --budget`` with a typo exits 2 naming it."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--budget", "statsu=1/1"])
    assert exit_info.value.code == 2
    assert "statsu" in capsys.readouterr().err


def test_python_dash_m_shows_its_help() -> None:
    """The module entry point runs and documents its options."""
    result = subprocess.run(
        [sys.executable, "-m", "moengage_async.sandbox", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--faults" in result.stdout
