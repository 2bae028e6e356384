"""The budget backends the contract suite runs against, behind one small interface.

``memory`` is ``MemoryLimiter``; ``redis`` is ``RedisLimiter`` on the private
redis-server of the test session (``conftest.redis_url``), stamping with the
test's fake clock instead of Redis's ``TIME``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from typing import Any

import anyio
import pytest

from moengage_async import Budget, FakeClock, MemoryLimiter, RateLimitError
from moengage_async.budgets._limiter import Limiter, WindowUsage
from moengage_async.budgets._policy import BulkPolicy
from moengage_async.budgets._spec import resolve_budgets

__all__ = ["BACKENDS", "Backend", "refused_at", "until_queued"]

BACKENDS = ("memory", "redis")
_prefixes = itertools.count(1)


class Backend:
    """Builds limiters of one kind on one fake clock, and closes them."""

    def __init__(self, kind: str, clock: FakeClock, redis_url: str | None) -> None:
        self.kind = kind
        self.clock = clock
        self._url = redis_url
        self._made: list[Any] = []

    def make(
        self,
        budgets: str | Mapping[str, Budget],
        *,
        bulk_share: float | None = None,
        bulk_policy: BulkPolicy | None = None,
    ) -> Limiter:
        """A fresh limiter (a fresh key namespace in Redis) on ``self.clock``."""
        table = resolve_budgets(budgets) if isinstance(budgets, str) else budgets
        limiter: Any
        if self.kind == "memory":
            limiter = MemoryLimiter(
                table, clock=self.clock, bulk_share=bulk_share, bulk_policy=bulk_policy
            )
        else:
            from moengage_async.budgets._redis import RedisLimiter

            assert self._url is not None
            limiter = RedisLimiter(
                self._url,
                budgets=dict(table),
                clock=self.clock,
                bulk_share=bulk_share,
                bulk_policy=bulk_policy,
                key_prefix=f"c{os.getpid()}-{next(_prefixes)}",
                use_server_time=False,
                jitter_s=0.0,
            )
        self._made.append(limiter)
        return limiter  # type: ignore[no-any-return]

    async def usage(self, limiter: Limiter, workspace: str = "w") -> list[WindowUsage]:
        """The limiter's snapshot now (read from Redis for ``RedisLimiter``)."""
        fetch = getattr(limiter, "fetch_snapshot", None)
        if fetch is not None:
            return list(await fetch(workspace))
        return limiter.snapshot(workspace)

    async def aclose(self) -> None:
        for limiter in self._made:
            await limiter.aclose()


async def refused_at(
    limiter: Limiter, budgets: tuple[str, ...], now: float, **kw: Any
) -> float:
    """The ``retry_at`` of a call that cannot be admitted at ``now``."""
    with pytest.raises(RateLimitError) as info:
        await limiter.acquire("w", budgets, deadline=now, **kw)
    assert info.value.local
    assert info.value.retry_at is not None
    return info.value.retry_at


async def until_queued(backend: Backend, limiter: Limiter, budget: str, n: int) -> None:
    """Wait (briefly, in real time) until ``n`` callers queue on ``budget``."""
    with anyio.fail_after(5):
        while True:
            rows = await backend.usage(limiter)
            if next(u for u in rows if u.budget == budget).queued >= n:
                return
            await anyio.sleep(0.001)
