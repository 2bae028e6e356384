"""docs/recipes/arq_worker.py: a real arq worker on a real redis-server, against the
sandbox; over-budget tasks defer themselves with the budget's countdown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker, func

from moengage_async import Hooks, RedisLimiter, ThrottleInfo
from moengage_async.sandbox import Sandbox

sys.path.insert(0, str(Path(__file__).parent.parent / "docs" / "recipes"))

from arq_worker import pause_campaigns

pytestmark = [
    pytest.mark.redis,
    # arq's Worker.close() calls redis-py's deprecated close() (arq 0.26 to 0.28).
    pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning"),
]

BUDGET = "status:=5/0.3"


async def test_over_budget_tasks_are_deferred_not_slept(
    redis_url: str, redis_prefix: str
) -> None:
    """20 tasks of ten ids under 5 requests per 0.3 s: tasks are deferred with the
    budget's countdown, all complete, the sandbox never answers 429, and no call
    ever waited on the budget inside the worker."""
    throttled: list[ThrottleInfo] = []
    settings = RedisSettings.from_dsn(redis_url)
    queue = f"{redis_prefix}:arq"
    async with Sandbox(budgets=BUDGET) as sandbox:
        ids = sandbox.seed_campaigns(200)
        limiter = RedisLimiter(redis_url, budgets=BUDGET, key_prefix=redis_prefix)
        async with sandbox.client(
            limiter=limiter,
            close_limiter=True,
            hooks=Hooks(on_throttle=throttled.append),
        ) as client:
            pool = await create_pool(settings, default_queue_name=queue)
            jobs = [
                await pool.enqueue_job("pause_campaigns", ids[i : i + 10])
                for i in range(0, 200, 10)
            ]
            worker = Worker(
                functions=[func(pause_campaigns, name="pause_campaigns")],
                redis_settings=settings,
                queue_name=queue,
                burst=True,
                poll_delay=0.01,
                max_jobs=10,
                max_tries=1000,
                handle_signals=False,
                ctx={"moengage": client},
            )
            try:
                await worker.main()
            finally:
                await worker.close()
            results = [await job.result_info() for job in jobs if job is not None]
            await pool.aclose()
        requests = sandbox.ledger.requests("v1.change_status")
        paused = {a.campaign_id for a in sandbox.ledger.actions() if a.kind == "PAUSE"}
    assert len(results) == 20
    assert all(r is not None and r.success and r.result == 10 for r in results)
    assert any(r is not None and r.job_try > 1 for r in results)  # deferred
    assert worker.jobs_retried > 0
    assert paused == set(ids)
    assert sum(1 for r in requests if r.status == 429) == 0
    assert len(requests) == 20
    assert throttled == []  # nothing ever waited on the budget
