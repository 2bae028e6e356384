"""Memory per workspace stays bounded whatever the window length."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc

import pytest

from moengage_async import DEFAULT_BUDGETS, FakeClock, MemoryLimiter
from moengage_async.budgets._window_log import SLICES, WindowLog

LIMIT_BYTES = 64 * 1024


async def saturate(
    limiter: MemoryLimiter, clock: FakeClock, workspace: str, seconds: float = 3600
) -> int:
    """Fill every window of the documented table for an hour; return requests."""
    sent = 0
    step = 0.6
    for tick in range(int(seconds / step)):
        for name in DEFAULT_BUDGETS:
            if name == "preview" and tick < (seconds - 60) / step:
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


@pytest.fixture(scope="module")
def saturated() -> MemoryLimiter:
    """One workspace with the documented table filled for a whole hour."""

    async def main() -> MemoryLimiter:
        clock = FakeClock()
        limiter = MemoryLimiter(clock=clock)
        assert await saturate(limiter, clock, "w") >= 8 * 5990
        return limiter

    return asyncio.run(main())


async def test_saturated_table_fits_in_64_kib() -> None:
    """Every documented budget in use at its limit costs under 64 KiB (traced).

    Each window's ring is allocated in full on first use and never grows (the
    next test checks that over an hour), so two saturated minutes show it all.
    """
    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock)
    await saturate(limiter, clock, "warm-up", 60)  # code and type caches
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        await saturate(limiter, clock, "w", 120)
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert set(limiter._workspaces["w"].states) == set(DEFAULT_BUDGETS)
    assert used <= LIMIT_BYTES, used


def test_an_hour_at_the_limit_never_grows_a_ring(saturated: MemoryLimiter) -> None:
    """After an hour at the limit every ring still has its first-use capacity."""
    for state in saturated._workspaces["w"].states.values():
        for window in state.windows:
            fresh = WindowLog(window.limit, window.seconds)
            assert window._cap == fresh._cap, (state.name, window.limit)


def test_large_windows_keep_a_bounded_number_of_entries(
    saturated: MemoryLimiter,
) -> None:
    """A saturated 6000/h window holds at most SLICES + 2 entries."""
    hour = saturated._workspaces["w"].states["status"].windows[2]
    assert hour.used > 5900
    assert SLICES - 2 <= hour.entries <= SLICES + 2


async def test_unused_budgets_allocate_nothing() -> None:
    """A workspace that only changes status holds state for that budget only."""
    limiter = MemoryLimiter(clock=FakeClock())
    await limiter.acquire("w", ("status",))
    assert set(limiter._workspaces["w"].states) == {"status"}
