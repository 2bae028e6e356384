"""Exact rolling-window counting on the server side, per workspace and budget.

A request *arrives* at one instant (after the simulated uplink). It is admitted
only if every window of every budget it belongs to holds fewer than ``limit``
arrivals in the trailing ``seconds`` (an arrival at ``t`` is forgotten at exactly
``t + seconds``). A rejected request is recorded nowhere in the windows.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable, Mapping

from ..budgets import Budget, Window

__all__ = ["WindowCounter"]


class _Log:
    """Sorted arrival times inside one window, oldest first."""

    __slots__ = ("times", "window")

    def __init__(self, window: Window) -> None:
        self.window = window
        self.times: deque[float] = deque()

    def purge(self, now: float) -> None:
        horizon = now - self.window.seconds
        times = self.times
        while times and times[0] <= horizon:
            times.popleft()

    def wait(self, now: float) -> float:
        """Seconds until one more arrival fits (0.0 when it fits now)."""
        self.purge(now)
        excess = len(self.times) - self.window.limit
        if excess < 0:
            return 0.0
        return self.times[excess] + self.window.seconds - now

    def add(self, at: float) -> None:
        times = self.times
        if not times or times[-1] <= at:
            times.append(at)
        else:  # a clock that is not monotonic across callers; keep it sorted
            bisect.insort(times, at)


class WindowCounter:
    """Admission control for every budget of every workspace."""

    __slots__ = ("_budgets", "_logs")

    def __init__(self, budgets: Mapping[str, Budget]) -> None:
        self._budgets = dict(budgets)
        self._logs: dict[tuple[str, str], tuple[_Log, ...]] = {}

    @property
    def budgets(self) -> Mapping[str, Budget]:
        """The budget table being enforced."""
        return self._budgets

    def _logs_for(self, workspace: str, name: str) -> tuple[_Log, ...]:
        key = (workspace, name)
        logs = self._logs.get(key)
        if logs is None:
            logs = tuple(_Log(w) for w in self._budgets[name].windows)
            self._logs[key] = logs
        return logs

    def wait(self, workspace: str, names: Iterable[str], now: float) -> float:
        """Seconds until a request of these budgets fits; 0.0 means it fits now."""
        worst = 0.0
        for name in names:
            for log in self._logs_for(workspace, name):
                worst = max(worst, log.wait(now))
        return worst

    def record(self, workspace: str, names: Iterable[str], at: float) -> None:
        """Count one admitted request (call only after ``wait`` returned 0.0)."""
        for name in names:
            for log in self._logs_for(workspace, name):
                log.add(at)

    def consume(self, workspace: str, name: str, at: float, count: int) -> None:
        """Count ``count`` arrivals of one budget at ``at``, even past its limit."""
        logs = self._logs_for(workspace, name)
        for _ in range(count):
            for log in logs:
                log.add(at)

    def tightest(
        self, workspace: str, names: Iterable[str], now: float
    ) -> tuple[int, int, float] | None:
        """``(limit, remaining, reset)`` of the window with the fewest free slots.

        ``reset`` is the seconds until that window's next slot frees (its oldest
        counted arrival leaves it; 0.0 when it counts none). Ties go to the
        window that frees later. None when ``names`` has no windows.
        """
        best: tuple[int, float, int] | None = None
        for name in names:
            for log in self._logs_for(workspace, name):
                log.purge(now)
                times = log.times
                limit = log.window.limit
                remaining = max(0, limit - len(times))
                reset = 0.0
                if times:
                    oldest = times[max(0, len(times) - limit)]
                    reset = oldest + log.window.seconds - now
                if best is None or (remaining, -reset) < (best[0], -best[1]):
                    best = (remaining, reset, limit)
        if best is None:
            return None
        return best[2], best[0], best[1]

    def admit(self, workspace: str, names: tuple[str, ...], now: float) -> float:
        """Count the request and return 0.0, or return the wait and count nothing."""
        wait = self.wait(workspace, names, now)
        if wait <= 0.0:
            self.record(workspace, names, now)
        return wait
