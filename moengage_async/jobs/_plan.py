"""Schedule maths: how many requests a job needs and the earliest time it can end.

Pure functions over budgets-as-data. The earliest schedule under several rolling
windows is the greedy one (send each request at the first instant every window has
room), so it is computed exactly, in groups of requests sent at the same instant:
a million ids under the documented status budget is ~10,000 groups.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .._constants import MAX_STATUS_BATCH
from ..api import OPERATIONS
from ..budgets import Budget, Window, WindowUsage

__all__ = [
    "Plan",
    "PriorUsage",
    "bulk_windows",
    "earliest_finish",
    "format_duration",
    "plan_requests",
    "prior_from_snapshot",
    "schedule_groups",
    "status_change_requests",
]

#: Times closer than this are the same instant (window arithmetic in floats).
_EPS = 1e-9


@dataclass(frozen=True)
class PriorUsage:
    """Slots already taken in one window: the clock times at which they were stamped."""

    stamps: tuple[float, ...] = ()


@dataclass(frozen=True)
class Plan:
    """What a job will cost before anything is sent.

    ``earliest_finish_s`` is measured from the moment of planning to the instant the
    last request may be sent (response latency not included): no schedule that
    respects every window of ``budgets`` can be shorter.
    """

    operation: str
    items: int
    requests: int
    budgets: tuple[str, ...]
    earliest_finish_s: float

    def describe(self) -> str:
        """One human line, e.g. for ``--dry-run``."""
        return (
            f"{self.operation}: {self.items} item(s) -> {self.requests} request(s) "
            f"via budget(s) {', '.join(self.budgets)}; earliest finish in "
            f"{format_duration(self.earliest_finish_s)}"
        )


def format_duration(seconds: float) -> str:
    """Render seconds as ``2d 03h 04m 05s``-style text (short units, no zeros)."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    return " ".join(f"{v}{u}" for v, u in parts if v) or "0s"


def status_change_requests(n_ids: int, *, api_version: int = 1) -> int:
    """Requests needed to change the status of ``n_ids`` campaigns (no bisection)."""
    if n_ids < 0:
        raise ValueError("n_ids must be >= 0")
    if api_version == 1:
        return math.ceil(n_ids / MAX_STATUS_BATCH)
    if api_version == 5:
        return n_ids
    raise ValueError(f"api_version must be 1 or 5, got {api_version!r}")


class _Lane:
    """One window during scheduling: its prior stamps and two monotone cursors."""

    __slots__ = ("count_cursor", "limit", "prior", "seconds", "time_cursor")

    def __init__(self, window: Window, prior: Sequence[float]) -> None:
        self.limit = window.limit
        self.seconds = window.seconds
        self.prior = sorted(prior)
        self.time_cursor = 0
        self.count_cursor = 0


def bulk_windows(windows: Sequence[Window], bulk_share: float) -> tuple[Window, ...]:
    """The windows as a ``Priority.BULK`` caller sees them: ``bulk_share`` of each.

    The limiter keeps the rest of every window for interactive calls, so a bulk
    job's schedule is planned against ``floor(limit * bulk_share)`` (at least 1).
    """
    if not 0.0 < bulk_share <= 1.0:
        raise ValueError(f"bulk_share must be in (0, 1], got {bulk_share!r}")
    return tuple(
        Window(max(1, min(w.limit, math.floor(w.limit * bulk_share))), w.seconds)
        for w in windows
    )


def schedule_groups(
    windows: Sequence[tuple[Window, PriorUsage]] | Sequence[Window],
    n_requests: int,
    *,
    start: float = 0.0,
    blocked_until: float | None = None,
) -> list[tuple[float, int]]:
    """Return the earliest schedule as ``(time, requests_sent_at_that_time)`` groups.

    ``windows`` are all windows the requests must clear (of every budget they
    take), each optionally with the stamps already in it. Requests are counted
    when sent; no window ever holds more than its limit in any interval
    ``(t - seconds, t]``.
    """
    if n_requests < 0:
        raise ValueError("n_requests must be >= 0")
    lanes = [
        _Lane(w, ()) if isinstance(w, Window) else _Lane(w[0], w[1].stamps)
        for w in windows
    ]
    times: list[float] = []
    ends: list[int] = []  # ends[g]: requests sent up to and including group g
    t = start if blocked_until is None else max(start, blocked_until)
    sent = 0
    while sent < n_requests:
        for lane in lanes:
            j = sent + len(lane.prior) - lane.limit  # the request that must expire
            if j < 0:
                continue
            if j < len(lane.prior):
                expires = lane.prior[j] + lane.seconds
            else:
                k = j - len(lane.prior)
                while ends[lane.time_cursor] <= k:
                    lane.time_cursor += 1
                expires = times[lane.time_cursor] + lane.seconds
            t = max(t, expires)
        allowed = n_requests - sent
        for lane in lanes:
            horizon = t - lane.seconds + _EPS
            cursor = lane.count_cursor
            while cursor < len(times) and times[cursor] <= horizon:
                cursor += 1
            lane.count_cursor = cursor
            expired_new = ends[lane.count_cursor - 1] if lane.count_cursor else 0
            expired_prior = bisect.bisect_right(lane.prior, horizon)
            in_window = len(lane.prior) - expired_prior + sent - expired_new
            allowed = min(allowed, lane.limit - in_window)
        if allowed < 1:  # pragma: no cover - the expiry step guarantees room
            raise AssertionError("schedule made no progress")
        sent += allowed
        times.append(t)
        ends.append(sent)
    return [(times[g], ends[g] - (ends[g - 1] if g else 0)) for g in range(len(times))]


def earliest_finish(
    windows: Sequence[tuple[Window, PriorUsage]] | Sequence[Window],
    n_requests: int,
    *,
    start: float = 0.0,
    blocked_until: float | None = None,
) -> float:
    """Return when the last of ``n_requests`` can be sent at the earliest."""
    groups = schedule_groups(
        windows, n_requests, start=start, blocked_until=blocked_until
    )
    return groups[-1][0] if groups else start


def prior_from_snapshot(
    usage: Iterable[WindowUsage], budgets: Mapping[str, Budget], now: float
) -> tuple[list[tuple[Window, PriorUsage]], float]:
    """Turn a limiter snapshot into per-window prior stamps and a blocked-until time.

    A snapshot tells how many slots each window holds (``used + in_flight``) and when
    the first frees (``next_free_in``), not every stamp; the slots are taken to free
    together at that moment, so the plan stays a lower bound ("earliest").
    """
    by_key = {(u.budget, u.limit, u.seconds): u for u in usage}
    windows: list[tuple[Window, PriorUsage]] = []
    blocked = now
    for name, budget in budgets.items():
        for window in budget.windows:
            u = by_key.get((name, window.limit, window.seconds))
            if u is None:
                windows.append((window, PriorUsage()))
                continue
            blocked = max(blocked, now + u.blocked_for)
            taken = min(u.used + u.in_flight, window.limit)
            stamp = now + max(u.next_free_in, 0.0) - window.seconds
            windows.append((window, PriorUsage((min(stamp, now),) * taken)))
    return windows, blocked


def plan_requests(
    operation: str,
    items: int,
    requests: int,
    budgets: Mapping[str, Budget],
    *,
    usage: Iterable[WindowUsage] = (),
    now: float = 0.0,
    bulk_share: float = 1.0,
) -> Plan:
    """Plan ``requests`` requests of ``operation`` (a name in the operation table).

    ``bulk_share`` below 1 plans a ``Priority.BULK`` job, which may fill only that
    share of each window.
    """
    names = OPERATIONS[operation].budgets
    chosen = {
        name: dataclasses.replace(
            budgets[name], windows=bulk_windows(budgets[name].windows, bulk_share)
        )
        for name in names
    }
    windows, blocked = prior_from_snapshot(
        [u for u in usage if u.budget in chosen], chosen, now
    )
    finish = earliest_finish(windows, requests, start=now, blocked_until=blocked)
    return Plan(operation, items, requests, tuple(names), max(finish - now, 0.0))
