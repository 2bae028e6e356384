"""Exact, latency-safe rolling-window budgets in memory (one process).

A request takes a slot in every window of every budget it belongs to when it is
*sent* (counted as in flight) and is stamped when its response *completes*; the
window forgets it ``seconds`` after that stamp (see ``_window_log``). That is what
keeps a strict server from ever seeing ``limit + 1`` arrivals, whatever the network
jitter, while a leaky bucket (aiolimiter) lets about twice the limit into some
window.

Waiting: callers queue FIFO per budget in two lanes. An interactive caller never
waits behind bulk work, and bulk leaves the headroom the bulk policy keeps for
interactive calls (``_policy``), so a "pause now" click is served at once during a
20,000-id bulk job while a job alone uses the whole budget. Only the caller at
the head of its queues sleeps on the clock, until the next moment its windows
open; everyone else sleeps until a completion, a departure or their deadline
wakes them. No polling, no background task.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Mapping, Sequence

import anyio

from .._clock import Clock, MonotonicClock
from .._errors import RateLimitError
from ._lanes import LaneBudget, Waiter, names_of
from ._limiter import Permit, WindowUsage
from ._policy import BulkPolicy, held_back, policy_for, share_of, static_cap
from ._reserve import exhausted
from ._signals import (
    Departures,
    Observed,
    ServerLimits,
    match_window,
    phantoms_needed,
)
from ._spec import DEFAULT_BUDGETS, Budget, Priority

__all__ = ["MemoryLimiter"]

log = logging.getLogger("moengage_async.budgets")

#: ``Priority.BULK`` read once: an enum member lookup costs about a tenth of an
#: uncontended acquire on CPython 3.11.
_BULK = Priority.BULK


class _Permit:
    __slots__ = ("_done", "_limiter", "_states")

    def __init__(self, limiter: MemoryLimiter, states: tuple[LaneBudget, ...]) -> None:
        self._limiter = limiter
        self._states = states
        self._done = False

    async def complete(self, *, success: bool) -> None:
        self.complete_nowait(success=success)

    def complete_nowait(self, *, success: bool) -> None:
        """``complete`` without a coroutine: nothing here ever waits."""
        if self._done:
            return
        self._done = True
        self._limiter._complete(self._states, success)

    async def release(self) -> None:
        """Give the slots back unsent: free at once, nothing stamped."""
        if self._done:
            return
        self._done = True
        self._limiter._complete(self._states, False, unsent=True)

    def __repr__(self) -> str:
        names = ",".join(s.name for s in self._states)
        return f"<Permit budgets={names} done={self._done}>"


class _Workspace:
    __slots__ = ("sets", "states")

    def __init__(self) -> None:
        self.states: dict[str, LaneBudget] = {}
        self.sets: dict[tuple[str, ...], tuple[LaneBudget, ...]] = {}


class MemoryLimiter:
    """In-process budgets keyed by workspace; state is created on first use.

    Args:
        budgets: the budget table (default: MoEngage's documented one).
        clock: where time comes from and sleeps happen (``FakeClock`` in tests).
        bulk_share: a static fraction (0, 1] of each window that
            ``Priority.BULK`` callers may fill, the rest kept for interactive
            calls whether or not any come (``StaticShare``).
        bulk_policy: how bulk and interactive callers share the windows; the
            default, ``WorkConserving()``, lends bulk work every slot
            interactive calls are not observed to need.
        learn_limits: adopt a higher limit MoEngage reports in
            ``x-ratelimit-limit`` (see ``observe``); off, nothing ever loosens.
    """

    def __init__(
        self,
        budgets: Mapping[str, Budget] | None = None,
        *,
        clock: Clock | None = None,
        bulk_share: float | None = None,
        bulk_policy: BulkPolicy | None = None,
        learn_limits: bool = False,
    ) -> None:
        self._policy = policy_for(bulk_share, bulk_policy)
        self._budgets = dict(DEFAULT_BUDGETS if budgets is None else budgets)
        self._clock: Clock = clock or MonotonicClock()
        self._now = self._clock.now
        self._workspaces: dict[str, _Workspace] = {}
        self._server_limits = ServerLimits(self._budgets, learn=learn_limits)
        self._departures = Departures(self._budgets)
        # The last (workspace, budgets tuple) acquired and its states: a client
        # passes the same two objects on every call of an operation, and the
        # states of a pair never change once made (tuples of str are immutable).
        self._last_workspace: object = None
        self._last_budgets: object = None
        self._last_states: tuple[LaneBudget, ...] = ()

    @property
    def budgets(self) -> Mapping[str, Budget]:
        """The budget table this limiter enforces."""
        return self._budgets

    @property
    def bulk_share(self) -> float:
        """The static fraction of each window bulk callers may fill (1.0 under
        the work-conserving policy: bulk work alone may fill every window)."""
        return share_of(self._policy)

    @property
    def bulk_policy(self) -> BulkPolicy:
        """How bulk and interactive callers share the windows."""
        return self._policy

    def _states(self, workspace: str, names: Sequence[str]) -> tuple[LaneBudget, ...]:
        ws = self._workspaces.get(workspace)
        if ws is None:
            ws = self._workspaces[workspace] = _Workspace()
        key = names if isinstance(names, tuple) else tuple(names)
        states = ws.sets.get(key)
        if states is None:
            states = ws.sets[key] = tuple(
                self._state(ws, name) for name in dict.fromkeys(key)
            )
        return states

    def _state(self, ws: _Workspace, name: str) -> LaneBudget:
        state = ws.states.get(name)
        if state is None:
            spec = self._budgets.get(name)
            if spec is None:
                known = ", ".join(sorted(self._budgets))
                raise ValueError(f"unknown budget {name!r}; known budgets: {known}")
            state = ws.states[name] = LaneBudget(spec, self._policy)
        return state

    async def acquire(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
        deadline: float | None = None,
    ) -> Permit:
        """Take a slot in every named budget at once, waiting FIFO in the lane.

        Raises ``RateLimitError(local=True, retry_at=...)`` without waiting when
        the earliest possible slot lies beyond ``deadline`` (clock time).
        """
        permit = self.try_acquire(workspace, budgets, priority=priority)
        if permit is not None:
            return permit
        states = self._states(workspace, budgets)
        return await self._wait(workspace, states, priority is _BULK, deadline)

    def try_acquire(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
    ) -> Permit | None:
        """Take the slots now if they are free and nobody queues first, else
        return ``None`` without waiting (the client's fast path, and for "skip
        when busy" callers). No await, no allocation but the permit."""
        states: tuple[LaneBudget, ...] | None
        if budgets is self._last_budgets and workspace is self._last_workspace:
            states = self._last_states
        else:
            ws = self._workspaces.get(workspace)
            key = budgets if type(budgets) is tuple else tuple(budgets)
            states = None if ws is None else ws.sets.get(key)
            if states is None:
                states = self._states(workspace, key)
            if key is budgets:
                self._last_workspace, self._last_budgets = workspace, budgets
                self._last_states = states
        bulk = priority is _BULK
        now = self._now()
        for state in states:
            lanes = state.lanes
            if lanes is not None and (lanes[0] or (bulk and lanes[1])):
                return None  # others queued first: no overtaking
            if not state.admits(now, bulk):
                return None
        for state in states:
            state.take(now, bulk)
        return _Permit(self, states)

    async def acquire_nowait(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
    ) -> Permit:
        """Take the slots now, or raise ``BudgetExhausted`` with the seconds until
        the earliest one this lane could get (queued callers count first)."""
        permit = self.try_acquire(workspace, budgets, priority=priority)
        if permit is not None:
            return permit
        states = self._states(workspace, budgets)
        bulk = priority is _BULK
        now = self._now()
        at = now
        for state in states:
            lanes = state.lanes
            ahead = 0
            if lanes is not None:
                ahead = len(lanes[1]) + len(lanes[0]) if bulk else len(lanes[0])
            when, _ = state.earliest(now, bulk, ahead)
            at = max(at, when)
        raise exhausted([state.name for state in states], now, at)

    async def _wait(
        self,
        workspace: str,
        states: tuple[LaneBudget, ...],
        bulk: bool,
        deadline: float | None,
    ) -> Permit:
        waiter = Waiter(states, bulk)
        for state in states:
            if state.lanes is None:
                state.lanes = (deque(), deque())
            state.lanes[waiter.lane].append(waiter)
        try:
            permit = await self._wait_turn(workspace, waiter, deadline)
        except BaseException:
            if waiter.permit is not None:  # admitted, then cancelled: never sent
                for state in states:
                    state.release()
            else:
                self._dequeue(waiter)
            self._grant(states)
            raise
        self._grant(states)
        return permit

    async def _wait_turn(
        self, workspace: str, waiter: Waiter, deadline: float | None
    ) -> Permit:
        clock = self._clock
        states = waiter.states
        started = clock.now()
        names = names_of(states)  # once per wait, for the debug lines
        while True:
            now = clock.now()
            if waiter.permit is None:
                at, blocked_on_completion, ahead = self._earliest(waiter, now)
                if not ahead and not blocked_on_completion and at <= now:
                    self._admit(waiter)
            if waiter.permit is not None:
                log.debug(
                    "budget %s/%s admitted after %.3fs", workspace, names, now - started
                )
                return waiter.permit
            if deadline is not None and (at > deadline or now >= deadline):
                log.debug(
                    "budget %s/%s cannot admit before the deadline "
                    "(earliest in %.3fs, deadline in %.3fs): failing now",
                    workspace,
                    names,
                    at - now,
                    deadline - now,
                )
                raise RateLimitError(
                    f"budget {names} has no slot before the call's "
                    f"deadline; the earliest is in {at - now:.3f}s",
                    retry_at=at,
                    local=True,
                )
            wake_at = math.inf if ahead or blocked_on_completion else at
            if deadline is not None:
                wake_at = min(wake_at, deadline)
            log.debug(
                "budget %s/%s waits %s (%d ahead, %s, earliest in %.3fs)",
                workspace,
                names,
                "for a wake-up" if math.isinf(wake_at) else "until a slot",
                ahead,
                "bulk" if waiter.bulk else "interactive",
                at - now,
            )
            await self._sleep(waiter, wake_at - now)

    def _admit(self, waiter: Waiter) -> None:
        """Reserve the waiter's slots and take it out of its queues."""
        now = self._now()
        for state in waiter.states:
            state.take(now, waiter.bulk)
        self._dequeue(waiter)
        waiter.permit = _Permit(self, waiter.states)

    def _dequeue(self, waiter: Waiter) -> None:
        for state in waiter.states:
            lanes = state.lanes
            assert lanes is not None
            queue = lanes[waiter.lane]
            if queue[0] is waiter:
                queue.popleft()
            else:
                queue.remove(waiter)
            if not lanes[0] and not lanes[1]:
                state.lanes = None

    def _grantable(self, waiter: Waiter, now: float) -> bool:
        for state in waiter.states:
            lanes = state.lanes
            assert lanes is not None
            if lanes[waiter.lane][0] is not waiter or (waiter.bulk and lanes[0]):
                return False
        return all(state.admits(now, waiter.bulk) for state in waiter.states)

    def _grant(self, states: tuple[LaneBudget, ...]) -> None:
        """Admit every queue head that fits now, in order, then wake the rest
        of the heads so they recompute when their turn comes."""
        now = self._now()
        work = list(states)
        for state in work:  # grows as admitted waiters bring their budgets
            lanes = state.lanes
            while lanes is not None:
                head = lanes[0][0] if lanes[0] else lanes[1][0] if lanes[1] else None
                if head is None or not self._grantable(head, now):
                    break
                self._admit(head)
                head.wake()
                work.extend(head.states)
                lanes = state.lanes
        for state in work:
            state.wake_heads()

    def _earliest(self, waiter: Waiter, now: float) -> tuple[float, bool, int]:
        """Return (lower bound on the admission time, needs a completion first,
        callers queued ahead of ``waiter``)."""
        at = now
        needs_completion = False
        ahead_total = 0
        for state in waiter.states:
            lanes = state.lanes
            assert lanes is not None
            ahead = lanes[waiter.lane].index(waiter)
            if waiter.bulk:
                ahead += len(lanes[0])
            ahead_total += ahead
            when, needs = state.earliest(now, waiter.bulk, ahead)
            at = max(at, when)
            needs_completion = needs_completion or needs
        return at, needs_completion, ahead_total

    async def _sleep(self, waiter: Waiter, seconds: float) -> None:
        with anyio.CancelScope() as scope:
            waiter.scope = scope
            try:
                if math.isinf(seconds):
                    await anyio.sleep_forever()
                else:
                    await self._clock.sleep(seconds)
            finally:
                waiter.scope = None

    def _complete(
        self, states: tuple[LaneBudget, ...], success: bool, unsent: bool = False
    ) -> None:
        """Stamp a completion, or (``unsent``) give back a slot never used."""
        now = self._now()
        queued = False
        for state in states:
            if unsent:
                state.release()
            else:
                state.complete(now, success)
            queued = queued or state.lanes is not None
        if queued:
            self._grant(states)

    async def block(
        self, workspace: str, budgets: Sequence[str], seconds: float
    ) -> None:
        """Admit nothing to these budgets, for anyone, for ``seconds``."""
        if not seconds > 0:
            return
        until = self._clock.now() + seconds
        for state in self._states(workspace, budgets):
            state.blocked_until = max(state.blocked_until, until)
        log.debug(
            "budget %s/%s blocked for %.3fs", workspace, ",".join(budgets), seconds
        )

    async def observe(
        self,
        workspace: str,
        budgets: Sequence[str],
        limit: int,
        remaining: int,
        reset_s: float,
        lag_s: float = 0.0,
    ) -> Observed | None:
        """Tighten the ledger to MoEngage's ``x-ratelimit-*`` headers.

        The triple is matched to one window of ``budgets`` (``match_window``).
        When the server has fewer slots left than the ledger (``limit - used -
        in flight``, plus what left the window in the ``lag_s`` since the request
        was sent), the difference is usage the ledger did not see: it is
        stamped now in that window and the longer ones of its budget (usage
        inside a window is inside every longer one). A different reported limit
        is logged once and shown in ``snapshot()``; a lower one is adopted at
        once, a higher one only with ``learn_limits``.
        """
        states = self._states(workspace, budgets)
        found = match_window(
            self._server_limits.candidates(workspace, budgets), limit, reset_s
        )
        if found is None:
            return None
        state = next(s for s in states if s.name == found.budget)
        window = next(w for w in state.windows if w.seconds == found.seconds)
        adopted = self._server_limits.note(workspace, found, limit)
        if adopted is not None:
            window.limit = adopted
            window.bulk_limit = static_cap(self._policy, adopted)
            self._grant(states)
        now = self._now()
        window.expire(now)
        span = window.seconds
        departures = self._departures
        gone = departures.between(
            workspace, state.name, now - span - min(lag_s, span), now - span
        )
        counted = window.used + state.in_flight + gone
        added = phantoms_needed(window.limit, counted, remaining)
        for each in states:  # this answer's own stamp, made when it completes
            departures.record(workspace, each.name, now)
        if added:
            departures.record(workspace, state.name, now, added)
            for other in state.windows:
                if other.seconds >= window.seconds:
                    for _ in range(added):
                        other.add(now)
            log.info(
                "budget %s/%s: the server has %d slot(s) left in the %gs window, "
                "the ledger expected %d; counted %d unseen",
                workspace,
                state.name,
                remaining,
                window.seconds,
                remaining + added,
                added,
            )
        return Observed(state.name, window.seconds, window.limit, added)

    def snapshot(self, workspace: str) -> list[WindowUsage]:
        """Usage of every configured budget's windows (zeros where unused)."""
        now = self._clock.now()
        ws = self._workspaces.get(workspace)
        rows: list[WindowUsage] = []
        for name, spec in self._budgets.items():
            state = None if ws is None else ws.states.get(name)
            if state is None:
                rows.extend(
                    WindowUsage(
                        name,
                        w.limit,
                        w.seconds,
                        0,
                        0,
                        0,
                        0.0,
                        0.0,
                        reserved=held_back(self._policy, w.limit, w.seconds, -1),
                    )
                    for w in spec.windows
                )
                continue
            blocked_for = max(0.0, state.blocked_until - now)
            queued = state.queued()
            demand = state.level(now)
            for window in state.windows:
                free_at, _ = window.admission_bound(
                    now, state.in_flight, 0, window.limit
                )
                rows.append(
                    WindowUsage(
                        name,
                        window.limit,
                        window.seconds,
                        window.used,
                        state.in_flight,
                        queued,
                        max(free_at, state.blocked_until, now) - now,
                        blocked_for,
                        reserved=held_back(
                            self._policy, window.limit, window.seconds, demand
                        ),
                    )
                )
        return self._server_limits.annotate(workspace, rows)

    async def aclose(self) -> None:
        """Nothing to release: the limiter owns no tasks or connections."""
        return None

    def __repr__(self) -> str:
        return (
            f"MemoryLimiter(budgets={len(self._budgets)}, "
            f"bulk_policy={self._policy!r}, workspaces={len(self._workspaces)})"
        )
