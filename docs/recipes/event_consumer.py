"""Recipe: an asyncio event consumer that stops pulling while the budget is spent.

Each event is a campaign id to pause. The consumer keeps at most ``max_in_flight``
requests going, and before it takes more events off the queue it asks the budget,
without waiting, for the next request's slot (``client.budgets.try_reserve``).
Spent, it stops pulling for the ``retry_in_s`` the answer names; the queue then
fills and holds its producer back, so nothing piles up in the consumer: its
memory stays flat however many events flow through. Up to ``batch`` waiting
events share one request (a V1 status change takes ten ids).

Run it against the sandbox: ``python docs/recipes/event_consumer.py``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import anyio

from moengage_async import (
    BudgetExhausted,
    MoEngageClient,
    MoEngageError,
    Priority,
    Reservation,
)

OPERATION = "v1.change_status"


@dataclass
class ConsumerStats:
    """What one run of ``consume`` did."""

    events: int = 0
    requests: int = 0
    failed: int = 0
    #: How often the consumer stopped pulling, and for how long (clock seconds).
    stops: int = 0
    stopped_s: float = 0.0


async def consume(
    client: MoEngageClient,
    events: asyncio.Queue[str | None],
    *,
    max_in_flight: int = 4,
    batch: int = 10,
    priority: Priority = Priority.BULK,
) -> ConsumerStats:
    """Pause every campaign id taken from ``events`` until a ``None`` arrives."""
    stats = ConsumerStats()
    free = asyncio.Semaphore(max_in_flight)

    async def send(reservation: Reservation, ids: list[str]) -> None:
        try:
            async with reservation:
                await client.change_status("PAUSE", ids, priority=priority)
        except MoEngageError:
            stats.failed += len(ids)
        finally:
            free.release()

    async with anyio.create_task_group() as tg:
        ending = False
        while not ending:
            await free.acquire()  # bounded in-flight work
            first = await events.get()
            if first is None:
                free.release()
                break
            while True:  # hold this one event; pull no more until a slot is ours
                try:
                    reservation = await client.budgets.try_reserve(
                        OPERATION, priority=priority
                    )
                    break
                except BudgetExhausted as exc:
                    stats.stops += 1
                    stats.stopped_s += exc.retry_in_s
                    await client.clock.sleep(exc.retry_in_s)
            ids = [first]
            while len(ids) < batch:
                try:
                    more = events.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if more is None:
                    ending = True
                    break
                ids.append(more)
            stats.events += len(ids)
            stats.requests += 1
            tg.start_soon(send, reservation, ids)
    return stats


async def _demo() -> None:
    from moengage_async.sandbox import Sandbox

    budget = "status:=10/0.5"
    async with Sandbox(budgets=budget) as sandbox:
        ids = sandbox.seed_campaigns(500)
        async with sandbox.client(budgets=budget) as client:
            queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=100)

            async def produce() -> None:
                for campaign_id in ids:
                    await queue.put(campaign_id)  # waits while the consumer stops
                await queue.put(None)

            async with anyio.create_task_group() as tg:
                tg.start_soon(produce)
                stats = await consume(client, queue)
        refused = sum(
            1 for r in sandbox.ledger.requests("v1.change_status") if r.status == 429
        )
    print(stats, f"429s: {refused}")


if __name__ == "__main__":
    anyio.run(_demo)
