"""V1 handlers (``/core-services/v1``): bodies are already schema-checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._app import Handler
from ._calls import Call, Refusal, Reply
from ._ledger import Action
from ._state import SandboxState
from ._store import Campaign, TransitionError, transition

__all__ = ["V1_HANDLERS"]


def _object(call: Call) -> dict[str, Any]:
    if not isinstance(call.body, dict):
        raise Refusal(400, "request body must be a JSON object", target="body")
    return call.body


def change_status(state: SandboxState, call: Call) -> Reply:
    """STOP/PAUSE/RESUME 1-10 campaigns; all or nothing (no per-id result exists)."""
    body = _object(call)
    action = body["action"]
    ids = body["campaign_ids"]
    if not 1 <= len(ids) <= 10:
        raise Refusal(400, "campaign_ids must hold 1 to 10 ids", target="campaign_ids")
    campaigns = []
    for campaign_id in ids:
        campaign = state.store.get(campaign_id)
        if campaign is None:
            raise Refusal(
                400, f"Campaign {campaign_id} not found.", target="campaign_ids"
            )
        if campaign.status == "DRAFT":
            raise Refusal(
                400, f"Campaign {campaign_id} is a draft.", target="campaign_ids"
            )
        campaigns.append(campaign)
    if len({c.id for c in campaigns}) != len(campaigns):
        raise Refusal(400, "campaign_ids holds duplicates", target="campaign_ids")
    for target in campaigns:
        _check_transition(target, action)
    for campaign in campaigns:
        before = state.store.apply_status(campaign, action, api=1)
        state.ledger.record_action(
            Action(
                campaign.id,
                action,
                call.op.name,
                call.now,
                call.request_id,
                call.idempotency_key,
                before,
                campaign.status,
            )
        )
    return Reply(200)


def _check_transition(campaign: Campaign, action: str) -> None:
    try:
        transition(campaign, action, api=1)
    except TransitionError as exc:
        raise Refusal(
            400, f"Campaign {campaign.id}: {exc}", target="campaign_ids"
        ) from None


V1_HANDLERS: Mapping[str, Handler] = {
    "v1.change_status": change_status,
}
