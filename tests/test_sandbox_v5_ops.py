"""Every V5 operation: the draft-first lifecycle, envelopes, idempotency."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from conftest import SandboxHTTP, spec_example


async def v5(
    http: SandboxHTTP,
    method: str,
    path: str,
    body: Any = None,
    *,
    key: str | None = "new",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    """A V5 call with a fresh Idempotency-Key unless one is given (None: none)."""
    if key == "new":
        key = str(uuid.uuid4())
    return await http.call(method, path, body, key=key, headers=headers)


def draft_body(**extra: Any) -> dict[str, Any]:
    """The spec's Push One-time draft example, with a real creator."""
    body = spec_example(5, "POST", "/v5/campaigns", "push_one_time")
    del body["request_id"]
    body.update(extra)
    return dict(body)


def publishable() -> dict[str, Any]:
    """Components that complete the Push draft for publishing."""
    v1 = spec_example(1, "POST", "/campaigns", "push_one_time_android_ios")
    return {
        "segmentation_details": v1["segmentation_details"],
        "delivery_controls": v1["delivery_controls"],
        "advanced": {},
    }


async def _draft(http: SandboxHTTP, **extra: Any) -> str:
    code, body, _ = await v5(http, "POST", "/v5/campaigns", draft_body(**extra))
    assert code == 201
    return str(body["data"]["id"])


async def test_create_makes_a_draft(sandbox_http: SandboxHTTP) -> None:
    """POST /v5/campaigns answers 201 ``data{id, status: DRAFT}``."""
    code, body, _ = await v5(sandbox_http, "POST", "/v5/campaigns", draft_body())
    assert (code, body["type"], body["data"]["status"]) == (201, "campaign", "DRAFT")
    assert len(body["data"]["id"]) == 24


async def test_a_live_activity_draft_is_refused(sandbox_http: SandboxHTTP) -> None:
    """BROADCAST_LIVE_ACTIVITY cannot be created through V5 (C18)."""
    body = draft_body(campaign_delivery_type="BROADCAST_LIVE_ACTIVITY")
    code, answer, _ = await v5(sandbox_http, "POST", "/v5/campaigns", body)
    assert (code, answer["error"]["code"]) == (400, "VALIDATION_FAILED")
    assert answer["error"]["target"] == "campaign_delivery_type"


async def test_get_returns_the_campaign(sandbox_http: SandboxHTTP) -> None:
    """GET answers the stored config with ``id`` equal to ``campaign_id``."""
    cid = await _draft(sandbox_http)
    code, body, _ = await v5(sandbox_http, "GET", f"/v5/campaigns/{cid}", key=None)
    assert code == 200
    data = body["data"]
    assert (data["id"], data["campaign_id"], data["status"]) == (cid, cid, "DRAFT")


async def test_get_of_an_unknown_campaign_is_404_not_found(
    sandbox_http: SandboxHTTP,
) -> None:
    """An unknown well-formed id is 404 ``NOT_FOUND``."""
    code, body, _ = await v5(sandbox_http, "GET", "/v5/campaigns/" + "0" * 24, key=None)
    assert (code, body["error"]["code"]) == (404, "NOT_FOUND")


async def test_get_of_a_malformed_id_is_400(sandbox_http: SandboxHTTP) -> None:
    """An id that is not a 24-hex ObjectId is a 400 naming ``campaign_id``."""
    code, body, _ = await v5(sandbox_http, "GET", "/v5/campaigns/nope", key=None)
    assert (code, body["error"]["target"]) == (400, "campaign_id")


async def test_patch_replaces_components_and_bumps_the_version(
    sandbox_http: SandboxHTTP,
) -> None:
    """A component PATCH answers ``data{id}`` and the draft's version grows."""
    cid = await _draft(sandbox_http)
    code, body, _ = await v5(
        sandbox_http, "PATCH", f"/v5/campaigns/{cid}", {"advanced": {}}
    )
    assert (code, body["data"]) == (200, {"id": cid})
    assert sandbox_http.sandbox.campaign(cid).version_number == 2


async def test_patch_of_a_live_campaign_is_409(sandbox_http: SandboxHTTP) -> None:
    """Only drafts can be patched: a live one answers 409 BAD_REQUEST (C5)."""
    (cid,) = sandbox_http.sandbox.seed_campaigns(1, api=5)
    code, body, _ = await v5(
        sandbox_http, "PATCH", f"/v5/campaigns/{cid}", {"advanced": {}}
    )
    assert (code, body["error"]["code"]) == (409, "BAD_REQUEST")


async def test_publish_moves_a_complete_draft_live(sandbox_http: SandboxHTTP) -> None:
    """``{"status": "PUBLISH"}`` turns a complete One-time draft SCHEDULED."""
    cid = await _draft(sandbox_http, **publishable())
    code, body, _ = await v5(
        sandbox_http, "PATCH", f"/v5/campaigns/{cid}", {"status": "PUBLISH"}
    )
    assert (code, body["data"]) == (200, {"id": cid})
    assert sandbox_http.sandbox.campaign(cid).status == "SCHEDULED"
    assert [a.kind for a in sandbox_http.sandbox.ledger.actions(cid)] == [
        "create",
        "publish",
    ]


async def test_publish_mixed_with_components_is_400_bad_request(
    sandbox_http: SandboxHTTP,
) -> None:
    """Publishing must be the only change in its PATCH."""
    cid = await _draft(sandbox_http, **publishable())
    body = {"status": "PUBLISH", "advanced": {}}
    code, answer, _ = await v5(sandbox_http, "PATCH", f"/v5/campaigns/{cid}", body)
    assert (code, answer["error"]["code"]) == (400, "BAD_REQUEST")
    assert sandbox_http.sandbox.campaign(cid).status == "DRAFT"


async def test_publishing_an_incomplete_draft_is_422(sandbox_http: SandboxHTTP) -> None:
    """A draft missing publish-time components answers 422 naming one."""
    cid = await _draft(sandbox_http)
    code, answer, _ = await v5(
        sandbox_http, "PATCH", f"/v5/campaigns/{cid}", {"status": "PUBLISH"}
    )
    assert (code, answer["error"]["code"]) == (422, "UNPROCESSABLE_ENTITY")
    assert answer["error"]["target"] == "segmentation_details"


async def test_publish_needs_the_publish_scope(sandbox_http: SandboxHTTP) -> None:
    """With gateway scopes of create_manage only, publishing is 403 FORBIDDEN."""
    cid = await _draft(sandbox_http, **publishable())
    code, answer, _ = await v5(
        sandbox_http,
        "PATCH",
        f"/v5/campaigns/{cid}",
        {"status": "PUBLISH"},
        headers={"X-MOE-Scopes": "campaigns:create_manage"},
    )
    assert (code, answer["error"]["code"]) == (403, "FORBIDDEN")


async def test_validate_lists_what_blocks_publishing(sandbox_http: SandboxHTTP) -> None:
    """Validate always answers 200; an incomplete draft is ``valid: false``."""
    cid = await _draft(sandbox_http)
    code, body, _ = await v5(
        sandbox_http, "POST", f"/v5/campaigns/{cid}/validate", {}, key=None
    )
    assert (code, body["data"]["valid"]) == (200, False)
    fields = {e["field"] for e in body["data"]["errors"]}
    assert fields == {"segmentation_details", "delivery_controls", "advanced"}


async def test_validate_passes_a_complete_draft(sandbox_http: SandboxHTTP) -> None:
    """A complete draft validates as ``{"valid": true}``."""
    cid = await _draft(sandbox_http, **publishable())
    _, body, _ = await v5(
        sandbox_http, "POST", f"/v5/campaigns/{cid}/validate", {}, key=None
    )
    assert body["data"] == {"valid": True}


@pytest.mark.parametrize(
    ("delivery_type", "status", "action", "code", "after"),
    [
        ("ONE_TIME", "ACTIVE", "STOP", 200, "STOPPED"),
        ("ONE_TIME", "SENDING", "STOP", 200, "STOPPED"),
        ("PERIODIC", "ACTIVE", "STOP", 422, "ACTIVE"),
        ("ONE_TIME", "SCHEDULED", "PAUSE", 422, "SCHEDULED"),
        ("EVENT_TRIGGERED", "SENDING", "PAUSE", 200, "PAUSED"),
        ("PERIODIC", "ACTIVE", "RESUME", 422, "ACTIVE"),
        ("PERIODIC", "PAUSED", "RESUME", 200, "ACTIVE"),
        ("PERIODIC", "DRAFT", "PAUSE", 422, "DRAFT"),
    ],
)
async def test_status_follows_the_v5_transition_table(
    sandbox_http: SandboxHTTP,
    delivery_type: str,
    status: str,
    action: str,
    code: int,
    after: str,
) -> None:
    """V5 status changes obey docs/api-notes.md §7; forbidden ones are 422, no-ops."""
    (cid,) = sandbox_http.sandbox.seed_campaigns(
        1, delivery_type=delivery_type, status=status, api=5
    )
    got, body, _ = await v5(
        sandbox_http, "PATCH", f"/v5/campaigns/{cid}/status", {"action": action}
    )
    assert got == code
    assert sandbox_http.sandbox.campaign(cid).status == after
    if code == 200:
        assert body["data"] == {"id": cid, "action": action}
    else:
        assert body["error"]["code"] == "UNPROCESSABLE_ENTITY"


def _search(**fields: Any) -> dict[str, Any]:
    return {"limit": 15, "page": 1, "campaign_fields": fields}


async def test_search_answers_the_campaigns_envelope(sandbox_http: SandboxHTTP) -> None:
    """V5 search wraps rows as ``data.campaigns``."""
    sandbox_http.sandbox.seed_campaigns(3, api=5)
    code, body, _ = await v5(sandbox_http, "POST", "/v5/campaigns/search", _search())
    assert (code, len(body["data"]["campaigns"])) == (200, 3)


async def test_search_shows_drafts_only_when_asked(sandbox_http: SandboxHTTP) -> None:
    """Drafts appear only when ``DRAFT`` is in the status filter."""
    draft = await _draft(sandbox_http)
    sandbox_http.sandbox.seed_campaigns(1, api=5)
    _, plain, _ = await v5(sandbox_http, "POST", "/v5/campaigns/search", _search())
    _, asked, _ = await v5(
        sandbox_http, "POST", "/v5/campaigns/search", _search(status=["DRAFT"])
    )
    assert draft not in {c["id"] for c in plain["data"]["campaigns"]}
    assert [c["id"] for c in asked["data"]["campaigns"]] == [draft]


async def test_search_with_the_old_v1_key_matches_nothing(
    sandbox_http: SandboxHTTP,
) -> None:
    """``delivery_type`` (V1's key) silently returns zero rows on V5 (documented)."""
    sandbox_http.sandbox.seed_campaigns(2, delivery_type="PERIODIC", api=5)
    _, body, _ = await v5(
        sandbox_http,
        "POST",
        "/v5/campaigns/search",
        _search(delivery_type=["PERIODIC"]),
    )
    assert body["data"]["campaigns"] == []


async def test_search_by_ids_and_delivery_type(sandbox_http: SandboxHTTP) -> None:
    """``ids`` and ``campaign_delivery_type`` narrow the rows together."""
    periodic = sandbox_http.sandbox.seed_campaigns(2, delivery_type="PERIODIC", api=5)
    (one_time,) = sandbox_http.sandbox.seed_campaigns(
        1, delivery_type="ONE_TIME", api=5
    )
    fields = {"ids": [periodic[0], one_time], "campaign_delivery_type": ["PERIODIC"]}
    _, body, _ = await v5(
        sandbox_http, "POST", "/v5/campaigns/search", _search(**fields)
    )
    assert [c["id"] for c in body["data"]["campaigns"]] == [periodic[0]]


async def test_meta_rows_carry_the_version(sandbox_http: SandboxHTTP) -> None:
    """V5 meta rows are V1's plus ``version_number``."""
    (cid,) = sandbox_http.sandbox.seed_campaigns(1, api=5)
    _, body, _ = await v5(sandbox_http, "POST", "/v5/campaigns/meta", _search(id=cid))
    (row,) = body["data"]["campaigns"]
    assert (row["campaign_id"], row["version_number"]) == (cid, 1)


async def test_a_draft_test_reports_per_platform(sandbox_http: SandboxHTTP) -> None:
    """A draft-mode test answers one result per platform, locale and variation."""
    cid = await _draft(sandbox_http)
    body = {
        "channel": "PUSH",
        "draft_id": cid,
        "test_campaign_meta": {
            "identifier": "USER_ATTRIBUTE_UNIQUE_ID",
            "identifier_values": ["u1"],
        },
    }
    code, answer, _ = await v5(sandbox_http, "POST", "/v5/campaigns/test", body)
    assert code == 200
    assert answer["data"]["data"] == {"ANDROID_default_1": {"status": "SENT"}}


async def test_a_v5_test_to_eleven_recipients_is_refused(
    sandbox_http: SandboxHTTP,
) -> None:
    """More than 10 identifier values is a 400 (schema ``maxItems``)."""
    body = spec_example(5, "POST", "/v5/campaigns/test", "push_inline")
    body["test_campaign_meta"]["identifier_values"] = [f"u{i}" for i in range(11)]
    code, answer, _ = await v5(sandbox_http, "POST", "/v5/campaigns/test", body)
    assert code == 400
    assert answer["error"]["target"] == "test_campaign_meta.identifier_values"


async def test_preview_answers_a_personalization_envelope(
    sandbox_http: SandboxHTTP,
) -> None:
    """Preview's envelope has ``type: personalization``."""
    body = spec_example(5, "POST", "/v5/personalization/preview", "push_preview")
    code, answer, _ = await v5(
        sandbox_http, "POST", "/v5/personalization/preview", body, key=None
    )
    assert (code, answer["type"]) == (200, "personalization")
