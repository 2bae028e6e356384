"""Exact rolling-window budgets in memory.

PLACEHOLDER: a simple exact log-based limiter so the client works end to end; the
budgets issue replaces it with the full design (priority lanes, FIFO fairness,
O(1) amortized acquires, snapshots).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence

import anyio

from ._budget_spec import Budget, Priority
from ._clock import Clock, MonotonicClock
from ._errors import RateLimitError
from ._limiter import Permit, WindowUsage

__all__ = ["MemoryLimiter"]


class _Permit:
    def __init__(
        self, limiter: MemoryLimiter, workspace: str, budgets: Sequence[str]
    ) -> None:
        self._limiter = limiter
        self._workspace = workspace
        self._budgets = budgets
        self._done = False

    async def complete(self, *, success: bool) -> None:
        if self._done:
            return
        self._done = True
        self._limiter._complete(self._workspace, self._budgets, success)


class MemoryLimiter:
    """In-process budgets keyed by workspace."""

    def __init__(
        self,
        budgets: Mapping[str, Budget],
        *,
        clock: Clock | None = None,
        bulk_share: float = 0.8,
    ) -> None:
        self._budgets = dict(budgets)
        self._clock = clock or MonotonicClock()
        self._stamps: dict[tuple[str, str], deque[float]] = {}
        self._in_flight: dict[tuple[str, str], int] = {}
        self._blocked_until: dict[tuple[str, str], float] = {}
        self._lock = anyio.Lock()

    def _wait(self, workspace: str, names: Sequence[str], now: float) -> float:
        wait = 0.0
        for name in names:
            key = (workspace, name)
            budget = self._budgets[name]
            stamps = self._stamps.setdefault(key, deque())
            flying = self._in_flight.get(key, 0)
            wait = max(wait, self._blocked_until.get(key, 0.0) - now)
            for window in budget.windows:
                recent = [t for t in stamps if t > now - window.seconds]
                if len(recent) + flying >= window.limit:
                    excess = len(recent) + flying - window.limit
                    if excess >= len(recent):
                        wait = max(wait, 1e-3)
                    else:
                        wait = max(wait, recent[excess] + window.seconds - now)
        return wait

    async def acquire(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
        deadline: float | None = None,
    ) -> Permit:
        async with self._lock:
            while True:
                now = self._clock.now()
                wait = self._wait(workspace, budgets, now)
                if wait <= 0:
                    for name in budgets:
                        key = (workspace, name)
                        self._in_flight[key] = self._in_flight.get(key, 0) + 1
                    return _Permit(self, workspace, budgets)
                if deadline is not None and now + wait > deadline:
                    raise RateLimitError(
                        "budget cannot admit this call before its deadline",
                        retry_at=now + wait,
                        local=True,
                    )
                await self._clock.sleep(wait)

    def _complete(self, workspace: str, budgets: Sequence[str], success: bool) -> None:
        now = self._clock.now()
        for name in budgets:
            key = (workspace, name)
            self._in_flight[key] -= 1
            if success or not self._budgets[name].successes_only:
                self._stamps.setdefault(key, deque()).append(now)

    async def block(
        self, workspace: str, budgets: Sequence[str], seconds: float
    ) -> None:
        until = self._clock.now() + seconds
        for name in budgets:
            key = (workspace, name)
            self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), until)

    def snapshot(self, workspace: str) -> list[WindowUsage]:
        return []

    async def aclose(self) -> None:
        return None
