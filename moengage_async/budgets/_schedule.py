"""Schedule maths: the earliest schedule a set of rolling windows allows.

Pure functions over budgets-as-data, used by every plan and ETA (``plan_*``,
``--dry-run``, progress, the demo). The earliest schedule under several rolling
windows is the greedy one (send each request at the first instant every window
has room), so it is computed exactly, in groups of requests sent at the same
instant: a million ids under the documented status budget is ~10,000 groups.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ._limiter import WindowUsage
from ._spec import Budget, Window

__all__ = [
    "PriorUsage",
    "bulk_view",
    "earliest_finish",
    "earliest_finish_s",
    "prior_from_snapshot",
    "schedule_groups",
]

#: Times closer than this are the same instant (window arithmetic in floats).
_EPS = 1e-9


@dataclass(frozen=True)
class PriorUsage:
    """Slots already taken in one window: the clock times at which they were stamped."""

    stamps: tuple[float, ...] = ()


class _Lane:
    """One window during scheduling: its prior stamps and two monotone cursors."""

    __slots__ = ("count_cursor", "limit", "prior", "seconds", "time_cursor")

    def __init__(self, window: Window, prior: Sequence[float]) -> None:
        self.limit = window.limit
        self.seconds = window.seconds
        self.prior = sorted(prior)
        self.time_cursor = 0
        self.count_cursor = 0


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
    usage: Iterable[WindowUsage],
    budgets: Mapping[str, Budget],
    now: float,
    sent: Iterable[float] = (),
) -> tuple[list[tuple[Window, PriorUsage]], float]:
    """Turn a limiter snapshot into per-window prior stamps and a blocked-until time.

    A snapshot tells how many slots each window holds (``used + in_flight``) and when
    the first frees (``next_free_in``), not every stamp. ``sent`` are stamps known
    exactly (a running job's own completed requests): they are kept as they are.
    The other slots are taken to free together at ``next_free_in``, so the plan
    stays a lower bound ("earliest").
    """
    known = sorted(t for t in sent if t <= now)
    # By length: a budget has one window of each, and the limit may differ (a
    # bulk view of it, a limit learned from the server).
    by_key = {(u.budget, u.seconds): u for u in usage}
    windows: list[tuple[Window, PriorUsage]] = []
    blocked = now
    for name, budget in budgets.items():
        for window in budget.windows:
            inside = [t for t in known if t > now - window.seconds]
            u = by_key.get((name, window.seconds))
            if u is None:  # the limiter says nothing: the known stamps alone
                windows.append((window, PriorUsage(tuple(inside[-window.limit :]))))
                continue
            blocked = max(blocked, now + u.blocked_for)
            taken = min(u.used + u.in_flight, window.limit)
            mine = inside[max(len(inside) - taken, 0) :] if taken else []
            stamp = min(now + max(u.next_free_in, 0.0) - window.seconds, now)
            rest = (stamp,) * (taken - len(mine))
            windows.append((window, PriorUsage((*rest, *mine))))
    return windows, blocked


def earliest_finish_s(
    items: int,
    windows: Iterable[tuple[int, float]],
    *,
    sent: Iterable[float] = (),
    now: float = 0.0,
) -> float:
    """Seconds from ``now`` until the last of ``items`` sends may start.

    Every window (``limit`` per ``seconds``) already holds the earlier sends
    ``sent`` (clock times). Exact for one process that owns the budgets; a lower
    bound when others spend them too.
    """
    if items <= 0:
        return 0.0
    stamps = PriorUsage(tuple(sent))
    lanes = [(Window(int(lim), float(sec)), stamps) for lim, sec in windows]
    return earliest_finish(lanes, items, start=now) - now


def bulk_view(budget: Budget, usage: Iterable[WindowUsage]) -> Budget:
    """``budget`` as a ``Priority.BULK`` caller may fill it now: every window less
    the slots the limiter's bulk policy keeps free for interactive calls
    (``WindowUsage.reserved``; all of it when the limiter reports none)."""
    reserved = {u.seconds: u.reserved for u in usage if u.budget == budget.name}
    windows = tuple(
        Window(max(1, w.limit - reserved.get(w.seconds, 0)), w.seconds)
        for w in budget.windows
    )
    return dataclasses.replace(budget, windows=windows)
