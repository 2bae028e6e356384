"""RedisLimiter under many concurrent callers: errors, connections, Redis calls, time.

    python benchmarks/bench_redis_concurrency.py --callers 10000 --budget 9000/1
    python benchmarks/bench_redis_concurrency.py --callers 1000 --budget 100/0.1

Starts a private redis-server (or uses --url), runs ``--callers`` concurrent
acquires (each completed at once unless ``--no-complete``) on the real clock and
prints: permits, errors by message, the most connections the limiter had open at
once (CLIENT LIST, polled every 5 ms), the script calls Redis ran and their mean
cost inside Redis (INFO commandstats), and the wall time against the least time
the budget allows (its windows filled back to back).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import math
import sys
import time
from pathlib import Path

import redis.asyncio as aioredis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from redis_server import private_redis

from moengage_async.budgets._redis import RedisLimiter
from moengage_async.budgets._spec import resolve_budgets

NAME = "bench-concurrency"


async def _run(url: str, args: argparse.Namespace) -> None:
    sep = "&" if "?" in url else "?"
    limiter = RedisLimiter(
        f"{url}{sep}client_name={NAME}",
        budgets={"status": args.budget},
        key_prefix=f"bench-conc-{time.time_ns()}",
        max_connections=args.max_connections,
        max_request_s=args.lease,
    )
    monitor = aioredis.Redis.from_url(url)
    for _ in range(500):  # the socket can exist a moment before Redis accepts
        with contextlib.suppress(aioredis.ConnectionError):
            await monitor.ping()
            break
        await asyncio.sleep(0.01)
    await monitor.config_resetstat()
    errors: collections.Counter[str] = collections.Counter()
    permits = peak = 0

    async def one(i: int) -> None:
        nonlocal permits
        try:
            permit = await limiter.acquire(f"ws{i % args.workspaces}", ["status"])
            if not args.no_complete:
                await permit.complete(success=True)
            permits += 1
        except Exception as exc:  # counted, not raised: the figure is the count
            errors[f"{type(exc).__name__}: {exc}"[:100]] += 1

    async def watch() -> None:
        nonlocal peak
        while True:
            clients = await monitor.client_list()
            peak = max(peak, sum(1 for c in clients if c.get("name") == NAME))
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(args.callers)))
    wall = time.perf_counter() - started
    watcher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watcher
    stats = await monitor.info("commandstats")
    evals = [v for k, v in stats.items() if k in ("cmdstat_evalsha", "cmdstat_eval")]
    calls = sum(v["calls"] for v in evals)
    usec = sum(v["usec"] for v in evals)
    await limiter.aclose()
    await monitor.aclose()
    window = resolve_budgets({"status": args.budget})["status"].windows[0]
    per_ws = math.ceil(args.callers / args.workspaces)
    least = (math.ceil(per_ws / window.limit) - 1) * window.seconds
    print(
        f"callers {args.callers} on {args.workspaces} workspace(s), "
        f"budget {args.budget}"
    )
    print(f"permits {permits}, errors {sum(errors.values())} {dict(errors) or ''}")
    print(f"connections at most {peak} (max_connections {args.max_connections})")
    print(f"script calls {calls}, {usec / max(calls, 1):.0f} us each inside Redis")
    print(f"wall {wall:.2f} s; the budget allows it in {least:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=None, help="Redis URL (default: private)")
    parser.add_argument("--callers", type=int, default=10_000)
    parser.add_argument("--budget", default="9000/1", help="status budget, e.g. 100/1")
    parser.add_argument("--workspaces", type=int, default=1)
    parser.add_argument("--max-connections", type=int, default=50)
    parser.add_argument("--lease", type=float, default=300.0, help="max_request_s")
    parser.add_argument("--no-complete", action="store_true")
    args = parser.parse_args()
    if args.url:
        asyncio.run(_run(args.url, args))
        return
    with private_redis() as url:
        asyncio.run(_run(url, args))


if __name__ == "__main__":
    main()
