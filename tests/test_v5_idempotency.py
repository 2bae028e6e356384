"""Retries of a V5 POST/PATCH resend the same Idempotency-Key: applied exactly once.

The sandbox records the key of every request that reaches it (even ones it drops),
so these assertions are made on the server's side of the wire.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from moengage_async import Hooks, MoEngageClient, RetryDetails, RetryPolicy
from moengage_async.sandbox import Sandbox
from tests.v5_support import inline_test, publishable_patch, push_draft

Call = Callable[[MoEngageClient, str], Awaitable[Any]]

#: Keyed operations, the ledger's name for them, and what applying them records.
KEYED: dict[str, tuple[str, Call, str | None]] = {
    "create_draft": (
        "v5.create_draft",
        lambda c, _: c.v5.create_draft(push_draft()),
        "create",
    ),
    "update_draft": (
        "v5.update_draft",
        lambda c, cid: c.v5.update_draft(cid, publishable_patch()),
        "update",
    ),
    "publish": ("v5.update_draft", lambda c, cid: c.v5.publish(cid), "publish"),
    "change_status": (
        "v5.change_status",
        lambda c, cid: c.v5.change_status(cid, "STOP"),
        None,
    ),
    "test": ("v5.test", lambda c, _: c.v5.test(inline_test()), None),
    "meta": ("v5.meta", lambda c, _: c.v5.meta(), None),
}

#: One fault for the first attempt: 5xx (not applied), reset (never arrived),
#: and a lost reply (applied, then the connection drops: the hard case).
FIRST_ATTEMPT_FAULTS = ["error_rate=1", "reset_rate=1", "lost_reply_rate=1"]


async def _complete_draft(sandbox: Sandbox) -> str:
    async with sandbox.client() as setup:
        cid = (await setup.v5.create_draft(push_draft())).id
        await setup.v5.update_draft(cid, publishable_patch())
    return cid


@pytest.mark.parametrize("fault", FIRST_ATTEMPT_FAULTS)
@pytest.mark.parametrize("name", list(KEYED))
async def test_a_retry_carries_the_same_key(
    moengage_sandbox: Sandbox, name: str, fault: str
) -> None:
    """The first attempt faults; the retry reaches the server with the same key."""
    op, call, _ = KEYED[name]
    cid = await _complete_draft(moengage_sandbox)
    if name == "change_status":
        (cid,) = moengage_sandbox.seed_campaigns(1, api=5, delivery_type="ONE_TIME")
    before = len(moengage_sandbox.ledger.requests(op))
    moengage_sandbox.set_faults(fault)

    def heal(details: RetryDetails) -> None:
        moengage_sandbox.set_faults(None)

    async with moengage_sandbox.client(
        retry=RetryPolicy(testing=True), hooks=Hooks(on_retry=heal)
    ) as client:
        await call(client, cid)
    keys = moengage_sandbox.ledger.idempotency_keys(op)[before:]
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert keys[0] is not None
    assert uuid.UUID(keys[0]).version == 4


@pytest.mark.parametrize("name", ["create_draft", "update_draft", "publish"])
async def test_a_lost_reply_is_applied_once(
    moengage_sandbox: Sandbox, name: str
) -> None:
    """Applied, reply lost, retried: the sandbox replays; one change in the ledger."""
    _, call, kind = KEYED[name]
    cid = await _complete_draft(moengage_sandbox)
    before = [a.kind for a in moengage_sandbox.ledger.actions()]
    moengage_sandbox.set_faults("lost_reply_rate=1")

    def heal(details: RetryDetails) -> None:
        moengage_sandbox.set_faults(None)

    async with moengage_sandbox.client(
        retry=RetryPolicy(testing=True), hooks=Hooks(on_retry=heal)
    ) as client:
        await call(client, cid)
    after = [a.kind for a in moengage_sandbox.ledger.actions()]
    assert after[len(before) :] == [kind]


@pytest.mark.moengage_sandbox(
    faults="error_rate=0.25,reset_rate=0.15,lost_reply_rate=0.2",
    seed=7,
    budgets="status:=1000/1",
)
async def test_seeded_faults_never_apply_a_status_change_twice(
    moengage_sandbox: Sandbox,
) -> None:
    """Under random 5xx, resets and lost replies: one key per call, one change each."""
    ids = moengage_sandbox.seed_campaigns(20, api=5, delivery_type="PERIODIC")
    async with moengage_sandbox.client(
        retry=RetryPolicy(testing=True, max_retries=20), budgets="status:=1000/1"
    ) as client:
        for cid in ids:
            await client.v5.change_status(cid, "PAUSE")
    records = moengage_sandbox.ledger.requests("v5.change_status")
    assert len(records) > len(ids)  # retries happened
    assert len({r.idempotency_key for r in records}) == len(ids)
    for cid in ids:
        assert [a.kind for a in moengage_sandbox.ledger.actions(cid)] == ["PAUSE"]
