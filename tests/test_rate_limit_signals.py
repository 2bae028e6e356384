"""MoEngage's x-ratelimit-* headers on the client side, against the sandbox.

Foreign usage (``Sandbox.foreign_usage``) lowers ``remaining``; the client's
ledger, in memory or on Redis, tightens to it. Every test runs real HTTP on
127.0.0.1 and a FakeClock shared by the sandbox and the client.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest

from moengage_async import (
    FakeClock,
    MemoryLimiter,
    MonotonicClock,
    RateLimitError,
    RetryPolicy,
)
from moengage_async.sandbox import Faults, Sandbox

NO_RETRY = RetryPolicy(max_retries=0)
Backend = Callable[..., Any]


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest, fake_clock: FakeClock) -> Backend:
    """Build a limiter on ``fake_clock``: in memory, or on the test's Redis."""
    if request.param == "memory":

        def memory(budgets: str, **kw: Any) -> MemoryLimiter:
            from moengage_async.budgets import resolve_budgets

            kw.setdefault("clock", fake_clock)
            return MemoryLimiter(resolve_budgets(budgets), **kw)

        return memory
    request.applymarker(pytest.mark.redis)
    make_limiter = request.getfixturevalue("make_limiter")
    return make_limiter  # type: ignore[no-any-return]


@pytest.fixture
async def autojump(fake_clock: FakeClock) -> AsyncIterator[FakeClock]:
    async with anyio.create_task_group() as tg:
        tg.start_soon(fake_clock.autojump)
        yield fake_clock
        tg.cancel_scope.cancel()


async def _burst(client: Any, ids: list[str]) -> list[str]:
    """Pause every id with its own call, all at once; the errors raised."""
    errors: list[str] = []

    async def one(campaign_id: str) -> None:
        try:
            await client.change_status("PAUSE", [campaign_id])
        except RateLimitError as exc:
            errors.append(repr(exc))

    async with anyio.create_task_group() as tg:
        for campaign_id in ids:
            tg.start_soon(one, campaign_id)
    return errors


@pytest.mark.parametrize("headers", [True, False])
async def test_foreign_usage_tightens_the_ledger_and_the_burst_draws_no_429(
    backend: Backend, headers: bool
) -> None:
    """5 of 10 slots spent outside the client: one answer's ``remaining`` tells
    the ledger, and of a burst of 9 the 4 that fit are sent, the rest refused
    before sending: no 429. Without the headers (the control) the burst draws
    five 429s."""
    budgets = "status:=10/60"
    sandbox = Sandbox(budgets=budgets, rate_limit_headers=headers)
    limiter = backend(budgets, clock=MonotonicClock())
    async with sandbox:
        ids = sandbox.seed_campaigns(10)
        sandbox.foreign_usage("status", 5)
        async with sandbox.client(
            limiter=limiter, retry=NO_RETRY, timeout=5.0
        ) as client:
            await client.change_status("PAUSE", [ids[0]])
            errors = await _burst(client, ids[1:])
    rejected = sandbox.ledger.budget("status").rejected
    accepted = sandbox.ledger.budget("status").accepted
    if headers:
        assert (len(accepted), rejected) == (1 + 4, [])
        assert len(errors) == 5 and all("deadline" in e for e in errors)
    else:
        assert (len(accepted), len(rejected)) == (5, 5)
        assert len(errors) == 5 and not any("deadline" in e for e in errors)


async def test_the_tightening_is_seen_by_every_limiter_on_the_redis(
    make_limiter: Backend, fake_clock: FakeClock
) -> None:
    """One process reads ``remaining``; another, sharing the Redis, finds the
    window full without having sent anything."""
    budgets = "status:=10/60"
    ours, other = make_limiter(budgets), make_limiter(budgets)
    async with Sandbox(budgets=budgets, clock=fake_clock) as sandbox:
        ids = sandbox.seed_campaigns(1)
        sandbox.foreign_usage("status", 9)
        async with sandbox.client(
            clock=fake_clock, limiter=ours, retry=NO_RETRY, timeout=None
        ) as client:
            await client.change_status("PAUSE", ids)
        workspace = sandbox.workspace_id
    with pytest.raises(RateLimitError) as refused:
        await other.acquire(workspace, ["status"], deadline=fake_clock.now() + 1.0)
    assert refused.value.local
    rows = await other.fetch_snapshot(workspace)
    assert [r.used for r in rows if r.budget == "status"] == [10]


async def test_observe_counts_only_what_the_ledger_did_not_see(
    backend: Backend, fake_clock: FakeClock
) -> None:
    """``observe`` adds ``limit - counted - remaining`` once; a second look at
    the same numbers adds nothing."""
    limiter = backend("status:=10/1,100/60")
    permit = await limiter.acquire("ws", ["status"])
    await permit.complete(success=True)
    first = await limiter.observe("ws", ("status",), 10, 5, 0.4)
    again = await limiter.observe("ws", ("status",), 10, 5, 0.4)
    assert (first.budget, first.seconds, first.added) == ("status", 1.0, 4)
    assert again.added == 0
    # the 60 s window describes itself by its limit and its reset
    hour = await limiter.observe("ws", ("status",), 100, 80, 30.0)
    assert (hour.seconds, hour.added) == (60.0, 100 - 5 - 80)


async def test_a_raised_limit_is_logged_once_and_shown_in_the_snapshot(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    """The server allows 20/60, the client is configured for 10/60: logged once,
    visible as ``server_limit``, and the limit in force stays 10 (the 11th call
    is refused before sending)."""
    limiter = backend("status:=10/60", clock=MonotonicClock())
    caplog.set_level(logging.WARNING, "moengage_async")
    async with Sandbox(budgets="status:=20/60") as sandbox:
        ids = sandbox.seed_campaigns(11)
        async with sandbox.client(
            limiter=limiter, retry=NO_RETRY, timeout=5.0
        ) as client:
            for campaign_id in ids[:10]:
                await client.change_status("PAUSE", [campaign_id])
            with pytest.raises(RateLimitError) as refused:
                await client.change_status("PAUSE", [ids[10]])
            rows = [r for r in client.budgets.snapshot() if r.budget == "status"]
    assert refused.value.local
    assert [(r.limit, r.server_limit) for r in rows] == [(10, 20)]
    reports = [r for r in caplog.records if "reports a limit of 20" in r.getMessage()]
    assert len(reports) == 1


async def test_learn_limits_adopts_a_raised_limit(backend: Backend) -> None:
    """With ``learn_limits=True`` the 20/60 the server reports is used at once:
    18 calls go out without waiting, none refused."""
    limiter = backend("status:=10/60", clock=MonotonicClock(), learn_limits=True)
    async with Sandbox(budgets="status:=20/60") as sandbox:
        ids = sandbox.seed_campaigns(18)
        async with sandbox.client(
            limiter=limiter, retry=NO_RETRY, timeout=5.0
        ) as client:
            for campaign_id in ids:
                await client.change_status("PAUSE", [campaign_id])
            rows = [r for r in client.budgets.snapshot() if r.budget == "status"]
    assert [(r.limit, r.server_limit) for r in rows] == [(20, 20)]
    assert len(sandbox.ledger.budget("status").accepted) == 18


async def test_a_lower_limit_is_adopted_at_once(backend: Backend) -> None:
    """The server allows 5/60, the client thinks 10/60: from the first answer the
    limit in force is 5; of a burst of 8, the 4 that fit are sent, no 429."""
    limiter = backend("status:=10/60", clock=MonotonicClock())
    async with Sandbox(budgets="status:=5/60") as sandbox:
        ids = sandbox.seed_campaigns(9)
        async with sandbox.client(
            limiter=limiter, retry=NO_RETRY, timeout=5.0
        ) as client:
            await client.change_status("PAUSE", [ids[0]])
            errors = await _burst(client, ids[1:])
            rows = [r for r in client.budgets.snapshot() if r.budget == "status"]
    assert len(errors) == 4
    assert sandbox.ledger.budget("status").rejected == []
    assert [(r.limit, r.server_limit) for r in rows] == [(5, 5)]


@pytest.mark.parametrize("form", ["seconds", "epoch"])
async def test_a_429_without_retry_after_waits_for_reset(
    autojump: FakeClock, form: str
) -> None:
    """V1's 429 has no Retry-After: ``x-ratelimit-reset`` (either form) blocks
    the budget until the server's window frees, beyond the client's own 1 s."""
    clock = autojump
    started = clock.now()
    sandbox = Sandbox(budgets="search:=2/60", clock=clock, rate_limit_reset=form)
    async with sandbox:
        sandbox.foreign_usage("search", 2)
        async with sandbox.client(
            clock=clock,
            budgets="search:=10/1",
            retry=RetryPolicy(max_retries=1),
            timeout=None,
        ) as client:
            await client.search_campaigns({"limit": 1, "page": 1})
    record = sandbox.ledger.budget("search")
    assert record.rejected == [started]
    (accepted,) = record.accepted
    # The server's window frees at 60 s; the epoch form is whole seconds of wall
    # time, rounded up, read a moment after the sandbox wrote it.
    assert 59.0 <= accepted - started <= 61.5


@pytest.mark.parametrize("form", ["seconds", "epoch"])
async def test_a_reset_beyond_max_retry_after_is_capped_and_logged(
    autojump: FakeClock, form: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An hour-long reset holds the budget only ``max_retry_after_s`` (120 s)."""
    clock = autojump
    caplog.set_level(logging.WARNING, "moengage_async")
    started = clock.now()
    sandbox = Sandbox(budgets="search:=1/3600", clock=clock, rate_limit_reset=form)
    policy = RetryPolicy(max_retries=1, max_retry_after_s=120.0)
    async with sandbox:
        sandbox.foreign_usage("search", 1)
        async with sandbox.client(
            clock=clock, budgets="search:=10/1", retry=policy, timeout=None
        ) as client:
            with pytest.raises(RateLimitError):
                await client.search_campaigns({"limit": 1, "page": 1})
    rejected = sandbox.ledger.budget("search").rejected
    assert [t - started for t in rejected] == pytest.approx([0.0, 120.0])
    assert any("is beyond 120s" in r.getMessage() for r in caplog.records)


async def test_the_data_api_429_is_a_rate_limit_error_that_tightens(
    autojump: FakeClock,
) -> None:
    """The Data API's ``status: fail`` 429 is a ``RateLimitError`` named by its
    type, and its headers still reach the ledger."""
    clock = autojump
    sandbox = Sandbox(budgets="search:=1/60", clock=clock, rate_limit_body="data_api")
    async with sandbox:
        sandbox.foreign_usage("search", 1)
        async with sandbox.client(
            clock=clock, budgets="search:=1/60", retry=NO_RETRY, timeout=None
        ) as client:
            with pytest.raises(RateLimitError) as info:
                await client.search_campaigns({"limit": 1, "page": 1})
            (row,) = [r for r in client.budgets.snapshot() if r.budget == "search"]
    assert info.value.status == 429
    assert info.value.code == "Rate Limits Exceeded"
    assert row.blocked_for > 50.0  # reset (60 s) held the budget, no Retry-After


async def _saturated_run(clock: FakeClock, headers: bool) -> float:
    """300 status calls at once through 10/1 and 100/60, with uplink jitter:
    the fake seconds it takes, after checking it drew no 429."""
    budgets = "status:=10/1,100/60"
    sandbox = Sandbox(
        budgets=budgets,
        clock=clock,
        rate_limit_headers=headers,
        faults=Faults(jitter=0.05),
        seed=5,
    )
    async with sandbox:
        ids = sandbox.seed_campaigns(300)
        started = clock.now()
        async with sandbox.client(clock=clock, retry=NO_RETRY, timeout=None) as client:
            assert await _burst(client, ids) == []
    assert sandbox.ledger.budget("status").rejected == []
    return clock.now() - started


async def test_answers_read_late_are_not_taken_for_unseen_usage(
    autojump: FakeClock,
) -> None:
    """A saturated run with headers takes as long as without: usage that left
    the ledger's window after the server counted it (the answer was read later)
    is not counted again as phantom usage."""
    with_headers = await _saturated_run(autojump, True)
    without = await _saturated_run(autojump, False)
    assert with_headers == pytest.approx(without, rel=0.01)


def test_reset_is_seconds_or_a_unix_time() -> None:
    """Above 10**9 a reset is a Unix time; below, seconds; junk is ``None``."""
    from moengage_async.api._signals import reset_seconds

    assert reset_seconds("12") == 12.0
    assert reset_seconds("0.250") == 0.25
    assert reset_seconds("1765000030", now_wall=1765000000.0) == 30.0
    assert reset_seconds("1765000000", now_wall=1765000100.0) == 0.0  # passed
    assert [reset_seconds(v) for v in (None, "soon", "-3", "nan")] == [None] * 4


def test_which_window_a_header_describes() -> None:
    """Equal limit wins (the longest of equals); a reset rules out shorter
    windows; an unknown limit goes to the nearest by ratio."""
    from moengage_async.budgets import DEFAULT_BUDGETS
    from moengage_async.budgets._signals import ServerLimits, match_window

    limits = ServerLimits(DEFAULT_BUDGETS, learn=False)
    create = limits.candidates("ws", ("create_requests", "create_success"))
    status = limits.candidates("ws", ("status",))

    def pick(candidates: Any, limit: int, reset: float) -> tuple[str, float]:
        found = match_window(candidates, limit, reset)
        assert found is not None
        return found.budget, found.seconds

    assert pick(create, 5, 0.5) == ("create_success", 60.0)  # 5/1 and 5/60
    assert pick(create, 25, 30.0) == ("create_success", 3600.0)  # 25/60, 25/3600
    assert pick(status, 10, 0.3) == ("status", 1.0)
    assert pick(status, 200, 0.3) == ("status", 60.0)  # nearest 100/60
    assert pick(status, 20, 30.0) == ("status", 60.0)  # 10/1 too short for 30 s
    assert pick(status, 10, 99999.0) == ("status", 1.0)  # none that long: all
