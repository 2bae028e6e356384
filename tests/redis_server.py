"""Test helpers for the Redis budgets: a private redis-server, and a worker script
that spends a shared budget from its own OS process against the sandbox.

Run as a script, this file is that worker (``python tests/redis_server.py ...``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "RedisProcess",
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
    """Start a throwaway redis-server (no persistence) on a unix socket; yield a URL."""
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


class RedisProcess:
    """A redis-server of one test's own, on a unix socket in ``directory``, that the
    test can stop, restart (same socket, same data: append-only file, fsync on
    every write) and freeze (SIGSTOP: connected, never answering)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sock = directory / "redis.sock"
        self.url = f"unix://{self.sock}"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None and self._proc is None
        self.sock.unlink(missing_ok=True)
        self._proc = proc = subprocess.Popen(
            [
                *(binary, "--port", "0", "--unixsocket", str(self.sock)),
                *("--unixsocketperm", "700", "--save", ""),
                *("--dir", str(self.directory)),
                *("--appendonly", "yes", "--appendfsync", "always"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.005)

    def stop(self) -> None:
        """Shut the server down (it writes its data first); connections drop."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.send_signal(signal.SIGCONT)  # a frozen server must run to exit
            proc.terminate()
            proc.wait(10)

    def freeze(self) -> None:
        assert self._proc is not None
        self._proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self._proc is not None
        self._proc.send_signal(signal.SIGCONT)


def find_redis() -> str | None:
    """``REDIS_URL`` when set, else ``None`` when no redis-server binary exists."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    return "" if shutil.which("redis-server") else None


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def worker_command(*args: str) -> list[str]:
    """The argv that runs this file as a worker process."""
    return [sys.executable, str(Path(__file__).resolve()), *args]


async def _spend(args: argparse.Namespace) -> None:
    """Pause the given campaigns through MoEngageClient, all on one shared budget."""
    from moengage_async import (
        APIError,
        FakeClock,
        MoEngageClient,
        exactly,
        new_session,
    )
    from moengage_async.budgets._redis import RedisLimiter

    clock = FakeClock(args.fake_now) if args.fake_now is not None else None
    limiter = RedisLimiter(
        args.redis,
        budgets={"status": exactly(args.budget)},
        key_prefix=args.prefix,
        clock=clock,
        use_server_time=clock is None,
        max_request_s=args.lease,
    )
    if args.hold:
        held = [
            await limiter.acquire(args.workspace, ["status"]) for _ in range(args.hold)
        ]
        _say(f"holding {len(held)}")
        await asyncio.Event().wait()  # held until killed with SIGKILL, "in flight"
    ids = args.ids.split(",") if args.ids else []
    session = new_session()
    if args.warm_workspace:
        # Warm up off the measured budget: imports, connections, the server's schemas.
        # The sandbox's budget, so its x-ratelimit-limit agrees (no warning on
        # the output the test reads).
        async with MoEngageClient(
            args.warm_workspace,
            args.api_key,
            base_url=args.url,
            session=session,
            budgets={"status": args.budget},
        ) as warm:
            with contextlib.suppress(APIError):
                await asyncio.gather(
                    *(warm.change_status("PAUSE", ["warm-up"]) for _ in range(5))
                )
        await limiter.fetch_snapshot(args.workspace)
    async with MoEngageClient(
        args.workspace,
        args.api_key,
        base_url=args.url,
        limiter=limiter,
        session=session,
    ) as client:

        async def pause(campaign_id: str) -> None:
            try:
                await client.change_status("PAUSE", [campaign_id])
            except APIError as exc:
                _say(f"error {exc.status}")

        async def one() -> None:
            while ids:
                await pause(ids.pop())

        _say("ready")
        if args.wait_go:  # the parent sends a wall-clock start time
            line = await asyncio.get_running_loop().run_in_executor(
                None, sys.stdin.readline
            )
            await asyncio.sleep(max(0.0, float(line) - time.time()))
        await asyncio.gather(*(one() for _ in range(args.tasks)))
    await limiter.aclose()
    await session.close()
    _say("done")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--budget", required=True, help="e.g. 10/0.5")
    parser.add_argument("--url", default="")
    parser.add_argument("--workspace", default="SANDBOX_WS")
    parser.add_argument("--api-key", default="sandbox-key")
    parser.add_argument("--warm-workspace", default="", help="warm up here first")
    parser.add_argument("--ids", default="", help="ids to pause, a,b,c")
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--wait-go", action="store_true", help="start on a stdin line")
    parser.add_argument("--hold", type=int, default=0)
    parser.add_argument("--lease", type=float, default=300.0)
    parser.add_argument("--fake-now", type=float, default=None)
    asyncio.run(_spend(parser.parse_args()))


if __name__ == "__main__":
    main()
