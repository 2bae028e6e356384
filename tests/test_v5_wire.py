"""What each V5 operation puts on the wire, checked on a real recording server.

Bodies are judged by MoEngage's V5 spec (``tests/spec_validation.py``); headers by
docs/api-notes.md §2; answers are the spec's own 2xx examples.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from moengage_async import APIError, MoEngageClient, PayloadValidationError
from moengage_async.models import v5
from tests.recording_server import RecordedRequest, RecordingServer
from tests.spec_validation import validate_request
from tests.v5_support import (
    CID,
    example_answer,
    inline_test,
    nested_preview_answer,
    preview_request,
    publishable_patch,
    push_draft,
)

Call = Callable[[MoEngageClient], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    """One operation: how to call it, where it goes, what the spec says."""

    method: str
    path: str
    operation_id: str
    answer: Any
    call: Call
    status: int = 200
    #: docs/api-notes.md §2: Idempotency-Key on POST/PATCH except validate and preview.
    keyed: bool = True


async def _search(client: MoEngageClient) -> list[v5.CampaignDetails]:
    return await client.v5.search({"channels": ["PUSH"]}).collect()


CASES = {
    "create_draft": Case(
        "POST",
        "/v5/campaigns",
        "create_draft_campaign_v5",
        example_answer("create_draft_campaign_v5", "example"),
        lambda c: c.v5.create_draft(push_draft()),
        status=201,
    ),
    "get_campaign": Case(
        "GET",
        f"/v5/campaigns/{CID}",
        "get_single_campaign_v5",
        example_answer("get_single_campaign_v5", "scheduled_push_campaign"),
        lambda c: c.v5.get_campaign(CID),
        keyed=False,
    ),
    "update_draft": Case(
        "PATCH",
        f"/v5/campaigns/{CID}",
        "patch_draft_campaign_v5",
        example_answer("patch_draft_campaign_v5", "component_updated"),
        lambda c: c.v5.update_draft(CID, publishable_patch()),
    ),
    "publish": Case(
        "PATCH",
        f"/v5/campaigns/{CID}",
        "patch_draft_campaign_v5",
        example_answer("patch_draft_campaign_v5", "component_updated"),
        lambda c: c.v5.publish(CID),
    ),
    "validate": Case(
        "POST",
        f"/v5/campaigns/{CID}/validate",
        "validate_draft_campaign_v5",
        example_answer("validate_draft_campaign_v5", "invalid"),
        lambda c: c.v5.validate(CID),
        keyed=False,
    ),
    "change_status": Case(
        "PATCH",
        f"/v5/campaigns/{CID}/status",
        "change_campaign_status_v5",
        example_answer("change_campaign_status_v5", "example"),
        lambda c: c.v5.change_status(CID, "pause"),
    ),
    "search": Case(
        "POST",
        "/v5/campaigns/search",
        "search_campaigns_v5",
        example_answer("search_campaigns_v5", "push_results"),
        _search,
    ),
    "meta": Case(
        "POST",
        "/v5/campaigns/meta",
        "get_campaign_meta_v5",
        example_answer("get_campaign_meta_v5", "scheduled_push_with_reachability"),
        lambda c: c.v5.meta({"status": ["SCHEDULED"]}),
    ),
    "test": Case(
        "POST",
        "/v5/campaigns/test",
        "test_campaign_v5",
        example_answer("test_campaign_v5", "push_sent"),
        lambda c: c.v5.test(inline_test()),
    ),
    "test_draft_mode": Case(
        "POST",
        "/v5/campaigns/test",
        "test_campaign_v5",
        example_answer("test_campaign_v5", "push_sent"),
        lambda c: c.v5.test(
            v5.PushTestRequest(
                draft_id=CID,
                test_campaign_meta=v5.TestCampaignMeta(
                    identifier="USER_ATTRIBUTE_UNIQUE_ID",
                    identifier_values=["u1"],
                    platform="ANDROID",
                ),
            )
        ),
    ),
    "personalized_preview": Case(
        "POST",
        "/v5/personalization/preview",
        "preview_personalized_content_v5",
        nested_preview_answer(),
        lambda c: c.v5.personalized_preview(preview_request()),
        keyed=False,
    ),
}
CASE_PARAMS = [pytest.param(case, id=name) for name, case in CASES.items()]


@pytest.fixture
async def client(v1_client: MoEngageClient) -> AsyncIterator[MoEngageClient]:
    """The recorder-backed client of ``conftest`` (zero backoff, fake clock)."""
    yield v1_client


async def _run(
    client: MoEngageClient, recorder: RecordingServer, case: Case
) -> tuple[Any, RecordedRequest]:
    recorder.reply(case.method, case.path, case.status, case.answer)
    result = await case.call(client)
    (sent,) = recorder.requests
    return result, sent


@pytest.mark.parametrize("case", CASE_PARAMS)
async def test_request_goes_to_the_documented_route(
    client: MoEngageClient, recorder: RecordingServer, case: Case
) -> None:
    """Each operation uses the spec's method and path."""
    _, sent = await _run(client, recorder, case)
    assert (sent.method, sent.path) == (case.method, case.path)


@pytest.mark.parametrize("case", CASE_PARAMS)
async def test_body_validates_against_the_v5_spec(
    client: MoEngageClient, recorder: RecordingServer, case: Case
) -> None:
    """Every body sent matches the V5 request schema; GET sends none."""
    _, sent = await _run(client, recorder, case)
    if case.method == "GET":
        assert sent.body == b""
    else:
        validate_request(5, case.operation_id, sent.body)


@pytest.mark.parametrize("case", CASE_PARAMS)
async def test_headers_are_as_documented(
    client: MoEngageClient, recorder: RecordingServer, case: Case
) -> None:
    """MOE-APPKEY and X-MOE-Tenant-ID name the workspace; the request id is echoed."""
    _, sent = await _run(client, recorder, case)
    h = sent.headers
    assert (h["MOE-APPKEY"], h["X-MOE-Tenant-ID"]) == ("ws-test", "ws-test")
    assert h["Authorization"].startswith("Basic ")
    if sent.body:
        assert h["X-MOE-Request-Id"] == sent.json["request_id"]
    else:
        uuid.UUID(h["X-MOE-Request-Id"])


@pytest.mark.parametrize("case", CASE_PARAMS)
async def test_idempotency_key_only_where_documented(
    client: MoEngageClient, recorder: RecordingServer, case: Case
) -> None:
    """POST/PATCH carry a UUID v4 key; GET, validate and preview carry none."""
    _, sent = await _run(client, recorder, case)
    key = sent.headers.get("Idempotency-Key")
    if case.keyed:
        assert key is not None
        assert uuid.UUID(key).version == 4
    else:
        assert key is None


@pytest.mark.parametrize("case", CASE_PARAMS)
async def test_answer_decodes_from_the_envelope(
    client: MoEngageClient, recorder: RecordingServer, case: Case
) -> None:
    """The result is the envelope's ``data`` decoded into our model."""
    result, _ = await _run(client, recorder, case)
    data = case.answer["data"]
    match result:
        case list():
            assert len(result) == len(data["campaigns"])
        case v5.PreviewResult():
            assert (
                result.content
                == nested_preview_answer()["data"]["personalized_content"]["data"][
                    "personalized_content"
                ]
            )
        case _:
            for key in ("id", "valid", "action", "message"):
                if key in data:
                    assert getattr(result, key) == data[key]


async def test_caller_ids_are_used(
    client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A given request_id and idempotency_key go out unchanged."""
    key = str(uuid.uuid4())
    recorder.reply("PATCH", f"/v5/campaigns/{CID}/status", 200, {"data": {"id": CID}})
    await client.v5.change_status(CID, "STOP", request_id="corr-7", idempotency_key=key)
    (sent,) = recorder.requests
    assert (sent.json["request_id"], sent.headers["X-MOE-Request-Id"]) == (
        "corr-7",
        "corr-7",
    )
    assert sent.headers["Idempotency-Key"] == key


async def test_one_generated_id_names_the_call(
    client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Without ids, request_id, X-MOE-Request-Id and Idempotency-Key are one UUID."""
    recorder.reply("POST", "/v5/campaigns", 201, {"data": {"id": CID}})
    await client.v5.create_draft(push_draft())
    (sent,) = recorder.requests
    rid = sent.json["request_id"]
    assert sent.headers["Idempotency-Key"] == sent.headers["X-MOE-Request-Id"] == rid


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda c: c.v5.create_draft(push_draft(), request_id="batch-7"),
            id="argument",
        ),
        pytest.param(
            lambda c: c.v5.create_draft(push_draft(request_id="batch-7")),
            id="in-the-model",
        ),
    ],
)
async def test_a_callers_request_id_is_not_reused_as_the_key(
    client: MoEngageClient,
    recorder: RecordingServer,
    call: Callable[[MoEngageClient], Awaitable[Any]],
) -> None:
    """A caller's id may be shared across calls, so the key is a fresh UUID v4."""
    recorder.reply("POST", "/v5/campaigns", 201, {"data": {"id": CID}})
    await call(client)
    (sent,) = recorder.requests
    assert sent.json["request_id"] == sent.headers["X-MOE-Request-Id"] == "batch-7"
    assert uuid.UUID(sent.headers["Idempotency-Key"]).version == 4


async def test_a_non_uuid_idempotency_key_is_refused(
    client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Idempotency-Key must be a UUID; anything else fails before sending."""
    with pytest.raises(PayloadValidationError, match="UUID"):
        await client.v5.publish(CID, idempotency_key="not-a-uuid")
    assert recorder.requests == []


async def test_a_retried_call_resends_the_same_key(
    client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A 503 then a 200: both attempts carry the same key and body."""
    path = f"/v5/campaigns/{CID}"
    recorder.reply("PATCH", path, 503, {"error": {"code": "INTERNAL_ERROR"}})
    recorder.reply("PATCH", path, 200, {"data": {"id": CID}})
    await client.v5.update_draft(CID, publishable_patch())
    first, second = recorder.requests
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.body == second.body


async def test_status_falls_back_to_post_once_on_405(
    client: MoEngageClient, recorder: RecordingServer
) -> None:
    """PATCH answered 405 is tried once as POST, same key (docs/api-notes.md C1)."""
    path = f"/v5/campaigns/{CID}/status"
    recorder.reply("PATCH", path, 405, {"error": {"message": "Method Not Allowed"}})
    recorder.reply("POST", path, 200, {"data": {"id": CID, "action": "PAUSE"}})
    result = await client.v5.change_status(CID, "PAUSE")
    patch, post = recorder.requests
    assert (patch.method, post.method, result.action) == ("PATCH", "POST", "PAUSE")
    assert patch.headers["Idempotency-Key"] == post.headers["Idempotency-Key"]
    validate_request(5, "change_campaign_status_v5", post.body)


async def test_the_post_fallback_can_be_turned_off(
    client: MoEngageClient, recorder: RecordingServer
) -> None:
    """With ``post_fallback=False`` a 405 is raised as it came."""
    path = f"/v5/campaigns/{CID}/status"
    recorder.reply("PATCH", path, 405, {"error": {"message": "Method Not Allowed"}})
    with pytest.raises(APIError) as caught:
        await client.v5.change_status(CID, "PAUSE", post_fallback=False)
    assert caught.value.status == 405
    assert len(recorder.requests) == 1


async def test_a_flat_preview_answer_is_read_too(
    client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Preview content without the nested envelope is returned as is."""
    content = {"content": {"push": {"android": {"template_type": "BASIC"}}}}
    answer = {"response_id": "r", "data": {"personalized_content": content}}
    recorder.reply("POST", "/v5/personalization/preview", 200, answer)
    result = await client.v5.personalized_preview(preview_request())
    assert result.content == content


async def test_bulk_status_on_v5_goes_through_client_v5(
    client: MoEngageClient, recorder: RecordingServer
) -> None:
    """``bulk_change_status(api_version=5)`` calls ``v5.change_status`` per id."""
    ids = [f"{i:024x}" for i in range(3)]
    for cid in ids:
        path = f"/v5/campaigns/{cid}/status"
        recorder.reply("PATCH", path, 405, {"error": {"message": "Not Allowed"}})
        recorder.reply("POST", path, 200, {"data": {"id": cid, "action": "PAUSE"}})
    report = await client.bulk_change_status("PAUSE", ids, api_version=5)
    assert (report.applied, report.failed) == (3, 0)
    # The 405 -> POST fallback exists only in client.v5.change_status.
    assert sorted(r.method for r in recorder.requests) == ["PATCH"] * 3 + ["POST"] * 3
    for post in (r for r in recorder.requests if r.method == "POST"):
        validate_request(5, "change_campaign_status_v5", post.body)
