"""Injected time: a ``Clock`` has ``now()`` and ``sleep()``; tests use FakeClock."""

from __future__ import annotations

import heapq
import itertools
import time
from typing import Protocol, runtime_checkable

import anyio
import anyio.lowlevel

__all__ = ["Clock", "FakeClock", "MonotonicClock"]


@runtime_checkable
class Clock(Protocol):
    """A source of time in seconds and a way to wait for it to pass."""

    def now(self) -> float:
        """Return the current time in seconds (any fixed origin)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; only checkpoint when it is not positive."""
        ...


class MonotonicClock:
    """The real clock: ``time.monotonic`` and ``anyio.sleep``."""

    __slots__ = ()

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(seconds, 0.0))

    def __repr__(self) -> str:
        return "MonotonicClock()"


class FakeClock:
    """Virtual time for tests: nothing sleeps for real.

    Time moves only through ``advance()`` or, inside ``autojump()``, to the next
    sleeper's deadline whenever every task is blocked, as trio's ``MockClock`` does.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await anyio.lowlevel.checkpoint()
            return
        wake = anyio.Event()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), wake))
        await wake.wait()

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleeper whose deadline has come."""
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        self._now += seconds
        self._wake_due()

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, wake = heapq.heappop(self._sleepers)
            wake.set()  # a cancelled sleeper ignores it

    @property
    def pending_sleepers(self) -> int:
        """How many sleeps are still waiting (cancelled ones included until due)."""
        return len(self._sleepers)

    async def autojump(self) -> None:
        """Run forever, jumping to the next deadline whenever all other tasks block.

        Start it in a task group and cancel it when done.
        """
        while True:
            await anyio.wait_all_tasks_blocked()
            if self._sleepers:
                self._now = max(self._now, self._sleepers[0][0])
                self._wake_due()
            else:
                await anyio.lowlevel.checkpoint()  # real time: let I/O progress

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now!r})"
