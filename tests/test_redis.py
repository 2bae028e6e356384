"""RedisLimiter beyond the shared contract (tests/test_budget_contract.py): a fleet
of instances on one Redis, leases, key hygiene, outages and configuration."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import anyio
import anyio.abc
import pytest
import redis.asyncio as aioredis

from moengage_async import FakeClock, RateLimitError
from moengage_async.budgets._redis import (
    BudgetBackendError,
    RedisLimiter,
    limiter_from_env,
)

pytestmark = pytest.mark.redis

Make = Callable[..., RedisLimiter]


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A connection of the test's own, for peeking at keys."""
    conn = aioredis.Redis.from_url(redis_url)
    yield conn
    await conn.aclose()


async def refused_at(limiter: RedisLimiter, budgets: list[str], **kw: object) -> float:
    """Return the retry_at of a call that cannot be admitted now."""
    with pytest.raises(RateLimitError) as info:
        await limiter.acquire(
            "ws",
            budgets,
            deadline=limiter._clock.now(),
            **kw,  # type: ignore[arg-type]
        )
    assert info.value.local
    assert info.value.retry_at is not None
    return info.value.retry_at


async def wait_queued(limiter: RedisLimiter, count: int) -> None:
    """Wait (in real time, briefly) until ``count`` waiters hold a ticket in Redis."""
    with anyio.fail_after(5):
        while True:
            usage = {u.budget: u for u in await limiter.fetch_snapshot("ws")}
            if usage["status"].queued >= count:
                return
            await anyio.sleep(0.001)


async def test_block_is_shared_by_every_instance(
    make_limiter: Make, fake_clock: FakeClock
) -> None:
    """A 429 seen by one process closes the gate for the others until Retry-After."""
    one, two = make_limiter("status:=100/1"), make_limiter("status:=100/1")
    await one.block("ws", ["status"], 30.0)
    assert await refused_at(two, ["status"]) == pytest.approx(1030.0)
    fake_clock.advance(30.001)
    await two.acquire("ws", ["status"])


async def test_block_records_the_unexpected_429_as_usage(make_limiter: Make) -> None:
    """The 429 counts as a phantom call in the shared ledger."""
    one, two = make_limiter("status:=2/10"), make_limiter("status:=2/10")
    await (await one.acquire("ws", ["status"])).complete(success=True)
    await one.block("ws", ["status"], 0.0)
    await refused_at(two, ["status"])


async def test_every_key_expires(
    make_limiter: Make, client: aioredis.Redis, redis_prefix: str
) -> None:
    """Nothing the limiter writes lives forever."""
    limiter = make_limiter("status:=2/1")
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    await limiter.acquire("ws", ["status"])  # in flight
    await refused_at(limiter, ["status"])  # leaves a (short-lived) ticket
    await limiter.block("ws", ["status"], 5)
    keys = [k async for k in client.scan_iter(match=f"{redis_prefix}:*")]
    assert len(keys) >= 3
    for key in keys:
        assert await client.pttl(key) > 0, key


async def test_keys_share_the_workspace_hash_slot(
    make_limiter: Make, client: aioredis.Redis, redis_prefix: str
) -> None:
    """All keys of one workspace carry its hash tag (one Redis Cluster slot)."""
    limiter = make_limiter("status:=5/1")
    await (await limiter.acquire("ws-7", ["status"])).complete(success=True)
    keys = [k async for k in client.scan_iter(match=f"{redis_prefix}:*")]
    assert keys
    assert all(b":{ws-7}:" in k for k in keys)


async def test_lapsed_lease_frees_a_dead_holders_slot(
    make_limiter: Make, fake_clock: FakeClock
) -> None:
    """A permit never completed counts until its lease ends, then one window more."""
    crashed = make_limiter("status:=1/1", max_request_s=10.0)
    await crashed.acquire("ws", ["status"])  # its process dies here
    survivor = make_limiter("status:=1/1", max_request_s=10.0)
    fake_clock.advance(10.5)
    assert await refused_at(survivor, ["status"]) == pytest.approx(1011.0)
    fake_clock.advance(0.6)
    await survivor.acquire("ws", ["status"])


async def test_waiters_are_served_first_come_first_served(
    make_limiter: Make, fake_clock: FakeClock
) -> None:
    """Across instances, the earliest waiter gets the next free slot."""
    limiters = [make_limiter("status:=1/1") for _ in range(3)]
    await (await limiters[0].acquire("ws", ["status"])).complete(success=True)
    order: list[int] = []

    async def wait(i: int) -> None:
        permit = await limiters[i].acquire("ws", ["status"])
        order.append(i)
        await permit.complete(success=True)

    async with anyio.create_task_group() as tg:
        for i in (2, 0, 1):
            tg.start_soon(wait, i)
            await wait_queued(limiters[0], len(order) + (2, 0, 1).index(i) + 1)
        with anyio.fail_after(10):
            while len(order) < 3:
                await anyio.sleep(0.001)
                # Move fake time only while every waiter sleeps: none is in a
                # call to Redis (real I/O that fake time must not outrun).
                deadline = fake_clock.next_deadline
                if deadline is not None and fake_clock.pending_sleepers == 3 - len(
                    order
                ):
                    fake_clock.advance(max(deadline - fake_clock.now(), 0.0))
    assert order == [2, 0, 1]


async def test_newcomer_does_not_jump_the_queue(
    make_limiter: Make, fake_clock: FakeClock
) -> None:
    """A fresh call waits behind a queued one even when a slot just freed."""
    first, second = make_limiter("status:=1/1"), make_limiter("status:=1/1")
    await (await first.acquire("ws", ["status"])).complete(success=True)
    with pytest.raises(RateLimitError):
        await first.acquire("ws", ["status"], deadline=fake_clock.now() + 0.5)
    async with anyio.create_task_group() as tg:
        tg.start_soon(first.acquire, "ws", ["status"])
        await wait_queued(second, 1)  # asleep on the fake clock
        fake_clock.advance(1.0001)  # the slot is free, the queued waiter not yet awake
        await refused_at(second, ["status"])
        tg.cancel_scope.cancel()


async def test_stalled_waiter_does_not_idle_a_free_slot(
    make_limiter: Make, fake_clock: FakeClock
) -> None:
    """A waiter overdue past its wake-up (a stalled process) lets the next one in."""
    stalled_clock = FakeClock(1000.0)  # never advanced: its owner is stuck
    stalled, second = (
        make_limiter("status:=1/1", clock=stalled_clock),
        make_limiter("status:=1/1"),
    )
    await (await second.acquire("ws", ["status"])).complete(success=True)
    async with anyio.create_task_group() as tg:
        tg.start_soon(stalled.acquire, "ws", ["status"])
        await wait_queued(second, 1)
        fake_clock.advance(1.001)  # free, and the stalled waiter is only just due
        await refused_at(second, ["status"])
        fake_clock.advance(0.01)  # now it is overdue beyond jitter and tolerance
        await second.acquire("ws", ["status"], deadline=fake_clock.now())
        tg.cancel_scope.cancel()


async def test_survives_a_script_cache_flush(
    make_limiter: Make, client: aioredis.Redis
) -> None:
    """NOSCRIPT after a restart or SCRIPT FLUSH reloads the script transparently."""
    limiter = make_limiter("status:=5/1")
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    await client.script_flush()
    await (await limiter.acquire("ws", ["status"])).complete(success=True)


async def test_fetch_snapshot_reports_shared_usage(make_limiter: Make) -> None:
    """A snapshot read from Redis shows the other instance's calls."""
    one, two = make_limiter("status:=5/1"), make_limiter("status:=5/1")
    await (await one.acquire("ws", ["status"])).complete(success=True)
    await one.acquire("ws", ["status"])
    usage = {u.budget: u for u in await two.fetch_snapshot("ws")}
    assert (usage["status"].used, usage["status"].in_flight) == (1, 1)
    assert [u.budget for u in two.snapshot("ws")].count("status") == 1


async def test_unreachable_redis_fails_closed(redis_prefix: str) -> None:
    """With Redis down nothing is admitted: a clear BudgetBackendError instead (at
    once with ``max_outage_wait_s=0``; tests/test_redis_outages.py waits)."""
    limiter = RedisLimiter(
        "redis://127.0.0.1:9/0", key_prefix=redis_prefix, max_outage_wait_s=0
    )
    with pytest.raises(BudgetBackendError, match="unavailable"):
        await limiter.acquire("ws", ["status"])
    await limiter.aclose()


async def test_hung_redis_fails_closed_after_the_op_timeout(redis_prefix: str) -> None:
    """A server that accepts but never answers is unavailable, not a stall."""

    async def silent(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            with anyio.move_on_after(5):
                async for _ in stream:
                    pass

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, silent)
        limiter = RedisLimiter(
            f"redis://127.0.0.1:{port}/0",
            key_prefix=redis_prefix,
            op_timeout_s=0.05,
            max_outage_wait_s=0,
        )
        with pytest.raises(BudgetBackendError, match="unavailable"):
            await limiter.acquire("ws", ["status"])
        await limiter.aclose()
        tg.cancel_scope.cancel()


async def test_unreachable_redis_can_fall_back_to_a_local_fraction(
    redis_prefix: str, fake_clock: FakeClock
) -> None:
    """on_unavailable='local' admits locally, at local_fraction of each limit."""
    limiter = RedisLimiter(
        "redis://127.0.0.1:9/0",
        budgets="status:=4/1",
        clock=fake_clock,
        on_unavailable="local",
        local_fraction=0.5,
    )
    await limiter.acquire("ws", ["status"])
    await limiter.acquire("ws", ["status"])
    with pytest.raises(RateLimitError):
        await limiter.acquire("ws", ["status"], deadline=fake_clock.now())
    await limiter.aclose()


def test_unknown_budget_is_refused_before_anything_is_sent(redis_url: str) -> None:
    """Naming a budget that does not exist is a ValueError."""
    limiter = RedisLimiter(redis_url)
    with pytest.raises(ValueError, match="unknown budget"):
        limiter._names(["nope"])


@pytest.mark.parametrize(
    ("url", "env", "expected"),
    [
        pytest.param(None, {}, None, id="unset"),
        pytest.param(None, {"MOENGAGE_REDIS_URL": "redis://h/1"}, "env", id="env"),
        pytest.param("redis://flag/0", {"MOENGAGE_REDIS_URL": "x"}, "flag", id="flag"),
    ],
)
async def test_limiter_from_env(
    url: str | None, env: dict[str, str], expected: str | None
) -> None:
    """--redis-url wins over MOENGAGE_REDIS_URL; neither means no Redis limiter."""
    limiter = limiter_from_env(url, env=env)
    if expected is None:
        assert limiter is None
        return
    assert isinstance(limiter, RedisLimiter)
    kwargs = limiter._redis.connection_pool.connection_kwargs
    assert kwargs["host"] == ("flag" if expected == "flag" else "h")
    await limiter.aclose()


def test_limiter_from_env_reads_budget_overrides() -> None:
    """MOENGAGE_BUDGETS applies to the Redis limiter as to the in-memory one."""
    env = {"MOENGAGE_REDIS_URL": "redis://h/0", "MOENGAGE_BUDGETS": "status:=3/1"}
    limiter = limiter_from_env(env=env)
    assert limiter is not None
    assert limiter._budgets["status"].windows == ((3, 1.0),)
