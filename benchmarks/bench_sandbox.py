"""How much the sandbox adds per request, against a bare aiohttp server.

Both servers run on loopback in this process and are driven by the same aiohttp
client with the same concurrency. The sandbox path is the full one: auth,
budget counting, schema validation, the V1 status handler and the ledger.

    python benchmarks/bench_sandbox.py --requests 5000 --concurrency 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from moengage_async import DEFAULT_BUDGETS
from moengage_async.sandbox import Sandbox

STATUS = "/core-services/v1/campaigns/status"
UNLIMITED = ";".join(f"{name}:=100000000/1" for name in DEFAULT_BUDGETS)


async def _drive(
    n: int, concurrency: int, send: Callable[[int], Awaitable[int]]
) -> float:
    """Requests per second for ``n`` calls of ``send`` with ``concurrency`` workers."""
    queue = iter(range(n))

    async def worker() -> None:
        for i in queue:
            status = await send(i)
            if status != 200:
                raise RuntimeError(f"unexpected status {status}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return n / (time.perf_counter() - started)


async def _baseline(n: int, concurrency: int, body: bytes) -> float:
    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(STATUS, ok)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    url = f"http://{host}:{port}{STATUS}"
    try:
        async with aiohttp.ClientSession() as session:

            async def send(i: int) -> int:
                async with session.post(url, data=body) as response:
                    await response.read()
                    return response.status

            return await _drive(n, concurrency, send)
    finally:
        await runner.cleanup()


async def _sandbox(n: int, concurrency: int) -> float:
    async with Sandbox(budgets=UNLIMITED) as sandbox:
        ids = sandbox.seed_campaigns(n)
        headers = sandbox.auth_headers()
        url = sandbox.url + STATUS
        async with aiohttp.ClientSession() as session:

            async def send(i: int) -> int:
                body = {
                    "request_id": f"r{i}",
                    "action": "PAUSE",
                    "campaign_ids": [ids[i]],
                }
                async with session.post(
                    url, data=json.dumps(body), headers=headers
                ) as response:
                    await response.read()
                    return response.status

            rate = await _drive(n, concurrency, send)
        assert len(sandbox.ledger.actions()) == n
        return rate


async def _main(n: int, concurrency: int, rounds: int) -> None:
    body = json.dumps(
        {"request_id": "r0", "action": "PAUSE", "campaign_ids": ["x" * 24]}
    ).encode()
    await _baseline(200, concurrency, body)  # warm up both paths
    await _sandbox(200, concurrency)
    bases, boxes = [], []
    for _ in range(rounds):  # alternate, keep the best of each: less noise
        bases.append(await _baseline(n, concurrency, body))
        boxes.append(await _sandbox(n, concurrency))
    base, box = max(bases), max(boxes)
    added_us = (concurrency / box - concurrency / base) * 1e6
    print(
        f"{'server':<28}{'requests/s':>12}   (best of {rounds}, n={n}, c={concurrency})"
    )
    print(f"{'bare aiohttp (baseline)':<28}{base:>12.0f}")
    print(f"{'sandbox V1 status':<28}{box:>12.0f}")
    print(f"{'ratio sandbox/baseline':<28}{box / base:>12.2f}")
    print(f"{'added latency per request':<28}{added_us:>10.0f}us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(_main(args.requests, args.concurrency, args.rounds))


if __name__ == "__main__":
    main()
