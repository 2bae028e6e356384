"""Request deadlines on the shared wheel: a stalled request times out, nothing else.

A real aiohttp session talks to a server on 127.0.0.1 that accepts requests and
never answers; the wheel runs on a fake timer, so no test waits for real.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from moengage_async import RequestTimeoutError
from moengage_async.transport import _aiohttp as _transport
from moengage_async.transport._aiohttp import AiohttpTransport, new_session
from moengage_async.transport._deadlines import (
    WHEEL_MIN_TIMEOUT_S,
    DeadlineWheel,
    _no_task,
)

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"

#: The wheel needs ``Task.uncancel``; Python 3.10 keeps aiohttp's per-request timer
#: (``test_without_uncancel_long_deadlines_keep_aiohttps_timer`` runs that path).
#: tests/conftest.py skips these on 3.10, and only these skips pass its CI guard.
needs_uncancel = pytest.mark.requires_task_uncancel


class FakeTimer:
    """``time``/``call_at`` of a loop, moved by hand; ``fire_due`` runs the timers."""

    def __init__(self, start: float = 1000.2) -> None:
        self.now = start
        self.pending: list[tuple[float, Callable[[], object], asyncio.TimerHandle]] = []

    def time(self) -> float:
        return self.now

    def call_at(
        self, when: float, callback: Callable[[], object]
    ) -> asyncio.TimerHandle:
        handle = asyncio.TimerHandle(when, callback, (), asyncio.get_running_loop())
        self.pending.append((when, callback, handle))
        return handle

    def advance_to(self, when: float) -> None:
        self.now = when
        due = [p for p in self.pending if p[0] <= when and not p[2].cancelled()]
        self.pending = [p for p in self.pending if p not in due]
        for _, callback, _ in sorted(due, key=lambda p: p[0]):
            callback()

    @property
    def armed(self) -> list[float]:
        return sorted(w for w, _, h in self.pending if not h.cancelled())


class StallingServer:
    """Reads requests; answers only those whose path the test released."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.arrived = asyncio.Event()
        self.release: asyncio.Event = asyncio.Event()
        self.url = ""

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                self.arrived.set()
                await self.release.wait()
                writer.write(ANSWER)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> StallingServer:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/x"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.release.set()
        self.server.close()


@pytest.fixture
async def stalling() -> AsyncIterator[StallingServer]:
    async with StallingServer() as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    session = new_session()
    yield session
    await session.close()


def transport_on(
    session: aiohttp.ClientSession, timer: FakeTimer
) -> tuple[AiohttpTransport, DeadlineWheel]:
    wheel = DeadlineWheel(timer)
    return AiohttpTransport(session, deadlines=wheel), wheel


async def send(transport: AiohttpTransport, url: str, timeout_s: float) -> int:
    response = await transport.send(
        "POST", url, headers={}, body=b"{}", timeout_s=timeout_s
    )
    return response.status


async def start_stalled(
    transport: AiohttpTransport, stalling: StallingServer, timeout_s: float = 30.0
) -> asyncio.Task[int]:
    """Send a request the server holds; return once the server has it."""
    task = asyncio.create_task(send(transport, stalling.url, timeout_s))
    await stalling.arrived.wait()
    return task


@needs_uncancel
async def test_a_stalled_request_times_out_when_its_second_comes(
    stalling: StallingServer, session: aiohttp.ClientSession
) -> None:
    timer = FakeTimer(start=1000.2)
    transport, wheel = transport_on(session, timer)
    task = await start_stalled(transport, stalling)
    assert len(wheel) == 1
    assert timer.armed == [1031]  # 1000.2 + 30, rounded up to the whole second
    timer.advance_to(1030.9)
    await asyncio.sleep(0)
    assert not task.done()
    timer.advance_to(1031.0)
    with pytest.raises(RequestTimeoutError, match="no response in time"):
        await task
    assert len(wheel) == 0
    assert task.cancelling() == 0  # the wheel took its cancellation back


@needs_uncancel
async def test_a_request_answered_in_time_leaves_nothing_filed(
    stalling: StallingServer, session: aiohttp.ClientSession
) -> None:
    timer = FakeTimer()
    transport, wheel = transport_on(session, timer)
    stalling.release.set()
    assert await send(transport, stalling.url, 30.0) == 200
    assert len(wheel) == 0
    # The timer still fires once for the emptied second and cancels nobody.
    timer.advance_to(timer.now + 60)
    assert await send(transport, stalling.url, 30.0) == 200


@needs_uncancel
async def test_a_cancellation_from_outside_stays_a_cancellation(
    stalling: StallingServer, session: aiohttp.ClientSession
) -> None:
    timer = FakeTimer()
    transport, wheel = transport_on(session, timer)
    task = await start_stalled(transport, stalling)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(wheel) == 0


@needs_uncancel
async def test_outside_cancellation_wins_when_the_deadline_passes_at_once(
    stalling: StallingServer, session: aiohttp.ClientSession
) -> None:
    timer = FakeTimer()
    transport, wheel = transport_on(session, timer)
    task = await start_stalled(transport, stalling)
    timer.advance_to(timer.now + 31)  # the wheel cancels the task...
    task.cancel()  # ...and so does its owner, in the same loop iteration
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(wheel) == 0


@needs_uncancel
async def test_each_request_times_out_on_its_own_second(
    stalling: StallingServer, session: aiohttp.ClientSession
) -> None:
    timer = FakeTimer(start=1000.5)
    transport, wheel = transport_on(session, timer)
    early = await start_stalled(transport, stalling, 10.0)
    late = asyncio.create_task(send(transport, stalling.url, 20.0))
    while len(wheel) < 2:
        await asyncio.sleep(0)
    assert timer.armed == [1011]
    timer.advance_to(1011.0)
    with pytest.raises(RequestTimeoutError):
        await early
    assert not late.done() and len(wheel) == 1
    assert timer.armed == [1021]  # re-armed for the next second that holds one
    timer.advance_to(1021.0)
    with pytest.raises(RequestTimeoutError):
        await late
    assert len(wheel) == 0


@needs_uncancel
async def test_a_task_goes_on_after_its_request_timed_out(
    stalling: StallingServer, session: aiohttp.ClientSession
) -> None:
    """The timeout's cancellation is consumed: later awaits of the task run."""
    timer = FakeTimer()
    transport, _ = transport_on(session, timer)

    async def timed_out_then_sleeps() -> str:
        with pytest.raises(RequestTimeoutError):
            await send(transport, stalling.url, 30.0)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return "went on"

    task = asyncio.create_task(timed_out_then_sleeps())
    await stalling.arrived.wait()
    timer.advance_to(timer.now + 31)
    assert await task == "went on"


async def test_short_timeouts_keep_a_timer_of_their_own(
    stalling: StallingServer, session: aiohttp.ClientSession
) -> None:
    """Below WHEEL_MIN_TIMEOUT_S, rounding up to a second would stretch it."""
    timer = FakeTimer()
    transport, wheel = transport_on(session, timer)
    task = asyncio.create_task(
        send(transport, stalling.url, WHEEL_MIN_TIMEOUT_S - 4.99)
    )
    # One step runs ``send`` to its first await: past where it would file the
    # request (not waiting for the server, which a 10 ms timeout may never reach).
    await asyncio.sleep(0)
    assert len(wheel) == 0 and timer.armed == []
    with pytest.raises(RequestTimeoutError):
        await task  # aiohttp's own 10 ms timer


class _SwallowingBody:
    """A body whose first read swallows a cancellation and answers anyway.

    aiohttp can end an exchange this way when its timer and the answer meet in one
    loop iteration; a real server cannot be made to hit that moment on demand, so
    this one part is a stand-in.
    """

    def __init__(self) -> None:
        self.reading = asyncio.Event()
        self.chunks = [b"{}", b""]

    async def readany(self) -> bytes:
        if not self.reading.is_set():
            self.reading.set()
            with contextlib.suppress(asyncio.CancelledError):  # swallowed on the way
                await asyncio.Event().wait()  # no answer until cancelled
        return self.chunks.pop(0)


class _SwallowingResponse:
    status = 200

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.content = _SwallowingBody()

    def release(self) -> None:
        return None

    def close(self) -> None:
        return None


class _SwallowingSession:
    def __init__(self) -> None:
        self.response = _SwallowingResponse()

    async def request(self, *args: object, **kwargs: object) -> _SwallowingResponse:
        return self.response


@needs_uncancel
async def test_a_swallowed_timeout_cancellation_is_taken_back() -> None:
    """The wheel cancels the task, the exchange swallows it and ends: the request
    returns, and the task's cancellation count is back to what it was."""
    timer = FakeTimer()
    session = _SwallowingSession()
    wheel = DeadlineWheel(timer)
    transport = AiohttpTransport(session, deadlines=wheel)  # type: ignore[arg-type]

    async def send_then_check() -> tuple[int, int]:
        response = await transport.send(
            "POST", "http://x/y", headers={}, body=b"{}", timeout_s=30.0
        )
        task = asyncio.current_task()
        assert task is not None
        return response.status, task.cancelling()

    task = asyncio.create_task(send_then_check())
    await session.response.content.reading.wait()
    timer.advance_to(timer.now + 31)
    assert await task == (200, 0)
    assert len(wheel) == 0


class _TimeoutSpy:
    """A real session, with a note of the timeout each request was sent with."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self.timeouts: list[Any] = []

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self.timeouts.append(kwargs["timeout"])
        return self.session.request(*args, **kwargs)


async def test_without_uncancel_long_deadlines_keep_aiohttps_timer(
    stalling: StallingServer,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What Python 3.10 does (no ``Task.uncancel``), forced on any version: a 30 s
    deadline goes to aiohttp as its own timeout, and nothing is filed."""
    monkeypatch.setattr(_transport, "current_task", _no_task)
    timer = FakeTimer()
    spy = _TimeoutSpy(session)
    wheel = DeadlineWheel(timer)
    transport = AiohttpTransport(spy, deadlines=wheel)  # type: ignore[arg-type]
    task = await start_stalled(transport, stalling)
    assert len(wheel) == 0 and timer.armed == []
    assert [t.total for t in spy.timeouts] == [30.0]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
