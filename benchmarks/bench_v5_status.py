"""Status changes per second: V5's one id per request against V1's ten per request.

Both runs use the same client, the same ``status`` budget (scaled down so the run
takes seconds; the ratio is what matters) and the same concurrency, against the
loopback sandbox. V5 is the figure, V1 the baseline; the ratio is campaigns/s
V1 over V5.

    python benchmarks/bench_v5_status.py --campaigns 1000 --budget status:=10/0.1,100/1
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence

import anyio

from moengage_async import MoEngageClient
from moengage_async.sandbox import Sandbox


async def _fan_out(
    items: Sequence[list[str]],
    concurrency: int,
    send: Callable[[list[str]], Awaitable[object]],
) -> None:
    limiter = anyio.CapacityLimiter(concurrency)

    async def one(chunk: list[str]) -> None:
        async with limiter:
            await send(chunk)

    async with anyio.create_task_group() as tg:
        for chunk in items:
            tg.start_soon(one, chunk)


async def _run(api: int, campaigns: int, budget: str, concurrency: int) -> float:
    """Campaigns paused per second through ``api`` (1: batches of ten, 5: one)."""
    async with Sandbox(budgets=budget) as sandbox:
        ids = sandbox.seed_campaigns(campaigns, api=api, delivery_type="PERIODIC")
        async with sandbox.client(budgets=budget) as client:
            size = 10 if api == 1 else 1
            chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
            send = _sender(client, api)
            started = time.perf_counter()
            await _fan_out(chunks, concurrency, send)
            elapsed = time.perf_counter() - started
        applied = sum(1 for a in sandbox.ledger.actions() if a.kind == "PAUSE")
        if applied != campaigns:
            raise RuntimeError(f"applied {applied} of {campaigns}")
    return campaigns / elapsed


def _sender(
    client: MoEngageClient, api: int
) -> Callable[[list[str]], Awaitable[object]]:
    if api == 1:
        return lambda chunk: client.change_status("PAUSE", chunk)
    return lambda chunk: client.v5.change_status(chunk[0], "PAUSE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=1000)
    parser.add_argument("--budget", default="status:=10/0.1,100/1")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    v5 = asyncio.run(_run(5, args.campaigns, args.budget, args.concurrency))
    v1 = asyncio.run(_run(1, args.campaigns, args.budget, args.concurrency))
    print(f"{args.campaigns} campaigns, budget {args.budget}")
    print(f"{'path':<34}{'campaigns/s':>14}")
    print(f"{'V5 PATCH /v5/.../status (1 id)':<34}{v5:>14.1f}")
    print(f"{'V1 POST /campaigns/status (10)':<34}{v1:>14.1f}")
    print(f"{'ratio V1 / V5':<34}{v1 / v5:>14.2f}")


if __name__ == "__main__":
    main()
