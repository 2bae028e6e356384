"""Memory per workspace stays bounded whatever the window length."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from dataclasses import dataclass

import pytest

from moengage_async import DEFAULT_BUDGETS, FakeClock, MemoryLimiter
from moengage_async._window_log import SLICES

LIMIT_BYTES = 64 * 1024


async def saturate(
    limiter: MemoryLimiter, clock: FakeClock, workspace: str, seconds: float = 3600
) -> int:
    """Fill every window of the documented table for an hour; return requests."""
    sent = 0
    step = 0.6
    for tick in range(int(seconds / step)):
        for name in DEFAULT_BUDGETS:
            if name == "preview" and tick < (3600 - 60) / step:
                continue  # 10,000/min: filling its last minute is the worst case
            burst = 100 if name == "preview" else 1  # steady: every slice used
            for _ in range(burst):
                permit = limiter.try_acquire(workspace, (name,))
                if permit is None:
                    break
                clock.advance(1e-4)  # distinct stamps: the most entries
                await permit.complete(success=True)
                sent += 1
        clock.advance(step)
    return sent


@dataclass
class Saturated:
    limiter: MemoryLimiter
    sent: int
    traced_bytes: int


@pytest.fixture(scope="module")
def saturated() -> Saturated:
    """One workspace with the documented table filled for an hour, traced."""

    async def main() -> Saturated:
        clock = FakeClock()
        limiter = MemoryLimiter(clock=clock)
        await saturate(limiter, clock, "warm-up", 120)  # code and type caches
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            sent = await saturate(limiter, clock, "w")
            gc.collect()
            used = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        return Saturated(limiter, sent, used)

    return asyncio.run(main())


def test_full_table_saturated_for_an_hour_fits_in_64_kib(saturated: Saturated) -> None:
    """Every documented budget at its limit for an hour costs under 64 KiB."""
    assert saturated.sent >= 8 * 5990  # the hour windows really were filled
    assert saturated.traced_bytes <= LIMIT_BYTES, saturated.traced_bytes


def test_large_windows_keep_a_bounded_number_of_entries(saturated: Saturated) -> None:
    """A saturated 6000/h window holds at most SLICES + 2 entries."""
    state = saturated.limiter._workspaces["w"].states["status"]
    hour = state.windows[2]
    assert hour.used > 5900
    assert SLICES - 2 <= hour.entries <= SLICES + 2


async def test_unused_budgets_allocate_nothing() -> None:
    """A workspace that only changes status holds state for that budget only."""
    limiter = MemoryLimiter(clock=FakeClock())
    await limiter.acquire("w", ("status",))
    assert set(limiter._workspaces["w"].states) == {"status"}
