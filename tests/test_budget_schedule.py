"""Throughput: a saturated bulk run follows the earliest schedule the windows allow."""

from __future__ import annotations

import anyio
import pytest
from budget_checks import earliest_schedule

from moengage_async import FakeClock, MemoryLimiter, Priority
from moengage_async.budgets._spec import resolve_budgets

WINDOWS = [(10, 1.0), (100, 60.0), (6000, 3600.0)]


async def send_all(n: int, latency: float, priority: Priority) -> list[float]:
    clock = FakeClock()
    limiter = MemoryLimiter(resolve_budgets(), clock=clock, bulk_share=1.0)
    sends: list[float] = []

    async def one() -> None:
        permit = await limiter.acquire("w", ("status",), priority=priority)
        sends.append(clock.now())
        await clock.sleep(latency)
        await permit.complete(success=True)

    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        async with anyio.create_task_group() as callers:
            for _ in range(n):
                callers.start_soon(one)
        tg.cancel_scope.cancel()
    return sends


@pytest.mark.parametrize("latency", [0.0, 0.05])
@pytest.mark.parametrize("priority", list(Priority))
async def test_saturated_run_sends_at_the_earliest_moments_allowed(
    latency: float, priority: Priority
) -> None:
    """250 status calls are sent exactly when the windows (plus latency) allow."""
    sends = await send_all(250, latency, priority)
    assert sends == pytest.approx(earliest_schedule(250, WINDOWS, latency))
    # two minute windows and four second windows, each reused a latency late
    assert max(sends) == pytest.approx(124.0 + 6 * latency)
