"""Bulk status change end to end against the sandbox: faults, bisection, the ledger."""

from __future__ import annotations

from collections import Counter

from moengage_async import Progress, RetryPolicy
from moengage_async.sandbox import Sandbox

#: The documented status windows scaled down so a few hundred requests take < 1 s.
FAST = "status:=100/0.05,1000/1"
FLAKY = "error_rate=0.1,reset_rate=0.05,jitter=0.002"
RETRY = RetryPolicy(testing=True, max_retries=8)


async def test_five_thousand_pauses_apply_exactly_once_despite_faults() -> None:
    """With 5xx, resets and jitter, every id is paused exactly once per the ledger."""
    async with Sandbox(budgets=FAST, faults=FLAKY, seed=7) as sandbox:
        ids = sandbox.seed_campaigns(5000, delivery_type="PERIODIC")
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            report = await client.bulk_change_status("pause", ids, collect_applied=True)
        pauses = Counter(
            a.campaign_id for a in sandbox.ledger.actions() if a.kind == "PAUSE"
        )
        faults = Counter(r.fault for r in sandbox.ledger.requests("v1.change_status"))
    assert faults["error"] > 0 and faults["reset"] > 0  # the faults did happen
    assert set(pauses.values()) == {1}
    assert sorted(pauses) == sorted(ids)
    assert report.applied_ids is not None
    assert sorted(report.applied_ids) == sorted(pauses)
    assert report.failures == []


async def test_invalid_ids_in_a_batch_fail_alone() -> None:
    """Unknown ids and a wrong-type campaign fail; every valid id is still paused."""
    async with Sandbox(budgets=FAST) as sandbox:
        good = sandbox.seed_campaigns(27, delivery_type="PERIODIC")
        one_time = sandbox.seed_campaigns(1, delivery_type="ONE_TIME")
        bad = ["nope-1", "nope-2", *one_time]
        ids = [*good[:4], bad[0], *good[4:15], bad[1], *good[15:], bad[2]]
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            report = await client.bulk_change_status("PAUSE", ids)
        paused = {a.campaign_id for a in sandbox.ledger.actions() if a.kind == "PAUSE"}
    assert paused == set(good)
    assert sorted(f.campaign_id for f in report.failures) == sorted(bad)
    assert all(f.error.status == 400 for f in report.failures)  # type: ignore[attr-defined]
    assert report.applied == len(good)


async def test_no_request_is_rate_limited_under_the_budget() -> None:
    """The client's budget keeps the sandbox from ever answering 429."""
    async with Sandbox(budgets="status:=10/0.05,30/0.3") as sandbox:
        ids = sandbox.seed_campaigns(400)
        async with sandbox.client(budgets="status:=10/0.05,30/0.3", retry=RETRY) as c:
            report = await c.bulk_change_status("PAUSE", ids)
        statuses = Counter(
            r.status for r in sandbox.ledger.requests("v1.change_status")
        )
    assert statuses == Counter({200: 40})
    assert report.applied == 400


async def test_v5_sends_one_patch_per_id_with_fresh_idempotency_keys() -> None:
    """api_version=5 pauses each campaign with its own PATCH and Idempotency-Key."""
    async with Sandbox(budgets=FAST) as sandbox:
        ids = sandbox.seed_campaigns(12, api=5)
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            report = await client.bulk_change_status("PAUSE", ids, api_version=5)
        keys = sandbox.ledger.idempotency_keys("v5.change_status")
    assert report.applied == 12 and report.requests == 12
    assert len(set(keys)) == 12 and None not in keys


async def test_progress_ends_with_every_id_and_an_eta_of_zero() -> None:
    """Progress reports known totals, a rate and an ETA that reaches zero."""
    seen: list[Progress] = []
    async with Sandbox(budgets=FAST) as sandbox:
        ids = sandbox.seed_campaigns(95)
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            await client.bulk_change_status("PAUSE", ids, progress=seen.append)
    assert seen[-1].done == 95 and seen[-1].total == 95
    assert seen[-1].eta_s == 0.0
    assert all(p.eta_s is not None for p in seen)


async def test_budget_waits_longer_than_the_timeout_do_not_fail_ids() -> None:
    """A bulk job waits for budget slots beyond the call timeout instead of failing."""
    async with Sandbox(budgets="status:=1/0.1") as sandbox:
        ids = sandbox.seed_campaigns(40)
        async with sandbox.client(budgets="status:=1/0.1", timeout=0.05) as client:
            report = await client.bulk_change_status("PAUSE", ids, concurrency=4)
    assert report.failures == []
    assert report.applied == 40
