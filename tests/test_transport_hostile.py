"""Hostile answers: redirects are never followed, bodies stop at a size cap.

Every server here is real aiohttp on 127.0.0.1. A redirect target records whether
anything reached it; big bodies are streamed, and memory is measured with
tracemalloc (client and server share this process, so the peak covers both).
"""

from __future__ import annotations

import contextlib
import functools
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from moengage_async import (
    AiohttpTransport,
    APIError,
    RedirectError,
    ResponseTooLargeError,
)
from moengage_async.transport._aiohttp import DEFAULT_MAX_RESPONSE_BYTES
from tests.loopback import Handler, client_for, serving
from tests.recording_server import TEST_API_KEY, RecordingServer, recording_server

STATUS_PATH = "/core-services/v1/campaigns/status"
MiB = 1024 * 1024


@contextlib.asynccontextmanager
async def recording() -> AsyncIterator[RecordingServer]:
    servers = recording_server()
    try:
        yield await servers.__anext__()
    finally:
        await servers.aclose()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_to_another_origin_is_not_followed(status: int) -> None:
    """Neither the body nor MOE-APPKEY reaches the other origin; the call fails."""
    async with recording() as origin, recording() as elsewhere:
        target = elsewhere.url + STATUS_PATH
        origin.reply("POST", STATUS_PATH, status, headers={"Location": target})
        async with client_for(origin.url) as client:
            with pytest.raises(RedirectError) as caught:
                await client.change_status("PAUSE", ["c1"])
    assert isinstance(caught.value, APIError)
    assert (caught.value.status, caught.value.location) == (status, target)
    assert TEST_API_KEY not in str(caught.value) + repr(caught.value)
    assert len(origin.requests) == 1  # sent once: a redirect is not retried
    assert elsewhere.requests == []


async def test_a_same_origin_redirect_is_not_followed_either() -> None:
    async with recording() as origin:
        origin.reply("POST", STATUS_PATH, 307, headers={"Location": "/moved"})
        async with client_for(origin.url) as client:
            with pytest.raises(RedirectError) as caught:
                await client.change_status("PAUSE", ["c1"])
    assert caught.value.location == "/moved"
    assert [r.path for r in origin.requests] == [STATUS_PATH]


async def test_a_redirect_without_location_is_an_error_too() -> None:
    async with recording() as origin:
        origin.reply("POST", STATUS_PATH, 304)
        async with client_for(origin.url) as client:
            with pytest.raises(RedirectError) as caught:
                await client.change_status("PAUSE", ["c1"])
    assert (caught.value.status, caught.value.location) == (304, None)


def _streamed(total: int, *, declared: bool) -> Handler:
    """A handler sending ``total`` bytes in 1 MiB writes of one shared chunk."""
    chunk = b"x" * MiB

    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse()
        if declared:
            response.content_length = total
        await response.prepare(request)
        sent = 0
        with contextlib.suppress(ConnectionError):  # the client may hang up early
            while sent < total:
                piece = chunk[: min(MiB, total - sent)]
                await response.write(piece)
                sent += len(piece)
            await response.write_eof()
        return response

    return handler


@functools.cache
def gzip_bomb(inflated: int = 300 * MiB) -> bytes:
    """``inflated`` zero bytes, gzip-compressed (about 1/1000 of the size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MiB)
    parts = [packer.compress(zeros) for _ in range(inflated // MiB)]
    return b"".join([*parts, packer.flush()])


async def _bomb(request: web.Request) -> web.StreamResponse:
    await request.read()
    return web.Response(
        body=gzip_bomb(),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )


async def _peak_while(call: Callable[[], Awaitable[object]]) -> tuple[object, int]:
    """Run ``call``; return what it raised (or returned) and the tracemalloc peak."""
    tracemalloc.start()
    try:
        try:
            outcome: object = await call()
        except Exception as exc:
            outcome = exc
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("declared", [True, False], ids=["length", "chunked"])
async def test_a_50_mb_body_stops_at_the_default_cap(declared: bool) -> None:
    async with (
        serving(_streamed(50 * MiB, declared=declared)) as url,
        client_for(url) as client,
    ):
        raised, peak = await _peak_while(lambda: client.change_status("PAUSE", ["c1"]))
    assert isinstance(raised, ResponseTooLargeError)
    assert (raised.status, raised.limit) == (200, DEFAULT_MAX_RESPONSE_BYTES)
    assert peak < DEFAULT_MAX_RESPONSE_BYTES + 8 * MiB, peak


async def test_a_gzip_bomb_is_not_inflated_past_the_cap() -> None:
    """300 MB of zeros in about 300 KB of gzip: reading stops at the cap."""
    assert len(gzip_bomb()) < 400 * 1024
    async with serving(_bomb) as url, client_for(url) as client:
        raised, peak = await _peak_while(lambda: client.change_status("PAUSE", ["c1"]))
    assert isinstance(raised, ResponseTooLargeError)
    assert peak < DEFAULT_MAX_RESPONSE_BYTES + 8 * MiB, peak


async def test_a_small_cap_keeps_memory_small() -> None:
    """With a 1 MiB cap, the bomb costs a few MiB of memory at most."""
    async with (
        serving(_bomb) as url,
        client_for(url, max_response_bytes=MiB) as client,
    ):
        raised, peak = await _peak_while(lambda: client.change_status("PAUSE", ["c1"]))
    assert isinstance(raised, ResponseTooLargeError)
    assert raised.limit == MiB
    assert peak < 4 * MiB, peak


@pytest.mark.parametrize("size", [1000, 1001])
async def test_the_cap_counts_every_byte(size: int) -> None:
    """A body of exactly the cap is read whole; one byte more is refused."""
    async with serving(_streamed(size, declared=False)) as url:
        transport = AiohttpTransport(max_response_bytes=1000)
        try:
            send = transport.send("GET", url, headers={}, body=None, timeout_s=10.0)
            if size <= 1000:
                response = await send
                assert response.body == b"x" * size
            else:
                with pytest.raises(ResponseTooLargeError):
                    await send
        finally:
            await transport.aclose()


async def test_a_compressed_body_under_the_cap_arrives_decompressed() -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = b'{"status":"success"}' + b" " * 5000
    packed = packer.compress(body) + packer.flush()

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=packed, headers={"Content-Encoding": "gzip"})

    async with serving(handler) as url:
        transport = AiohttpTransport(max_response_bytes=len(body))
        try:
            response = await transport.send(
                "GET", url, headers={}, body=None, timeout_s=10.0
            )
        finally:
            await transport.aclose()
    assert response.body == body


def test_a_cap_below_one_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="max_response_bytes"):
        AiohttpTransport(max_response_bytes=0)
