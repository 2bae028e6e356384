"""Separate OS processes sharing one workspace budget through Redis."""

from __future__ import annotations

import signal
import subprocess
import time

import anyio
import pytest
import redis.asyncio as aioredis
from redis_server import worker_command

from moengage_async import FakeClock, RateLimitError, exactly
from moengage_async.budgets._redis import RedisLimiter
from moengage_async.sandbox import Sandbox

pytestmark = pytest.mark.redis

WORKERS = 4
PER_WORKER = 25
# Each cycle costs one send-to-completion latency (slots are stamped on completion)
# plus a wake-up; on a loaded 2-core box that is ~50 ms, so windows of seconds keep
# the schedule within 3% of the theoretical minimum.
LIMIT, SPAN = 20, 4.0


async def test_four_processes_share_one_budget_exactly(
    redis_url: str, redis_prefix: str
) -> None:
    """Four processes on one budget: no 429, and every window filled to its limit.

    How close to the fastest schedule they finish is a speed figure, measured by
    ``benchmarks/`` (wall time on a loaded machine is no test verdict).
    """
    budget = f"{LIMIT}/{SPAN}"
    async with Sandbox(
        budgets=f"status:={budget}",
        faults="latency=0.001,jitter=0.002",
        validate=False,  # schema checks are not under test here; they cost CPU
    ) as sandbox:
        ids = sandbox.seed_campaigns(WORKERS * PER_WORKER, status="ACTIVE")
        sandbox.add_workspace("WARM_WS", sandbox.api_key)
        procs = [
            await anyio.open_process(
                worker_command(
                    "--redis",
                    redis_url,
                    "--prefix",
                    redis_prefix,
                    "--budget",
                    budget,
                    "--url",
                    sandbox.url,
                    "--ids",
                    ",".join(ids[i * PER_WORKER : (i + 1) * PER_WORKER]),
                    "--wait-go",
                    "--warm-workspace",
                    "WARM_WS",
                ),
                stderr=subprocess.STDOUT,
            )
            for i in range(WORKERS)
        ]
        outputs: list[str] = []
        with anyio.fail_after(90):
            for proc in procs:  # every worker imported and connected
                assert proc.stdout is not None
                outputs.append((await proc.stdout.receive()).decode())
                assert outputs[-1].startswith("ready"), outputs[-1]
            start_at = f"{time.time() + 0.2}\n".encode()  # all at once, not in turn
            for proc in procs:
                assert proc.stdin is not None
                await proc.stdin.send(start_at)
            for i, proc in enumerate(procs):
                assert proc.stdout is not None
                outputs[i] += b"".join([c async for c in proc.stdout]).decode()
                assert await proc.wait() == 0, outputs[i]
    record = sandbox.ledger.budget("status")
    assert all(out.rstrip().endswith("done") for out in outputs), outputs
    assert record.rejected == []
    assert len(record.accepted) == WORKERS * PER_WORKER
    assert sandbox.ledger.max_in_window("status", SPAN) == LIMIT


async def test_killed_process_leaks_no_slot(redis_url: str, redis_prefix: str) -> None:
    """SIGKILL mid-request: its slots count until their lease ends, then free up."""
    clock = FakeClock(1000.0)
    proc = await anyio.open_process(
        worker_command(
            "--redis",
            redis_url,
            "--prefix",
            redis_prefix,
            "--budget",
            "5/0.2",
            "--hold",
            "3",
            "--lease",
            "0.3",
            "--fake-now",
            "1000",
        )
    )
    assert proc.stdout is not None
    with anyio.fail_after(30):
        line = await proc.stdout.receive()
    assert line.startswith(b"holding 3"), line
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    await proc.aclose()
    survivor = RedisLimiter(
        redis_url,
        budgets={"status": exactly("5/0.2")},
        key_prefix=redis_prefix,
        clock=clock,
        use_server_time=False,
        max_request_s=0.3,
    )
    await survivor.acquire("SANDBOX_WS", ["status"])
    await survivor.acquire("SANDBOX_WS", ["status"])  # the others carry on
    with pytest.raises(RateLimitError):
        await survivor.acquire("SANDBOX_WS", ["status"], deadline=clock.now())
    clock.advance(0.3 + 0.2 + 0.001)  # lease over, then one window more
    for _ in range(3):
        await survivor.acquire("SANDBOX_WS", ["status"], deadline=clock.now())
    conn = aioredis.Redis.from_url(redis_url)
    flight = f"{redis_prefix}:{{SANDBOX_WS}}:status:flight"
    assert await conn.zcard(flight) == 3  # the three just taken; the dead hold none
    assert await conn.pttl(flight) > 0
    await conn.aclose()
    await survivor.aclose()
