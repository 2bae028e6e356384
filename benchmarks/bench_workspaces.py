"""Many workspaces in one process: memory and file descriptors per idle client.

Creates ``--clients`` idle ``MoEngageClient`` objects (one per workspace, default
budgets, each with its own in-memory limiter) that share one ``aiohttp`` session,
then reports the memory each adds beyond the shared pool (tracemalloc: Python
allocations; RSS delta: everything) and the file descriptors they hold
(``/proc/self/fd``). Target: <= 20 KB per client, no descriptor per idle client.
``--top`` prints where the bytes go (tracemalloc by line).

Run: ``python benchmarks/bench_workspaces.py`` (Linux, for RSS and fd counts).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import tracemalloc

import aiohttp
from _util import print_table

from moengage_async import MoEngageClient, new_session

PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _clients(n: int, session: aiohttp.ClientSession) -> list[MoEngageClient]:
    return [
        MoEngageClient(f"WS{i:06d}", f"api-key-{i:06d}", session=session)
        for i in range(n)
    ]


def _row(name: str, total: int, n: int) -> list[object]:
    per = total / n / 1024
    return [name, f"{per:.2f}", "20", f"{per / 20:.2f}"]


async def _run(n: int, top: int) -> list[list[object]]:
    session = new_session()
    # One client first, so one-off costs (imports, caches) are not counted per client.
    warm = MoEngageClient("WARM", "key", session=session)
    gc.collect()
    fds0, rss0 = _fds(), _rss()
    clients = _clients(n, session)  # first untraced: RSS without tracemalloc's own
    gc.collect()
    rss = _rss() - rss0
    fds = _fds() - fds0
    del clients
    gc.collect()
    tracemalloc.start()
    snap0 = tracemalloc.take_snapshot()
    traced0 = tracemalloc.get_traced_memory()[0]
    clients = _clients(n, session)
    gc.collect()
    traced = tracemalloc.get_traced_memory()[0] - traced0
    snap = tracemalloc.take_snapshot()
    tracemalloc.stop()
    if top:
        print(f"\nTop {top} allocation sites for {n:,} clients (tracemalloc):")
        for stat in snap.compare_to(snap0, "lineno")[:top]:
            print(f"  {stat}")
    for client in [warm, *clients]:
        await client.aclose()
    await session.close()
    return [
        _row("tracemalloc (Python objects)", traced, n),
        _row("RSS delta", rss, n),
        ["file descriptors", f"{fds / n:.4f} ({fds} in all)", "0", "-"],
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--top", type=int, default=0, help="show top allocation sites")
    args = parser.parse_args(argv)
    rows = asyncio.run(_run(args.clients, args.top))
    print_table(
        f"{args.clients:,} idle clients sharing one session: cost per client",
        ["measure", "per client (KB or fds)", "target", "ratio to target"],
        rows,
    )


if __name__ == "__main__":
    main()
