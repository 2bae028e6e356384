"""V1 handlers (``/core-services/v1``); bodies are schema-checked before these run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._app import Handler
from ._calls import Call, Refusal, Reply
from ._creation import create, replayed_campaign
from ._helpers import body_of, note
from ._schemas import component_error
from ._search import page, select
from ._state import SandboxState
from ._store import Campaign, TransitionError, published_status, transition
from ._views import COMPONENTS, details_v1, meta_v1

__all__ = ["V1_HANDLERS"]

#: Components an ACTIVE campaign may no longer change (docs/api-notes.md §7).
_FROZEN_WHEN_ACTIVE = (
    "trigger_condition",
    "segmentation_details",
    "conversion_goal_details",
)
_MAX_TEST = 10


def create_campaign(state: SandboxState, call: Call) -> Reply:
    """Create a live Push/Email campaign: 201 ``{"campaign_id"}``."""
    body = body_of(call)
    earlier = replayed_campaign(state, call)
    if earlier is not None:
        return Reply(201, {"campaign_id": earlier.id})
    campaign = create(
        state,
        call,
        channel=body["channel"],
        delivery_type=body["campaign_delivery_type"],
        status=published_status(body["campaign_delivery_type"]),
        api=1,
        created_by=body["created_by"],
        body={k: body[k] for k in COMPONENTS if k in body},
    )
    return Reply(201, {"campaign_id": campaign.id})


def _campaign(state: SandboxState, campaign_id: str, target: str) -> Campaign:
    campaign = state.store.get(campaign_id)
    if campaign is None:
        raise Refusal(400, f"Campaign {campaign_id} not found.", target=target)
    return campaign


def update_campaign(state: SandboxState, call: Call) -> Reply:
    """Replace the components sent; 204. STOPPED/ARCHIVED campaigns are frozen."""
    body = body_of(call)
    campaign = _campaign(state, call.path_params["campaign_id"], "campaign_id")
    channel = body.get("channel", campaign.channel)
    if channel != campaign.channel:
        raise Refusal(400, f"channel must stay {campaign.channel}", target="channel")
    schema = (
        "PushCampaignUpdateRequest"
        if channel == "PUSH"
        else ("EmailCampaignUpdateRequest")
    )
    if state.validate:
        error = component_error(1, schema, body)
        if error is not None:
            raise Refusal(400, error.message, target=error.field)
    if campaign.status in ("STOPPED", "ARCHIVED", "SENT"):
        raise Refusal(
            400,
            f"A {campaign.status} campaign cannot be updated.",
            target="campaign_id",
        )
    if campaign.status == "ACTIVE":
        for name in _FROZEN_WHEN_ACTIVE:
            if name in body:
                raise Refusal(
                    400, f"{name} cannot change on an ACTIVE campaign.", target=name
                )
    for name in COMPONENTS:
        if name in body:
            campaign.body[name] = body[name]
    campaign.updated_by = body["updated_by"]
    note(state, call, campaign, "update", campaign.status)
    return Reply(204)


def search_campaigns(state: SandboxState, call: Call) -> Reply:
    """A bare array of ``CampaignDetailsResponse`` rows, one page of them."""
    body = body_of(call)
    rows = page(select(state.store, body, v5=False), body)
    return Reply(200, [details_v1(c) for c in rows])


def _test_results(values: list[str], ok: str) -> dict[str, Any]:
    return {value: {"status": ok} for value in values}


def test_campaign(state: SandboxState, call: Call) -> Reply:
    """Send a test to at most 10 recipients; a result per identifier value."""
    body = body_of(call)
    values = body["test_campaign_meta"]["identifier_values"]
    if not 1 <= len(values) <= _MAX_TEST:
        raise Refusal(
            400,
            f"identifier_values must hold 1 to {_MAX_TEST} values",
            target="test_campaign_meta.identifier_values",
        )
    return Reply(
        200,
        {
            "data": _test_results(values, "success"),
            "message": "Test campaign sent successfully.",
        },
    )


def personalized_preview(state: SandboxState, call: Call) -> Reply:
    """Render (echo) the payload for one user: ``{"personalized_content"}``."""
    body = body_of(call)
    content = body["personalization_content"]
    details = body["personalization_details"]
    user = body.get("user_details")
    if (
        isinstance(user, dict)
        and len([k for k in ("identifier", "identifier_value") if k in user]) == 1
    ):
        raise Refusal(
            400,
            "user_details needs both identifier and identifier_value",
            target="user_details",
        )
    if details.get("event_attributes") and not details.get("event_name"):
        raise Refusal(
            400,
            "event_name key is mandatory field when event attributes are used",
            target="personalization_details.event_name",
        )
    has_payload = "payload" in content
    if has_payload == ("custom_template_data" in content):
        raise Refusal(
            400,
            "personalization_content needs payload or custom_template_data",
            target="personalization_content",
        )
    if has_payload:
        payload = content["payload"]  # may be empty: {} is still a payload
    else:
        payload = {
            "template_id": content["custom_template_data"].get("template_id", "")
        }
    return Reply(200, {"personalized_content": {"payload": payload}})


def campaign_meta(state: SandboxState, call: Call) -> Reply:
    """A bare array of meta rows, one page of them."""
    body = body_of(call)
    rows = page(select(state.store, body, v5=False, meta=True), body)
    return Reply(200, [meta_v1(c) for c in rows])


def change_status(state: SandboxState, call: Call) -> Reply:
    """STOP/PAUSE/RESUME 1-10 campaigns; all or nothing (no per-id result exists).

    A refusal names every campaign that cannot take the action, one ``details``
    entry each (``target`` is the campaign id), so a client can resend the rest.
    """
    body = body_of(call)
    action = body["action"]
    ids = body["campaign_ids"]
    if not 1 <= len(ids) <= 10:
        raise Refusal(400, "campaign_ids must hold 1 to 10 ids", target="campaign_ids")
    if len(set(ids)) != len(ids):
        raise Refusal(400, "campaign_ids holds duplicates", target="campaign_ids")
    campaigns = []
    problems: list[tuple[str, str]] = []
    for campaign_id in ids:
        campaign = state.store.get(campaign_id)
        if campaign is None:
            problems.append((campaign_id, f"Campaign {campaign_id} not found."))
        elif campaign.status == "DRAFT":
            problems.append((campaign_id, f"Campaign {campaign_id} is a draft."))
        else:
            try:
                transition(campaign, action, api=1)
            except TransitionError as exc:
                problems.append((campaign_id, f"Campaign {campaign_id}: {exc}"))
            campaigns.append(campaign)
    if problems:
        first = problems[0][1]
        message = (
            first if len(problems) == 1 else f"{first} (+{len(problems) - 1} more)"
        )
        raise Refusal(400, message, target="campaign_ids", details=problems)
    for campaign in campaigns:
        before = state.store.apply_status(campaign, action, api=1)
        note(state, call, campaign, action, before)
    return Reply(200)


_WITH_CHILDREN = frozenset({"PERIODIC", "BUSINESS_EVENT_TRIGGERED"})


def child_campaigns(state: SandboxState, call: Call) -> Reply:
    """Child runs of a Periodic or Business-Event-triggered parent, paged."""
    body = body_of(call)
    parent = _campaign(
        state, call.path_params["parent_campaign_id"], "parent_campaign_id"
    )
    if parent.delivery_type not in _WITH_CHILDREN:
        raise Refusal(
            400,
            f"A {parent.delivery_type} campaign has no child executions.",
            target="parent_campaign_id",
        )
    start = (body["page"] - 1) * body["limit"]
    rows = parent.executions[start : start + body["limit"]]
    return Reply(200, {"executions": rows, "total_instances": len(parent.executions)})


def update_global_control_group(state: SandboxState, call: Call) -> Reply:
    """Accept one GCG file job at a time (429 while one is in flight); 204."""
    body = body_of(call)
    busy_until = state.gcg_busy_until.get(call.workspace_id, float("-inf"))
    if call.now < busy_until:
        raise Refusal(429, "rate_limit", retry_after=busy_until - call.now)
    state.gcg_busy_until[call.workspace_id] = call.now + state.gcg_job_s
    state.gcg_jobs.append(
        {
            "workspace_id": call.workspace_id,
            "file_url": body["file_url"],
            "action_type": body["action_type"],
            "updated_by": body["updated_by"],
            "at": call.now,
        }
    )
    return Reply(204)


V1_HANDLERS: Mapping[str, Handler] = {
    "v1.create_campaign": create_campaign,
    "v1.update_campaign": update_campaign,
    "v1.search_campaigns": search_campaigns,
    "v1.test_campaign": test_campaign,
    "v1.personalized_preview": personalized_preview,
    "v1.campaign_meta": campaign_meta,
    "v1.change_status": change_status,
    "v1.child_campaigns": child_campaigns,
    "v1.update_global_control_group": update_global_control_group,
}
