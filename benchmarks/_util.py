"""Shared bits of the benchmark scripts: a table printer, the instant server, timing."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import statistics
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path

import aiohttp

from moengage_async._constants import USER_AGENT

__all__ = [
    "STATUS_BODY",
    "instant_server",
    "median",
    "print_table",
    "run_workers",
    "tuned_raw_post",
    "v1_headers",
]

#: A V1 status-change body as the client would encode it: what raw aiohttp sends.
STATUS_BODY = (
    b'{"request_id":"6f1c1c1e-0000-4000-8000-000000000000","action":"PAUSE",'
    b'"campaign_ids":["c1","c2","c3","c4","c5"]}'
)


def v1_headers(workspace_id: str, api_key: str) -> dict[str, str]:
    """The headers the client sends with every V1 request."""
    token = base64.b64encode(f"{workspace_id}:{api_key}".encode()).decode("ascii")
    return {
        "Authorization": f"Basic {token}",
        "Content-Type": "application/json",
        "MOE-APPKEY": workspace_id,
        "User-Agent": USER_AGENT,
    }


def print_table(
    title: str, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    """Print a markdown table (pasteable into docs/performance.md)."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    sys.stdout.flush()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


@contextlib.contextmanager
def instant_server(kind: str = "raw") -> Iterator[str]:
    """Start ``_instant_server.py`` in a child process; yield its base URL."""
    script = Path(__file__).with_name("_instant_server.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), "--kind", kind],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def tuned_raw_post(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: Mapping[str, str]
) -> Callable[[], Awaitable[None]]:
    """Raw aiohttp written the way the client's transport sends: the response
    awaited and released without ``async with`` (the same release, two coroutines
    fewer)."""
    fixed = dict(headers)

    async def post() -> None:
        resp = await session.post(url, data=body, headers=fixed)
        try:
            await resp.read()
        finally:
            resp.release()

    return post


async def run_workers(
    n: int, concurrency: int, one: Callable[[], Awaitable[object]]
) -> None:
    """Await ``one()`` ``n`` times in all, on ``concurrency`` workers."""
    remaining = n

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await one()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
