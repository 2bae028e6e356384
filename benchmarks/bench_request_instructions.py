"""Request-path overhead in CPU instructions: the same comparison, without the noise.

``bench_request_path.py`` times requests; on a shared VM its rounds swing by 5-20%,
more than the overhead being measured. This counts instructions instead, with
valgrind's callgrind, which gives the same count for the same work whatever else
the machine is doing. Each side runs in a child process under callgrind twice,
with ``--requests`` requests and with none; the difference over ``--requests`` is
the instructions per request of the client process (the instant server runs in
its own, uncounted process). Same sides as ``bench_request_path.py``: raw aiohttp
posting a pre-encoded body (as documented, and tuned as the client's transport
sends), and ``MoEngageClient.change_status``.

Needs ``valgrind`` on PATH (Debian: ``apt-get install valgrind``). Run:
``python benchmarks/bench_request_instructions.py`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from _util import (
    STATUS_BODY,
    instant_server,
    print_table,
    run_workers,
    tuned_raw_post,
    v1_headers,
)

from moengage_async import MoEngageClient, UnlimitedLimiter, new_session

WORKSPACE, KEY = "BENCHWS", "bench-key"
IDS = ["c1", "c2", "c3", "c4", "c5"]
SIDES = {
    "raw": "raw aiohttp",
    "raw-tuned": "raw aiohttp, tuned as the client's transport",
    "client-no-deadline": "client, UnlimitedLimiter, timeout=None",
    "client": "client, UnlimitedLimiter (30 s deadline)",
    "client-memory": "client, MemoryLimiter (30 s deadline): the defaults",
}
WARM_UP = 200
#: The status budget with windows no run fills: the default limiter's full work
#: (log, lanes, completion stamps) on every request, and never a wait.
HUGE = "status:=1000000000/1"


async def _child(side: str, requests: int, base_url: str) -> None:
    """Warm up, then send ``requests`` requests on 16 workers (callgrind counts)."""
    session = new_session(connection_limit=16)
    timeout = None if side == "client-no-deadline" else 30.0
    client = MoEngageClient(
        WORKSPACE,
        KEY,
        base_url=base_url,
        session=session,
        # The client's own MemoryLimiter, as a user gets it, with windows no run fills.
        budgets=HUGE if side == "client-memory" else None,
        limiter=None if side == "client-memory" else UnlimitedLimiter(),
        timeout=timeout,
    )
    url = base_url + "/core-services/v1/campaigns/status"
    headers = v1_headers(WORKSPACE, KEY)

    async def raw() -> None:
        async with session.post(url, data=STATUS_BODY, headers=headers) as resp:
            await resp.read()

    raw_tuned = tuned_raw_post(session, url, STATUS_BODY, headers)

    async def through_client() -> None:
        await client.change_status("PAUSE", IDS)

    one: Callable[[], Awaitable[None]] = {"raw": raw, "raw-tuned": raw_tuned}.get(
        side, through_client
    )

    await run_workers(WARM_UP, 16, one)
    await run_workers(requests, 16, one)
    await client.aclose()
    await session.close()


def _count(side: str, requests: int, base_url: str) -> int:
    """Instructions callgrind counts for one child run."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--child",
                side,
                "--requests",
                str(requests),
                "--base-url",
                base_url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no callgrind total for {side}:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--child", choices=sorted(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument(
        "--side",
        action="append",
        choices=sorted(SIDES),
        help="count only these sides (repeatable; raw aiohttp always runs)",
    )
    args = parser.parse_args(argv)
    if args.child is not None:
        asyncio.run(_child(args.child, args.requests, args.base_url))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not on PATH (Debian: apt-get install valgrind)")
    per_request: dict[str, float] = {}
    with instant_server("raw") as base_url:
        for side in SIDES:
            if args.side and side != "raw" and side not in args.side:
                continue
            full = _count(side, args.requests, base_url)
            empty = _count(side, 0, base_url)
            per_request[side] = (full - empty) / args.requests
    raw = per_request["raw"]
    print_table(
        f"Request path: instructions per request of the client process "
        f"(callgrind, {args.requests:,} requests, 16 concurrent)",
        ["path", "instructions/request", "raw aiohttp / path", "extra"],
        [
            [
                SIDES[side],
                f"{count:,.0f}",
                f"**{raw / count:.3f}**",
                f"{count - raw:+,.0f}",
            ]
            for side, count in per_request.items()
        ],
    )


if __name__ == "__main__":
    main()
