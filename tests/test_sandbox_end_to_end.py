"""The client against a faulty sandbox: the ledger proves exactly-once effects."""

from __future__ import annotations

import pytest
from test_sandbox_v1_ops import push_create

from moengage_async import RetryPolicy
from moengage_async.sandbox import Sandbox

RETRY_HARD = RetryPolicy(max_retries=40, testing=True)
UNLIMITED = "status:=100000/1;create_requests:=100000/1;create_success:=100000/1"


@pytest.mark.moengage_sandbox(
    budgets=UNLIMITED,
    faults="error_rate=0.2,reset_rate=0.2,html_rate=0.1,truncate_rate=0.05",
    seed=11,
)
async def test_retried_pauses_apply_exactly_once(moengage_sandbox: Sandbox) -> None:
    """Through 5xx, resets and HTML pages, each campaign is paused exactly once."""
    ids = moengage_sandbox.seed_campaigns(200)
    async with moengage_sandbox.client(retry=RETRY_HARD, budgets=UNLIMITED) as client:
        for start in range(0, 200, 10):
            await client.change_status("PAUSE", ids[start : start + 10])
    ledger = moengage_sandbox.ledger
    assert all([a.kind for a in ledger.actions(cid)] == ["PAUSE"] for cid in ids)
    assert {r.fault for r in ledger.requests()} == {"error", "reset", "html", "none"}


@pytest.mark.moengage_sandbox(budgets=UNLIMITED, faults="lost_reply_rate=0.5", seed=5)
async def test_creates_whose_replies_are_lost_are_not_duplicated(
    moengage_sandbox: Sandbox,
) -> None:
    """Retried creates (same request_id) after lost replies make one campaign each."""
    async with moengage_sandbox.client(retry=RETRY_HARD, budgets=UNLIMITED) as client:
        made = [
            await client.create_campaign(push_create(f"create-{i}")) for i in range(10)
        ]
    ledger = moengage_sandbox.ledger
    assert [a.campaign_id for a in ledger.actions() if a.kind == "create"] == made
    assert "lost_reply" in {r.fault for r in ledger.requests()}
