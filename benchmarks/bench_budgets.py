"""Budget benchmarks: exactness and speed of MemoryLimiter vs layered aiolimiter.

(a) Bulk pause against a strict rolling-window server (windows scaled down, random
    uplink jitter before the server counts an arrival): requests, 429s, wall time
    and two ratios.
    min_s (theoretical minimum) = the earliest schedule the windows allow for N
    requests sent with zero latency (request i goes at max over windows of
    t[i - limit] + seconds), plus one round trip (the run's median).
    safe_s = the same recurrence when a slot can only be reused ``seconds`` after
    the request that held it completed, using the run's own round trips
    (t[i] = max t[i - limit] + rtt[i - limit] + seconds): the fastest schedule a
    strict server can never reject, whatever the jitter.
(b) Uncontended acquire cost (median per call) vs a bare aiolimiter acquire.
(c) Memory per workspace: the documented table saturated for an hour (tracemalloc),
    vs one aiolimiter per window.

Run: python benchmarks/bench_budgets.py [--ids 4000] [--scale 0.05] [--jitter-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import time
import tracemalloc
from collections import deque
from collections.abc import Sequence

import anyio
from aiohttp import web
from aiolimiter import AsyncLimiter

from moengage_async import (
    DEFAULT_BUDGETS,
    FakeClock,
    Hooks,
    MemoryLimiter,
    MoEngageClient,
    Priority,
    RateLimitError,
    RequestInfo,
    RetryPolicy,
    UnlimitedLimiter,
)

STATUS = [(10, 1.0), (100, 60.0), (6000, 3600.0)]


class StrictServer:
    """Counts accepted arrivals per rolling window; answers 429 past any limit."""

    def __init__(
        self, windows: Sequence[tuple[int, float]], jitter_s: float, seed: int
    ):
        self.windows = windows
        self.jitter_s = jitter_s
        self.rng = random.Random(seed)
        self.logs = [deque[float]() for _ in windows]
        self.accepted = 0
        self.rejected = 0

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        if request.path == "/_warmup":  # opens keep-alive connections, uncounted
            return web.json_response({})
        await asyncio.sleep(self.rng.uniform(0, self.jitter_s))  # uplink
        now = time.monotonic()
        over = False
        for (limit, seconds), log in zip(self.windows, self.logs, strict=True):
            while log and log[0] <= now - seconds:
                log.popleft()
            over = over or len(log) >= limit
        if over:
            self.rejected += 1
            response = web.json_response({"error": {"code": "429"}}, status=429)
        else:
            self.accepted += 1
            for log in self.logs:
                log.append(now)
            response = web.json_response({"status": "success"})
        return response


class LayeredAiolimiter:
    """The baseline: one leaky bucket (AsyncLimiter) per window, acquired in turn."""

    def __init__(self, windows: Sequence[tuple[int, float]]) -> None:
        self.buckets = [AsyncLimiter(limit, seconds) for limit, seconds in windows]

    async def acquire(self) -> None:
        for bucket in self.buckets:
            await bucket.acquire()


def safe_schedule(windows: Sequence[tuple[int, float]], rtts: list[float]) -> float:
    sends: list[float] = []
    for i in range(len(rtts)):
        t = 0.0
        for limit, seconds in windows:
            if i >= limit:
                t = max(t, sends[i - limit] + rtts[i - limit] + seconds)
        sends.append(t)
    return max(s + r for s, r in zip(sends, rtts, strict=True))


def earliest_schedule(n: int, windows: Sequence[tuple[int, float]]) -> float:
    sends: list[float] = []
    for i in range(n):
        t = 0.0
        for limit, seconds in windows:
            if i >= limit:
                t = max(t, sends[i - limit] + seconds)
        sends.append(t)
    return sends[-1]


async def bulk_run(
    name: str, windows: list[tuple[int, float]], requests: int, args: argparse.Namespace
) -> dict[str, float | int | str]:
    server = StrictServer(windows, args.jitter_ms / 1000, args.seed)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    spans: list[tuple[float, float]] = []  # (sent, completed) of every request

    def on_request(info: RequestInfo) -> None:
        now = time.monotonic()
        spans.append((now - info.elapsed_s, now))

    text = "status:=" + ",".join(f"{lim}/{sec:g}" for lim, sec in windows)
    baseline = LayeredAiolimiter(windows) if name != "MemoryLimiter" else None
    options: dict[str, object] = (
        {"budgets": text, "bulk_share": 1.0}
        if baseline is None
        else {"limiter": UnlimitedLimiter()}
    )
    errors = 0
    async with MoEngageClient(
        "ws",
        "key",
        base_url=f"http://127.0.0.1:{port}",
        retry=RetryPolicy(max_retries=0),
        hooks=Hooks(on_request=on_request),
        **options,  # type: ignore[arg-type]
    ) as client:

        async def pause(i: int) -> None:
            nonlocal errors
            if baseline is not None:
                await baseline.acquire()
            try:
                ids = [f"c{i}-{j}" for j in range(10)]
                await client.change_status(
                    "PAUSE", ids, priority=Priority.BULK, timeout=None
                )
            except RateLimitError:
                errors += 1

        async def warm_up() -> None:  # a long-lived client has its pool open
            await client.transport.send(
                "GET", client.base_url + "/_warmup", headers={}, body=None, timeout_s=5
            )

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(warm_up)
        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            for i in range(requests):
                tg.start_soon(pause, i)
        wall = time.monotonic() - started
    await runner.cleanup()
    rtts = [done - sent for sent, done in sorted(spans)]  # in send order
    minimum = earliest_schedule(requests, windows) + statistics.median(rtts)
    safe = safe_schedule(windows, rtts)
    return {
        "limiter": name,
        "requests": server.accepted + server.rejected,
        "429s": server.rejected,
        "wall_s": wall,
        "min_s": minimum,
        "ratio": wall / minimum,
        "safe_s": safe,
        "wall/safe": wall / safe,
    }


async def acquire_costs(n: int) -> tuple[float, float, float]:
    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock)
    bucket = AsyncLimiter(10**12, 1)
    layered = LayeredAiolimiter([(10**12, 1.0), (10**12, 60.0), (10**12, 3600.0)])
    ours: list[int] = []
    bare: list[int] = []
    three: list[int] = []
    ns = time.perf_counter_ns
    for _ in range(n):
        t0 = ns()
        permit = await limiter.acquire("ws", ("status",))
        t1 = ns()
        await bucket.acquire()
        t2 = ns()
        await layered.acquire()
        t3 = ns()
        ours.append(t1 - t0)
        bare.append(t2 - t1)
        three.append(t3 - t2)
        await permit.complete(success=True)
        clock.advance(0.61)  # stay under 10/s, 100/min and 6000/h: uncontended
    return tuple(statistics.median(x) / 1000 for x in (ours, bare, three))  # type: ignore[return-value]


async def saturate(limiter: MemoryLimiter, clock: FakeClock, workspace: str) -> None:
    for tick in range(6000):  # one hour in 0.6 s steps: every window at its limit
        for name in DEFAULT_BUDGETS:
            if name == "preview" and tick < 5900:
                continue
            for _ in range(100 if name == "preview" else 1):
                permit = limiter.try_acquire(workspace, (name,))
                if permit is None:
                    break
                clock.advance(1e-4)
                await permit.complete(success=True)
        clock.advance(0.6)


async def memory_per_workspace() -> tuple[int, int]:
    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock)
    await limiter.acquire("warm-up", ("status",))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    await saturate(limiter, clock, "ws")
    gc.collect()
    ours = tracemalloc.get_traced_memory()[0] - before
    before = tracemalloc.get_traced_memory()[0]
    buckets = [
        [AsyncLimiter(w.limit, w.seconds) for w in b.windows]
        for b in DEFAULT_BUDGETS.values()
    ]
    for group in buckets:
        for bucket in group:
            await bucket.acquire()
    theirs = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return ours, theirs


def table(rows: list[dict[str, float | int | str]]) -> None:
    head = list(rows[0])
    print(" | ".join(f"{h:>13}" for h in head))
    for row in rows:
        cells = [
            f"{v:13.3f}" if isinstance(v, float) else f"{v!s:>13}" for v in row.values()
        ]
        print(" | ".join(cells))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=4000, help="campaign ids to pause")
    parser.add_argument("--scale", type=float, default=0.05, help="window scale")
    parser.add_argument("--jitter-ms", type=float, default=20.0, help="max jitter")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--acquires", type=int, default=200_000)
    parser.add_argument("--skip-bulk", action="store_true")
    args = parser.parse_args()

    if not args.skip_bulk:
        windows = [(lim, sec * args.scale) for lim, sec in STATUS]
        requests = args.ids // 10
        print(
            f"(a) pause {args.ids} ids = {requests} V1 calls; windows "
            f"{windows}; jitter 0-{args.jitter_ms:g} ms uplink"
        )
        rows = [
            await bulk_run("MemoryLimiter", windows, requests, args),
            await bulk_run("aiolimiter x3", windows, requests, args),
        ]
        table(rows)
    ours, bare, three = await acquire_costs(args.acquires)
    print(f"\n(b) uncontended acquire (status: 3 windows), median of {args.acquires}:")
    table(
        [
            {"limiter": "MemoryLimiter", "median_us": ours, "ratio": ours / bare},
            {"limiter": "aiolimiter", "median_us": bare, "ratio": 1.0},
            {"limiter": "aiolimiter x3", "median_us": three, "ratio": three / bare},
        ]
    )
    mine, baseline = await memory_per_workspace()
    print("\n(c) memory per workspace, documented table saturated for an hour:")
    table(
        [
            {"limiter": "MemoryLimiter", "bytes": mine, "ratio": mine / baseline},
            {"limiter": "aiolimiter x windows", "bytes": baseline, "ratio": 1.0},
        ]
    )


if __name__ == "__main__":
    asyncio.run(main())
