"""MoEngageClient on a RedisLimiter, against the sandbox."""

from __future__ import annotations

import pytest

from moengage_async import (
    Priority,
    RateLimitError,
    RedisLimiter,
    RetryPolicy,
    UnlimitedLimiter,
)
from moengage_async.sandbox import Sandbox

pytestmark = pytest.mark.redis


async def test_unexpected_429_makes_the_whole_fleet_back_off(
    redis_url: str, redis_prefix: str
) -> None:
    """A 429 caused by spending outside the ledger is recorded for every process.

    Without the x-ratelimit headers, which would have warned the ledger before
    the 429 (tests/test_rate_limit_signals.py).
    """
    async with Sandbox(budgets="status:=2/30", rate_limit_headers=False) as sandbox:
        ids = sandbox.seed_campaigns(3, status="ACTIVE")
        async with sandbox.client(limiter=UnlimitedLimiter()) as outsider:
            await outsider.change_status("PAUSE", [ids[0]])
        # The fleet believes in 3 calls; the server allows 2 (one spent outside).
        ours = RedisLimiter(redis_url, budgets="status:=3/30", key_prefix=redis_prefix)
        other = RedisLimiter(redis_url, budgets="status:=3/30", key_prefix=redis_prefix)
        async with sandbox.client(
            limiter=ours, retry=RetryPolicy(max_retries=0)
        ) as client:
            await client.change_status("PAUSE", [ids[1]])
            with pytest.raises(RateLimitError) as info:
                await client.change_status("PAUSE", [ids[2]])
        assert not info.value.local  # V1 429s carry no Retry-After: no gate
        # Our two calls plus a phantom for the outsider's: the ledger is full.
        with pytest.raises(RateLimitError) as refused:
            await other.acquire(sandbox.workspace_id, ["status"], deadline=0.0)
        assert refused.value.local
        await ours.aclose()
        await other.aclose()


async def test_plans_use_the_redis_limiters_budgets(
    redis_url: str, redis_prefix: str
) -> None:
    """A client on a ``RedisLimiter`` plans against that limiter's budgets (its
    public ``budgets``), not the documented table."""
    limiter = RedisLimiter(redis_url, budgets="status:=5/60", key_prefix=redis_prefix)
    async with (
        Sandbox() as sandbox,
        sandbox.client(limiter=limiter, close_limiter=True) as client,
    ):
        assert client.budgets_in_use()["status"].windows[0].limit == 5
        plan = client.plan_status_change(100, priority=Priority.INTERACTIVE)
    # 10 requests, 5 per minute: the last goes out after one minute.
    assert plan.requests == 10
    assert plan.earliest_finish_s == pytest.approx(60.0)
