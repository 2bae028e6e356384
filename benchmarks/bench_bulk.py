"""Bulk status change: V1 batches of ten vs one request per id, same budget.

Against the sandbox on loopback, with the status budget scaled down; prints the
time of each run next to its theoretical minimum (exact earliest schedule at the
limiter's bulk share: both runs use ``Priority.BULK``).

    python benchmarks/bench_bulk.py [--ids 2000] [--budget status:=10/0.1]
"""

from __future__ import annotations

import argparse
import math
import time

import anyio

from moengage_async import MoEngageClient, Priority
from moengage_async.budgets._spec import resolve_budgets
from moengage_async.jobs._plan import bulk_windows, earliest_finish
from moengage_async.sandbox import Sandbox


async def batched(client: MoEngageClient, ids: list[str]) -> float:
    started = time.perf_counter()
    report = await client.bulk_change_status("PAUSE", ids)
    assert report.ok, report.failures[:3]
    return time.perf_counter() - started


async def one_per_id(client: MoEngageClient, ids: list[str]) -> float:
    started = time.perf_counter()
    limiter = anyio.CapacityLimiter(16)

    async def one(campaign_id: str) -> None:
        async with limiter:
            await client.change_status(
                "PAUSE", [campaign_id], priority=Priority.BULK, timeout=None
            )

    async with anyio.create_task_group() as tg:
        for campaign_id in ids:
            tg.start_soon(one, campaign_id)
    return time.perf_counter() - started


async def run(n: int, budget: str) -> None:
    windows = resolve_budgets(budget)["status"].windows
    rows = []
    for name, runner in (("batches of 10", batched), ("one per id", one_per_id)):
        async with Sandbox(budgets=budget) as sandbox:
            ids = sandbox.seed_campaigns(n)
            async with sandbox.client(budgets=budget) as client:
                bulk = bulk_windows(windows, client.bulk_share_for(Priority.BULK))
                requests = math.ceil(n / 10) if runner is batched else n
                floor = earliest_finish(bulk, requests)
                elapsed = await runner(client, ids)
            records = sandbox.ledger.requests("v1.change_status")
            limited = sum(1 for r in records if r.status == 429)
        rows.append((name, len(records), limited, elapsed, floor))
    print(f"pause {n} campaigns under {budget}")
    print(
        f"{'run':<15}{'requests':>10}{'429s':>6}{'seconds':>10}{'minimum':>10}{'ratio':>8}"
    )
    for name, requests, limited, elapsed, floor in rows:
        print(
            f"{name:<15}{requests:>10}{limited:>6}{elapsed:>10.3f}{floor:>10.3f}"
            f"{elapsed / floor:>8.3f}"
        )
    print(f"speed-up of batching: {rows[1][3] / rows[0][3]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=2000)
    parser.add_argument("--budget", default="status:=10/0.1")
    args = parser.parse_args()
    anyio.run(run, args.ids, args.budget)


if __name__ == "__main__":
    main()
