"""Coalesced ``pause`` calls against the sandbox: few requests, one outcome each."""

from __future__ import annotations

import anyio

from moengage_async import BadRequestError, MoEngageError, RetryPolicy
from moengage_async.sandbox import Sandbox

FAST = "status:=100/0.05,1000/1"


async def test_thousand_concurrent_pauses_take_about_a_hundred_requests() -> None:
    """1,000 concurrent ``pause`` calls use ~100 requests and all succeed."""
    outcomes: dict[str, MoEngageError | None] = {}
    async with Sandbox(budgets=FAST) as sandbox:
        ids = sandbox.seed_campaigns(1000)
        async with sandbox.client(budgets=FAST) as client:

            async def pause(campaign_id: str) -> None:
                await client.pause(campaign_id)
                outcomes[campaign_id] = None

            async with anyio.create_task_group() as tg:
                for campaign_id in ids:
                    tg.start_soon(pause, campaign_id)
        requests = sandbox.ledger.requests("v1.change_status")
        paused = {a.campaign_id for a in sandbox.ledger.actions() if a.kind == "PAUSE"}
    assert len(requests) <= 105
    assert paused == set(ids) == set(outcomes)


async def test_a_bad_id_fails_only_its_own_caller() -> None:
    """Among concurrent pauses, only the unknown id's caller gets an error."""
    outcomes: dict[str, BaseException | None] = {}
    async with Sandbox(budgets=FAST) as sandbox:
        ids = [*sandbox.seed_campaigns(19), "no-such-campaign"]
        async with sandbox.client(
            budgets=FAST, retry=RetryPolicy(testing=True)
        ) as client:

            async def pause(campaign_id: str) -> None:
                try:
                    await client.pause(campaign_id)
                except MoEngageError as exc:
                    outcomes[campaign_id] = exc
                else:
                    outcomes[campaign_id] = None

            async with anyio.create_task_group() as tg:
                for campaign_id in ids:
                    tg.start_soon(pause, campaign_id)
    failed = {i for i, e in outcomes.items() if e is not None}
    assert failed == {"no-such-campaign"}
    assert isinstance(outcomes["no-such-campaign"], BadRequestError)
    assert len(outcomes) == 20


async def test_resume_and_stop_are_coalesced_too() -> None:
    """``resume`` and ``stop`` change their campaigns, one batch per action."""
    async with Sandbox(budgets=FAST) as sandbox:
        periodic = sandbox.seed_campaigns(3, status="PAUSED")
        one_time = sandbox.seed_campaigns(3, delivery_type="ONE_TIME")
        async with (
            sandbox.client(budgets=FAST) as client,
            anyio.create_task_group() as tg,
        ):
            for campaign_id in periodic:
                tg.start_soon(client.resume, campaign_id)
            for campaign_id in one_time:
                tg.start_soon(client.stop, campaign_id)
        kinds = sorted(a.kind for a in sandbox.ledger.actions())
        requests = sandbox.ledger.requests("v1.change_status")
    assert kinds == ["RESUME"] * 3 + ["STOP"] * 3
    assert len(requests) == 2
