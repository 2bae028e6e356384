"""Redis outages: callers wait for Redis to answer again, at most
``max_outage_wait_s``, and nothing is ever sent without a budget decision.

Each test has a redis-server of its own (``RedisProcess``) that it stops,
restarts with its data (append-only file) or freezes.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from redis_server import RedisProcess

from moengage_async import FakeClock, RetryPolicy
from moengage_async.budgets._redis import BudgetBackendError, RedisLimiter
from moengage_async.budgets._redis_outage import MAX_RETRY_S
from moengage_async.sandbox import Sandbox

pytestmark = pytest.mark.redis


@pytest.fixture
def server(redis_url: str) -> Iterator[RedisProcess]:
    """A redis-server of this test's own (``redis_url`` only checks one exists)."""
    directory = Path(tempfile.mkdtemp(prefix="mo-redis-"))
    proc = RedisProcess(directory)
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()
        shutil.rmtree(directory, ignore_errors=True)


async def on_fake_time(
    clock: FakeClock, call: Callable[[], Awaitable[Any]], step: float = 0.05
) -> tuple[Any, BaseException | None]:
    """Run ``call`` while fake time moves ``step`` per real millisecond; return its
    result or what it raised."""
    outcome: list[tuple[Any, BaseException | None]] = []

    async def run() -> None:
        try:
            outcome.append((await call(), None))
        except Exception as exc:
            outcome.append((None, exc))

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        with anyio.fail_after(20):
            while not outcome:
                await anyio.sleep(0.001)
                clock.advance(step)
    return outcome[0]


async def test_a_job_outlives_a_redis_restart(server: RedisProcess) -> None:
    """Redis stopped mid-job and back within the max wait: every call goes out,
    none fails, and the server never sees a window over its limit."""
    limiter = RedisLimiter(server.url, budgets="status:=10/0.25", max_outage_wait_s=10)
    async with Sandbox(budgets="status:=10/0.25") as sandbox:
        ids = sandbox.seed_campaigns(40, status="ACTIVE")
        todo, done = list(ids), []
        async with sandbox.client(
            limiter=limiter, retry=RetryPolicy(max_retries=0)
        ) as client:

            async def worker() -> None:
                while todo:
                    campaign = todo.pop()
                    await client.change_status("PAUSE", [campaign])
                    done.append(campaign)

            async with anyio.create_task_group() as tg:
                for _ in range(8):
                    tg.start_soon(worker)
                with anyio.fail_after(10):
                    while len(done) < 12:
                        await anyio.sleep(0.001)
                server.stop()  # mid-job, with calls in flight and callers queued
                stopped = len(done)
                await anyio.sleep(0.3)
                assert len(done) <= stopped + 8  # only calls already admitted ended
                server.start()
        assert sorted(done) == sorted(ids)
        assert all(sandbox.campaign(c).status == "PAUSED" for c in ids)
        assert not sandbox.ledger.budget("status").rejected
        assert sandbox.ledger.max_in_window("status", 0.25) <= 10
    usage = {u.budget: u for u in await limiter.fetch_snapshot(sandbox.workspace_id)}
    assert usage["status"].in_flight == 0  # completions during the outage recorded
    await limiter.aclose()


@pytest.mark.parametrize("max_wait", [None, 2.0], ids=["default-30s", "2s"])
async def test_an_outage_past_the_max_wait_fails_closed(
    server: RedisProcess, redis_prefix: str, max_wait: float | None
) -> None:
    """Redis gone for good: every caller raises BudgetBackendError once its max
    wait has passed (fake time), and not before."""
    clock = FakeClock(1000.0)
    options: dict[str, Any] = {}
    if max_wait is not None:
        options["max_outage_wait_s"] = max_wait
    limiter = RedisLimiter(
        server.url,
        budgets="status:=5/1",
        clock=clock,
        use_server_time=False,
        key_prefix=redis_prefix,
        **options,
    )
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    server.stop()
    results: list[tuple[float, BaseException]] = []

    async def caller() -> None:
        try:
            await limiter.acquire("ws", ["status"])
        except BudgetBackendError as exc:
            results.append((clock.now(), exc))

    async def callers() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(caller)

    started = clock.now()
    async with anyio.create_task_group() as tg:
        tg.start_soon(callers)
        with anyio.fail_after(20):
            # Every caller meets the outage before fake time moves at all; then
            # time moves only while none is in a call to Redis (real I/O).
            while clock.pending_sleepers < 20:
                await anyio.sleep(0.001)
            while len(results) < 20:
                await anyio.sleep(0.001)
                if clock.pending_sleepers == 20 - len(results):
                    clock.advance(0.05)
    wait = 30.0 if max_wait is None else max_wait
    assert len(results) == 20
    for at, exc in results:
        assert wait <= at - started <= wait + 0.1
        assert isinstance(exc, BudgetBackendError) and exc.unavailable
        assert "nothing was sent" in str(exc)
    await limiter.aclose()


async def test_callers_stop_calling_a_redis_that_is_down(
    server: RedisProcess, redis_prefix: str
) -> None:
    """During an outage one try goes out per backoff step, not one per caller, and
    the step grows to MAX_RETRY_S; the first answer wakes every caller."""
    clock = FakeClock(1000.0)
    limiter = RedisLimiter(
        server.url,
        budgets="status:=1000/1",
        clock=clock,
        use_server_time=False,
        key_prefix=redis_prefix,
        max_outage_wait_s=60,
    )
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    server.stop()
    served: list[float] = []

    async def caller() -> None:
        await limiter.acquire("ws", ["status"])
        served.append(clock.now())

    async with anyio.create_task_group() as tg:
        for _ in range(200):
            tg.start_soon(caller)
        with anyio.fail_after(10):
            while clock.pending_sleepers < 200:  # all asleep: nobody hammers Redis
                await anyio.sleep(0.001)
        for _ in range(100):  # ten fake seconds, in small steps
            clock.advance(0.1)
            await anyio.sleep(0.001)
            assert clock.pending_sleepers == 200
        server.start()
        back = clock.now()
        with anyio.fail_after(10):
            while not served:  # step fake time until the next try finds Redis
                await anyio.sleep(0.001)
                if not served and clock.pending_sleepers == 200:  # none in a call
                    clock.advance(0.01)
            while len(served) < 200:  # no more fake time: the answer woke them all
                await anyio.sleep(0.001)
    # The next try comes at most MAX_RETRY_S after the last failed one; the first
    # answer wakes every caller at once.
    assert back < min(served) == max(served) <= back + MAX_RETRY_S + 0.01
    usage = {u.budget: u for u in await limiter.fetch_snapshot("ws")}
    assert usage["status"].in_flight == 200
    await limiter.aclose()


async def test_a_completion_waits_for_redis_to_record_it(
    server: RedisProcess, redis_prefix: str
) -> None:
    """A response that completes during an outage is stamped once Redis is back,
    not dropped (its slot would otherwise count until the lease lapses)."""
    limiter = RedisLimiter(
        server.url, budgets="status:=5/60", key_prefix=redis_prefix, max_request_s=300
    )
    permit = await limiter.acquire("ws", ["status"])
    server.stop()
    async with anyio.create_task_group() as tg:
        tg.start_soon(functools.partial(permit.complete, success=True))
        await anyio.sleep(0.2)
        server.start()
    usage = {u.budget: u for u in await limiter.fetch_snapshot("ws")}
    assert (usage["status"].used, usage["status"].in_flight) == (1, 0)
    await limiter.aclose()


async def frozen(
    server: RedisProcess, redis_prefix: str, max_outage_wait_s: float
) -> RedisLimiter:
    """A limiter on 5 connections with a 0.2 s op timeout, its server frozen."""
    limiter = RedisLimiter(
        server.url,
        budgets="status:=1000/1",
        key_prefix=redis_prefix,
        max_connections=5,
        op_timeout_s=0.2,
        max_outage_wait_s=max_outage_wait_s,
    )
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    server.freeze()
    return limiter


async def test_a_frozen_redis_then_back(
    server: RedisProcess, redis_prefix: str
) -> None:
    """Redis stops answering (SIGSTOP) with 200 callers on 5 connections: the
    first five time out, the queued ones do not wait a timeout each, and all are
    served once it answers again."""
    limiter = await frozen(server, redis_prefix, max_outage_wait_s=10)
    started = time.monotonic()
    async with anyio.create_task_group() as tg:
        for _ in range(200):
            tg.start_soon(limiter.acquire, "ws", ["status"])
        with anyio.fail_after(5):  # the first tries time out (0.2 s op timeout)
            while not limiter._outage.down:
                await anyio.sleep(0.01)
        frozen_for = time.monotonic() - started
        server.thaw()
    assert time.monotonic() - started < frozen_for + MAX_RETRY_S + 1
    usage = {u.budget: u for u in await limiter.fetch_snapshot("ws")}
    # Once each: a try that timed out but ran later is retried under the same id.
    assert usage["status"].in_flight == 200
    await limiter.aclose()


async def test_a_frozen_redis_fails_the_queue_at_once(
    server: RedisProcess, redis_prefix: str
) -> None:
    """With max_outage_wait_s=0, 200 callers on 5 connections of a hung Redis all
    fail after about one op timeout, not one timeout per five callers (8 s)."""
    limiter = await frozen(server, redis_prefix, max_outage_wait_s=0)
    errors: list[BudgetBackendError] = []

    async def caller() -> None:
        try:
            await limiter.acquire("ws", ["status"])
        except BudgetBackendError as exc:
            errors.append(exc)

    started = time.monotonic()
    async with anyio.create_task_group() as tg:
        for _ in range(200):
            tg.start_soon(caller)
    elapsed = time.monotonic() - started
    server.thaw()
    assert len(errors) == 200
    assert all(e.unavailable and "no answer within 0.2 s" in str(e) for e in errors)
    assert elapsed < 1.5
    await limiter.aclose()
