"""Request deadlines on one shared timer, to the whole second.

A per-request timer (aiohttp's ``ClientTimeout``, ``asyncio.timeout``) schedules and
cancels a timer handle for every request: 7.4 % of a keep-alive request's
instructions on a fast server, against this wheel
(``benchmarks/bench_request_instructions.py``, 2026-12-06). Deadlines of seconds
need no such precision: aiohttp itself rounds any timeout of 5 s or more up to the
next whole second of the loop clock. This wheel keeps that rounding and files each
in-flight request under its second; one timer handle, armed for the earliest
second that holds requests, cancels whatever is still in flight when it fires.
A request costs a dict insert and a pop.

Cancellation follows ``asyncio.timeout``: the timer cancels the request's task, and
the caller (``AiohttpTransport.send``) turns that cancellation into
``RequestTimeoutError`` only if nobody else cancelled the task meanwhile
(``Task.uncancel``, Python 3.11+). A cancellation from outside always propagates.
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
from collections.abc import Callable
from typing import Protocol

__all__ = [
    "Bucket",
    "DeadlineWheel",
    "Timer",
    "UncancellableTask",
    "WHEEL_MIN_TIMEOUT_S",
    "current_task",
]

#: Shorter timeouts keep a timer of their own: rounding 0.5 s up to the next whole
#: second would double it. aiohttp rounds from 5 s on (``timeout_ceil_threshold``).
WHEEL_MIN_TIMEOUT_S = 5.0


class UncancellableTask(Protocol):
    """An ``asyncio.Task`` that counts cancellations (Python 3.11+)."""

    def cancel(self, msg: object = None) -> bool: ...

    def cancelling(self) -> int: ...

    def uncancel(self) -> int: ...


def _no_task(loop: asyncio.AbstractEventLoop) -> UncancellableTask | None:
    return None


#: The task running in a loop, if this Python can tell its own cancellation from
#: another's; ``None`` on Python 3.10 (no ``Task.uncancel``): there a per-request
#: timer bounds each request instead.
current_task: Callable[[asyncio.AbstractEventLoop], UncancellableTask | None] = (
    asyncio.current_task  # type: ignore[assignment]
    if sys.version_info >= (3, 11)
    else _no_task
)


class Timer(Protocol):
    """The part of an event loop the wheel uses (injectable for tests)."""

    def time(self) -> float: ...

    def call_at(
        self, when: float, callback: Callable[[], object]
    ) -> asyncio.TimerHandle: ...


#: A request's entry in its second's bucket. ``bucket.pop(task, True)`` is then
#: True exactly when the wheel took the task out first: it has expired.
Bucket = dict[UncancellableTask, bool]


class DeadlineWheel:
    """Every in-flight request of one event loop, filed by deadline second."""

    __slots__ = ("_armed_for", "_buckets", "_handle", "_now", "_timer")

    def __init__(self, timer: Timer) -> None:
        self._timer = timer
        # An asyncio loop's ``time`` is ``time.monotonic`` behind a Python frame.
        self._now: Callable[[], float] = (
            time.monotonic
            if getattr(type(timer), "time", None) is asyncio.BaseEventLoop.time
            else timer.time
        )
        self._buckets: dict[int, Bucket] = {}
        self._handle: asyncio.TimerHandle | None = None
        self._armed_for: int | None = None

    def __len__(self) -> int:
        """Requests in flight under a deadline."""
        return sum(len(bucket) for bucket in self._buckets.values())

    def file(self, task: UncancellableTask, timeout_s: float) -> Bucket:
        """File ``task`` under its deadline second; return that second's bucket.

        The caller takes the task out with ``bucket.pop(task, True)``, which is
        True if the wheel had already expired it. A bucket emptied that way stays
        until its second comes: filing costs a lookup and an insert, nothing more.
        """
        second = math.ceil(self._now() + timeout_s)
        bucket = self._buckets.get(second)
        if bucket is None:
            bucket = self._buckets[second] = {}
            if self._armed_for is None or second < self._armed_for:
                self._arm(second)
        bucket[task] = False
        return bucket

    def _arm(self, second: int) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._armed_for = second
        self._handle = self._timer.call_at(second, self._fire)

    def _fire(self) -> None:
        # Due: the second armed for, and any the clock has passed meanwhile.
        limit = max(self._armed_for or 0, self._now())
        self._handle = None
        self._armed_for = None
        due = [second for second in self._buckets if second <= limit]
        for second in due:
            bucket = self._buckets.pop(second)
            tasks = list(bucket)
            bucket.clear()  # before cancelling: each task then finds itself expired
            for task in tasks:
                task.cancel()
        if self._buckets:
            self._arm(min(self._buckets))
