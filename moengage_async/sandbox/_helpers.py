"""Small pieces every handler uses: body access, lookups, ledger notes."""

from __future__ import annotations

from typing import Any

from ._calls import Call, Refusal
from ._ledger import Action
from ._state import SandboxState
from ._store import Campaign

__all__ = ["body_of", "note", "publish_errors"]


def body_of(call: Call) -> dict[str, Any]:
    """The JSON object body (schema checks already ran; this guards the type)."""
    if not isinstance(call.body, dict):
        raise Refusal(400, "request body must be a JSON object", target="body")
    return call.body


def note(
    state: SandboxState,
    call: Call,
    campaign: Campaign,
    kind: str,
    before: str | None,
    *,
    operation: str | None = None,
) -> None:
    """Append one applied change to the ledger."""
    state.ledger.record_action(
        Action(
            campaign.id,
            kind,
            operation or call.op.name,
            call.now,
            call.request_id,
            call.idempotency_key,
            before,
            campaign.status,
        )
    )


_PUSH_NEEDS = (
    "basic_details",
    "campaign_content",
    "segmentation_details",
    "scheduling_details",
    "delivery_controls",
    "advanced",
)
_EMAIL_NEEDS = (
    "basic_details",
    "connector",
    "campaign_content",
    "segmentation_details",
    "scheduling_details",
)
_NEEDS_TIMEZONE = frozenset({"AT_FIXED_TIME", "SEND_IN_BTS"})


def publish_errors(campaign: Campaign) -> list[dict[str, str]]:
    """What stops a draft from publishing (the ``DRAFT_PUBLISH`` check).

    The components V1 create requires per channel must be present; a schedule
    at a fixed time or in best time needs an IANA ``timezone`` (V5 rule);
    Email needs a ``from_address`` in its content (C17).
    """
    body = campaign.body
    needs = _EMAIL_NEEDS if campaign.channel == "EMAIL" else _PUSH_NEEDS
    errors = [
        {"field": name, "issue": f"{name} is required to publish."}
        for name in needs
        if body.get(name) is None
    ]
    basic = body.get("basic_details") or {}
    if isinstance(basic, dict) and basic and not basic.get("name"):
        errors.append(
            {"field": "basic_details.name", "issue": "A campaign name is required."}
        )
    schedule = body.get("scheduling_details") or {}
    if (
        isinstance(schedule, dict)
        and schedule.get("delivery_type") in _NEEDS_TIMEZONE
        and not schedule.get("timezone")
    ):
        errors.append(
            {
                "field": "scheduling_details.timezone",
                "issue": "timezone is required for AT_FIXED_TIME and SEND_IN_BTS.",
            }
        )
    content = body.get("campaign_content")
    if campaign.channel == "EMAIL" and content and "from_address" not in str(content):
        errors.append(
            {
                "field": "campaign_content.content.email.from_address",
                "issue": "from_address must be set.",
            }
        )
    return errors
