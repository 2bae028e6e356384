"""Recipe: arq tasks that defer themselves instead of waiting on the budget.

A worker that awaits a spent budget holds one of its ``max_jobs`` slots doing
nothing. This task asks the budget without waiting
(``client.budgets.try_reserve``); when the answer is no, it raises arq's
``Retry(defer=...)`` with the seconds the answer names, and arq runs it again
then, while the worker's slot serves other jobs. With a ``RedisLimiter`` every
worker on every host shares the one budget of the workspace.

Run a worker with ``arq docs.recipes.arq_worker.WorkerSettings`` (from the
repository root) after setting ``MOENGAGE_WORKSPACE_ID``, ``MOENGAGE_API_KEY``
and ``MOENGAGE_REDIS_URL`` (the same Redis serves arq and the budgets), and
enqueue ``pause_campaigns`` jobs of up to ten ids each.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from arq import Retry
from arq.connections import RedisSettings

from moengage_async import (
    BudgetExhausted,
    MoEngageClient,
    Priority,
    limiter_from_env,
)

OPERATION = "v1.change_status"


async def pause_campaigns(ctx: dict[str, Any], campaign_ids: list[str]) -> int:
    """Pause up to ten campaigns in one request, or defer until a slot is free."""
    client: MoEngageClient = ctx["moengage"]
    try:
        reservation = await client.budgets.try_reserve(
            OPERATION, priority=Priority.BULK
        )
    except BudgetExhausted as exc:
        raise Retry(defer=exc.retry_in_s) from exc
    async with reservation:  # the call below goes out under the reserved slot
        await client.change_status("PAUSE", campaign_ids)
    return len(campaign_ids)


async def startup(ctx: dict[str, Any]) -> None:
    """One client per worker process, on the shared Redis budgets."""
    ctx["moengage"] = MoEngageClient(
        os.environ["MOENGAGE_WORKSPACE_ID"],
        os.environ["MOENGAGE_API_KEY"],
        limiter=limiter_from_env(),
        close_limiter=True,
    )


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["moengage"].aclose()


class WorkerSettings:
    """``arq docs.recipes.arq_worker.WorkerSettings``."""

    functions: ClassVar[list[Any]] = [pause_campaigns]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(
        os.environ.get("MOENGAGE_REDIS_URL", "redis://localhost:6379")
    )
    #: every deferral is a try: leave room for many while the budget is busy
    max_tries = 1000
