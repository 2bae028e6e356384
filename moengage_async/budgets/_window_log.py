"""Exact rolling-window maths, pure and synchronous (no clock, no tasks).

The rule that makes a schedule safe against a strict server whatever the network
does: admit a request sent at ``s`` only if, for every window ``limit/seconds``,
``in_flight + #(completion stamps c with c > s - seconds) < limit``. A request
reaches the server somewhere between its send and its completion, so no server
window of that length can then hold ``limit + 1`` arrivals.

Completion stamps arrive in time order, so each window's log is sorted: it is a
ring of ``(time, count)`` entries, expired from the left in O(1) amortized. Large
windows (limit above ``EXACT_UP_TO``) merge stamps that share a slice of
``seconds / SLICES`` into one entry stamped with the latest time: that expires the
merged stamps *later* than their own times (never over-admits), costs under
``1 / SLICES`` of throughput and bounds the ring to ``SLICES + 1`` entries.
"""

from __future__ import annotations

import math
import sys
from array import array
from typing import Any

from ._policy import (
    QUIET,
    BulkPolicy,
    DemandState,
    StaticShare,
    WorkConserving,
    bulk_cap,
    heard,
    level,
    quiet_at,
    share_of,
    window_reserve,
)
from ._rule import admission_bound, bulk_limit

__all__ = ["BudgetState", "EXACT_UP_TO", "SLICES", "WindowLog"]

#: Windows with at most this many requests keep every stamp (exact).
EXACT_UP_TO = 512
#: Larger windows merge stamps within ``seconds / SLICES`` of each other.
SLICES = 512


class WindowLog:
    """The completion stamps still inside one rolling window, oldest first.

    Small windows store each distinct stamp time as a double. Large windows store
    the index of the slice a stamp fell into (4 bytes) and treat the stamp as if
    made at the slice's end: later than it was, so expiry is never early.
    """

    __slots__ = (
        "_base",
        "_cap",
        "_counts",
        "_head",
        "_size",
        "_times",
        "bulk_limit",
        "limit",
        "next_expiry",
        "quantum",
        "seconds",
        "used",
    )

    def __init__(self, limit: int, seconds: float, bulk_share: float = 1.0) -> None:
        self.limit = limit
        self.seconds = seconds
        self.bulk_limit = bulk_limit(limit, bulk_share)
        self.quantum = 0.0 if limit <= EXACT_UP_TO else seconds / SLICES
        self.used = 0
        self._cap = max(1, min(limit, SLICES + 2) if self.quantum else limit)
        self._times: array[Any] = (
            array("i", [0]) * self._cap
            if self.quantum
            else array("d", [0.0]) * self._cap
        )
        self._counts = array("H" if limit < 65536 else "L", [0]) * self._cap
        self._base = 0  # slice indices are stored relative to this one
        self._head = 0
        self._size = 0
        #: When the oldest entry leaves the window (inf when empty): callers skip
        #: ``expire()`` entirely until then, which keeps acquire O(1).
        self.next_expiry = math.inf

    def _time(self, index: int) -> float:
        if self.quantum:
            return float((self._base + self._times[index] + 1) * self.quantum)
        return float(self._times[index])

    def expire(self, now: float) -> None:
        """Drop entries whose window has passed (a stamp ``c`` counts while
        ``now < c + seconds``)."""
        size = self._size
        if not size:
            return
        times, counts, cap = self._times, self._counts, self._cap
        head, seconds, quantum = self._head, self.seconds, self.quantum
        base, used = self._base, self.used
        next_expiry = math.inf
        while size:
            stamp = (base + times[head] + 1) * quantum if quantum else times[head]
            if stamp + seconds > now:
                next_expiry = stamp + seconds  # the same sum as ``_time(head)``'s
                break
            used -= counts[head]
            head = (head + 1) % cap
            size -= 1
        self._head, self._size, self.used = head, size, used
        self.next_expiry = next_expiry

    def add(self, now: float) -> None:
        """Record one completion stamp at ``now`` (never earlier than the last)."""
        if now >= self.next_expiry:
            self.expire(now)
        self.used += 1
        stamp: float = self._slice(now) if self.quantum else now
        size = self._size
        if size:
            last = (self._head + size - 1) % self._cap
            if self._times[last] >= stamp:
                self._counts[last] += 1
                return
            if size == self._cap:
                self._grow()
        slot = (self._head + size) % self._cap
        self._times[slot] = stamp
        self._counts[slot] = 1
        self._size = size + 1
        if not size:
            self.next_expiry = self._time(slot) + self.seconds

    def _slice(self, now: float) -> int:
        index = math.floor(now / self.quantum)
        if not self._size:
            self._base = index  # keeps the stored offsets small
        if (index + 1) * self.quantum < now:  # division rounded down: stay late
            index += 1
        return index - self._base

    def _grow(self) -> None:
        # Only reachable if more stamps than the limit land in one window, which
        # the admission rule prevents; kept so a misuse degrades, never corrupts.
        order = [(self._head + i) % self._cap for i in range(self._size)]
        times = array(self._times.typecode, (self._times[i] for i in order))
        counts = array(self._counts.typecode, (self._counts[i] for i in order))
        times.extend(array(self._times.typecode, [0]) * self._cap)
        counts.extend(array(self._counts.typecode, [0]) * self._cap)
        self._times, self._counts = times, counts
        self._head, self._cap = 0, self._cap * 2

    def expiry_of(self, n: int) -> float:
        """Return when the oldest ``n`` counted stamps (``1 <= n <= used``) have
        all expired."""
        seen = 0
        index = self._head
        while True:
            seen += self._counts[index]
            if seen >= n:
                return self._time(index) + self.seconds
            index = (index + 1) % self._cap

    def admission_bound(
        self, now: float, flying: int, ahead: int, cap: int
    ) -> tuple[float, bool]:
        """Return a lower bound on when one more request fits under ``cap``, and
        whether that waits on an in-flight request's completion
        (``_rule.admission_bound``)."""
        self.expire(now)
        return admission_bound(
            now,
            self.seconds,
            cap,
            self.limit,
            self.used,
            flying,
            ahead,
            self.expiry_of,
        )

    @property
    def entries(self) -> int:
        """How many ring entries are in use (for memory tests and snapshots)."""
        return self._size


class BudgetState:
    """One budget of one workspace: its windows, in-flight count, server block and
    the interactive demand the bulk policy follows (``_policy``)."""

    __slots__ = (
        "blocked_until",
        "concurrency",
        "demand",
        "demand_s",
        "floor",
        "gate",
        "horizon_s",
        "in_flight",
        "name",
        "static",
        "successes_only",
        "windows",
    )

    def __init__(
        self,
        name: str,
        windows: tuple[tuple[int, float], ...],
        *,
        successes_only: bool = False,
        concurrency: int | None = None,
        policy: BulkPolicy | None = None,
    ) -> None:
        policy = WorkConserving() if policy is None else policy
        self.name = name
        share = share_of(policy)
        self.windows = tuple(WindowLog(lim, sec, share) for lim, sec in windows)
        self.successes_only = successes_only
        self.concurrency = concurrency
        self.gate = sys.maxsize if concurrency is None else concurrency
        self.in_flight = 0
        self.blocked_until = -math.inf
        self.static = isinstance(policy, StaticShare)
        wc = policy if isinstance(policy, WorkConserving) else WorkConserving()
        self.floor, self.horizon_s, self.demand_s = wc.floor, wc.horizon_s, wc.demand_s
        self.demand: DemandState = QUIET

    def level(self, now: float) -> int:
        """The interactive demand the policy follows now (-1: none within the
        horizon, or a static share)."""
        if self.static:
            return -1
        return level(self.demand, now, self.horizon_s, self.demand_s)

    def cap(self, window: WindowLog, bulk: bool, demand: int) -> int:
        """What a caller of this priority may fill of ``window`` at ``demand``."""
        if not bulk:
            return window.limit
        if self.static:
            return window.bulk_limit
        held = window_reserve(demand, window.seconds, self.floor, self.demand_s)
        return bulk_cap(window.limit, held)

    def admits(self, now: float, bulk: bool) -> bool:
        """Return whether one more request may be sent at ``now`` in this lane."""
        if now < self.blocked_until:
            return False
        flying = self.in_flight
        if flying >= self.gate:
            return False
        demand = self.level(now) if bulk else -1
        for window in self.windows:
            if now >= window.next_expiry:
                window.expire(now)
            if flying + window.used >= self.cap(window, bulk, demand):
                return False
        return True

    def take(self, now: float, bulk: bool) -> None:
        """Hold a slot for a request about to be sent (an interactive one is heard)."""
        self.in_flight += 1
        if not bulk and not self.static:
            self.demand = heard(self.demand, now, self.horizon_s, self.demand_s)

    def complete(self, now: float, success: bool) -> None:
        """Turn one in-flight request into a stamp (or release a failed quota)."""
        self.in_flight -= 1
        if success or not self.successes_only:
            for window in self.windows:
                window.add(now)

    def release(self) -> None:
        """Give back a slot reserved for a request that was never sent."""
        self.in_flight -= 1

    def earliest(self, now: float, bulk: bool, ahead: int) -> tuple[float, bool]:
        """Return a lower bound on when a request could be admitted, and whether
        that needs an in-flight request to complete first.

        ``ahead`` callers queued in front each take one slot first (see
        ``_rule.admission_bound``). A bulk caller's bound also counts on the
        headroom dropping to nothing when the policy's horizon ends
        (``_policy.quiet_at``).
        """
        flying = self.in_flight
        waits = self.concurrency is not None and flying + ahead >= self.concurrency
        demand = self.level(now) if bulk else -1
        at, needs = self._bound(now, flying, ahead, bulk, demand)
        if demand >= 0:  # the headroom may end before that: bulk could go then
            when = quiet_at(self.demand, self.horizon_s)
            if when < at:
                then, then_needs = self._bound(now, flying, ahead, bulk, -1)
                if max(then, when) < at:
                    at, needs = max(then, when), then_needs
        return max(at, self.blocked_until), waits or needs

    def _bound(
        self, now: float, flying: int, ahead: int, bulk: bool, demand: int
    ) -> tuple[float, bool]:
        at, waits = now, False
        for window in self.windows:
            cap = self.cap(window, bulk, demand)
            when, needs = window.admission_bound(now, flying, ahead, cap)
            at = max(at, when)
            waits = waits or needs
        return at, waits
