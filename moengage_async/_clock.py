"""Injected time: a ``Clock`` has ``now()`` and ``sleep()``; tests use FakeClock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Any, Protocol, runtime_checkable

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

    #: ``time.monotonic`` itself: ``clock.now()`` runs several times per request,
    #: and a direct C call skips a Python frame each time.
    now = staticmethod(time.monotonic)

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(seconds, 0.0))

    def __repr__(self) -> str:
        return "MonotonicClock()"


class FakeClock:
    """Virtual time for tests: nothing sleeps for real.

    Time moves only through ``advance()`` or, inside ``autojump()``, to the next
    sleeper's deadline whenever every task is blocked, as trio's ``MockClock`` does.
    ``settle()`` lets every other task run until it blocks, without moving time.
    Cancelled sleeps are forgotten at once, so they never drag time forward.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        # [deadline, seq, event, alive]: a cancelled sleep is marked dead and
        # skipped, so autojump never jumps to a moment nobody waits for.
        self._sleepers: list[list[Any]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await anyio.lowlevel.checkpoint()
            return
        wake = anyio.Event()
        entry: list[Any] = [self._now + seconds, next(self._seq), wake, True]
        heapq.heappush(self._sleepers, entry)
        try:
            await wake.wait()
        finally:
            entry[3] = False
            self._drop_dead()

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleeper whose deadline has come."""
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        self._now += seconds
        self._wake_due()

    def _drop_dead(self) -> None:
        while self._sleepers and not self._sleepers[0][3]:
            heapq.heappop(self._sleepers)

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._now:
            entry = heapq.heappop(self._sleepers)
            entry[2].set()

    @property
    def pending_sleepers(self) -> int:
        """How many sleeps are still waiting (cancelled ones are not counted)."""
        return sum(1 for entry in self._sleepers if entry[3])

    @property
    def next_deadline(self) -> float | None:
        """The earliest time a live sleeper waits for, if any."""
        self._drop_dead()
        return self._sleepers[0][0] if self._sleepers else None

    async def settle(self) -> None:
        """Return once every other task is blocked (time does not move)."""
        await _all_other_tasks_blocked()

    async def autojump(self) -> None:
        """Run forever, jumping to the next deadline whenever all other tasks block.

        Start it in a task group and cancel it when done.
        """
        while True:
            await _all_other_tasks_blocked()
            self._drop_dead()
            if self._sleepers:
                self._now = max(self._now, self._sleepers[0][0])
                self._wake_due()
            else:
                await anyio.lowlevel.checkpoint()  # real time: let I/O progress

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now!r})"


async def _all_other_tasks_blocked() -> None:
    """Return once every other task waits on an unfinished future.

    anyio's ``wait_all_tasks_blocked`` sleeps 0.1 s of real time whenever a task
    is runnable; this yields one loop iteration instead, so virtual-time tests
    run at full speed (asyncio only, like the client).
    """
    this = asyncio.current_task()
    while True:
        await asyncio.sleep(0)
        for task in asyncio.all_tasks():
            if task is this:
                continue
            waiter = task._fut_waiter  # type: ignore[attr-defined]
            if waiter is None or waiter.done():
                break
        else:
            return
