"""Coalescing: 1,000 concurrent single-id pauses vs one request per event.

Against the sandbox on loopback, both runs through the same client limiter and
the same (scaled) status budget. The coalesced run should end within 1.1x the
theoretical minimum of 100 ten-id requests; the baseline needs 1,000 requests.
Each run first warms the shared connection pool and the sandbox with ten
concurrent requests from another workspace (its own budget), so the figure is the
steady state rather than TCP connects and first-request set-up.

    python benchmarks/bench_coalesce.py [--events 1000] [--budget status:=10/0.5]
"""

from __future__ import annotations

import argparse
import math
import time

import anyio

from moengage_async import MoEngageClient, new_session
from moengage_async.budgets._spec import resolve_budgets
from moengage_async.jobs._plan import earliest_finish
from moengage_async.sandbox import Sandbox


async def coalesced(client: MoEngageClient, ids: list[str]) -> float:
    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for campaign_id in ids:
            tg.start_soon(client.pause, campaign_id)
    return time.perf_counter() - started


async def pause_one(client: MoEngageClient, campaign_id: str) -> None:
    # No deadline: the baseline queues far longer than the default 30 s timeout.
    await client.change_status("PAUSE", [campaign_id], timeout=None)


async def one_per_event(client: MoEngageClient, ids: list[str]) -> float:
    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for campaign_id in ids:
            tg.start_soon(pause_one, client, campaign_id)
    return time.perf_counter() - started


async def run(events: int, budget: str) -> None:
    windows = resolve_budgets(budget)["status"].windows
    batched_min = earliest_finish(windows, math.ceil(events / 10))
    single_min = earliest_finish(windows, events)
    results: dict[str, tuple[float, int, int]] = {}
    for name, runner in (("coalesced", coalesced), ("one per event", one_per_event)):
        async with Sandbox(budgets=budget) as sandbox:
            ids = sandbox.seed_campaigns(events)
            spare = sandbox.seed_campaigns(10)
            sandbox.add_workspace("WARMUP", "warmup-key")
            async with new_session() as session:
                async with (
                    sandbox.client(
                        workspace_id="WARMUP", session=session, budgets=budget
                    ) as warm,
                    anyio.create_task_group() as tg,
                ):
                    for campaign_id in spare:
                        tg.start_soon(warm.change_status, "PAUSE", [campaign_id])
                async with sandbox.client(session=session, budgets=budget) as client:
                    elapsed = await runner(client, ids)
            records = [
                r
                for r in sandbox.ledger.requests("v1.change_status")
                if r.workspace_id != "WARMUP"
            ]
            limited = sum(1 for r in records if r.status == 429)
            results[name] = (elapsed, len(records), limited)
    c_time, c_req, c_429 = results["coalesced"]
    b_time, b_req, b_429 = results["one per event"]
    print(f"{events} concurrent pause events under {budget}")
    print(f"{'run':<16}{'requests':>10}{'429s':>6}{'seconds':>10}{'minimum':>10}")
    print(f"{'coalesced':<16}{c_req:>10}{c_429:>6}{c_time:>10.3f}{batched_min:>10.3f}")
    print(
        f"{'one per event':<16}{b_req:>10}{b_429:>6}{b_time:>10.3f}{single_min:>10.3f}"
    )
    print(f"coalesced / its theoretical minimum: {c_time / batched_min:.3f}x")
    print(f"baseline / coalesced (speed-up): {b_time / c_time:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--budget", default="status:=10/0.5")
    args = parser.parse_args()
    anyio.run(run, args.events, args.budget)


if __name__ == "__main__":
    main()
