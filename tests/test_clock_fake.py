"""FakeClock: virtual time that moves only on advance() or autojump()."""

from __future__ import annotations

import anyio
import pytest

from moengage_async import FakeClock


async def test_sleep_returns_when_time_is_advanced_past_it() -> None:
    """A sleeper wakes once advance() reaches its deadline, not before."""
    clock = FakeClock()
    woke: list[float] = []

    async def sleeper() -> None:
        await clock.sleep(2.0)
        woke.append(clock.now())

    async with anyio.create_task_group() as tg:
        tg.start_soon(sleeper)
        await clock.settle()
        clock.advance(1.5)
        await clock.settle()
        assert woke == []
        clock.advance(0.5)
    assert woke == [2.0]


def test_time_cannot_go_backwards() -> None:
    """advance() refuses a negative step."""
    with pytest.raises(ValueError, match="backwards"):
        FakeClock().advance(-1.0)


async def test_cancelled_sleep_is_forgotten() -> None:
    """A cancelled sleep no longer counts as pending, nor sets the next deadline."""
    clock = FakeClock()
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.sleep, 5.0)
        await clock.settle()
        assert (clock.pending_sleepers, clock.next_deadline) == (1, 5.0)
        tg.cancel_scope.cancel()
    assert (clock.pending_sleepers, clock.next_deadline) == (0, None)


async def test_autojump_moves_to_the_next_deadline_when_all_wait() -> None:
    """Under autojump, sleeps complete in order at their virtual deadlines."""
    clock = FakeClock(start=100.0)
    woke: list[float] = []

    async def sleeper(seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append(clock.now())

    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        async with anyio.create_task_group() as inner:
            for seconds in (3600.0, 1.0, 60.0):
                inner.start_soon(sleeper, seconds)
        tg.cancel_scope.cancel()
    assert woke == [101.0, 160.0, 3700.0]


async def test_autojump_skips_cancelled_sleeps() -> None:
    """A sleep cancelled before its deadline does not drag virtual time to it."""
    clock = FakeClock()
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        with anyio.CancelScope() as scope:
            scope.cancel()
            await clock.sleep(1000.0)
        await clock.sleep(1.0)
        tg.cancel_scope.cancel()
    assert clock.now() == 1.0
