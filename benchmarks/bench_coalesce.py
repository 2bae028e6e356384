"""Coalescing: latency of a lone pause, and 1,000 concurrent single-id pauses.

Against the sandbox on loopback. Low load: ``--singles`` pauses one after the
other under a roomy budget, p50 and p90 latency, batches driven by the budget
(``coalesce_linger = 0``, the default) side by side with a fixed 5 ms linger
(``coalesce_linger = 0.005``, how batches formed before). Saturation: 1,000
concurrent pauses through the same client limiter and the same (scaled) status
budget, against the earliest schedule of 100 ten-id requests; and the baseline of
one request per event. Each saturation run first warms the shared connection pool
and the sandbox with ten concurrent requests from another workspace (its own
budget), so the figure is the steady state rather than TCP connects.

    python benchmarks/bench_coalesce.py [--events 1000] [--budget status:=10/0.5]
        [--singles 300]
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


ROOMY = "status:=100000/1"


async def lone_latencies(linger: float, singles: int) -> list[float]:
    """``singles`` pauses one at a time (never two in flight): seconds each."""
    async with Sandbox(budgets=ROOMY) as sandbox:
        ids = sandbox.seed_campaigns(singles + 10)
        async with sandbox.client(budgets=ROOMY) as client:
            client.coalesce_linger = linger
            for campaign_id in ids[:10]:  # warm the connection and the sandbox
                await client.pause(campaign_id)
            out = []
            for campaign_id in ids[10:]:
                started = time.perf_counter()
                await client.pause(campaign_id)
                out.append(time.perf_counter() - started)
    return out


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def low_load(singles: int) -> None:
    print(f"{singles} lone pauses, one at a time, under {ROOMY}")
    print(f"{'batches form':<28}{'p50 ms':>10}{'p90 ms':>10}")
    p50s = {}
    for name, linger in (
        ("while no slot (linger 0)", 0.0),
        ("fixed linger 5 ms", 0.005),
    ):
        lat = await lone_latencies(linger, singles)
        p50s[name] = quantile(lat, 0.5)
        print(
            f"{name:<28}{quantile(lat, 0.5) * 1e3:>10.2f}"
            f"{quantile(lat, 0.9) * 1e3:>10.2f}"
        )
    ratio = p50s["fixed linger 5 ms"] / p50s["while no slot (linger 0)"]
    print(f"p50 fixed linger / budget-driven: {ratio:.2f}x")
    print()


async def run(events: int, budget: str, singles: int) -> None:
    await low_load(singles)
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
    parser.add_argument("--singles", type=int, default=300)
    args = parser.parse_args()
    anyio.run(run, args.events, args.budget, args.singles)


if __name__ == "__main__":
    main()
