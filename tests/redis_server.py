"""Test helpers for the Redis budgets: a private redis-server, a strict counting HTTP
server, and a worker script that spends a shared budget from its own OS process.

Run as a script, this file is that worker (``python tests/redis_server.py ...``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "StrictWindowServer",
    "find_redis",
    "private_redis",
    "worker_command",
]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    """Start a throwaway redis-server (no persistence) on a unix socket; yield its URL."""
    binary = shutil.which("redis-server")
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="moengage-redis-") as tmp:
        sock = Path(tmp) / "redis.sock"
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(_free_port()),
                "--bind",
                "127.0.0.1",
                "--unixsocket",
                str(sock),
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                tmp,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while not sock.exists():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.01)
            yield f"unix://{sock}"
        finally:
            proc.terminate()
            proc.wait(10)


def find_redis() -> str | None:
    """``REDIS_URL`` when set, else ``None`` when no redis-server binary exists."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    return "" if shutil.which("redis-server") else None


@dataclass
class StrictWindowServer:
    """Counts arrivals like MoEngage: a call that would overfill a window gets 429."""

    limit: int
    seconds: float
    jitter_s: float = 0.002
    arrivals: list[float] = field(default_factory=list)
    rejected: int = 0
    _recent: deque[float] = field(default_factory=deque)

    async def handle(self, request: object) -> object:
        from aiohttp import web

        import random

        await asyncio.sleep(random.uniform(0, self.jitter_s))  # network on the way in
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - self.seconds:
            self._recent.popleft()
        if len(self._recent) >= self.limit:
            self.rejected += 1
            return web.json_response({"error": "rate limited"}, status=429)
        self._recent.append(now)
        self.arrivals.append(now)
        await asyncio.sleep(random.uniform(0, self.jitter_s))  # and on the way back
        return web.json_response({"ok": True})


def worker_command(*args: str) -> list[str]:
    """The argv that runs this file as a worker process."""
    return [sys.executable, str(Path(__file__).resolve()), *args]


async def _spend(args: argparse.Namespace) -> None:
    """Send ``count`` calls through a shared RedisLimiter with ``tasks`` in parallel."""
    import aiohttp

    from moengage_async import FakeClock
    from moengage_async._redis import RedisLimiter

    clock = FakeClock(args.fake_now) if args.fake_now is not None else None
    limiter = RedisLimiter(
        args.redis,
        budgets={"status": args.budget},
        key_prefix=args.prefix,
        clock=clock,
        use_server_time=clock is None,
        max_request_s=args.lease,
    )
    if args.hold:
        held = [await limiter.acquire("ws", ["status"]) for _ in range(args.hold)]
        print(f"holding {len(held)}", flush=True)
        await asyncio.sleep(3600)  # killed with SIGKILL while "in flight"
    remaining = args.count
    async with aiohttp.ClientSession() as session:

        async def one() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                permit = await limiter.acquire("ws", ["status"])
                ok = False
                try:
                    async with session.post(args.url) as resp:
                        await resp.read()
                        ok = resp.status == 200
                finally:
                    await permit.complete(success=ok)

        print("ready", flush=True)
        await asyncio.gather(*(one() for _ in range(args.tasks)))
    await limiter.aclose()
    print("done", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--budget", required=True, help="e.g. 10/0.5")
    parser.add_argument("--url", default="")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--hold", type=int, default=0)
    parser.add_argument("--lease", type=float, default=300.0)
    parser.add_argument("--fake-now", type=float, default=None)
    asyncio.run(_spend(parser.parse_args()))


if __name__ == "__main__":
    main()
