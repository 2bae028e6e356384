"""Each V1 operation against a real HTTP server: what is sent, what comes back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from moengage_async import MoEngageClient
from moengage_async.models import (
    AndroidBasicDetails,
    AndroidPushContent,
    CampaignDeliveryType,
    Platform,
    PlatformSpecificDetails,
    PushBasicDetails,
    PushContent,
    PushDeliveryControls,
    SegmentationDetails,
    v1,
)
from tests.recording_server import RecordingServer
from tests.spec_validation import request_examples, validate_request

P = "/core-services/v1"


def _example(op: str, name: str) -> dict[str, Any]:
    for ex in request_examples(1):
        if ex.operation_id == op and ex.name == name:
            return dict(ex.value)
    raise LookupError(name)


def push_campaign() -> v1.PushCampaign:
    """A typed Push campaign (the spec requires advanced and delivery controls)."""
    return v1.PushCampaign(
        campaign_delivery_type=CampaignDeliveryType.ONE_TIME,
        created_by="ops@example.com",
        basic_details=PushBasicDetails(
            name="Sale",
            platforms=[Platform.ANDROID],
            platform_specific_details=PlatformSpecificDetails(),
        ),
        campaign_content=v1.PushCampaignContent(
            content=v1.PushContentBody(
                push=PushContent(
                    android=AndroidPushContent(
                        template_type="BASIC",
                        basic_details=AndroidBasicDetails(
                            notification_channel="general",
                            title="Hi",
                            message="Sale",
                            default_click_action="DEEPLINKING",
                            default_click_action_value="app://home",
                        ),
                    )
                )
            )
        ),
        segmentation_details=SegmentationDetails(is_all_user_campaign=True),
        scheduling_details=v1.SchedulingDetails(delivery_type="ASAP"),
        delivery_controls=PushDeliveryControls(bypass_dnd=False),
        advanced=v1.AdvancedDetails(),
    )


async def test_create_campaign_returns_the_new_id(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A typed Push campaign is POSTed spec-valid and the 201's id returned."""
    recorder.reply("POST", f"{P}/campaigns", 201, {"campaign_id": "c-123"})
    campaign_id = await v1_client.create_campaign(push_campaign(), request_id="r-1")
    assert campaign_id == "c-123"
    sent = recorder.requests[0]
    assert (sent.method, sent.path, sent.json["request_id"]) == (
        "POST",
        f"{P}/campaigns",
        "r-1",
    )
    validate_request(1, "create_campaign", sent.body)


async def test_create_campaign_accepts_a_plain_dict(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A spec example passed as a dict is sent as is, with a generated request_id."""
    recorder.reply("POST", f"{P}/campaigns", 201, {"campaign_id": "c-9"})
    body = _example("create_campaign", "email_one_time_promotional")
    del body["request_id"]
    assert await v1_client.create_campaign(body) == "c-9"
    sent = recorder.requests[0].json
    assert sent["request_id"] and sent["channel"] == "EMAIL"
    validate_request(1, "create_campaign", sent)


async def test_update_campaign_patches_the_campaign(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Update PATCHes ``/campaigns/{id}`` with a spec-valid body and accepts 204."""
    recorder.reply("PATCH", f"{P}/campaigns/c-1", 204)
    update = v1.PushCampaignUpdate(
        updated_by="ops@example.com",
        scheduling_details=v1.SchedulingDetails(
            delivery_type="AT_FIXED_TIME", expiry_time="2026-07-20T13:55:00"
        ),
    )
    await v1_client.update_campaign("c-1", update)
    sent = recorder.requests[0]
    assert (sent.method, sent.path) == ("PATCH", f"{P}/campaigns/c-1")
    validate_request(1, "update_campaign", sent.body)


async def test_extra_fields_reach_the_server(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A model's ``extra`` keys are merged into what the server receives."""
    recorder.reply("POST", f"{P}/campaigns/search", 200, [])
    search = v1.CampaignSearchRequest(
        limit=1,
        page=1,
        campaign_fields=v1.CampaignSearchFields(name="Sale"),
        extra={"campaign_fields": {"team": "growth"}},
    )
    await v1_client.search_campaigns(search)
    assert recorder.requests[0].json["campaign_fields"] == {
        "name": "Sale",
        "team": "growth",
    }


async def test_search_campaigns_decodes_the_bare_array(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Search returns typed rows from a bare JSON array, title-case status intact."""
    recorder.reply(
        "POST",
        f"{P}/campaigns/search",
        200,
        [{"campaign_id": "c-1", "status": "Active", "channel": "PUSH", "x": 1}],
    )
    rows = await v1_client.search_campaigns(
        v1.CampaignSearchRequest(
            limit=15, page=1, campaign_fields=v1.CampaignSearchFields(name="Sale")
        )
    )
    assert [(r.campaign_id, r.status) for r in rows] == [("c-1", "Active")]
    validate_request(1, "search_campaigns", recorder.requests[0].body)


async def test_test_campaign_returns_per_recipient_results(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Test send returns a result per identifier value."""
    recorder.reply(
        "POST",
        f"{P}/campaigns/test",
        200,
        {"data": {"u1": {"status": "success"}}, "message": "ok"},
    )
    result = await v1_client.test_campaign(_example("test_campaign", "push_test_basic"))
    assert result.data["u1"].status == "success"
    validate_request(1, "test_campaign", recorder.requests[0].body)


async def test_personalized_preview_returns_rendered_payload(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Preview returns the rendered payload."""
    recorder.reply(
        "POST",
        f"{P}/personalization/preview",
        200,
        {"personalized_content": {"payload": {"title": "Hi Ann"}}},
    )
    preview = v1.PreviewRequest(
        personalization_content=v1.PersonalizationContent(
            payload={"title": "Hi {{x}}"}
        ),
        personalization_details=v1.PreviewPersonalizationDetails(channel="PUSH"),
    )
    result = await v1_client.personalized_preview(preview)
    assert result.personalized_content is not None
    assert result.personalized_content.payload == {"title": "Hi Ann"}
    validate_request(1, "personalized_preview", recorder.requests[0].body)


async def test_campaign_meta_decodes_rows(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Meta returns typed rows with reachability."""
    recorder.reply(
        "POST",
        f"{P}/campaigns/meta",
        200,
        [{"campaign_id": "c-1", "reachability_details": {"count": 7}}],
    )
    rows = await v1_client.campaign_meta(v1.CampaignMetaRequest(limit=1, page=2))
    assert rows[0].reachability_details is not None
    assert rows[0].reachability_details.count == 7
    validate_request(1, "get_campaign_meta", recorder.requests[0].body)


async def test_change_status_sends_one_batch(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Status change sends all ids in one spec-valid request; empty 200 is success."""
    await v1_client.change_status("pause", ["a", "b"])
    sent = recorder.requests[0].json
    assert (sent["action"], sent["campaign_ids"]) == ("PAUSE", ["a", "b"])
    validate_request(1, "change_campaign_status", sent)


async def test_child_campaigns_posts_to_the_parent(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Executions are read from the parent's path and decoded."""
    recorder.reply(
        "POST",
        f"{P}/campaigns/p-1/executions",
        200,
        {
            "executions": [{"campaign_id": "k1", "status": "Sent"}],
            "total_instances": 1,
        },
    )
    result = await v1_client.child_campaigns("p-1", limit=5, page=1)
    assert [e.campaign_id for e in result.executions] == ["k1"]
    validate_request(1, "get_child_campaigns", recorder.requests[0].body)


async def test_update_global_control_group_puts_the_file(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """GCG is a PUT with a spec-valid body; 204 is success."""
    recorder.reply("PUT", f"{P}/global-control-group/users", 204)
    await v1_client.update_global_control_group(
        "https://bucket.s3.amazonaws.com/u.csv", "ADD", "ops@example.com"
    )
    sent = recorder.requests[0]
    assert (sent.method, sent.json["action_type"]) == ("PUT", "add")
    validate_request(1, "update_global_control_group", sent.body)


async def test_v1_requests_carry_auth_and_workspace_headers(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """Every V1 request sends Basic auth, MOE-APPKEY and a JSON content type."""
    await v1_client.change_status("STOP", ["a"])
    headers = recorder.requests[0].headers
    assert headers["Authorization"].startswith("Basic ")
    assert headers["MOE-APPKEY"] == "ws-test"
    assert headers["Content-Type"] == "application/json"


Call = Callable[[MoEngageClient], Awaitable[Any]]

INVALID: list[Any] = [
    pytest.param(lambda c: c.change_status("PAUSE", []), id="no-ids"),
    pytest.param(lambda c: c.change_status("PAUSE", ["x"] * 11), id="eleven-ids"),
    pytest.param(lambda c: c.change_status("ARCHIVE", ["x"]), id="unknown-action"),
    pytest.param(
        lambda c: c.change_status("STOP", ["x"], request_id="  "), id="blank-request-id"
    ),
    pytest.param(
        lambda c: c.change_status("STOP", ["x"], request_id="a\nb"),
        id="request-id-with-line-break",
    ),
    pytest.param(
        lambda c: c.search_campaigns({"limit": 0, "page": 1}), id="limit-zero"
    ),
    pytest.param(
        lambda c: c.search_campaigns(v1.CampaignSearchRequest(limit=16, page=1)),
        id="limit-sixteen",
    ),
    pytest.param(
        lambda c: c.campaign_meta({"limit": 5, "page": 0}), id="meta-page-zero"
    ),
    pytest.param(lambda c: c.child_campaigns("p", page=0), id="executions-page-zero"),
    pytest.param(lambda c: c.child_campaigns("  "), id="blank-parent-id"),
    pytest.param(
        lambda c: c.test_campaign(
            {
                "channel": "PUSH",
                "test_campaign_meta": {
                    "identifier": "PUSH_ID",
                    "identifier_values": [str(i) for i in range(11)],
                },
            }
        ),
        id="eleven-test-recipients",
    ),
    pytest.param(
        lambda c: c.update_global_control_group("u", "purge", "a@b.c"),
        id="gcg-unknown-action",
    ),
    pytest.param(
        lambda c: c.update_campaign("", {"updated_by": "a@b.c"}), id="blank-campaign-id"
    ),
    pytest.param(
        lambda c: c.create_campaign({"request_id": "a"}, request_id="b"),
        id="conflicting-request-ids",
    ),
    pytest.param(
        lambda c: c.create_campaign(v1.CampaignSearchRequest(limit=1, page=1)),
        id="wrong-model",
    ),
    pytest.param(lambda c: c.create_campaign({"name": "x"}), id="create-no-channel"),
    pytest.param(
        lambda c: c.update_campaign("c-1", {"channel": "PUSH"}), id="no-updated-by"
    ),
    pytest.param(
        lambda c: c.test_campaign(
            {
                "channel": "EMAIL",
                "test_campaign_meta": {"identifier": "EMAIL", "identifier_values": []},
            }
        ),
        id="zero-test-recipients",
    ),
    pytest.param(
        lambda c: c.personalized_preview(
            {
                "personalization_content": {},
                "personalization_details": {"channel": "PUSH"},
            }
        ),
        id="preview-without-content",
    ),
    pytest.param(
        lambda c: c.personalized_preview(
            {
                "personalization_content": {"payload": {"t": "x"}},
                "personalization_details": {
                    "channel": "PUSH",
                    "event_attributes": {"sku": "1"},
                },
            }
        ),
        id="preview-event-attributes-without-event",
    ),
]


@pytest.mark.parametrize("call", INVALID)
async def test_invalid_input_sends_nothing(
    v1_client: MoEngageClient, recorder: RecordingServer, call: Call
) -> None:
    """Bad arguments raise PayloadValidationError and the server sees no request."""
    from moengage_async import PayloadValidationError

    with pytest.raises(PayloadValidationError):
        await call(v1_client)
    assert recorder.requests == []
