"""The non-blocking budget question: ``client.budgets.try_reserve`` and reservations.

In memory on a fake clock (the sandbox serves the calls), and on a real Redis.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from moengage_async import (
    BudgetExhausted,
    FakeClock,
    MemoryLimiter,
    MoEngageClient,
    PayloadValidationError,
    Priority,
    RateLimitError,
    RetryPolicy,
)
from moengage_async.budgets import BudgetView
from moengage_async.sandbox import Sandbox

OP = "v1.change_status"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as box:
        yield box


def client_on(sandbox: Sandbox, clock: FakeClock, budgets: str) -> MoEngageClient:
    return sandbox.client(budgets=budgets, clock=clock, retry=RetryPolicy(testing=True))


def used(client: MoEngageClient) -> tuple[int, int]:
    """(completed, in flight) of the status budget's first window."""
    row = next(r for r in client.budgets.snapshot() if r.budget == "status")
    return row.used, row.in_flight


async def test_a_slot_now_or_the_time_of_the_earliest(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """Two slots of 2/10 s are handed out at once; the third question is answered
    at once with the seconds until a slot frees, and nothing is queued."""
    async with client_on(sandbox, fake_clock, "status:=2/10") as client:
        first = await client.budgets.try_reserve(OP)
        second = await client.budgets.try_reserve(OP)
        with pytest.raises(BudgetExhausted) as info:
            await client.budgets.try_reserve(OP)
        # Both slots are held (as if in flight): the earliest frees 10 s after a
        # completion, so no sooner than 10 s from now.
        assert info.value.retry_in_s == pytest.approx(10.0)
        assert info.value.retry_at == pytest.approx(fake_clock.now() + 10.0)
        assert info.value.local and isinstance(info.value, RateLimitError)
        assert all(r.queued == 0 for r in client.budgets.snapshot())
        await first.release()
        await second.release()
        assert used(client) == (0, 0)


async def test_a_released_slot_comes_back_at_once(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """Releasing an unused reservation frees its slot without stamping it."""
    async with client_on(sandbox, fake_clock, "status:=1/60") as client:
        held = await client.budgets.try_reserve(OP)
        with pytest.raises(BudgetExhausted):
            await client.budgets.try_reserve(OP)
        await held.release()
        again = await client.budgets.try_reserve(OP)
        assert again.held
        await again.release()
        assert used(client) == (0, 0)


async def test_the_call_inside_the_block_takes_the_reserved_slot(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """With the only slot of 1/60 s reserved, the call in the block goes out at
    once under it (asking the limiter again would have to wait 60 s)."""
    ids = sandbox.seed_campaigns(1)
    async with client_on(sandbox, fake_clock, "status:=1/60") as client:
        reservation = await client.budgets.try_reserve(OP)
        async with reservation:
            await client.change_status("PAUSE", ids, timeout=5.0)
        assert not reservation.held
        assert used(client) == (1, 0)
        assert client.budgets.outstanding_reservations == 0
        with pytest.raises(BudgetExhausted) as info:
            await client.budgets.try_reserve(OP)
        assert info.value.retry_in_s == pytest.approx(60.0)
    assert [a.kind for a in sandbox.ledger.actions()] == ["PAUSE"]


async def test_a_block_left_unused_gives_the_slot_back(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """A reservation whose block sends nothing (or fails first) is released."""
    async with client_on(sandbox, fake_clock, "status:=1/60") as client:
        with pytest.raises(KeyError):
            async with await client.budgets.try_reserve(OP):
                raise KeyError("the handler failed before calling")
        assert used(client) == (0, 0)
        (await client.budgets.try_reserve(OP)).held  # noqa: B018 - free again


async def test_a_dropped_reservation_is_released_when_its_lease_ends(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """Nobody uses or releases it: ``lease_s`` later its slot is free again."""
    async with client_on(sandbox, fake_clock, "status:=1/60") as client:
        await client.budgets.try_reserve(OP)  # dropped on the floor
        assert client.budgets.outstanding_reservations == 1
        fake_clock.advance(client.budgets.lease_s / 2)
        await fake_clock.settle()
        with pytest.raises(BudgetExhausted):
            await client.budgets.try_reserve(OP)
        fake_clock.advance(client.budgets.lease_s / 2)
        await fake_clock.settle()
        assert client.budgets.outstanding_reservations == 0
        assert used(client) == (0, 0)
        reservation = await client.budgets.try_reserve(OP)
        await reservation.release()


async def test_priorities_see_their_own_headroom(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """Bulk questions see the bulk share (half of 4); interactive ones the rest."""
    async with sandbox.client(
        budgets="status:=4/10", bulk_share=0.5, clock=fake_clock
    ) as client:
        view = client.budgets
        bulk = [await view.try_reserve(OP, priority=Priority.BULK) for _ in range(2)]
        with pytest.raises(BudgetExhausted):
            await view.try_reserve(OP, priority=Priority.BULK)
        interactive = [await view.try_reserve(OP) for _ in range(2)]
        with pytest.raises(BudgetExhausted):
            await view.try_reserve(OP)
        for reservation in bulk + interactive:
            await reservation.release()


async def test_reserve_waits_for_a_slot_within_its_timeout(
    sandbox: Sandbox, fake_clock: FakeClock
) -> None:
    """``reserve`` is the waiting form: it gets the slot when it frees, or refuses
    at once when it cannot within ``timeout``."""
    ids = sandbox.seed_campaigns(1)
    async with client_on(sandbox, fake_clock, "status:=1/10") as client:
        await client.change_status("PAUSE", ids)
        with pytest.raises(RateLimitError) as info:
            await client.budgets.reserve(OP, timeout=5.0)
        assert info.value.local
        async with anyio.create_task_group() as tg:
            tg.start_soon(fake_clock.autojump)
            started = fake_clock.now()
            reservation = await client.budgets.reserve(OP, timeout=20.0)
            assert fake_clock.now() - started == pytest.approx(10.0)
            tg.cancel_scope.cancel()
        await reservation.release()


async def test_unknown_operations_are_refused(sandbox: Sandbox) -> None:
    async with sandbox.client() as client:
        with pytest.raises(PayloadValidationError):
            await client.budgets.try_reserve("v1.no_such_thing")


async def test_a_view_on_a_plain_limiter() -> None:
    """``BudgetView`` works on any limiter with ``acquire_nowait``."""
    clock = FakeClock()
    limiter = MemoryLimiter({"status": _status(1, 5.0)}, clock=clock)
    view = BudgetView(limiter, "ws", clock=clock, operations={OP: ("status",)})
    reservation = await view.try_reserve(OP)
    with pytest.raises(BudgetExhausted):
        await view.try_reserve(OP)
    await view.aclose()  # releases what is outstanding
    assert not reservation.held
    await (await view.try_reserve(OP)).release()


def _status(limit: int, seconds: float) -> Any:
    from moengage_async import Budget, Window

    return Budget("status", (Window(limit, seconds),))


# -- Redis ----------------------------------------------------------------------


@pytest.mark.redis
async def test_redis_answers_without_queueing(
    make_limiter: Any, fake_clock: FakeClock
) -> None:
    """On Redis: a slot now, or the time of the earliest without a ticket left
    in the queue; released slots and lapsed leases come back."""
    limiter = make_limiter("status:=2/10")
    view = BudgetView(limiter, "ws", clock=fake_clock, operations={OP: ("status",)})
    first = await view.try_reserve(OP)
    second = await view.try_reserve(OP)
    with pytest.raises(BudgetExhausted) as info:
        await view.try_reserve(OP)
    assert info.value.retry_in_s == pytest.approx(10.0)
    rows = await limiter.fetch_snapshot("ws")
    status = next(r for r in rows if r.budget == "status")
    assert (status.in_flight, status.queued) == (2, 0)
    await first.release()  # back at once
    fake_clock.advance(view.lease_s / 2)
    third = await view.try_reserve(OP)
    # ``second`` is dropped: its lease ends and the keeper gives it back.
    fake_clock.advance(view.lease_s / 2)
    fourth = None
    for _ in range(100):  # the keeper's release is a Redis round trip
        await fake_clock.settle()
        try:
            fourth = await view.try_reserve(OP)
        except BudgetExhausted:
            await anyio.sleep(0.01)
        else:
            break
    assert fourth is not None and not second.held and third.held
    rows = await limiter.fetch_snapshot("ws")
    status = next(r for r in rows if r.budget == "status")
    assert (status.used, status.in_flight, status.queued) == (0, 2, 0)
    await third.release()
    await fourth.release()


@pytest.mark.redis
async def test_redis_priorities_see_their_own_headroom(
    make_limiter: Any, fake_clock: FakeClock
) -> None:
    limiter = make_limiter("status:=4/10", bulk_share=0.5)
    view = BudgetView(limiter, "ws", clock=fake_clock, operations={OP: ("status",)})
    held = [await view.try_reserve(OP, priority=Priority.BULK) for _ in range(2)]
    with pytest.raises(BudgetExhausted):
        await view.try_reserve(OP, priority=Priority.BULK)
    held += [await view.try_reserve(OP) for _ in range(2)]
    with pytest.raises(BudgetExhausted):
        await view.try_reserve(OP)
    await view.aclose()
    assert not any(r.held for r in held)


@pytest.mark.redis
async def test_redis_reservation_serves_a_call(
    make_limiter: Any, fake_clock: FakeClock, sandbox: Sandbox
) -> None:
    """The call inside the block goes out under the Redis permit and completes it."""
    limiter = make_limiter("status:=1/60")
    ids = sandbox.seed_campaigns(1)
    async with sandbox.client(limiter=limiter, clock=fake_clock) as client:
        async with await client.budgets.try_reserve(OP):
            await client.change_status("PAUSE", ids, timeout=5.0)
        rows = await limiter.fetch_snapshot(client.workspace_id)
    status = next(r for r in rows if r.budget == "status")
    assert (status.used, status.in_flight) == (1, 0)


async def test_redis_unreachable_answers_from_the_local_fallback(
    fake_clock: FakeClock,
) -> None:
    """With ``on_unavailable='local'`` the question is answered in-process, at
    ``local_fraction`` of each limit; with ``'fail'`` it is an error of the tree."""
    from moengage_async import BudgetBackendError, RedisLimiter

    local = RedisLimiter(
        "redis://127.0.0.1:9/0",
        budgets="status:=4/1",
        clock=fake_clock,
        on_unavailable="local",
        local_fraction=0.5,
    )
    view = BudgetView(local, "ws", clock=fake_clock, operations={OP: ("status",)})
    held = [await view.try_reserve(OP), await view.try_reserve(OP)]
    with pytest.raises(BudgetExhausted) as info:
        await view.try_reserve(OP)
    assert info.value.retry_in_s == pytest.approx(1.0)
    await view.aclose()
    assert not any(r.held for r in held)
    await local.aclose()
    failing = RedisLimiter("redis://127.0.0.1:9/0", budgets="status:=4/1")
    view = BudgetView(failing, "ws", operations={OP: ("status",)})
    with pytest.raises(BudgetBackendError):
        await view.try_reserve(OP)
    await failing.aclose()
