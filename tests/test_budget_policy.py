"""The work-conserving bulk policy on a fake clock: random interactive and bulk
mixes and latencies. Bulk work idles no more than the headroom the policy holds
for the interactive demand it observed (plus its floor), interactive waits stay
bounded, and sparse interactive calls are served at once.

These run on ``MemoryLimiter``: the Redis scripts apply the same policy, which
``tests/test_budget_rule_lua.py`` checks state by state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import anyio
from hypothesis import given, settings
from hypothesis import strategies as st

from moengage_async import Budget, FakeClock, MemoryLimiter, Priority
from moengage_async import Window as W
from moengage_async.budgets._policy import (
    QUIET,
    DemandState,
    WorkConserving,
    bulk_cap,
    heard,
    level,
    window_reserve,
)

SPANS = st.sampled_from([0.5, 1.0, 2.0])
LATENCY = st.integers(0, 4).map(lambda x: x / 8)


@dataclass
class Call:
    arrive: float
    bulk: bool
    latency: float
    sent: float | None = None
    completed: float | None = None


async def run(budget: Budget, policy: WorkConserving, calls: list[Call]) -> None:
    clock = FakeClock()
    limiter = MemoryLimiter({"s": budget}, clock=clock, bulk_policy=policy)

    async def one(c: Call) -> None:
        await clock.sleep(c.arrive)
        priority = Priority.BULK if c.bulk else Priority.INTERACTIVE
        permit = await limiter.acquire("w", ("s",), priority=priority)
        c.sent = clock.now()
        await clock.sleep(c.latency)
        c.completed = clock.now()
        await permit.complete(success=True)

    with anyio.fail_after(20):
        async with anyio.create_task_group() as tg:
            tg.start_soon(clock.autojump)
            async with anyio.create_task_group() as inner:
                for c in calls:
                    inner.start_soon(one, c)
            tg.cancel_scope.cancel()


def demand_at(calls: list[Call], t: float, policy: WorkConserving) -> DemandState:
    """The policy's demand state at ``t``, rebuilt from the interactive sends."""
    state = QUIET
    for s in sorted(c.sent for c in calls if not c.bulk and c.sent is not None):
        if s <= t:
            state = heard(state, s, policy.horizon_s, policy.demand_s)
    return state


def idle_moments(budget: Budget, policy: WorkConserving, calls: list[Call]) -> list:
    """Moments when a bulk call waited although every window had room for bulk
    under the policy's headroom (and no interactive call waited first)."""
    sent = [c for c in calls if c.sent is not None]
    end = max(c.completed for c in sent)  # type: ignore[type-var]
    moments = {0.0, end}
    for c in sent:
        assert c.completed is not None and c.sent is not None
        moments.update((c.arrive, c.sent, c.completed))
        moments.update(c.completed + w.seconds for w in budget.windows)
        if not c.bulk:
            moments.add(c.sent + policy.horizon_s)
    moments.update(
        k * policy.demand_s for k in range(math.ceil(end / policy.demand_s) + 2)
    )
    bad = []
    for t in sorted(moments):
        waiting = [c for c in sent if c.arrive <= t < c.sent]  # type: ignore[operator]
        if not any(c.bulk for c in waiting) or any(not c.bulk for c in waiting):
            continue
        flying = sum(1 for c in sent if c.sent <= t < c.completed)  # type: ignore[operator]
        demand = level(
            demand_at(calls, t, policy), t, policy.horizon_s, policy.demand_s
        )
        full = False
        for w in budget.windows:
            used = sum(
                1
                for c in sent
                if c.completed <= t < c.completed + w.seconds  # type: ignore[operator]
            )
            held = window_reserve(demand, w.seconds, policy.floor, policy.demand_s)
            full = full or used + flying >= bulk_cap(w.limit, held)
        if not full:
            bad.append((t, demand))
    return bad


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Budget, WorkConserving, list[Call]]:
    windows = tuple(
        W(draw(st.integers(1, 8)), draw(SPANS)) for _ in range(draw(st.integers(1, 2)))
    )
    policy = WorkConserving(
        floor=draw(st.integers(0, 2)),
        horizon_s=draw(st.sampled_from([1.0, 3.0, 8.0])),
        demand_s=draw(st.sampled_from([0.25, 0.5, 1.0])),
    )
    bulk = [
        Call(draw(st.integers(0, 8)) / 8, True, draw(LATENCY))
        for _ in range(draw(st.integers(1, 25)))
    ]
    interactive = [
        Call(draw(st.integers(0, 48)) / 8, False, draw(LATENCY))
        for _ in range(draw(st.integers(0, 8)))
    ]
    return Budget("s", windows), policy, bulk + interactive


@settings(max_examples=150, deadline=None)
@given(case=scenarios())
def test_bulk_idles_no_more_than_the_headroom(
    case: tuple[Budget, WorkConserving, list[Call]],
) -> None:
    """Whenever bulk work waits with no interactive call waiting, some window is
    full up to what the policy lets bulk fill (limit minus the headroom kept for
    the interactive demand observed, at least the floor while it is recent)."""
    budget, policy, calls = case
    anyio.run(run, budget, policy, calls)
    assert all(c.sent is not None for c in calls)
    assert idle_moments(budget, policy, calls) == []


@settings(max_examples=150, deadline=None)
@given(case=scenarios())
def test_interactive_waits_are_bounded(
    case: tuple[Budget, WorkConserving, list[Call]],
) -> None:
    """Bulk work never holds interactive calls back for long: an interactive call
    waits at most one window plus one latency per interactive call ahead of it."""
    budget, policy, calls = case
    anyio.run(run, budget, policy, calls)
    step = max(w.seconds for w in budget.windows) + max(c.latency for c in calls)
    for c in calls:
        if c.bulk:
            continue
        assert c.sent is not None
        ahead = sum(
            1
            for o in calls
            if not o.bulk and o is not c and o.arrive <= c.arrive and o.sent >= c.arrive  # type: ignore[operator]
        )
        assert c.sent - c.arrive <= (ahead + 1) * step + 1e-9, (c, ahead)


@settings(max_examples=100, deadline=None)
@given(
    limit=st.integers(2, 8),
    span=SPANS,
    floor=st.integers(1, 2),
    bulk=st.integers(5, 40),
    latencies=st.lists(LATENCY, min_size=1, max_size=6),
)
def test_sparse_interactive_calls_are_served_at_once(
    limit: int, span: float, floor: int, bulk: int, latencies: list[float]
) -> None:
    """Interactive calls at most one per window (plus latency), each within the
    horizon of the last: the floor serves every one of them without waiting, while
    a bulk backlog keeps every other slot busy."""
    policy = WorkConserving(floor=floor, horizon_s=60.0, demand_s=1.0)
    gap = span + 0.5 + 0.125  # more than a window plus the longest latency
    calls = [Call(i * gap, False, lat) for i, lat in enumerate(latencies)]
    calls += [Call(0.125, True, 0.5) for _ in range(bulk)]
    anyio.run(run, Budget("s", (W(limit, span),)), policy, calls)
    for c in calls:
        if not c.bulk:
            assert c.sent == c.arrive, c
