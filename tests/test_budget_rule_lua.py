"""The admission rule exists once: the Lua the Redis scripts run answers exactly as
the Python ``_rule.admission_bound`` does, and both backends decide and report the
same on the same histories (a real redis-server)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
import redis
from budget_backends import Backend
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moengage_async import Budget, FakeClock, Priority, RateLimitError
from moengage_async import Window as W
from moengage_async.budgets._limiter import Limiter, Permit
from moengage_async.budgets._policy import (
    POLICY_LUA,
    BulkPolicy,
    DemandState,
    StaticShare,
    WorkConserving,
    level,
    quiet_at,
    window_reserve,
)
from moengage_async.budgets._redis_scripts import _PRELUDE, _WINDOW
from moengage_async.budgets._rule import RULE_LUA, admission_bound

pytestmark = pytest.mark.redis

_PROBE = (
    _PRELUDE
    + RULE_LUA
    + _WINDOW
    + """
local now, span = tonumber(ARGV[1]), tonumber(ARGV[2])
local cap, limit = tonumber(ARGV[3]), tonumber(ARGV[4])
local flying, ahead = tonumber(ARGV[5]), tonumber(ARGV[6])
local n = window(KEYS[1], now, span)
local at, waits = admission_bound(now, span, cap, limit, n, flying, ahead, expiry_of)
local w = 0
if waits then w = 1 end
return {s(at), w, n}
"""
)


@pytest.fixture
def conn(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@st.composite
def states(draw: st.DrawFn) -> dict[str, Any]:
    span = draw(st.integers(1, 5_000_000))
    limit = draw(st.integers(1, 12))
    now = draw(st.integers(span, 4 * span))
    stamps = draw(st.lists(st.integers(0, now), max_size=20))
    return {
        "now": now,
        "span": span,
        "limit": limit,
        "cap": draw(st.integers(1, limit)),
        "flying": draw(st.integers(0, 8)),
        "ahead": draw(st.integers(0, 8)),
        "stamps": stamps,
    }


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(state=states())
def test_lua_rule_answers_as_the_python_rule(
    state: dict[str, Any], conn: redis.Redis, redis_prefix: str
) -> None:
    """Same stamps, flight, queue and caps: the same bound and the same flag."""
    key = f"{redis_prefix}:probe"
    conn.delete(key)
    if state["stamps"]:
        conn.zadd(key, {f"m{i}": t for i, t in enumerate(state["stamps"])})
    now, span = state["now"], state["span"]
    counted = sorted(t for t in state["stamps"] if t > now - span)
    expected = admission_bound(
        now,
        span,
        state["cap"],
        state["limit"],
        len(counted),
        state["flying"],
        state["ahead"],
        lambda k: counted[k - 1] + span,
    )
    at, waits, n = conn.eval(  # type: ignore[no-untyped-call]
        _PROBE,
        1,
        key,
        now,
        span,
        state["cap"],
        state["limit"],
        state["flying"],
        state["ahead"],
    )
    assert n == len(counted)
    assert (int(at), bool(waits)) == (int(expected[0]), expected[1])


# -- both backends, in lockstep ----------------------------------------------------

TABLE = {
    "a": Budget("a", (W(2, 1.0), W(3, 4.0))),
    "q": Budget("q", (W(2, 2.0),), successes_only=True),
    "g": Budget("g", (W(3, 1.0),), concurrency=1),
}


@dataclass(frozen=True)
class Op:
    kind: str  # "acquire", "complete", "advance"
    names: tuple[str, ...] = ()
    bulk: bool = False
    index: int = 0
    success: bool = True
    seconds: float = 0.0


ops = st.one_of(
    st.builds(
        Op,
        kind=st.just("acquire"),
        names=st.lists(st.sampled_from(sorted(TABLE)), min_size=1, unique=True).map(
            tuple
        ),
        bulk=st.booleans(),
    ),
    st.builds(
        Op,
        kind=st.just("complete"),
        index=st.integers(0, 10),
        success=st.booleans(),
    ),
    st.builds(
        Op, kind=st.just("advance"), seconds=st.integers(1, 12).map(lambda x: x / 8)
    ),
)


async def step(
    limiter: Limiter, held: list[Permit], op: Op, now: float
) -> tuple[str, float]:
    """Apply one operation; what it gave (admitted, or refused until when)."""
    if op.kind == "acquire":
        priority = Priority.BULK if op.bulk else Priority.INTERACTIVE
        try:
            held.append(
                await limiter.acquire("w", op.names, priority=priority, deadline=now)
            )
        except RateLimitError as exc:
            assert exc.retry_at is not None
            return "refused", exc.retry_at
        return "admitted", now
    if op.kind == "complete" and held:
        await held.pop(op.index % len(held)).complete(success=op.success)
    return "done", now


async def lockstep(redis_url: str, plan: list[Op], policy: BulkPolicy) -> None:
    clock = FakeClock(1000.0)
    memory, remote = Backend("memory", clock, None), Backend("redis", clock, redis_url)
    try:
        pair = [memory.make(TABLE, bulk_policy=policy)]
        pair.append(remote.make(TABLE, bulk_policy=policy))
        held: list[list[Permit]] = [[], []]
        for op in plan:
            if op.kind == "advance":
                clock.advance(op.seconds)
                continue
            now = clock.now()
            got = [await step(pair[i], held[i], op, now) for i in (0, 1)]
            assert got[0][0] == got[1][0], (op, got)
            assert got[0][1] == pytest.approx(got[1][1], abs=2e-6), (op, got)
            rows = [
                await b.usage(lim) for b, lim in ((memory, pair[0]), (remote, pair[1]))
            ]
            mine = {(u.budget, u.seconds): u for u in rows[0]}
            theirs = {(u.budget, u.seconds): u for u in rows[1]}
            for key, u in mine.items():
                v = theirs[key]
                assert (u.used, u.in_flight, u.queued) == (
                    v.used,
                    v.in_flight,
                    v.queued,
                )
                assert u.next_free_in == pytest.approx(v.next_free_in, abs=2e-6), key
                assert u.blocked_for == v.blocked_for == 0
                assert u.reserved == v.reserved, key
    finally:
        await memory.aclose()
        await remote.aclose()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(ops, min_size=1, max_size=30),
    policy=st.sampled_from(
        [WorkConserving(floor=1, horizon_s=4.0, demand_s=1.0), StaticShare(0.5)]
    ),
)
def test_both_backends_decide_and_report_alike(
    plan: list[Op], policy: BulkPolicy, redis_url: str
) -> None:
    """The same history gives the same admissions, the same ``retry_at`` and the
    same snapshot (used, in flight, queued, next free, reserved) in memory and in
    Redis, under either bulk policy."""
    anyio.run(lockstep, redis_url, plan, policy)


# -- the bulk policy in Lua ----------------------------------------------------------

_POLICY_PROBE = (
    _PRELUDE
    + POLICY_LUA
    + """
local st = {}
for i = 1, 5 do st[i] = tonumber(ARGV[i]) end
local now, floor = tonumber(ARGV[6]), tonumber(ARGV[7])
local horizon, demand = tonumber(ARGV[8]), tonumber(ARGV[9])
local span = tonumber(ARGV[10])
local lvl = level(st, now, horizon)
return {lvl, window_reserve(lvl, span, floor, demand), s(quiet_at(st, horizon))}
"""
)


@st.composite
def demand_states(draw: st.DrawFn) -> tuple[DemandState, int, int, int, int, int]:
    demand = draw(st.integers(1, 10_000_000))
    horizon = draw(st.integers(1, 60_000_000))
    now = draw(st.integers(0, 10**12))
    last = draw(st.integers(max(0, now - 2 * horizon), now))
    bucket = draw(st.integers(max(0, last // demand - 1), last // demand))
    cur, prev = draw(st.integers(0, 5)), draw(st.integers(0, 5))
    state = (last, bucket, cur, prev, cur + prev + draw(st.integers(0, 5)))
    span = draw(st.integers(1, 100_000_000))
    return state, now, draw(st.integers(0, 3)), horizon, demand, span


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=demand_states())
def test_lua_policy_answers_as_the_python_policy(
    case: tuple[DemandState, int, int, int, int, int], conn: redis.Redis
) -> None:
    """Same demand state and time: the same level, window reserve and end of
    the headroom (times in microseconds on both sides, as the scripts keep them)."""
    state, now, floor, horizon, demand, span = case
    got = conn.eval(  # type: ignore[no-untyped-call]
        _POLICY_PROBE, 0, *state, now, floor, horizon, demand, span
    )
    lvl = level(state, now, horizon, demand)
    held = window_reserve(lvl, span / 1e6, floor, demand / 1e6)
    assert got[:2] == [lvl, held]
    assert int(got[2]) == int(quiet_at(state, horizon))
