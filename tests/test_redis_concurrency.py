"""RedisLimiter at any concurrency: callers queue for a bounded number of pooled
connections, and a pool with no free connection is never taken for an outage."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import anyio
import pytest
import redis.asyncio as aioredis

from moengage_async import FakeClock
from moengage_async.budgets._redis import BudgetBackendError, RedisLimiter

pytestmark = pytest.mark.redis

Make = Callable[..., RedisLimiter]


def named(url: str, name: str) -> str:
    """``url`` with a client name, so CLIENT LIST tells the limiter's connections."""
    return f"{url}{'&' if '?' in url else '?'}client_name={name}"


class Connections:
    """The most connections named ``name`` that Redis listed at once (CLIENT LIST,
    polled every few milliseconds while the test runs)."""

    def __init__(self, redis: aioredis.Redis, name: str) -> None:
        self._redis = redis
        self.name = name
        self.peak = 0
        self.samples = 0

    async def count(self) -> int:
        clients = await self._redis.client_list()
        return sum(1 for c in clients if c.get("name") == self.name)

    async def watch(self) -> None:
        while True:
            self.peak = max(self.peak, await self.count())
            self.samples += 1
            await anyio.sleep(0.005)


@pytest.fixture
async def connections(redis_url: str, redis_prefix: str) -> AsyncIterator[Connections]:
    monitor = aioredis.Redis.from_url(redis_url)
    yield Connections(monitor, f"conn-{redis_prefix}")
    await monitor.aclose()


async def until(condition: Callable[[], bool], timeout: float = 30) -> None:
    with anyio.fail_after(timeout):
        while not condition():
            await anyio.sleep(0.005)


async def test_ten_thousand_callers_on_a_saturated_budget(
    make_limiter: Make,
    fake_clock: FakeClock,
    redis_url: str,
    connections: Connections,
) -> None:
    """10,000 concurrent acquires, 1,000 of them waiting for a full budget: every one
    is served, none fails, and at most ``max_connections`` connections are open."""
    limiter = make_limiter(
        "status:=9000/1",
        redis=named(redis_url, connections.name),
        max_request_s=0.5,  # permits never completed: their leases lapse
    )
    served: list[float] = []

    async def one() -> None:
        await limiter.acquire("ws", ["status"])
        served.append(fake_clock.now())

    async with anyio.create_task_group() as tg:
        tg.start_soon(connections.watch)
        for _ in range(10_000):
            tg.start_soon(one)
        await until(lambda: len(served) + fake_clock.pending_sleepers >= 10_000)
        assert len(served) == 9_000  # the budget is full: the rest wait
        usage = {u.budget: u for u in await limiter.fetch_snapshot("ws")}
        assert usage["status"].queued == 1_000
        fake_clock.advance(1.6)  # leases lapse at 0.5, their stamps leave at 1.5
        await until(lambda: len(served) == 10_000)
        tg.cancel_scope.cancel()
    assert served.count(1000.0) == 9_000
    assert served.count(1001.6) == 1_000
    assert connections.samples > 1
    assert 1 <= connections.peak <= 50


async def test_more_callers_than_connections_on_an_empty_budget(
    make_limiter: Make, redis_url: str, connections: Connections
) -> None:
    """150 concurrent acquires through 8 connections: all admitted, no error."""
    limiter = make_limiter(
        "status:=1000/1", redis=named(redis_url, connections.name), max_connections=8
    )

    async def one() -> None:
        await (await limiter.acquire("ws", ["status"])).complete(success=True)

    async with anyio.create_task_group() as tg:
        tg.start_soon(connections.watch)
        async with anyio.create_task_group() as callers:
            for _ in range(150):
                callers.start_soon(one)
        tg.cancel_scope.cancel()
    usage = {u.budget: u for u in await limiter.fetch_snapshot("ws")}
    assert (usage["status"].used, usage["status"].in_flight) == (150, 0)
    assert 1 <= connections.peak <= 8


async def test_a_thousand_waiters_take_turns_without_errors(
    make_limiter: Make,
    fake_clock: FakeClock,
    redis_url: str,
    connections: Connections,
) -> None:
    """1,000 callers on a budget of 100 a second: ten windows of 100, no failure."""
    limiter = make_limiter("status:=100/1", redis=named(redis_url, connections.name))
    served: list[float] = []

    async def one() -> None:
        permit = await limiter.acquire("ws", ["status"])
        served.append(fake_clock.now())
        await permit.complete(success=True)

    async with anyio.create_task_group() as tg:
        tg.start_soon(connections.watch)
        async with anyio.create_task_group() as callers:
            for _ in range(1_000):
                callers.start_soon(one)
            while len(served) < 1_000:  # time moves only when every waiter sleeps
                await until(lambda: len(served) + fake_clock.pending_sleepers >= 1_000)
                if len(served) < 1_000:
                    assert fake_clock.next_deadline is not None
                    fake_clock.advance(fake_clock.next_deadline - fake_clock.now())
        tg.cancel_scope.cancel()
    for second in range(10):  # never more than 100 in any one-second window
        start = 1000.0 + second
        assert sum(1 for t in served if start <= t < start + 1) == 100
    assert 1 <= connections.peak <= 50


async def test_local_fallback_never_triggers_with_redis_healthy(
    make_limiter: Make,
    redis_url: str,
    connections: Connections,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """on_unavailable='local' under 1,000 concurrent acquires through 10
    connections: every decision is Redis's, none is local."""
    limiter = make_limiter(
        "status:=1000/1",
        redis=named(redis_url, connections.name),
        on_unavailable="local",
        max_connections=10,
    )
    with caplog.at_level(logging.WARNING, logger="moengage_async.redis"):
        async with anyio.create_task_group() as tg:
            for _ in range(1_000):
                tg.start_soon(limiter.acquire, "ws", ["status"])
    usage = {u.budget: u for u in await limiter.fetch_snapshot("ws")}
    assert usage["status"].in_flight == 1_000  # all recorded in Redis
    assert not caplog.records
    assert 1 <= await connections.count() <= 10


async def test_a_pool_shared_with_other_code(
    make_limiter: Make, redis_url: str, fake_clock: FakeClock
) -> None:
    """With a client passed in, calls stay within its pool; when other code holds
    its connections, calls wait for one, and waiting too long is not an outage."""
    pool = aioredis.ConnectionPool.from_url(redis_url, max_connections=4)
    client = aioredis.Redis(connection_pool=pool)
    limiter = make_limiter(
        "status:=1000/1", redis=client, op_timeout_s=0.3, on_unavailable="local"
    )
    held = [await pool.get_connection() for _ in range(3)]

    async def give_back() -> None:
        await anyio.sleep(0.05)
        for conn in held:
            await pool.release(conn)

    async with anyio.create_task_group() as tg:
        tg.start_soon(give_back)
        for _ in range(100):
            tg.start_soon(limiter.acquire, "ws", ["status"])
    usage = {u.budget: u for u in await limiter.fetch_snapshot("ws")}
    assert usage["status"].in_flight == 100

    held = [await pool.get_connection() for _ in range(4)]  # all of them, too long
    with anyio.fail_after(5), pytest.raises(BudgetBackendError) as info:
        await limiter.acquire("ws", ["status"])
    assert not info.value.unavailable
    assert "no free connection" in str(info.value)
    assert fake_clock.now() == 1000.0  # no fallback, no outage wait
    for conn in held:
        await pool.release(conn)
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    await client.aclose()
    await pool.aclose()
