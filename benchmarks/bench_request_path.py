"""Request-path overhead: the client's requests/s versus raw aiohttp, same run.

Both sides send ``POST /core-services/v1/campaigns/status`` to a local server that
answers at once (run in its own process), on the same ``aiohttp.ClientSession``
(one connector), with the same number of concurrent workers. Raw aiohttp sends a
pre-encoded body with pre-built headers (a ``dict``, in ``async with``, as aiohttp's
documentation writes it); the client builds, validates and encodes each call (fresh
``request_id`` included) through ``MoEngageClient.change_status``. A second baseline
sends the raw request the way the client's transport does (the response awaited
and released without ``async with``): the client against aiohttp at its cheapest.

Rounds alternate baseline and client, every other round in reverse order, so
drift and neighbours hit all sides alike. Two ratios are reported: each side's
best round against raw aiohttp's best (load from other processes only ever slows
a round down), and the median over rounds of each side's rate against raw
aiohttp's rate in the same round (on a VM whose speed drifts by 20% between
rounds, the steadier of the two). Rates are on CPU time of this process per
request (the server has its own process): the throughput one dedicated core
reaches; wall-clock figures are shown as well.

Run: ``python benchmarks/bench_request_path.py`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable

import aiohttp
from _util import (
    STATUS_BODY,
    instant_server,
    print_table,
    run_workers,
    tuned_raw_post,
    v1_headers,
)

from moengage_async import MoEngageClient, UnlimitedLimiter, new_session
from moengage_async.budgets._spec import DEFAULT_BUDGETS

WORKSPACE, KEY = "BENCHWS", "bench-key"
IDS = ["c1", "c2", "c3", "c4", "c5"]


async def _drive(
    n: int, concurrency: int, one: Callable[[], Awaitable[object]]
) -> tuple[float, float]:
    """Run ``n`` calls of ``one`` on ``concurrency`` workers.

    Return (requests per wall second, requests per CPU second of this process).
    The server runs in another process, so CPU time here is the client side's
    whole cost (event loop, aiohttp, our code): the rate one dedicated core reaches,
    and robust when other jobs share the machine.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    await run_workers(n, concurrency, one)
    return n / (time.perf_counter() - wall), n / (time.process_time() - cpu)


def _relaxed_budgets() -> dict[str, str]:
    """Every budget one huge window: the limiter does its full work, never waits."""
    return dict.fromkeys(DEFAULT_BUDGETS, "1000000000/60")


async def _run(args: argparse.Namespace, base_url: str) -> list[list[object]]:
    session = new_session(connection_limit=args.concurrency)
    raw_url = base_url + "/core-services/v1/campaigns/status"
    client = MoEngageClient(
        WORKSPACE, KEY, base_url=base_url, session=session, limiter=UnlimitedLimiter()
    )
    headers = v1_headers(WORKSPACE, KEY)  # the very headers the client sends
    no_deadline = MoEngageClient(
        WORKSPACE,
        KEY,
        base_url=base_url,
        session=session,
        limiter=UnlimitedLimiter(),
        timeout=None,
    )
    memory = MoEngageClient(
        WORKSPACE, KEY, base_url=base_url, session=session, budgets=_relaxed_budgets()
    )

    async def raw() -> None:
        async with session.post(raw_url, data=STATUS_BODY, headers=headers) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(resp.status)

    async def raw_deadline() -> None:
        # What the client adds for its per-call deadline (30 s by default).
        timeout = aiohttp.ClientTimeout(total=30.0)
        async with session.post(
            raw_url, data=STATUS_BODY, headers=headers, timeout=timeout
        ) as resp:
            await resp.read()

    async def unlimited() -> None:
        await client.change_status("PAUSE", IDS)

    async def unlimited_no_deadline() -> None:
        await no_deadline.change_status("PAUSE", IDS)

    async def limited() -> None:
        await memory.change_status("PAUSE", IDS)

    sides: dict[str, Callable[[], Awaitable[object]]] = {
        "raw aiohttp": raw,
        "raw aiohttp, tuned as the client's transport": tuned_raw_post(
            session, raw_url, STATUS_BODY, headers
        ),
        "raw aiohttp + per-request timeout": raw_deadline,
        "client, UnlimitedLimiter, timeout=None": unlimited_no_deadline,
        "client, UnlimitedLimiter (30 s deadline)": unlimited,
        "client, MemoryLimiter 10^9/window (30 s deadline)": limited,
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for one in sides.values():  # warm up connections and caches
        await _drive(min(args.requests, 500), args.concurrency, one)
    gc.collect()
    order = list(sides.items())
    for round_number in range(args.rounds):
        # Every other round runs the sides in reverse: no side always follows
        # the same neighbour or sits at the same point of a round.
        for name, one in order if round_number % 2 == 0 else order[::-1]:
            results[name].append(await _drive(args.requests, args.concurrency, one))
    await client.aclose()
    await no_deadline.aclose()
    await memory.aclose()
    await session.close()
    return _rows(results)


def _rows(results: dict[str, list[tuple[float, float]]]) -> list[list[object]]:
    """Per side: best round vs raw's best round, and the median of the ratios of
    each round to raw's run in the same round (robust to the machine's speed
    drifting between rounds, which moves both sides of a round alike)."""
    raw = results["raw aiohttp"]
    base_wall = max(w for w, _ in raw)
    base_cpu = max(c for _, c in raw)
    rows: list[list[object]] = []
    for name, rates in results.items():
        wall = max(w for w, _ in rates)
        cpu = max(c for _, c in rates)
        pairs = zip(rates, raw, strict=True)
        paired = statistics.median(c / rc for (_, c), (_, rc) in pairs)
        rows.append(
            [
                name,
                f"{cpu:,.0f}",
                f"**{cpu / base_cpu:.3f}**",
                f"**{paired:.3f}**",
                f"{1e6 / cpu - 1e6 / base_cpu:+.1f}",
                f"{wall:,.0f}",
                f"{wall / base_wall:.3f}",
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="per round and side")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--server", choices=("raw", "aiohttp"), default="raw")
    parser.add_argument("--uvloop", action="store_true")
    parser.add_argument(
        "--no-gc", action="store_true", help="disable the cyclic GC (diagnosis)"
    )
    args = parser.parse_args(argv)
    if args.no_gc:
        gc.disable()
    with instant_server(args.server) as base_url:
        if args.uvloop:
            import uvloop

            uvloop.install()
        rows = asyncio.run(_run(args, base_url))
    print_table(
        f"Request path: requests/s, {args.concurrency} concurrent, "
        f"{args.server} server, best of {args.rounds} rounds x {args.requests}",
        [
            "path",
            "req/CPU-s (best)",
            "ratio of bests",
            "median paired ratio",
            "extra µs CPU/req",
            "req/wall-s",
            "wall ratio",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
