"""Creation rules shared by V1 and V5: request_id reuse and the success quota.

docs/api-notes.md §6: after a *successful* creation the same ``request_id`` must not be
reused for 1 h (Push) or 1 day (Email). The sandbox reads a resend inside that
window as an idempotent replay: 201 with the original campaign, counted against
``create_requests`` (it arrived) but not ``create_success`` (nothing was made).
After a failed creation nothing is remembered, so a retry creates. Past the
window the id is free again and a resend creates a second campaign, a real
duplicate, as MoEngage would.
"""

from __future__ import annotations

from typing import Any

from ._calls import Call, Refusal
from ._ledger import Action
from ._state import CreateRecord, SandboxState
from ._store import Campaign

__all__ = ["create", "replayed_campaign"]

_QUOTA = "create_success"


def replayed_campaign(state: SandboxState, call: Call) -> Campaign | None:
    """The campaign an in-window resend of ``request_id`` refers to, if any."""
    if call.request_id is None:
        return None
    record = state.created.get((call.workspace_id, call.request_id))
    if record is None:
        return None
    window = state.reuse_s.get(record.channel, 3600.0)
    if call.now - record.at >= window:
        return None
    return state.store.get(record.campaign_id)


def create(
    state: SandboxState,
    call: Call,
    *,
    channel: str,
    delivery_type: str,
    status: str,
    api: int,
    created_by: str,
    body: dict[str, Any],
) -> Campaign:
    """Create a campaign if the success quota allows; remember its request_id."""
    workspace = call.workspace_id
    if _QUOTA in state.budgets:
        wait = state.counter.wait(workspace, (_QUOTA,), call.now)
        state.ledger.record_budget(workspace, _QUOTA, call.now, accepted=wait <= 0)
        if wait > 0:
            raise Refusal(429, "rate_limit", retry_after=wait)
        state.counter.record(workspace, (_QUOTA,), call.now)
    campaign = state.new_campaign(
        channel=channel,
        delivery_type=delivery_type,
        status=status,
        api=api,
        created_by=created_by,
        body=body,
    )
    if call.request_id is not None:
        state.created[(workspace, call.request_id)] = CreateRecord(
            campaign.id, call.now, channel
        )
    state.ledger.record_action(
        Action(
            campaign.id,
            "create",
            call.op.name,
            call.now,
            call.request_id,
            call.idempotency_key,
            None,
            campaign.status,
        )
    )
    return campaign
