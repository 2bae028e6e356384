"""MemoryLimiter: windows stamped at completion, quotas, gates, block, deadline."""

from __future__ import annotations

import logging

import anyio
import pytest

from moengage_async import (
    Budget,
    FakeClock,
    MemoryLimiter,
    Permit,
    RateLimitError,
    Window,
)
from moengage_async.budgets._spec import resolve_budgets


def limiter_for(text: str, clock: FakeClock, bulk_share: float = 0.8) -> MemoryLimiter:
    return MemoryLimiter(resolve_budgets(text), clock=clock, bulk_share=bulk_share)


async def test_expiry_counts_from_the_completion_stamp() -> None:
    """A slot frees one window after its response completed, not after its send."""
    clock = FakeClock()
    limiter = limiter_for("status:=1/1", clock)
    permit = await limiter.acquire("w", ("status",))
    clock.advance(5.0)
    await permit.complete(success=True)
    admitted: list[float] = []

    async def caller() -> None:
        await limiter.acquire("w", ("status",))
        admitted.append(clock.now())

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller)
        await clock.settle()
        clock.advance(0.999)
        await clock.settle()
        assert admitted == []
        clock.advance(0.001)
    assert admitted == [6.0]


async def test_in_flight_requests_hold_their_slot() -> None:
    """An unanswered request keeps its slot however long it takes."""
    clock = FakeClock()
    limiter = limiter_for("status:=1/1", clock)
    permit = await limiter.acquire("w", ("status",))
    admitted: list[float] = []

    async def caller() -> None:
        await limiter.acquire("w", ("status",))
        admitted.append(clock.now())

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller)
        await clock.settle()
        clock.advance(100.0)
        await clock.settle()
        assert admitted == []
        await permit.complete(success=True)
        await clock.settle()
        clock.advance(1.0)
    assert admitted == [101.0]


async def test_spent_day_quota_fails_at_once_with_retry_at() -> None:
    """With the day quota spent, a call with a deadline fails now, sending nothing."""
    clock = FakeClock()
    limiter = MemoryLimiter(
        {"q": Budget("q", (Window(1, 86400.0),), successes_only=True)}, clock=clock
    )
    permit = await limiter.acquire("w", ("q",))
    clock.advance(10.0)
    await permit.complete(success=True)
    with pytest.raises(RateLimitError) as caught:
        await limiter.acquire("w", ("q",), deadline=clock.now() + 30.0)
    assert caught.value.local
    assert caught.value.retry_at == 86410.0
    assert clock.now() == 10.0
    assert limiter.snapshot("w")[0].queued == 0


async def test_queued_caller_fails_at_its_deadline() -> None:
    """A caller still waiting when its deadline comes fails then and leaves."""
    clock = FakeClock()
    limiter = limiter_for("gcg:=10/60", clock)
    await limiter.acquire("w", ("gcg",))  # the concurrency gate of one is taken
    failed: list[float] = []

    async def caller() -> None:
        with pytest.raises(RateLimitError):
            await limiter.acquire("w", ("gcg",), deadline=5.0)
        failed.append(clock.now())

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller)
        await clock.settle()
        clock.advance(5.0)
    assert failed == [5.0]
    assert limiter.snapshot("w")[0].queued == 0


async def test_concurrency_gate_admits_one_at_a_time() -> None:
    """The GCG gate lets the next job start only when the previous one completes."""
    clock = FakeClock()
    limiter = limiter_for("gcg:=10/60", clock)
    permit = await limiter.acquire("w", ("gcg",))
    admitted: list[float] = []

    async def caller() -> None:
        await limiter.acquire("w", ("gcg",))
        admitted.append(clock.now())

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller)
        await clock.settle()
        clock.advance(3.0)
        await clock.settle()
        assert admitted == []
        await permit.complete(success=True)
    assert admitted == [3.0]


async def test_block_holds_every_caller_until_it_ends() -> None:
    """After block(), nobody is admitted to those budgets until it ends."""
    clock = FakeClock()
    limiter = limiter_for("status:=10/1", clock)
    await limiter.block("w", ("status",), 30.0)
    with pytest.raises(RateLimitError) as caught:
        await limiter.acquire("w", ("status",), deadline=29.0)
    assert caught.value.retry_at == 30.0
    admitted: list[float] = []

    async def caller() -> None:
        await limiter.acquire("w", ("status",))
        admitted.append(clock.now())

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller)
        await clock.settle()
        clock.advance(30.0)
    assert admitted == [30.0]


async def test_block_of_zero_seconds_changes_nothing() -> None:
    """A 429 without Retry-After blocks for 0 s: the windows alone decide."""
    clock = FakeClock()
    limiter = limiter_for("status:=10/1", clock)
    await limiter.block("w", ("status",), 0.0)
    await limiter.acquire("w", ("status",), deadline=0.0)


async def test_permit_completes_once() -> None:
    """Completing a permit twice stamps it once."""
    clock = FakeClock()
    limiter = limiter_for("status:=2/1", clock)
    permit: Permit = await limiter.acquire("w", ("status",))
    await permit.complete(success=True)
    await permit.complete(success=True)
    assert [u.used for u in limiter.snapshot("w") if u.budget == "status"] == [1]


async def test_workspaces_have_separate_budgets() -> None:
    """Spending one workspace's budget leaves another's untouched."""
    clock = FakeClock()
    limiter = limiter_for("status:=1/1", clock)
    await limiter.acquire("a", ("status",))
    await limiter.acquire("b", ("status",), deadline=0.0)


async def test_unknown_budget_is_refused() -> None:
    """Acquiring an unknown budget raises ValueError naming it."""
    limiter = limiter_for("status:=1/1", FakeClock())
    with pytest.raises(ValueError, match="'nope'"):
        await limiter.acquire("w", ("nope",))


@pytest.mark.parametrize("share", [0.0, -0.5, 1.5])
def test_bulk_share_outside_zero_one_is_refused(share: float) -> None:
    """bulk_share must lie in (0, 1]."""
    with pytest.raises(ValueError, match="bulk_share"):
        MemoryLimiter(clock=FakeClock(), bulk_share=share)


async def test_wait_decisions_are_logged_at_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every wait decision leaves a debug line naming workspace and budget."""
    clock = FakeClock()
    limiter = limiter_for("status:=1/1", clock)
    caplog.set_level(logging.DEBUG, logger="moengage_async.budgets")
    permit = await limiter.acquire("w", ("status",))
    await permit.complete(success=True)
    with pytest.raises(RateLimitError):
        await limiter.acquire("w", ("status",), deadline=0.5)
    assert any("w/status" in r.getMessage() for r in caplog.records)


async def test_snapshot_lists_unused_budgets_as_idle() -> None:
    """Budgets never used show zero use and no wait, without creating state."""
    limiter = limiter_for("status:=2/1", FakeClock())
    rows = limiter.snapshot("nobody")
    assert rows and all(r.used == r.in_flight == r.queued == 0 for r in rows)
    assert limiter._workspaces == {}
