"""What our models put on the wire: spec-valid bodies, no nulls, the escape hatch."""

from __future__ import annotations

import msgspec
import pytest

from moengage_async.models import (
    AndroidBasicDetails,
    AndroidPlatformDetails,
    AndroidPushContent,
    CampaignDeliveryType,
    Connector,
    ContentType,
    CustomSegmentFilter,
    FilterGroup,
    Platform,
    PlatformSpecificDetails,
    PushBasicDetails,
    PushContent,
    PushDeliveryControls,
    SchedulingType,
    SegmentationDetails,
    StatusAction,
    UserAttributeFilter,
    parse_enum,
    to_wire,
    v1,
    v5,
)
from tests.spec_validation import SpecValidationError, validate_request


def push_campaign() -> v1.PushCampaign:
    """A minimal complete V1 Push campaign."""
    return v1.PushCampaign(
        request_id="req-1",
        campaign_delivery_type=CampaignDeliveryType.ONE_TIME,
        created_by="ops@example.com",
        basic_details=PushBasicDetails(
            name="Sale",
            platforms=[Platform.ANDROID],
            platform_specific_details=PlatformSpecificDetails(
                android=AndroidPlatformDetails(push_amp_plus_enabled=True)
            ),
        ),
        campaign_content=v1.PushCampaignContent(
            content=v1.PushContentBody(
                push=PushContent(
                    android=AndroidPushContent(
                        template_type="BASIC",
                        basic_details=AndroidBasicDetails(
                            notification_channel="general",
                            title="Hi",
                            message="Sale today",
                            default_click_action="DEEPLINKING",
                            default_click_action_value="app://home",
                        ),
                    )
                )
            )
        ),
        segmentation_details=SegmentationDetails(
            included_filters=FilterGroup(
                filter_operator="and",
                filters=[
                    UserAttributeFilter(
                        data_type="string", name="city", operator="is", value="Paris"
                    ),
                    CustomSegmentFilter(id="seg-1"),
                ],
            )
        ),
        scheduling_details=v1.SchedulingDetails(delivery_type=SchedulingType.ASAP),
        delivery_controls=PushDeliveryControls(bypass_dnd=False),
        advanced=v1.AdvancedDetails(),
    )


def email_draft() -> v5.EmailDraft:
    """A V5 Email draft with content."""
    return v5.EmailDraft(
        campaign_delivery_type=CampaignDeliveryType.ONE_TIME,
        created_by="ops@example.com",
        basic_details=v5.EmailBasicDetails(
            name="Newsletter", content_type=ContentType.TRANSACTIONAL
        ),
        connector=Connector(connector_type="SENDGRID", connector_name="main"),
        campaign_content=v5.EmailCampaignContent(
            content=v5.EmailContentBody(
                email=v5.EmailContent(
                    subject="Hello",
                    sender_name="Shop",
                    from_address="shop@example.com",
                    reply_to_address="help@example.com",
                    html_content="<p>Hi</p>",
                )
            )
        ),
    )


def test_v1_push_campaign_validates_against_the_spec() -> None:
    """A V1 Push campaign built from our models passes the spec's create schema."""
    validate_request(1, "create_campaign", msgspec.json.encode(push_campaign()))


def test_v1_push_campaign_carries_its_channel_tag_first() -> None:
    """The tagged union writes ``channel`` without the caller naming it."""
    body = msgspec.json.encode(push_campaign())
    assert body.startswith(b'{"channel":"PUSH"')


def test_filters_are_tagged_by_filter_type() -> None:
    """Segment filters encode their ``filter_type`` tag and decode back by it."""
    group = push_campaign().segmentation_details.included_filters
    wire = msgspec.to_builtins(group)
    assert [f["filter_type"] for f in wire["filters"]] == [
        "user_attributes",
        "custom_segments",
    ]
    assert msgspec.convert(wire, type=FilterGroup) == group


def test_v5_email_draft_validates_against_the_spec() -> None:
    """A V5 Email draft built from our models passes the spec's create schema."""
    validate_request(5, "create_draft_campaign_v5", msgspec.json.encode(email_draft()))


def test_v1_status_change_validates_against_the_spec() -> None:
    """The V1 status body validates; the action encodes as its plain value."""
    body = v1.CampaignStatusChangeRequest(
        request_id="r", action=StatusAction.PAUSE, campaign_ids=["a", "b"]
    )
    validate_request(1, "change_campaign_status", msgspec.json.encode(body))


def test_v5_search_uses_the_v5_filter_names() -> None:
    """V5 search sends ``ids``/``campaign_delivery_type``, which its schema accepts."""
    body = v5.SearchRequest(
        request_id="r",
        limit=15,
        page=1,
        campaign_fields=v5.SearchFields(
            ids=["64a1b2c3d4e5f6a7b8c9d0e1"], campaign_delivery_type=["ONE_TIME"]
        ),
    )
    wire = to_wire(body)
    assert set(wire["campaign_fields"]) == {"ids", "campaign_delivery_type"}
    validate_request(5, "search_campaigns_v5", wire)


def test_unset_optional_fields_are_never_sent_as_null() -> None:
    """Optional fields left unset are absent from the body, not ``null``."""
    body = msgspec.json.encode(v1.ChildCampaignsRequest(limit=5, page=1))
    assert body == b'{"limit":5,"page":1}'


def test_the_harness_rejects_a_body_the_spec_forbids() -> None:
    """A V1 search with ``limit`` 16 fails spec validation (the harness can fail)."""
    with pytest.raises(SpecValidationError, match="limit"):
        validate_request(
            1,
            "search_campaigns",
            to_wire(v1.CampaignSearchRequest(limit=16, page=1), request_id="r"),
        )


def test_extra_is_merged_deeply_into_the_body() -> None:
    """``extra`` adds unknown keys at any depth without dropping modelled ones."""
    body = v1.CampaignSearchRequest(
        limit=2,
        page=1,
        campaign_fields=v1.CampaignSearchFields(name="Sale"),
        extra={"campaign_fields": {"new_filter": ["x"]}, "top_level": True},
    )
    assert to_wire(body) == {
        "limit": 2,
        "page": 1,
        "campaign_fields": {"name": "Sale", "new_filter": ["x"]},
        "top_level": True,
    }


def test_plain_mapping_payload_passes_through() -> None:
    """A plain dict is accepted as a payload, with top-level fields set last."""
    assert to_wire({"a": 1, "request_id": "old"}, request_id="new") == {
        "a": 1,
        "request_id": "new",
    }


@pytest.mark.parametrize(
    ("version_enum", "value"),
    [
        pytest.param(v1.SherpaMetric.OPEN_RATE, "OPEN RATE", id="v1-open-rate"),
        pytest.param(v5.SherpaMetric.OPEN_RATE, "OPEN_RATE", id="v5-open-rate"),
        pytest.param(
            v1.InterruptionLevel.TIME_SENSITIVE,
            "Time sensitive",
            id="v1-time-sensitive",
        ),
        pytest.param(
            v5.InterruptionLevel.TIME_SENSITIVE,
            "TIME_SENSITIVE",
            id="v5-time-sensitive",
        ),
    ],
)
def test_each_generation_keeps_its_own_enum_spelling(
    version_enum: object, value: str
) -> None:
    """V1 and V5 spell the same concept differently; each module sends its own."""
    assert msgspec.json.encode(version_enum) == f'"{value}"'.encode()


def test_v1_request_refuses_the_v5_spelling() -> None:
    """A V1 variation with ``OPEN_RATE`` is rejected at decode time."""
    raw = (
        b'{"distribution_type":"SHERPA","no_of_variations":2,'
        b'"sherpa_distribution_metric":"OPEN_RATE"}'
    )
    with pytest.raises(msgspec.ValidationError, match="sherpa_distribution_metric"):
        msgspec.json.decode(raw, type=v1.VariationDetails)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Active", v1.CampaignStatus.ACTIVE, id="title-case"),
        pytest.param("active", v1.CampaignStatus.ACTIVE, id="lower-case"),
        pytest.param("RETIRED", v1.CampaignStatus.RETIRED, id="upper-case"),
        pytest.param("ZOMBIE", "ZOMBIE", id="unknown-kept"),
    ],
)
def test_parse_enum_is_case_insensitive_and_keeps_unknowns(
    raw: str, expected: object
) -> None:
    """Response enum values upgrade case-insensitively; unknown ones stay strings."""
    assert parse_enum(v1.CampaignStatus, raw) == expected


def test_parse_enum_matches_spaced_spellings() -> None:
    """``time sensitive`` maps to the V5 member despite space vs underscore."""
    assert parse_enum(v5.InterruptionLevel, "Time sensitive") is (
        v5.InterruptionLevel.TIME_SENSITIVE
    )


def test_response_rows_accept_unknown_fields_and_odd_statuses() -> None:
    """A meta row with a new field and a title-case status still decodes."""
    raw = b'[{"campaign_id":"c1","campaign_status":"Paused","brand_new":{"x":1}}]'
    rows = msgspec.json.decode(raw, type=list[v1.CampaignMeta])
    assert rows[0].campaign_status == "Paused"


def test_v5_details_expose_the_canonical_id() -> None:
    """``canonical_id`` prefers ``campaign_id`` over the per-version ``id``."""
    raw = (
        b'{"response_id":"r","type":"campaign",'
        b'"data":{"id":"v2doc","campaign_id":"root","version_number":2}}'
    )
    env = msgspec.json.decode(raw, type=v5.Envelope[v5.CampaignDetails])
    assert (env.data.canonical_id, env.data.id, env.data.version_number) == (
        "root",
        "v2doc",
        2,
    )


def test_models_are_frozen() -> None:
    """Models are immutable, so they are safe to share between tasks."""
    body = v1.ChildCampaignsRequest(limit=1, page=1)
    with pytest.raises(AttributeError):
        body.limit = 2  # type: ignore[misc]
