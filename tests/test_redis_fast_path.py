"""RedisLimiter's fast path: what it saves must not cost correctness.

The uncontended acquire skips reads of absent keys, re-arms TTLs only when they
run short, decodes its stats only when a snapshot asks, names permits with a
counter, and bounds every call with one shared timer. Each test here pins one of
those shortcuts against a real redis-server (and, for hangs, a real TCP proxy
that can stop answering).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlparse

import anyio
import anyio.abc
import anyio.lowlevel
import pytest
import redis.asyncio as aioredis

from moengage_async import RateLimitError
from moengage_async.budgets._redis import BudgetBackendError, RedisLimiter, _ids
from tests.forked import in_forked_child

pytestmark = pytest.mark.redis

Make = Callable[..., RedisLimiter]

#: "status:=2/1" with the default 300 s lease: 1 s window + 1 s slack + the lease
TTL_MS = 1000 + 1000 + 300_000


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    conn = aioredis.Redis.from_url(redis_url)
    yield conn
    await conn.aclose()


def key(prefix: str, part: str) -> str:
    return f"{prefix}:{{ws}}:status:{part}"


async def command_calls(client: aioredis.Redis) -> dict[str, int]:
    stats = await client.info("commandstats")
    return {name[len("cmdstat_") :]: v["calls"] for name, v in stats.items()}


async def test_uncontended_calls_stay_few_inside_redis(
    make_limiter: Make, client: aioredis.Redis
) -> None:
    """Nothing in flight, queued or blocked: an acquire makes 6 calls, a complete 4."""
    limiter = make_limiter("status:=1000/1")
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    await client.config_resetstat()
    for _ in range(5):
        permit = await limiter.acquire("ws", ["status"])
        await permit.complete(success=True)
    calls = await command_calls(client)
    assert calls.pop("evalsha") == 10
    calls.pop("config|resetstat", None)
    # acquire: EXISTS, ZCOUNT, ZADD, PEXPIRE (its flight key is new each time),
    # GET and SET of the interactive demand the bulk policy follows;
    # complete: ZREM, ZADD, PTTL, ZREMRANGEBYSCORE.
    assert calls == {
        "get": 5,
        "set": 5,
        "exists": 5,
        "zcount": 5,
        "zadd": 10,
        "pexpire": 5,
        "zrem": 5,
        "pttl": 5,
        "zremrangebyscore": 5,
    }


async def test_ttls_are_rearmed_when_they_run_short(
    make_limiter: Make, client: aioredis.Redis, redis_prefix: str
) -> None:
    """A TTL read as too short is set again, with headroom, so keys outlive windows."""
    limiter = make_limiter("status:=2/1")
    held = await limiter.acquire("ws", ["status"])  # keeps the flight key alive
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    stamps, flight = key(redis_prefix, "stamps"), key(redis_prefix, "flight")
    for name in (stamps, flight):
        assert TTL_MS <= await client.pttl(name) <= TTL_MS * 1.25
        await client.pexpire(name, 5000)  # as if most of the TTL had passed
    limiter._clock.advance(1.5)  # type: ignore[attr-defined]
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    for name in (stamps, flight):
        assert TTL_MS <= await client.pttl(name) <= TTL_MS * 1.25, name
    await held.complete(success=True)


async def test_snapshot_shows_the_newest_reply_of_any_budget_set(
    make_limiter: Make,
) -> None:
    """Replies decoded late are applied oldest first, whatever budgets they named."""
    limiter = make_limiter("status:=100/1;update:=100/1")
    for _ in range(3):
        await limiter.acquire("ws", ["status"])
    await limiter.acquire("ws", ["update", "status"])  # left 4 in flight, 1 update
    await limiter.acquire("ws", ["status"])  # left 5: the newest
    usage = {u.budget: u for u in limiter.snapshot("ws")}
    assert usage["status"].in_flight == 5
    assert usage["update"].in_flight == 1


async def test_fetched_snapshot_supersedes_older_replies(make_limiter: Make) -> None:
    """A snapshot read from Redis is newer than any reply kept before it."""
    limiter, other = make_limiter("status:=100/1"), make_limiter("status:=100/1")
    await limiter.acquire("ws", ["status"])  # left one in flight
    await other.acquire("ws", ["status"])
    fetched = {u.budget: u for u in await limiter.fetch_snapshot("ws")}
    assert fetched["status"].in_flight == 2
    assert {u.budget: u for u in limiter.snapshot("ws")}["status"].in_flight == 2


async def test_a_decoding_client_works_too(make_limiter: Make, redis_url: str) -> None:
    """A caller's client with decode_responses=True gets str replies: same results."""
    conn = aioredis.Redis.from_url(redis_url, decode_responses=True)
    limiter = make_limiter("status:=2/1", redis=conn)
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    await limiter.acquire("ws", ["status"])
    with pytest.raises(RateLimitError, match="cannot admit"):
        await limiter.acquire("ws", ["status"], deadline=limiter._clock.now())
    usage = {u.budget: u for u in limiter.snapshot("ws")}
    assert (usage["status"].used, usage["status"].in_flight) == (1, 1)
    await conn.aclose()


async def refused_at(limiter: RedisLimiter, budgets: list[str]) -> float:
    with pytest.raises(RateLimitError) as info:
        await limiter.acquire("ws", budgets, deadline=limiter._clock.now())
    assert info.value.retry_at is not None
    return info.value.retry_at


async def test_a_later_budget_with_several_windows_binds(make_limiter: Make) -> None:
    """The options of the second budget of a call are read at the right offsets."""
    limiter = make_limiter("update:=100/1;status:=2/1,3/10")
    both = ["update", "status"]
    for _ in range(2):
        await (await limiter.acquire("ws", both)).complete(success=True)
    limiter._clock.advance(1.5)  # type: ignore[attr-defined]
    await (await limiter.acquire("ws", both)).complete(success=True)
    assert await refused_at(limiter, both) == pytest.approx(1010.0)
    await (await limiter.acquire("ws", ["update"])).complete(success=True)


async def test_a_concurrency_cap_holds_in_a_later_budget(make_limiter: Make) -> None:
    """gcg admits one call at a time, also when named after another budget."""
    limiter = make_limiter("status:=5/1;gcg:=10/60")
    first = await limiter.acquire("ws", ["status", "gcg"])
    await limiter.acquire("ws", ["status"])
    await refused_at(limiter, ["status", "gcg"])
    await first.complete(success=True)
    await limiter.acquire("ws", ["status", "gcg"])
    usage = {u.budget: u for u in limiter.snapshot("ws")}
    assert (usage["status"].in_flight, usage["gcg"].in_flight) == (2, 1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_permit_ids_differ_in_a_forked_child() -> None:
    """A forked child draws its own id prefix, so its permits never collide."""
    child = in_forked_child(_ids.next)
    ours = _ids.next()
    assert child[:16] != ours[:16]
    assert ours != _ids.next()


class Proxy:
    """A TCP front for the private Redis that can stop answering (a hung server)."""

    def __init__(self, target: str) -> None:
        self._target = urlparse(target)
        self.frozen = anyio.Event()

    async def serve(self, client: anyio.abc.SocketStream) -> None:
        target = self._target
        upstream: anyio.abc.ByteStream
        if target.scheme == "unix":
            upstream = await anyio.connect_unix(target.path)
        else:
            upstream = await anyio.connect_tcp(target.hostname or "", target.port or 0)
        async with client, upstream, anyio.create_task_group() as tg:
            tg.start_soon(self._pipe, client, upstream)
            tg.start_soon(self._pipe, upstream, client)

    async def _pipe(self, src: anyio.abc.ByteStream, dst: anyio.abc.ByteStream) -> None:
        with anyio.move_on_after(30):
            async for chunk in src:
                if self.frozen.is_set():
                    await anyio.sleep_forever()
                await dst.send(chunk)


@pytest.fixture
async def proxied(redis_url: str) -> AsyncIterator[tuple[str, Proxy]]:
    proxy = Proxy(redis_url)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, proxy.serve)
        yield f"redis://127.0.0.1:{port}/0", proxy
        tg.cancel_scope.cancel()


async def test_a_hang_after_quick_calls_still_fails_on_time(
    proxied: tuple[str, Proxy], redis_prefix: str
) -> None:
    """The shared timer, armed by an earlier call, still times out a later one."""
    url, proxy = proxied
    limiter = RedisLimiter(
        url, key_prefix=redis_prefix, op_timeout_s=0.2, max_outage_wait_s=0
    )
    for _ in range(3):
        await (await limiter.acquire("ws", ["status"])).complete(success=True)
    proxy.frozen.set()
    # Well before redis-py's own 5 s read timeout (redis>=8) could end the calls.
    with anyio.fail_after(3):
        results = []

        async def one() -> None:
            try:
                await limiter.acquire("ws", ["status"])
            except BudgetBackendError as exc:
                results.append(str(exc))

        async with anyio.create_task_group() as tg:
            for _ in range(3):  # concurrent hung calls: each one times out
                tg.start_soon(one)
    assert len(results) == 3
    assert all("unavailable" in r and "nothing was sent" in r for r in results)
    if sys.version_info >= (3, 11):
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0
    await anyio.lowlevel.checkpoint()  # no stray cancellation left behind
    await limiter.aclose()


async def test_an_outer_cancellation_stays_a_cancellation(
    proxied: tuple[str, Proxy], redis_prefix: str
) -> None:
    """A caller's own timeout during a hung call is not turned into a backend error."""
    url, proxy = proxied
    limiter = RedisLimiter(url, key_prefix=redis_prefix, op_timeout_s=0.5)
    await (await limiter.acquire("ws", ["status"])).complete(success=True)
    proxy.frozen.set()
    with anyio.move_on_after(0.1) as scope:
        await limiter.acquire("ws", ["status"])
    assert scope.cancelled_caught
    await limiter.aclose()
