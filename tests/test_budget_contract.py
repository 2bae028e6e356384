"""The budget contract, once, against every backend (memory and a real Redis).

What ``Limiter`` promises whatever stores the state: windows stamped at the
completion, in-flight slots held, quotas counting successes only, the bulk cap,
deadlines that fail fast with a ``retry_at``, FIFO without overtaking, cancelled
waiters leaving, and a snapshot that means the same thing in both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest
from budget_backends import BACKENDS, Backend, refused_at, until_queued
from budget_checks import earliest_schedule

from moengage_async import FakeClock, Priority, RateLimitError
from moengage_async.budgets._policy import WorkConserving

STATUS = ("status",)


@pytest.fixture(params=BACKENDS)
async def backend(
    request: pytest.FixtureRequest, fake_clock: FakeClock
) -> AsyncIterator[Backend]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    made = Backend(request.param, fake_clock, url)
    yield made
    await made.aclose()


async def test_admits_up_to_the_limit_then_refuses(backend: Backend) -> None:
    """A window of N admits N calls at once; the next may not wait: refused."""
    limiter = backend.make("status:=3/1")
    for _ in range(3):
        await (await limiter.acquire("w", STATUS)).complete(success=True)
    assert backend.clock.now() == 1000.0
    assert await refused_at(limiter, STATUS, 1000.0) == 1001.0


async def test_slot_frees_exactly_one_window_after_the_completion(
    backend: Backend,
) -> None:
    """A stamp counts while ``now < completed + seconds`` and not a moment longer."""
    clock = backend.clock
    limiter = backend.make("status:=2/1")
    first = await limiter.acquire("w", STATUS)
    clock.advance(0.25)
    await first.complete(success=True)
    await (await limiter.acquire("w", STATUS)).complete(success=True)
    assert await refused_at(limiter, STATUS, clock.now()) == 1001.25
    clock.advance(0.984375)
    await refused_at(limiter, STATUS, clock.now())
    clock.advance(0.015625)  # the stamp is exactly one window old: it has left
    await limiter.acquire("w", STATUS, deadline=clock.now())


async def test_every_window_of_a_budget_binds(backend: Backend) -> None:
    """A short window frees while the long one still holds the call back."""
    clock = backend.clock
    limiter = backend.make("status:=2/1,3/10")
    for _ in range(2):
        await (await limiter.acquire("w", STATUS)).complete(success=True)
    clock.advance(1.5)
    await (await limiter.acquire("w", STATUS)).complete(success=True)
    assert await refused_at(limiter, STATUS, clock.now()) == 1010.0


async def test_in_flight_calls_hold_their_slot(backend: Backend) -> None:
    """Unanswered calls count, and free no sooner than one window from now."""
    limiter = backend.make("status:=2/1")
    await limiter.acquire("w", STATUS)
    await limiter.acquire("w", STATUS)
    backend.clock.advance(100.0)
    assert await refused_at(limiter, STATUS, 1100.0) == 1101.0


async def test_waiter_is_admitted_when_the_window_frees(backend: Backend) -> None:
    """A blocked acquire sleeps on the clock and gets in at the exact free time."""
    clock = backend.clock
    limiter = backend.make("status:=1/2")
    await (await limiter.acquire("w", STATUS)).complete(success=True)
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        await limiter.acquire("w", STATUS)
        tg.cancel_scope.cancel()
    assert clock.now() == pytest.approx(1002.0, abs=1e-5)


async def test_success_quota_keeps_successes(backend: Backend) -> None:
    """A successful create keeps its reserved slot in the success quota."""
    limiter = backend.make("create_success:=1/60")
    await (await limiter.acquire("w", ("create_success",))).complete(success=True)
    assert await refused_at(limiter, ("create_success",), 1000.0) == 1060.0


async def test_success_quota_releases_failures(backend: Backend) -> None:
    """A failed create gives its reservation back at once."""
    limiter = backend.make("create_success:=1/60")
    permit = await limiter.acquire("w", ("create_success",))
    await refused_at(limiter, ("create_success",), 1000.0)
    await permit.complete(success=False)
    await limiter.acquire("w", ("create_success",), deadline=1000.0)


async def test_request_budgets_keep_failed_calls(backend: Backend) -> None:
    """A failed call still spends its slot in a request budget (the server saw it)."""
    limiter = backend.make("status:=1/60")
    await (await limiter.acquire("w", STATUS)).complete(success=False)
    await refused_at(limiter, STATUS, 1000.0)


async def test_all_budgets_of_a_call_are_taken_together(backend: Backend) -> None:
    """A call needing two budgets takes neither while one of them is full."""
    limiter = backend.make("create_requests:=5/1;create_success:=1/60")
    both = ("create_requests", "create_success")
    first = await limiter.acquire("w", both)
    await refused_at(limiter, both, 1000.0)
    rows = {(u.budget, u.seconds): u for u in await backend.usage(limiter)}
    assert rows["create_requests", 1.0].in_flight == 1
    await first.complete(success=True)


async def test_a_concurrency_cap_admits_one_at_a_time(backend: Backend) -> None:
    """gcg's gate of one refuses a second call until the first completes."""
    limiter = backend.make("gcg:=10/60")
    first = await limiter.acquire("w", ("gcg",))
    await refused_at(limiter, ("gcg",), 1000.0)
    await first.complete(success=True)
    await limiter.acquire("w", ("gcg",), deadline=1000.0)


async def test_a_static_bulk_share_holds_back_the_rest(backend: Backend) -> None:
    """bulk_share=0.8: bulk stops at 80% of the window; interactive uses the rest."""
    limiter = backend.make("status:=10/1", bulk_share=0.8)
    for _ in range(8):
        await limiter.acquire("w", STATUS, priority=Priority.BULK)
    await refused_at(limiter, STATUS, 1000.0, priority=Priority.BULK)
    await limiter.acquire("w", STATUS, deadline=1000.0)
    await limiter.acquire("w", STATUS, deadline=1000.0)
    await refused_at(limiter, STATUS, 1000.0)


async def test_deadline_beyond_reach_fails_at_once(backend: Backend) -> None:
    """A deadline before the earliest slot raises without sleeping."""
    limiter = backend.make("status:=1/5")
    await (await limiter.acquire("w", STATUS)).complete(success=True)
    assert await refused_at(limiter, STATUS, 1004.0) == 1005.0
    assert backend.clock.now() == 1000.0


async def test_deadline_counts_callers_queued_ahead(backend: Backend) -> None:
    """A caller fails fast when the queue ahead alone outlasts its deadline."""
    limiter = backend.make("status:=1/10")
    await limiter.acquire("w", STATUS)
    async with anyio.create_task_group() as tg:
        for n in range(1, 4):
            tg.start_soon(limiter.acquire, "w", STATUS)
            await until_queued(backend, limiter, "status", n)
        assert await refused_at(limiter, STATUS, 1025.0) > 1025.0
        assert backend.clock.now() == 1000.0
        tg.cancel_scope.cancel()


async def test_cancelled_waiter_leaves_the_queue(backend: Backend) -> None:
    """A waiter cancelled while sleeping holds nothing and holds nobody back."""
    clock = backend.clock
    limiter = backend.make("status:=1/1")
    await (await limiter.acquire("w", STATUS)).complete(success=True)
    with anyio.move_on_after(0.05):
        await limiter.acquire("w", STATUS)
    rows = {u.budget: u for u in await backend.usage(limiter)}
    assert (rows["status"].in_flight, rows["status"].queued) == (0, 0)
    clock.advance(1.0)
    await limiter.acquire("w", STATUS, deadline=clock.now())


async def test_waiters_are_served_first_come_first_served(backend: Backend) -> None:
    """Callers queued on a budget are admitted in the order they came."""
    clock = backend.clock
    limiter = backend.make("status:=1/1")
    await (await limiter.acquire("w", STATUS)).complete(success=True)
    order: list[int] = []

    async def wait(i: int) -> None:
        permit = await limiter.acquire("w", STATUS)
        order.append(i)
        await permit.complete(success=True)

    async with anyio.create_task_group() as tg:
        for i in range(4):
            tg.start_soon(wait, i)
            await until_queued(backend, limiter, "status", i + 1)
        for served in range(1, 5):  # one slot a second: one waiter each time
            clock.advance(1.0)
            with anyio.fail_after(5):
                while len(order) < served:
                    await anyio.sleep(0.001)
    assert order == [0, 1, 2, 3]


async def test_newcomer_does_not_jump_the_queue(backend: Backend) -> None:
    """A fresh call waits behind a queued one even when a slot just freed."""
    clock = backend.clock
    limiter = backend.make("status:=1/1")
    await (await limiter.acquire("w", STATUS)).complete(success=True)
    async with anyio.create_task_group() as tg:
        tg.start_soon(limiter.acquire, "w", STATUS)
        await until_queued(backend, limiter, "status", 1)
        clock.advance(1.0)  # the slot is free, the queued waiter not yet awake
        await refused_at(limiter, STATUS, clock.now())
        tg.cancel_scope.cancel()


async def test_interactive_goes_before_queued_bulk(backend: Backend) -> None:
    """An interactive call is admitted while bulk callers queue for the same budget."""
    limiter = backend.make("status:=10/1")
    await limiter.acquire("w", STATUS)  # interactive calls are around: a floor
    async with anyio.create_task_group() as tg:
        for _ in range(12):
            tg.start_soon(lambda: limiter.acquire("w", STATUS, priority=Priority.BULK))
        await until_queued(backend, limiter, "status", 4)
        await limiter.acquire("w", STATUS, deadline=backend.clock.now())
        tg.cancel_scope.cancel()


async def test_snapshot_reports_use_flight_queue_and_waits(backend: Backend) -> None:
    """snapshot() gives used, in flight, queued, next free and blocked per window."""
    clock = backend.clock
    limiter = backend.make("status:=2/1,5/60")
    done = await limiter.acquire("w", STATUS)
    await limiter.acquire("w", STATUS)
    await done.complete(success=True)
    clock.advance(0.25)
    await limiter.block("w", STATUS, 0.5)
    async with anyio.create_task_group() as tg:
        tg.start_soon(limiter.acquire, "w", STATUS)
        await until_queued(backend, limiter, "status", 1)
        rows = [u for u in await backend.usage(limiter) if u.budget == "status"]
        tg.cancel_scope.cancel()
    second, minute = rows
    # RedisLimiter counts the 429 behind a block as a call someone else made.
    phantom = 1 if backend.kind == "redis" else 0
    assert (second.used, second.in_flight, second.queued) == (1 + phantom, 1, 1)
    assert second.next_free_in == pytest.approx(0.75 if phantom == 0 else 1.0)
    assert second.blocked_for == pytest.approx(0.5)
    assert (minute.limit, minute.seconds, minute.used) == (5, 60.0, 1 + phantom)
    assert minute.next_free_in == pytest.approx(0.5)  # only the block holds it


async def test_snapshot_lists_unused_budgets_as_idle(backend: Backend) -> None:
    """Budgets never used show zero use and no wait."""
    limiter = backend.make("status:=2/1")
    rows = await backend.usage(limiter, "nobody")
    assert rows and all(r.used == r.in_flight == r.queued == 0 for r in rows)
    assert all(r.next_free_in == r.blocked_for == 0 for r in rows)


# -- the work-conserving bulk policy (the default) ---------------------------------

BULK = Priority.BULK


async def bulk_until_refused(limiter: object, now: float) -> int:
    """Admit bulk calls (left in flight) until one is refused; how many got in."""
    n = 0
    while True:
        try:
            await limiter.acquire("w", STATUS, priority=BULK, deadline=now)  # type: ignore[attr-defined]
        except RateLimitError:
            return n
        n += 1


async def test_bulk_alone_uses_the_whole_window(backend: Backend) -> None:
    """No interactive call seen: bulk work may fill every window to its limit."""
    limiter = backend.make("status:=10/1,25/60")
    assert await bulk_until_refused(limiter, 1000.0) == 10
    rows = {u.seconds: u for u in await backend.usage(limiter) if u.budget == "status"}
    assert rows[1.0].reserved == rows[60.0].reserved == 0


async def test_after_an_interactive_call_bulk_leaves_the_floor(
    backend: Backend,
) -> None:
    """Once an interactive call was seen, bulk leaves the floor plus that demand
    free (two slots of each window) and the next interactive call gets in at once."""
    limiter = backend.make("status:=10/1,25/60")
    await (await limiter.acquire("w", STATUS)).complete(success=True)
    assert await bulk_until_refused(limiter, 1000.0) == 7  # 10 - 1 used - 2 kept
    rows = {u.seconds: u for u in await backend.usage(limiter) if u.budget == "status"}
    assert rows[1.0].reserved == rows[60.0].reserved == 2
    await limiter.acquire("w", STATUS, deadline=1000.0)


async def test_headroom_follows_the_observed_demand(backend: Backend) -> None:
    """Three interactive calls in two demand buckets: the floor plus three slots
    of the minute stay free (plus one of the short window) until the horizon
    passes."""
    clock = backend.clock
    policy = WorkConserving(floor=1, horizon_s=60.0, demand_s=2.0)
    limiter = backend.make("status:=10/0.5,100/60", bulk_policy=policy)
    for _ in range(3):
        await (await limiter.acquire("w", STATUS)).complete(success=True)
    clock.advance(1.0)
    assert await bulk_until_refused(limiter, 1001.0) == 10 - 2  # the short window
    rows = {u.seconds: u for u in await backend.usage(limiter) if u.budget == "status"}
    assert (rows[0.5].reserved, rows[60.0].reserved) == (2, 4)
    clock.advance(59.0)  # the horizon has passed: bulk may have it all
    rows = {u.seconds: u for u in await backend.usage(limiter) if u.budget == "status"}
    assert (rows[0.5].reserved, rows[60.0].reserved) == (0, 0)
    # the eight bulk calls still in flight hold their slots; the kept two are free
    assert await bulk_until_refused(limiter, 1060.0) == 2


async def test_after_the_horizon_bulk_gets_everything_back(backend: Backend) -> None:
    """A waiting bulk caller is admitted when the horizon passes, not later."""
    clock = backend.clock
    policy = WorkConserving(floor=1, horizon_s=30.0, demand_s=2.0)
    limiter = backend.make("status:=4/3600", bulk_policy=policy)
    await (await limiter.acquire("w", STATUS)).complete(success=True)
    await limiter.acquire("w", STATUS, priority=BULK)
    assert await refused_at(limiter, STATUS, 1000.0, priority=BULK) == 1030.0
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        await limiter.acquire("w", STATUS, priority=BULK)
        tg.cancel_scope.cancel()
    assert clock.now() == pytest.approx(1030.0, abs=1e-5)


async def test_a_creation_job_alone_gets_the_whole_success_quota(
    backend: Backend,
) -> None:
    """100 bulk creations under 5/min, 25/h, 100/day: all of them, on the earliest
    schedule, with no interactive call around."""
    clock = backend.clock
    limiter = backend.make("create_success:=5/60,25/3600,100/86400")
    sends: list[float] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        for _ in range(100):
            permit = await limiter.acquire("w", ("create_success",), priority=BULK)
            sends.append(clock.now() - 1000.0)
            await permit.complete(success=True)
        tg.cancel_scope.cancel()
    windows = [(5, 60.0), (25, 3600.0), (100, 86400.0)]
    assert sends == pytest.approx(earliest_schedule(100, windows), abs=1e-3)
