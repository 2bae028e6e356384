"""V5 handlers (``/v5/...``): draft-first lifecycle, ``{"response_id", "data"}``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._app import Handler
from ._calls import Call, Refusal, Reply
from ._creation import create, replayed_campaign
from ._helpers import body_of, note, publish_errors
from ._schemas import component_error
from ._search import page, select
from ._state import SandboxState
from ._store import Campaign, TransitionError, published_status
from ._views import COMPONENTS, details_v5, meta_v5

__all__ = ["V5_HANDLERS"]

_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
_MAX_TEST = 10
#: Scopes (X-MOE-Scopes, set by MoEngage's gateway) in increasing power.
_SCOPES = (
    "campaigns:view",
    "campaigns:create_manage",
    "campaigns:create_manage_publish",
)


def _ok(call: Call, data: Any, status: int = 200, kind: str = "campaign") -> Reply:
    return Reply(status, {"response_id": call.response_id, "type": kind, "data": data})


def _campaign(state: SandboxState, call: Call) -> Campaign:
    campaign_id = call.path_params["campaign_id"]
    if not _OBJECT_ID.fullmatch(campaign_id):
        raise Refusal(
            400, "campaign_id must be a 24-character ObjectId.", target="campaign_id"
        )
    campaign = state.store.get(campaign_id)
    if campaign is None:
        raise Refusal(404, "Campaign not found.", target="campaign_id")
    return campaign


def create_draft(state: SandboxState, call: Call) -> Reply:
    """Create a DRAFT: 201 ``data{id, status: DRAFT}``."""
    body = body_of(call)
    earlier = replayed_campaign(state, call)
    if earlier is not None:
        return _ok(call, {"id": earlier.id, "status": "DRAFT"}, 201)
    campaign = create(
        state,
        call,
        channel=body["channel"],
        delivery_type=body["campaign_delivery_type"],
        status="DRAFT",
        api=5,
        created_by=body["created_by"],
        body={k: body[k] for k in COMPONENTS if k in body},
    )
    return _ok(call, {"id": campaign.id, "status": campaign.status}, 201)


def get_campaign(state: SandboxState, call: Call) -> Reply:
    """Full config and status of one campaign."""
    return _ok(call, details_v5(_campaign(state, call)))


def _require_scope(call: Call, scope: str) -> None:
    granted = call.scopes
    if granted is None:
        return  # no gateway header: the key's permissions are not modelled
    level = max((_SCOPES.index(s) for s in granted if s in _SCOPES), default=-1)
    if level < _SCOPES.index(scope):
        raise Refusal(403, f"This operation needs {scope}.", code="FORBIDDEN")


def update_draft(state: SandboxState, call: Call) -> Reply:
    """Component PATCH of a DRAFT, or publish with ``{"status": "PUBLISH"}`` alone.

    C5: only a DRAFT can be patched; any other state answers 409 BAD_REQUEST
    ("Campaign is not in DRAFT state and cannot be patched.").
    """
    body = body_of(call)
    campaign = _campaign(state, call)
    if "status" in body:
        return _publish(state, call, campaign, body)
    _require_scope(call, "campaigns:create_manage")
    channel = body.get("channel", campaign.channel)
    if channel != campaign.channel:
        raise Refusal(400, f"channel must stay {campaign.channel}", target="channel")
    if state.validate:
        schema = (
            "PushComponentPatchRequest"
            if channel == "PUSH"
            else "EmailComponentPatchRequest"
        )
        error = component_error(5, schema, body)
        if error is not None:
            raise Refusal(400, error.message, target=error.field)
    if campaign.status != "DRAFT":
        raise Refusal(
            409,
            "Campaign is not in DRAFT state and cannot be patched.",
            code="BAD_REQUEST",
        )
    if "campaign_delivery_type" in body:
        campaign.delivery_type = body["campaign_delivery_type"]
    for name in COMPONENTS:
        if name in body:
            campaign.body[name] = body[name]
    if isinstance(body.get("updated_by"), str):
        campaign.updated_by = body["updated_by"]
    campaign.version_number += 1
    note(state, call, campaign, "update", campaign.status)
    return _ok(call, {"id": campaign.id})


def _publish(
    state: SandboxState, call: Call, campaign: Campaign, body: dict[str, Any]
) -> Reply:
    extra = sorted(set(body) - {"status", "request_id"})
    if extra:
        raise Refusal(
            400,
            "status cannot be combined with component updates: " + ", ".join(extra),
            target="status",
            code="BAD_REQUEST",
        )
    if body["status"] != "PUBLISH":
        raise Refusal(400, "status must be PUBLISH.", target="status")
    _require_scope(call, "campaigns:create_manage_publish")
    if campaign.status != "DRAFT":
        raise Refusal(
            409,
            "Campaign is not in DRAFT state and cannot be published.",
            code="BAD_REQUEST",
        )
    errors = publish_errors(campaign)
    if errors:
        first = errors[0]
        raise Refusal(
            422, f"Publish validation failed: {first['issue']}", target=first["field"]
        )
    campaign.status = published_status(campaign.delivery_type)
    note(state, call, campaign, "publish", "DRAFT", operation="v5.publish")
    return _ok(call, {"id": campaign.id})


def validate(state: SandboxState, call: Call) -> Reply:
    """The publish-time check, changing nothing: always 200 ``{valid, errors}``."""
    errors = publish_errors(_campaign(state, call))
    data: dict[str, Any] = {"valid": not errors}
    if errors:
        data["errors"] = errors
    return _ok(call, data)


def change_status(state: SandboxState, call: Call) -> Reply:
    """STOP/PAUSE/RESUME one campaign; 422 when the table forbids it."""
    body = body_of(call)
    campaign = _campaign(state, call)
    action = body["action"]
    if campaign.status == "DRAFT":
        raise Refusal(422, f"Action {action} is not valid for a DRAFT campaign.")
    try:
        before = state.store.apply_status(campaign, action, api=5)
    except TransitionError as exc:
        raise Refusal(422, str(exc), target="action") from None
    note(state, call, campaign, action, before)
    return _ok(call, {"id": campaign.id, "action": action})


def search(state: SandboxState, call: Call) -> Reply:
    """``data{campaigns: [...]}``, one page; a short page is the last one."""
    body = body_of(call)
    rows = page(select(state.store, body, v5=True), body)
    return _ok(call, {"campaigns": [details_v5(c) for c in rows]})


def meta(state: SandboxState, call: Call) -> Reply:
    """``data{campaigns: [meta rows]}``, one page."""
    body = body_of(call)
    rows = page(select(state.store, body, v5=True, meta=True), body)
    return _ok(call, {"campaigns": [meta_v5(c) for c in rows]})


def _platforms(campaign: Campaign | None, body: dict[str, Any]) -> list[str]:
    if body.get("channel") == "EMAIL" or (campaign and campaign.channel == "EMAIL"):
        return ["EMAIL"]
    source = campaign.body if campaign is not None else body
    basic = source.get("basic_details")
    platforms = basic.get("platforms") if isinstance(basic, dict) else None
    if isinstance(platforms, list) and platforms:
        return [p for p in platforms if isinstance(p, str)]
    return ["ANDROID"]


def test(state: SandboxState, call: Call) -> Reply:
    """Test send, inline or from a draft: a result per platform/locale/variation."""
    body = body_of(call)
    meta_body = body["test_campaign_meta"]
    values = meta_body["identifier_values"]
    if not 1 <= len(values) <= _MAX_TEST:
        raise Refusal(
            400,
            f"identifier_values must hold 1 to {_MAX_TEST} values",
            target="test_campaign_meta.identifier_values",
        )
    draft: Campaign | None = None
    if "draft_id" in body:
        if "campaign_content" in body:
            raise Refusal(
                400,
                "campaign_content cannot be sent with draft_id.",
                target="campaign_content",
            )
        draft = state.store.get(body["draft_id"])
        if draft is None:
            raise Refusal(400, "draft_id does not name a campaign.", target="draft_id")
    else:
        for name in ("channel", "campaign_content"):
            if name not in body:
                raise Refusal(400, f"{name} key is mandatory field", target=name)
        if body["channel"] == "EMAIL":
            for name in ("basic_details", "connector"):
                if name not in body:
                    raise Refusal(400, f"{name} key is mandatory field", target=name)
    platforms = _platforms(draft, body)
    if "platform" in meta_body and platforms != ["EMAIL"]:
        platforms = [meta_body["platform"]]
    locale = meta_body.get("locale_name", "default")
    variation = meta_body.get("variation", "1")
    results = {
        f"{platform}_{locale}_{variation}": {"status": "SENT"} for platform in platforms
    }
    return _ok(call, {"data": results, "message": "Test campaign sent successfully."})


def personalized_preview(state: SandboxState, call: Call) -> Reply:
    """Render (echo) the inline content for one user; never loads a draft."""
    body = body_of(call)
    return _ok(
        call,
        {"personalized_content": body["campaign_content"]},
        kind="personalization",
    )


V5_HANDLERS: Mapping[str, Handler] = {
    "v5.create_draft": create_draft,
    "v5.get_campaign": get_campaign,
    "v5.update_draft": update_draft,
    "v5.validate": validate,
    "v5.change_status": change_status,
    "v5.search": search,
    "v5.meta": meta,
    "v5.test": test,
    "v5.personalized_preview": personalized_preview,
}
