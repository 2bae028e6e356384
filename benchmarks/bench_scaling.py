"""How costs grow: limiter acquire cost and memory as windows grow to 100,000 slots.

For each window size ``L`` the ``status`` budget gets one window of ``L`` requests
per second on a ``FakeClock``. Time advances 1% slower than the limit allows per
request, so the window stays full (about ``L`` live stamps) and every acquire is
admitted at once: the steady state of a bulk job at full speed. Reported: CPU per
``acquire`` + ``complete`` (best of ``--repeat``), the limiter's memory
(tracemalloc) and bytes per slot. Baseline: the 10-slot window, same run.
Flat cost means the ratio stays near 1.

``--bulk`` adds the bulk-status job (``client.bulk_change_status``) when the
client has it, against an instant local server with budgets relaxed, for
10,000 to ``--bulk-max`` ids: peak traced memory per id.

Run: ``python benchmarks/bench_scaling.py`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
import tracemalloc

from _util import instant_server, print_table

from moengage_async import FakeClock, MemoryLimiter, MoEngageClient, new_session
from moengage_async.budgets._spec import DEFAULT_BUDGETS, resolve_budgets

SIZES = (10, 100, 1_000, 10_000, 100_000)
BUDGETS = ("status",)


async def _limiter_case(limit: int, ops: int, repeat: int) -> tuple[float, int]:
    clock = FakeClock()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    only_status = {"status": resolve_budgets({"status": f"{limit}/1"})["status"]}
    limiter = MemoryLimiter(only_status, clock=clock)
    step = 1.01 / limit  # 1% under the rate: full window, never a wait
    acquire = limiter.acquire
    for _ in range(limit + limit // 5):  # fill the window, wrap around once
        permit = await acquire("ws", BUDGETS)
        await permit.complete(success=True)
        clock.advance(step)
    gc.collect()
    memory = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(ops):
            permit = await acquire("ws", BUDGETS)
            await permit.complete(success=True)
            clock.advance(step)
        best = min(best, time.process_time() - start)
    (used,) = [w.used for w in limiter.snapshot("ws") if w.budget == "status"]
    assert used >= limit * 0.95 - 1, (used, limit)  # the window really is full
    return best / ops, memory


async def limiter_table(ops: int, repeat: int) -> None:
    rows: list[list[object]] = []
    base: float | None = None
    for size in SIZES:
        per_op, memory = await _limiter_case(size, ops, repeat)
        base = base or per_op
        rows.append(
            [
                f"{size:,}",
                f"{per_op * 1e6:.2f}",
                f"{base * 1e6:.2f}",
                f"{per_op / base:.2f}",
                f"{memory / 1024:,.1f}",
                f"{memory / size:.1f}",
            ]
        )
    print_table(
        f"MemoryLimiter: acquire + complete with a full window "
        f"(CPU best of {repeat} x {ops:,} ops)",
        [
            "window slots",
            "µs per op",
            "10-slot µs per op",
            "ratio",
            "limiter memory KiB",
            "bytes per slot",
        ],
        rows,
    )


async def _bulk_case(base_url: str, ids: int) -> tuple[float, int]:
    relaxed = dict.fromkeys(DEFAULT_BUDGETS, "1000000000/60")
    session = new_session()
    async with MoEngageClient(
        "BENCHWS", "key", base_url=base_url, session=session, budgets=relaxed
    ) as client:
        await client.bulk_change_status("PAUSE", ["warm-up"])  # pool, caches
        campaign_ids = (f"c{i:08d}" for i in range(ids))  # a lazy stream
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        report = await client.bulk_change_status("PAUSE", campaign_ids)
        wall = time.perf_counter() - start
        assert report.applied == ids, report
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    await session.close()
    return wall, peak


def bulk_table(max_ids: int) -> None:
    if not hasattr(MoEngageClient, "bulk_change_status"):
        print("\n(bulk_change_status is not on this client yet: bulk table skipped)")
        return
    sizes = [n for n in (10_000, 100_000, 1_000_000) if n <= max_ids]
    rows: list[list[object]] = []
    with instant_server("raw") as base_url:
        base: float | None = None
        for n in sizes:
            wall, peak = asyncio.run(_bulk_case(base_url, n))
            base = base or peak
            rows.append(
                [f"{n:,}", f"{peak / 2**20:.2f}", f"{peak / base:.2f}", f"{wall:.1f}"]
            )
    print_table(
        "bulk_change_status over a lazy stream of ids: peak traced memory "
        "(wall time includes tracemalloc's overhead)",
        ["ids", "peak MiB", "ratio to 10,000 ids", "wall s"],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--bulk", action="store_true", help="also run the bulk job")
    parser.add_argument("--bulk-max", type=int, default=100_000)
    args = parser.parse_args(argv)
    asyncio.run(limiter_table(args.ops, args.repeat))
    if args.bulk:
        bulk_table(args.bulk_max)


if __name__ == "__main__":
    main()
