"""The V1 client methods against the sandbox: changes the server really applied."""

from __future__ import annotations

from typing import Any

import pytest

from moengage_async import (
    BadRequestError,
    FakeClock,
    MoEngageClient,
    RateLimitError,
    RetryPolicy,
)
from moengage_async.models import (
    AndroidBasicDetails,
    AndroidPushContent,
    CampaignDeliveryType,
    PeriodicDetails,
    Platform,
    PlatformSpecificDetails,
    PushBasicDetails,
    PushContent,
    PushDeliveryControls,
    SegmentationDetails,
    parse_enum,
    v1,
)
from moengage_async.sandbox import Sandbox
from tests.spec_validation import request_examples


def push_campaign(name: str = "Summer sale") -> v1.PushCampaign:
    """A complete typed V1 Push campaign."""
    return v1.PushCampaign(
        campaign_delivery_type=CampaignDeliveryType.PERIODIC,
        created_by="ops@example.com",
        basic_details=PushBasicDetails(
            name=name,
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
                            title="Sale",
                            message="20% off",
                            default_click_action="DEEPLINKING",
                            default_click_action_value="app://sale",
                        ),
                    )
                )
            )
        ),
        segmentation_details=SegmentationDetails(is_all_user_campaign=True),
        scheduling_details=v1.SchedulingDetails(
            delivery_type="AT_FIXED_TIME",
            start_time="2030-01-01T10:00:00",
            periodic_details=PeriodicDetails(
                sending_frequency="DAILY", repeat_frequency=1
            ),
        ),
        delivery_controls=PushDeliveryControls(ignore_frequency_capping=False),
        advanced=v1.AdvancedDetails(),
    )


def example(op: str, name: str) -> dict[str, Any]:
    """A V1 request example from the spec, as a plain dict."""
    for ex in request_examples(1):
        if (ex.operation_id, ex.name) == (op, name):
            return dict(ex.value)
    raise LookupError(name)


async def test_a_typed_campaign_is_created_paused_and_resumed(
    moengage_sandbox: Any, moengage_sandbox_client: MoEngageClient
) -> None:
    """Create, PAUSE and RESUME land in the sandbox's campaign store."""
    client = moengage_sandbox_client
    campaign_id = await client.create_campaign(push_campaign())
    assert moengage_sandbox.campaign(campaign_id).status == "ACTIVE"
    await client.change_status("PAUSE", [campaign_id])
    assert moengage_sandbox.campaign(campaign_id).status == "PAUSED"
    await client.change_status("RESUME", [campaign_id])
    assert moengage_sandbox.campaign(campaign_id).status == "ACTIVE"


async def test_search_and_meta_find_the_created_campaign(
    moengage_sandbox_client: MoEngageClient,
) -> None:
    """Search and meta return the new campaign, decoded into typed rows."""
    client = moengage_sandbox_client
    campaign_id = await client.create_campaign(push_campaign("Findable"))
    rows = await client.search_campaigns(
        v1.CampaignSearchRequest(
            limit=15, page=1, campaign_fields=v1.CampaignSearchFields(id=campaign_id)
        )
    )
    meta = await client.campaign_meta({"limit": 15, "page": 1})
    assert [r.campaign_id for r in rows] == [campaign_id]
    assert parse_enum(v1.CampaignStatus, rows[0].status) is v1.CampaignStatus.ACTIVE
    assert campaign_id in {m.campaign_id for m in meta}


async def test_update_renames_the_campaign(
    moengage_sandbox: Any, moengage_sandbox_client: MoEngageClient
) -> None:
    """A PATCH with new basic details is applied (204)."""
    client = moengage_sandbox_client
    campaign_id = await client.create_campaign(push_campaign("Old"))
    await client.update_campaign(
        campaign_id,
        v1.PushCampaignUpdate(
            updated_by="ops@example.com",
            basic_details=PushBasicDetails(
                name="New",
                platforms=[Platform.ANDROID],
                platform_specific_details=PlatformSpecificDetails(),
            ),
        ),
    )
    rows = await client.search_campaigns(
        {"limit": 1, "page": 1, "campaign_fields": {"id": campaign_id}}
    )
    assert rows[0].basic_details is not None
    assert rows[0].basic_details["name"] == "New"


async def test_child_campaigns_pages_through_executions(
    moengage_sandbox: Any, moengage_sandbox_client: MoEngageClient
) -> None:
    """Executions of a parent come back paged, with the total."""
    parent = await moengage_sandbox_client.create_campaign(push_campaign())
    children = moengage_sandbox.seed_executions(parent, 3)
    page = await moengage_sandbox_client.child_campaigns(parent, limit=2, page=2)
    assert page.total_instances == 3
    assert [e.campaign_id for e in page.executions] == children[2:]


async def test_test_and_preview_examples_are_answered(
    moengage_sandbox_client: MoEngageClient,
) -> None:
    """The spec's test and preview examples, sent as dicts, decode typed answers."""
    client = moengage_sandbox_client
    tested = await client.test_campaign(example("test_campaign", "push_test_basic"))
    preview = await client.personalized_preview(
        example("personalized_preview", "user_attribute_preview")
    )
    assert tested.data and all(r.status for r in tested.data.values())
    assert preview.personalized_content is not None


async def test_a_gcg_upload_during_a_running_job_is_rate_limited() -> None:
    """While a GCG file job runs, another upload is a 429; after it, one is accepted."""
    clock = FakeClock()
    url = "https://bucket.s3.amazonaws.com/users.csv"
    async with (
        Sandbox(clock=clock, gcg_job_s=30.0) as sandbox,
        sandbox.client(clock=clock, retry=RetryPolicy(max_retries=0)) as client,
    ):
        await client.update_global_control_group(url, "add", "ops@example.com")
        with pytest.raises(RateLimitError):
            await client.update_global_control_group(url, "remove", "ops@example.com")
        clock.advance(30.0)
        await client.update_global_control_group(url, "remove", "ops@example.com")
    assert [job["action_type"] for job in sandbox.state.gcg_jobs] == ["add", "remove"]
    assert [r.status for r in sandbox.ledger.requests()] == [204, 429, 204]


@pytest.mark.moengage_sandbox(clock=FakeClock())
async def test_a_server_side_refusal_is_a_bad_request(
    moengage_sandbox_client: MoEngageClient,
) -> None:
    """A Push campaign without ``advanced`` (sent as a dict) is refused with 400."""
    body = example("create_campaign", "push_one_time_android_ios")
    with pytest.raises(BadRequestError) as info:
        await moengage_sandbox_client.create_campaign(body)
    assert info.value.target == "advanced"
