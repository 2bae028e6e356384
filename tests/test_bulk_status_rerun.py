"""Bulk status jobs that can be rerun: journals, duplicates, "already", lost replies.

Every test runs against the sandbox; its ledger is the oracle of what MoEngage
applied, so each reported outcome is checked against what really happened.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import anyio
import pytest

from moengage_async import (
    RetryPolicy,
    StatusOutcome,
    StatusResult,
)
from moengage_async.sandbox import Sandbox

#: The documented status windows scaled down so a few hundred requests take < 1 s.
FAST = "status:=100/0.05,1000/1"
RETRY = RetryPolicy(testing=True, max_retries=8)


def paused_in_ledger(sandbox: Sandbox) -> Counter[str]:
    return Counter(a.campaign_id for a in sandbox.ledger.actions() if a.kind == "PAUSE")


async def test_a_rerun_with_the_journal_finishes_the_rest_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    """Interrupted after some ids, a rerun with the same journal sends only the rest
    (at most remaining / 10 + 2 requests) and every id is paused exactly once."""
    journal = tmp_path / "status.sqlite"
    async with Sandbox(budgets=FAST) as sandbox:
        ids = sandbox.seed_campaigns(600, delivery_type="PERIODIC")
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            seen = 0
            with anyio.CancelScope() as scope:

                def stop_after_some(result: StatusResult) -> None:
                    nonlocal seen
                    seen += 1
                    if seen >= 360:
                        scope.cancel()  # as Ctrl-C would, mid-job

                await client.bulk_change_status(
                    "pause", ids, journal=journal, on_result=stop_after_some
                )
            assert scope.cancelled_caught
            outcomes: Counter[StatusOutcome] = Counter()
            report = await client.bulk_change_status(
                "pause",
                ids,
                journal=journal,
                on_result=lambda r: outcomes.update([r.outcome]),
            )
        pauses = paused_in_ledger(sandbox)
    # What the first run left without an outcome (its in-flight batches included:
    # cancelled mid-request, they may or may not have been applied).
    remaining = len(ids) - report.resumed
    assert 0 < remaining < len(ids) - 300
    assert report.requests <= math.ceil(remaining / 10) + 2
    assert sorted(pauses) == sorted(ids) and set(pauses.values()) == {1}
    assert report.failures == [] and report.unknown == []
    assert report.total == len(ids) and sum(outcomes.values()) == len(ids)
    assert report.resumed >= 360
    assert report.applied + report.already == len(ids)


async def test_duplicate_ids_are_sent_once_and_counted() -> None:
    """1,020 ids holding 20 repeats take 102 requests; each campaign paused once."""
    async with Sandbox(budgets=FAST) as sandbox:
        ids = sandbox.seed_campaigns(1000, delivery_type="PERIODIC")
        with_repeats = [*ids[:500], *ids[:20], *ids[500:]]
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            report = await client.bulk_change_status("pause", with_repeats)
        pauses = paused_in_ledger(sandbox)
    assert (report.requests, report.duplicates, report.applied) == (100, 20, 1000)
    assert set(pauses.values()) == {1} and len(pauses) == 1000
    assert report.failures == []


async def test_the_same_id_twice_in_one_call_is_applied_once() -> None:
    """``["d1", "d1"]`` pauses d1 once and reports one duplicate."""
    async with Sandbox(budgets=FAST) as sandbox:
        (d1,) = sandbox.seed_campaigns(1, delivery_type="PERIODIC")
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            report = await client.bulk_change_status("pause", [d1, d1])
        pauses = paused_in_ledger(sandbox)
    assert pauses == Counter({d1: 1})
    assert (report.applied, report.duplicates, report.total) == (1, 1, 1)


async def test_campaigns_already_in_the_state_count_as_already_not_failed() -> None:
    """Already-paused campaigns are "already"; the rest of their batch is resent
    without them: one extra request per refused batch, no bisection."""
    async with Sandbox(budgets=FAST) as sandbox:
        ids = sandbox.seed_campaigns(100, delivery_type="PERIODIC")
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            first = await client.bulk_change_status("pause", ids[::3])
            results: list[StatusResult] = []
            report = await client.bulk_change_status(
                "pause", ids, on_result=results.append
            )
        pauses = paused_in_ledger(sandbox)
    already = {r.campaign_id for r in results if r.outcome is StatusOutcome.ALREADY}
    assert first.applied == 34
    assert already == set(ids[::3])
    assert (report.applied, report.already, report.failed) == (66, 34, 0)
    assert report.requests == 10 + 10  # every batch held a paused one: 1 resend each
    assert set(pauses.values()) == {1} and len(pauses) == 100
    assert report.ok


async def test_a_refusal_naming_a_bad_id_costs_one_resend() -> None:
    """A batch with an unknown id fails that id alone with one extra request."""
    async with Sandbox(budgets=FAST) as sandbox:
        ids = sandbox.seed_campaigns(9, delivery_type="PERIODIC")
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            report = await client.bulk_change_status("pause", [*ids, "nope"])
    assert (report.applied, report.failed, report.requests) == (9, 1, 2)
    assert report.failures[0].campaign_id == "nope"


@pytest.mark.parametrize("api_version", [1, 5])
async def test_lost_replies_end_every_id_correct_or_unknown(api_version: int) -> None:
    """With replies lost after MoEngage applied a change, no id is reported failed;
    each id reported applied was applied by this job, and none was applied twice."""
    faults = "lost_reply_rate=0.05,jitter=0.002"
    async with Sandbox(budgets=FAST, faults=faults, seed=11) as sandbox:
        ids = sandbox.seed_campaigns(400, delivery_type="PERIODIC", api=api_version)
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            results: list[StatusResult] = []
            report = await client.bulk_change_status(
                "pause", ids, api_version=api_version, on_result=results.append
            )
        pauses = paused_in_ledger(sandbox)
        lost = Counter(r.fault for r in sandbox.ledger.requests())["lost_reply"]
    assert lost > 0  # the fault did happen
    assert report.failures == []
    assert set(pauses.values()) == {1} and sorted(pauses) == sorted(ids)
    assert len({r.campaign_id for r in results}) == len(ids) == len(results)
    # The ledger says this job paused every campaign once. So "applied" is right;
    # "already" is right only when a lost reply hid that an earlier attempt of the
    # same request did it; "unknown" is always allowed.
    for result in results:
        assert result.outcome is not StatusOutcome.FAILED
        if result.outcome is StatusOutcome.ALREADY:
            assert result.error is not None
            assert result.error.unanswered_attempts > 0, result
    hidden = [r for r in results if r.outcome is not StatusOutcome.APPLIED]
    if api_version == 1:
        assert hidden  # a V1 retry after a lost reply finds the campaign paused
    else:
        assert hidden == []  # V5 replays the original answer for the same key


async def test_an_invalid_id_fails_alone_and_its_batch_still_goes() -> None:
    """An id the argument check refuses (a line break) fails unsent; the other nine
    of its batch are paused in one request."""
    async with Sandbox(budgets=FAST) as sandbox:
        ids = sandbox.seed_campaigns(9, delivery_type="PERIODIC")
        async with sandbox.client(budgets=FAST, retry=RETRY) as client:
            report = await client.bulk_change_status(
                "pause", [*ids[:4], "c\n1", *ids[4:]]
            )
        pauses = paused_in_ledger(sandbox)
    assert (report.applied, report.failed, report.requests) == (9, 1, 1)
    assert report.failures[0].campaign_id == "c\n1"
    assert sorted(pauses) == sorted(ids)
