"""Schedule maths: exact earliest schedules under several rolling windows."""

from __future__ import annotations

import anyio
from hypothesis import given, settings
from hypothesis import strategies as st

from moengage_async import MemoryLimiter, Priority
from moengage_async.budgets._limiter import WindowUsage
from moengage_async.budgets._schedule import (
    PriorUsage,
    earliest_finish,
    schedule_groups,
)
from moengage_async.budgets._spec import DEFAULT_BUDGETS, Window
from moengage_async.jobs._plan import (
    format_duration,
    plan_requests,
    status_change_requests,
)


def brute_force(windows: list[Window], n: int) -> list[float]:
    """Send each request at the first instant every window has room (one by one)."""
    times: list[float] = []
    t = 0.0
    for i in range(n):
        for w in windows:
            if i - w.limit >= 0:
                t = max(t, times[i - w.limit] + w.seconds)
        times.append(t)
    return times


windows_strategy = st.lists(
    st.builds(
        Window,
        st.integers(min_value=1, max_value=12),
        st.integers(min_value=1, max_value=50).map(float),
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=200, deadline=None)
@given(windows=windows_strategy, n=st.integers(min_value=0, max_value=200))
def test_grouped_schedule_equals_one_by_one_greedy(
    windows: list[Window], n: int
) -> None:
    """The grouped schedule sends every request exactly when the greedy one does."""
    groups = schedule_groups(windows, n)
    expanded = [t for t, count in groups for _ in range(count)]
    assert expanded == brute_force(windows, n)


@settings(max_examples=100, deadline=None)
@given(windows=windows_strategy, n=st.integers(min_value=1, max_value=150))
def test_schedule_never_overfills_a_window(windows: list[Window], n: int) -> None:
    """No interval (t - seconds, t] of any window holds more than its limit."""
    times = [t for t, c in schedule_groups(windows, n) for _ in range(c)]
    for w in windows:
        for t in times:
            assert sum(1 for s in times if t - w.seconds < s <= t) <= w.limit


def test_twenty_thousand_pauses_take_two_thousand_requests() -> None:
    """20,000 ids in V1 batches of ten are 2,000 requests; V5 needs one per id."""
    assert status_change_requests(20_000) == 2_000
    assert status_change_requests(20_001) == 2_001
    assert status_change_requests(20_000, api_version=5) == 20_000


def test_twenty_thousand_pauses_end_after_about_twenty_minutes() -> None:
    """2,000 status requests under 10/s,100/min,6000/h: last one at 19 min 9 s."""
    plan = plan_requests("v1.change_status", 20_000, 2_000, DEFAULT_BUDGETS)
    assert plan.earliest_finish_s == 19 * 60 + 9
    assert plan.budgets == ("status",)


def test_three_hundred_creations_span_three_days() -> None:
    """300 creations under 100 successes a day start their last batch on day three."""
    plan = plan_requests("v1.create_campaign", 300, 300, DEFAULT_BUDGETS)
    assert 2 * 86400 <= plan.earliest_finish_s < 3 * 86400
    assert plan.budgets == ("create_requests", "create_success")


def test_million_ids_plan_quickly() -> None:
    """A million ids (100,000 requests) end 16 h 39 min 9 s after the start."""
    finish = earliest_finish(DEFAULT_BUDGETS["status"].windows, 100_000)
    assert finish == 16 * 3600 + 39 * 60 + 9


def test_prior_stamps_delay_the_start() -> None:
    """A window already full waits until its oldest stamp expires."""
    window = Window(2, 10.0)
    groups = schedule_groups([(window, PriorUsage((1.0, 3.0)))], 3, start=5.0)
    assert groups == [(11.0, 1), (13.0, 1), (21.0, 1)]


def test_current_usage_from_snapshot_pushes_the_plan_back() -> None:
    """A status window reported full frees at next_free_in: the plan starts there."""
    usage = [WindowUsage("status", 10, 1.0, 10, 0, 0, 0.5, 0.0)]
    plan = plan_requests("v1.change_status", 10, 1, DEFAULT_BUDGETS, usage=usage)
    assert plan.earliest_finish_s == 0.5


def test_blocked_budget_delays_the_plan() -> None:
    """A budget blocked by a 429 admits nothing until the block ends."""
    usage = [WindowUsage("status", 10, 1.0, 0, 0, 0, 0.0, 7.0)]
    plan = plan_requests("v1.change_status", 10, 1, DEFAULT_BUDGETS, usage=usage)
    assert plan.earliest_finish_s == 7.0


def test_durations_read_naturally() -> None:
    """Durations render in days, hours, minutes and seconds."""
    assert format_duration(12.34) == "12.3s"
    assert format_duration(2 * 86400 + 3 * 3600 + 4 * 60) == "2d 3h 4m"


async def test_client_plans_with_its_own_budgets() -> None:
    """``plan_status_change`` uses the budgets the client was configured with."""
    from moengage_async import MoEngageClient, Priority
    from moengage_async.jobs._plan import bulk_windows

    async with MoEngageClient("ws", "key", budgets="status:=10/1") as client:
        plan = client.plan_status_change(200, priority=Priority.INTERACTIVE)
        assert (plan.requests, plan.earliest_finish_s) == (20, 1.0)
        v5 = client.plan_status_change(
            200, api_version=5, priority=Priority.INTERACTIVE
        )
        assert v5.earliest_finish_s == 19.0
        share = client.bulk_share_for(Priority.BULK)
        bulk = client.plan_status_change(200)  # bulk jobs plan at the bulk share
        assert bulk.earliest_finish_s == earliest_finish(
            bulk_windows([Window(10, 1.0)], share), 20
        )


async def test_client_plans_creations_under_the_success_quota() -> None:
    """``plan_creation`` counts one create_success slot per item."""
    from moengage_async import MoEngageClient, Priority

    async with MoEngageClient("ws", "key") as client:
        plan = client.plan_creation(300, priority=Priority.INTERACTIVE)
    assert plan.requests == 300
    assert 2 * 86400 <= plan.earliest_finish_s < 3 * 86400


def test_bulk_jobs_are_planned_at_the_bulk_share() -> None:
    """At a bulk share of 80%, ten-a-second windows admit eight bulk requests:
    the limiter's snapshot says what it reserves, and a bulk plan leaves it."""
    from moengage_async.jobs._plan import bulk_windows

    assert bulk_windows([Window(10, 1.0), Window(1, 5.0)], 0.8) == (
        Window(8, 1.0),
        Window(1, 5.0),
    )
    usage = MemoryLimiter(bulk_share=0.8).snapshot("ws")
    plan = plan_requests(
        "v1.change_status",
        160,
        16,
        {"status": DEFAULT_BUDGETS["status"]},
        usage=usage,
        priority=Priority.BULK,
    )
    assert plan.earliest_finish_s == 1.0
    alone = plan_requests(
        "v1.change_status", 160, 16, DEFAULT_BUDGETS, usage=usage
    )  # interactive: the whole window
    assert alone.earliest_finish_s == 1.0 and alone.requests == 16


def test_a_bulk_plan_keeps_the_usage_of_a_reserved_window() -> None:
    """The usage of a window still counts when the bulk view lowers its limit:
    a full 10/1 window (interactive calls) leaves bulk work nothing until it ages."""
    from moengage_async import FakeClock

    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock, bulk_share=0.8)

    async def fill() -> None:
        for _ in range(10):
            await (await limiter.acquire("ws", ["status"])).complete(success=True)

    anyio.run(fill)
    plan = plan_requests(
        "v1.change_status",
        10,
        1,
        {"status": DEFAULT_BUDGETS["status"]},
        usage=limiter.snapshot("ws"),
        now=clock.now(),
        priority=Priority.BULK,
    )
    assert plan.earliest_finish_s == 1.0
