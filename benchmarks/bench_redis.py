"""RedisLimiter cost: acquire latency against a bare PING, and decisions per second.

    python benchmarks/bench_redis.py                 # starts a private redis-server
    python benchmarks/bench_redis.py --url redis://127.0.0.1:6390/0

Prints a table: the figure, the baseline from the same run, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from moengage_async.budgets._redis import RedisLimiter

BUDGET = {"status": "1000000000/1"}  # never binds: measures the decision itself


@contextlib.contextmanager
def _redis(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("no redis-server on PATH: pass --url")
    with tempfile.TemporaryDirectory() as tmp:
        sock = Path(tmp) / "redis.sock"
        proc = subprocess.Popen(
            [
                *(binary, "--port", "0", "--unixsocket", str(sock)),
                *("--save", "", "--appendonly", "no", "--dir", tmp),
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            while not sock.exists():
                time.sleep(0.01)
            yield f"unix://{sock}"
        finally:
            proc.terminate()
            proc.wait()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _latency(url: str, n: int) -> dict[str, list[float]]:
    limiter = RedisLimiter(url, budgets=BUDGET, key_prefix="bench-lat")
    ping = limiter._redis
    out: dict[str, list[float]] = {"ping": [], "acquire": [], "complete": []}
    for _ in range(200):  # warm: connection, script cache
        await ping.ping()
        await (await limiter.acquire("ws", ["status"])).complete(success=True)
    for _ in range(n):  # interleaved, so both see the same machine state
        t0 = time.perf_counter()
        await ping.ping()
        t1 = time.perf_counter()
        permit = await limiter.acquire("ws", ["status"])
        t2 = time.perf_counter()
        await permit.complete(success=True)
        t3 = time.perf_counter()
        out["ping"].append(t1 - t0)
        out["acquire"].append(t2 - t1)
        out["complete"].append(t3 - t2)
    await limiter.aclose()
    return out


async def _hammer(url: str, seconds: float, tasks: int, counter: list[int]) -> None:
    limiter = RedisLimiter(url, budgets=BUDGET, key_prefix="bench-mp")
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    stop = time.perf_counter() + seconds

    async def loop() -> None:
        while time.perf_counter() < stop:
            await (await limiter.acquire("ws", ["status"])).complete(success=True)
            counter[0] += 1

    await asyncio.gather(*(loop() for _ in range(tasks)))
    await limiter.aclose()


def _worker(url: str, seconds: float, tasks: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    counter = [0]
    asyncio.run(_hammer(url, seconds, tasks, counter))
    queue.put(counter[0])


def _contention(url: str, procs: int, seconds: float, tasks: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(url, seconds, tasks, queue))
        for _ in range(procs)
    ]
    for w in workers:
        w.start()
    total = sum(queue.get() for _ in workers)
    for w in workers:
        w.join()
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=None, help="Redis URL (default: private)")
    parser.add_argument("-n", type=int, default=3000, help="latency samples")
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=8, help="tasks per process")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    with _redis(args.url) as url:
        lat = asyncio.run(_latency(url, args.n))
        rate = _contention(url, args.procs, args.seconds, args.tasks)
        one = _contention(url, 1, args.seconds, 1)
    ping_med, ping_p99 = statistics.median(lat["ping"]), _pct(lat["ping"], 0.99)
    print(f"{'figure':<38}{'value':>12}{'baseline':>12}{'ratio':>8}")
    for name in ("acquire", "complete"):
        med, p99 = statistics.median(lat[name]), _pct(lat[name], 0.99)
        print(
            f"{name + ' median (us) vs PING':<38}{med * 1e6:>12.1f}"
            f"{ping_med * 1e6:>12.1f}{med / ping_med:>8.2f}"
        )
        print(
            f"{name + ' p99 (us) vs PING p99':<38}{p99 * 1e6:>12.1f}"
            f"{ping_p99 * 1e6:>12.1f}{p99 / ping_p99:>8.2f}"
        )
    print(
        f"{f'decisions/s, {args.procs} procs x {args.tasks} tasks':<38}"
        f"{rate:>12.0f}{one:>12.0f}{rate / one:>8.2f}"
    )
    print("(decisions = acquire + complete; baseline: one process, one task)")


if __name__ == "__main__":
    main()
