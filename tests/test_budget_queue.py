"""Waiting well: FIFO per lane, interactive before bulk, bulk share, cancellation."""

from __future__ import annotations

import anyio

from moengage_async import FakeClock, MemoryLimiter, Priority
from moengage_async.budgets._spec import resolve_budgets

STATUS = ("status",)


def limiter_for(text: str, clock: FakeClock, bulk_share: float = 0.8) -> MemoryLimiter:
    return MemoryLimiter(resolve_budgets(text), clock=clock, bulk_share=bulk_share)


async def test_new_arrival_does_not_overtake_the_queue() -> None:
    """A caller arriving when a slot is free still queues behind earlier waiters."""
    clock = FakeClock()
    limiter = limiter_for("status:=1/1", clock)
    first = await limiter.acquire("w", STATUS)
    order: list[str] = []

    async def caller(name: str) -> None:
        permit = await limiter.acquire("w", STATUS)
        order.append(name)
        await permit.complete(success=True)

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller, "queued")
        await clock.settle()
        await first.complete(success=True)
        tg.start_soon(caller, "late")  # starts before "queued" runs again
        await clock.settle()
        clock.advance(1.0)
        await clock.settle()
        clock.advance(1.0)
    assert order == ["queued", "late"]


async def test_interactive_passes_queued_bulk_work() -> None:
    """During a bulk backlog an interactive call is admitted at once."""
    clock = FakeClock()
    limiter = limiter_for("status:=10/1", clock)
    bulk_admitted = 0

    async def bulk() -> None:
        nonlocal bulk_admitted
        await limiter.acquire("w", STATUS, priority=Priority.BULK)
        bulk_admitted += 1

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(bulk)
        await clock.settle()
        assert bulk_admitted == 8
        await limiter.acquire("w", STATUS, priority=Priority.INTERACTIVE, deadline=0.0)
        assert clock.now() == 0.0
        tg.cancel_scope.cancel()


async def test_queued_interactive_goes_before_queued_bulk() -> None:
    """When a slot frees, a waiting interactive caller gets it before bulk."""
    clock = FakeClock()
    limiter = limiter_for("status:=2/1", clock, bulk_share=1.0)
    permits = [await limiter.acquire("w", STATUS) for _ in range(2)]
    order: list[str] = []

    async def caller(name: str, priority: Priority) -> None:
        await limiter.acquire("w", STATUS, priority=priority)
        order.append(name)

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller, "bulk", Priority.BULK)
        await clock.settle()
        tg.start_soon(caller, "interactive", Priority.INTERACTIVE)
        await clock.settle()
        for permit in permits:
            await permit.complete(success=True)
        await clock.settle()
        clock.advance(1.0)
    assert order == ["interactive", "bulk"]


async def test_bulk_does_not_take_a_slot_an_interactive_waiter_needs() -> None:
    """A bulk arrival queues while an interactive caller waits on the budget."""
    clock = FakeClock()
    limiter = limiter_for("create_requests:=5/1;create_success:=1/60", clock, 1.0)
    await limiter.acquire("w", ("create_success",))  # the quota is in use
    both = ("create_requests", "create_success")
    order: list[str] = []

    async def caller(name: str, budgets: tuple[str, ...], priority: Priority) -> None:
        await limiter.acquire("w", budgets, priority=priority)
        order.append(name)

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller, "interactive", both, Priority.INTERACTIVE)
        await clock.settle()
        tg.start_soon(caller, "bulk", ("create_requests",), Priority.BULK)
        await clock.settle()
        assert order == []
        tg.cancel_scope.cancel()


async def test_cancelled_waiter_frees_its_place() -> None:
    """Cancelling a queued caller leaks no slot and lets the next one in."""
    clock = FakeClock()
    limiter = limiter_for("status:=1/1", clock)
    first = await limiter.acquire("w", STATUS)
    admitted: list[str] = []

    async def caller(name: str) -> None:
        await limiter.acquire("w", STATUS)
        admitted.append(name)

    async with anyio.create_task_group() as tg:
        async with anyio.create_task_group() as doomed:
            doomed.start_soon(caller, "cancelled")
            await clock.settle()
            tg.start_soon(caller, "next")
            await clock.settle()
            doomed.cancel_scope.cancel()
        await first.complete(success=True)
        await clock.settle()
        clock.advance(1.0)
    assert admitted == ["next"]
    usage = limiter.snapshot("w")
    status = next(u for u in usage if u.budget == "status")
    assert (status.in_flight, status.queued) == (1, 0)


async def test_cancelled_head_does_not_block_the_queue() -> None:
    """Cancelling the waiter at the head while it sleeps wakes the one behind it."""
    clock = FakeClock()
    limiter = limiter_for("status:=1/1", clock)
    first = await limiter.acquire("w", STATUS)
    await first.complete(success=True)
    admitted: list[float] = []

    async def caller() -> None:
        await limiter.acquire("w", STATUS)
        admitted.append(clock.now())

    async with anyio.create_task_group() as tg:
        head_scope = anyio.CancelScope()
        tg.start_soon(_in_scope, head_scope, caller)
        await clock.settle()
        tg.start_soon(caller)
        await clock.settle()
        head_scope.cancel()
        await clock.settle()
        clock.advance(1.0)
    assert admitted == [1.0]
    assert clock.pending_sleepers == 0


async def _in_scope(scope: anyio.CancelScope, fn: object) -> None:
    assert callable(fn)
    with scope:
        await fn()


async def test_waiter_cancelled_right_after_its_turn_came_gives_the_slot_back() -> None:
    """A caller handed a slot but cancelled before running holds nothing."""
    clock = FakeClock()
    limiter = limiter_for("gcg:=10/60", clock)
    first = await limiter.acquire("w", ("gcg",))
    got: list[str] = []

    async def caller() -> None:
        await limiter.acquire("w", ("gcg",))
        got.append("admitted")

    scope = anyio.CancelScope()
    async with anyio.create_task_group() as tg:
        tg.start_soon(_in_scope, scope, caller)
        await clock.settle()
        await first.complete(success=True)  # hands the gate to the waiter...
        scope.cancel()  # ...which is cancelled before it runs
    assert got == []
    gate = next(u for u in limiter.snapshot("w") if u.budget == "gcg")
    assert (gate.in_flight, gate.queued) == (0, 0)
    await limiter.acquire("w", ("gcg",), deadline=0.0)


async def test_a_freed_slot_is_handed_over_at_once() -> None:
    """When a completion frees the gate, the next waiter holds it at that instant."""
    clock = FakeClock()
    limiter = limiter_for("gcg:=10/60", clock)
    first = await limiter.acquire("w", ("gcg",))

    async with anyio.create_task_group() as tg:
        tg.start_soon(limiter.acquire, "w", ("gcg",))
        await clock.settle()
        await first.complete(success=True)
        gate = next(u for u in limiter.snapshot("w") if u.budget == "gcg")
        assert (gate.in_flight, gate.queued) == (1, 0)  # before the waiter ran
