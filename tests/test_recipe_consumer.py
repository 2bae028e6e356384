"""docs/recipes/event_consumer.py: it stops pulling while the budget is spent, and
its memory stays flat."""

from __future__ import annotations

import asyncio
import sys
import tracemalloc
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import msgspec
from aiohttp import web

from moengage_async import MoEngageClient

sys.path.insert(0, str(Path(__file__).parent.parent / "docs" / "recipes"))

from event_consumer import ConsumerStats, consume


@dataclass
class CountingServer:
    """Answers V1 status changes, 429 when the rolling window is over its limit;
    keeps only counters and the window's log, so its own memory does not grow."""

    limit: int
    seconds: float
    ids: int = 0
    requests: int = 0
    refused: int = 0
    log: deque[float] = field(default_factory=deque)

    async def handle(self, request: web.Request) -> web.Response:
        body = msgspec.json.decode(await request.read())
        now = asyncio.get_running_loop().time()
        while self.log and self.log[0] <= now - self.seconds:
            self.log.popleft()
        if len(self.log) >= self.limit:
            self.refused += 1
            return web.json_response({"error": {"code": "429"}}, status=429)
        self.log.append(now)
        self.requests += 1
        self.ids += len(body["campaign_ids"])
        return web.json_response({"status": "success"})


@asynccontextmanager
async def serving(server: CountingServer) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


async def run(
    events: int, budget: tuple[int, float]
) -> tuple[ConsumerStats, CountingServer]:
    """``events`` ids through a bounded queue into ``consume``."""
    server = CountingServer(*budget)
    async with (
        serving(server) as url,
        MoEngageClient(
            "ws", "key", base_url=url, budgets=f"status:={budget[0]}/{budget[1]}"
        ) as client,
    ):
        queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=100)

        async def produce() -> None:
            for i in range(events):
                await queue.put(f"c{i:07d}")
            await queue.put(None)

        async with anyio.create_task_group() as tg:
            tg.start_soon(produce)
            stats = await consume(client, queue)
    return stats, server


async def test_the_consumer_stops_pulling_while_the_budget_is_spent() -> None:
    """A budget tighter than the consumer: it stops (often), never gets a 429,
    and every event is sent, ten per request."""
    stats, server = await run(1_000, (20, 0.2))
    assert stats.stops > 0
    assert server.refused == 0
    assert (server.ids, server.requests) == (1_000, 100)
    assert (stats.events, stats.requests, stats.failed) == (1_000, 100, 0)


async def peak(events: int) -> int:
    tracemalloc.start()
    try:
        stats, server = await run(events, (2_000, 0.1))
        _, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert server.ids == stats.events == events
    assert server.refused == 0
    return top


async def test_the_consumers_memory_stays_flat() -> None:
    """The traced peak of 20,000 events is that of 2,000 (and under 3 MB): bounded
    in-flight work and a queue the consumer stops pulling from, nothing that grows.
    (docs/backpressure.md has 10,000 against 100,000, from ``python
    tests/test_recipe_consumer.py``.)"""
    small = await peak(2_000)
    large = await peak(20_000)
    assert large < 3_000_000
    assert large < small * 1.25 + 100_000, (small, large)


if __name__ == "__main__":

    async def _main() -> None:
        for events in (10_000, 100_000):
            top = await peak(events) / 1e6
            print(f"{events} events: traced peak {top:.3f} MB")  # noqa: T201

    anyio.run(_main)
