"""Property tests, against every backend (memory and a real Redis): random budgets,
arrivals, latencies, outcomes and cancellations never let a strict server see more
than a window's limit, and both backends answer the same states the same way."""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio
import pytest
from budget_backends import BACKENDS, Backend
from budget_checks import worst_window_count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moengage_async import Budget, FakeClock, Priority, RateLimitError
from moengage_async import Window as W
from moengage_async.budgets._limiter import Limiter
from moengage_async.budgets._policy import BulkPolicy, StaticShare, WorkConserving

# Binary fractions: sums stay exact in floats and in Redis's microseconds.
SECONDS = st.sampled_from([0.5, 1.0, 2.0, 3.75])
TIMES = st.integers(0, 32).map(lambda x: x / 8)  # ties on purpose
POLICIES = st.sampled_from(
    [
        WorkConserving(),
        WorkConserving(floor=2, horizon_s=2.0, demand_s=0.5),
        StaticShare(0.5),
        StaticShare(0.8),
    ]
)


@pytest.fixture(params=BACKENDS)
def kind(request: pytest.FixtureRequest) -> str:
    """The backend under test; the redis one needs the session's redis-server."""
    if request.param == "redis":
        request.getfixturevalue("redis_url")
    return str(request.param)


def backend_for(kind: str, clock: FakeClock, request: pytest.FixtureRequest) -> Backend:
    url = request.getfixturevalue("redis_url") if kind == "redis" else None
    return Backend(kind, clock, url)


@st.composite
def budgets(draw: st.DrawFn) -> dict[str, Budget]:
    table: dict[str, Budget] = {}
    for name in ("a", "b", "c")[: draw(st.integers(1, 3))]:
        windows = tuple(
            W(draw(st.integers(1, 6)), draw(SECONDS))
            for _ in range(draw(st.integers(1, 3)))
        )
        table[name] = Budget(
            name,
            windows,
            successes_only=draw(st.booleans()),
            concurrency=draw(st.none() | st.integers(1, 3)),
        )
    return table


@dataclass
class Call:
    arrive: float
    names: tuple[str, ...]
    priority: Priority
    latency: float
    success: bool
    cancel_after: float | None
    deadline_in: float | None
    sent: float | None = None
    completed: float | None = None
    failed_at: float | None = None
    retry_at: float | None = field(default=None)


def calls(names: list[str]) -> st.SearchStrategy[list[Call]]:
    one = st.builds(
        Call,
        arrive=TIMES,
        names=st.lists(st.sampled_from(names), min_size=1, unique=True).map(tuple),
        priority=st.sampled_from(list(Priority)),
        latency=TIMES,
        success=st.booleans(),
        cancel_after=st.none() | TIMES,
        deadline_in=st.none() | st.none() | TIMES.map(lambda t: t * 2),
    )
    return st.lists(one, min_size=1, max_size=25)


async def run(
    backend: Backend, table: dict[str, Budget], plan: list[Call], policy: BulkPolicy
) -> Limiter:
    clock = backend.clock
    limiter = backend.make(table, bulk_policy=policy)

    async def call(c: Call) -> None:
        await clock.sleep(c.arrive)
        deadline = None if c.deadline_in is None else clock.now() + c.deadline_in
        with anyio.CancelScope() as scope:
            if c.cancel_after is not None:
                tg.start_soon(cancel_later, scope, c.cancel_after)
            try:
                permit = await limiter.acquire(
                    "w", c.names, priority=c.priority, deadline=deadline
                )
            except RateLimitError as exc:
                c.failed_at, c.retry_at = clock.now(), exc.retry_at
                return
            c.sent = clock.now()
            completed_ok = False
            try:
                await clock.sleep(c.latency)
                completed_ok = c.success
            finally:
                c.completed = clock.now()  # the stamp's time, before any I/O
                c.success = completed_ok
                with anyio.CancelScope(shield=True):
                    await permit.complete(success=completed_ok)

    async def cancel_later(scope: anyio.CancelScope, after: float) -> None:
        await clock.sleep(after)
        scope.cancel()

    with anyio.fail_after(20):  # a hang is a bug; virtual time runs fast
        async with anyio.create_task_group() as tg:
            tg.start_soon(clock.autojump)
            async with anyio.create_task_group() as inner:
                for c in plan:
                    inner.start_soon(call, c)
            tg.cancel_scope.cancel()
    return limiter


async def run_and_look(
    backend: Backend, table: dict[str, Budget], plan: list[Call], policy: BulkPolicy
) -> list[tuple[int, int]]:
    """Run the plan; return (in flight, queued) of every window afterwards."""
    try:
        limiter = await run(backend, table, plan, policy)
        return [(u.in_flight, u.queued) for u in await backend.usage(limiter)]
    finally:
        await backend.aclose()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # only names the backend
    ],
)
@given(data=st.data(), policy=POLICIES)
def test_no_window_ever_sees_more_than_its_limit(
    data: st.DataObject,
    policy: BulkPolicy,
    kind: str,
    request: pytest.FixtureRequest,
) -> None:
    """Whatever the network does between send and completion, no window overflows,
    quotas count only successes, waits are never negative, and nothing leaks:
    cancelled and timed-out waiters leave their place."""
    table = data.draw(budgets())
    plan = data.draw(calls(list(table)))
    backend = backend_for(kind, FakeClock(), request)
    left = anyio.run(run_and_look, backend, table, plan, policy)

    for name, budget in table.items():
        mine = [c for c in plan if name in c.names and c.sent is not None]
        if budget.successes_only:
            mine = [c for c in mine if c.success]
        spans = [(c.sent, c.completed) for c in mine]
        assert all(s is not None and e is not None for s, e in spans)
        for window in budget.windows:
            worst = worst_window_count(spans, window.seconds)  # type: ignore[arg-type]
            assert worst <= window.limit, (name, window, worst)
        if budget.concurrency is not None:
            assert worst_window_count(spans, 0.0) <= budget.concurrency  # type: ignore[arg-type]
    for c in plan:
        if c.sent is not None:
            assert c.sent >= c.arrive
        if c.failed_at is not None:
            assert c.deadline_in is not None and c.retry_at is not None
            deadline = c.arrive + c.deadline_in
            # Refused only when the earliest slot lies beyond the deadline, or
            # once the deadline has come.
            assert c.retry_at > deadline or c.failed_at >= deadline
            if kind == "memory":  # Redis answers after a round trip, in which
                # virtual time may move on: its timeliness is a contract test.
                assert c.failed_at <= deadline
                assert c.retry_at >= c.failed_at
    assert all(row == (0, 0) for row in left), left


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    limits=st.lists(st.tuples(st.integers(1, 5), SECONDS), min_size=1, max_size=3),
    n=st.integers(1, 30),
)
def test_every_caller_without_deadline_is_served(
    limits: list[tuple[int, float]], n: int, kind: str, request: pytest.FixtureRequest
) -> None:
    """Everyone waiting without a deadline is admitted eventually (no starvation)."""
    table = {"a": Budget("a", tuple(W(lim, sec) for lim, sec in limits))}
    plan = [
        Call(
            0.0,
            ("a",),
            Priority.BULK if i % 2 else Priority.INTERACTIVE,
            0.1,
            True,
            None,
            None,
        )
        for i in range(n)
    ]
    backend = backend_for(kind, FakeClock(), request)
    anyio.run(run_and_look, backend, table, plan, WorkConserving())
    assert all(c.completed is not None for c in plan)
