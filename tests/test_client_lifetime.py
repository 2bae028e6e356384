"""Construction and lifetime: data centers, shared session pools, closing, warnings."""

from __future__ import annotations

import gc

import aiohttp
import pytest

from moengage_async import (
    MoEngageClient,
    MoEngageError,
    UnlimitedLimiter,
    new_session,
)
from moengage_async.transport._aiohttp import AiohttpTransport


@pytest.mark.parametrize("dc", ["01", "02", "03", "04", "05", "06", "101"])
def test_data_center_maps_to_host(dc: str) -> None:
    """Every documented data center maps to ``https://api-{dc}.moengage.com``."""
    client = MoEngageClient("ws", "key", data_center=dc)
    assert client.base_url == f"https://api-{dc}.moengage.com"


@pytest.mark.parametrize("dc", ["1", "7", "0101", "", "eu"])
def test_unknown_data_center_is_value_error(dc: str) -> None:
    """An unknown data center fails at construction, naming the value."""
    with pytest.raises(ValueError, match="data_center"):
        MoEngageClient("ws", "key", data_center=dc)


def test_base_url_overrides_host() -> None:
    """``base_url`` (sandbox, proxy, gateway) wins over the data center."""
    client = MoEngageClient("ws", "key", base_url="http://127.0.0.1:9/")
    assert client.base_url == "http://127.0.0.1:9"


@pytest.mark.parametrize(("ws", "key"), [("", "k"), ("ws", ""), ("  ", "k")])
def test_blank_credentials_refused(ws: str, key: str) -> None:
    """Blank workspace ids or keys are refused before any request."""
    with pytest.raises(ValueError):
        MoEngageClient(ws, key)


def test_budgets_and_limiter_are_exclusive() -> None:
    """``budgets=`` configures the default limiter, so it cannot join ``limiter=``."""
    from moengage_async import UnlimitedLimiter

    with pytest.raises(ValueError, match="budgets"):
        MoEngageClient("ws", "k", limiter=UnlimitedLimiter(), budgets="status:=1/1")


def test_repr_hides_the_key() -> None:
    """The repr names the workspace and host, never the key."""
    client = MoEngageClient("ws-1", "s3cr3t-key")
    assert "s3cr3t" not in repr(client)
    assert "ws-1" in repr(client)


async def test_session_is_created_lazily_and_closed() -> None:
    """The client's own session appears on first use and closes with the client."""
    transport = AiohttpTransport()
    client = MoEngageClient("ws", "key", transport=transport)
    assert not transport.is_open
    session = transport.session
    assert transport.is_open
    await client.aclose()
    assert session.closed


async def test_shared_session_is_never_closed_by_a_client() -> None:
    """Many clients on one caller-owned session: closing a client leaves it open."""
    session = new_session()
    try:
        clients = [MoEngageClient(f"ws{i}", "key", session=session) for i in range(50)]
        for client in clients:
            await client.aclose()
        assert not session.closed
    finally:
        await session.close()


async def test_closed_client_refuses_calls() -> None:
    """A call after ``aclose()`` raises instead of reopening silently."""
    client = MoEngageClient("ws", "key")
    await client.aclose()
    with pytest.raises(MoEngageError, match="closed"):
        await client.change_status("PAUSE", ["c1"])


async def test_context_manager_closes() -> None:
    """``async with`` closes the session it created."""
    async with MoEngageClient("ws", "key") as client:
        transport = client.transport
        assert isinstance(transport, AiohttpTransport)
        session = transport.session
    assert session.closed


async def test_garbage_collected_open_client_warns() -> None:
    """A client dropped with its own session open emits a ResourceWarning."""
    client = MoEngageClient("ws", "key")
    transport = client.transport
    assert isinstance(transport, AiohttpTransport)
    session: aiohttp.ClientSession = transport.session
    with pytest.warns(ResourceWarning, match="not closed"):
        del client
        gc.collect()
    await session.close()


class _ClosingLimiter(UnlimitedLimiter):
    """Counts ``aclose`` calls: whether the client closed a limiter it was given."""

    def __init__(self) -> None:
        self.closed = 0

    async def aclose(self) -> None:
        self.closed += 1


@pytest.mark.parametrize(
    ("close_limiter", "closed"), [(None, 0), (False, 0), (True, 1)]
)
async def test_a_given_limiter_is_closed_only_when_asked(
    close_limiter: bool | None, closed: int
) -> None:
    """A limiter passed in is the caller's, unless ``close_limiter=True`` hands it
    over (as the command does with the Redis limiter it makes for one client)."""
    limiter = _ClosingLimiter()
    client = MoEngageClient("ws", "key", limiter=limiter, close_limiter=close_limiter)
    await client.aclose()
    await client.aclose()  # closing twice closes once
    assert limiter.closed == closed


async def test_v1_resource_and_client_methods_share_one_request_path() -> None:
    """``client.v1`` and ``client.v5`` send through the client's one requestor:
    closing the client closes them too."""
    client = MoEngageClient("ws", "key")
    await client.aclose()
    with pytest.raises(MoEngageError, match="closed"):
        await client.v1.change_status("PAUSE", ["c1"])
    with pytest.raises(MoEngageError, match="closed"):
        await client.v5.get_campaign("c1")
