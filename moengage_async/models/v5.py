"""V5 (``/v5/...``, draft-first) request and response models.

Requests: ``PushDraft``/``EmailDraft`` (create, tagged on ``channel``),
``PushDraftPatch``/``EmailDraftPatch``, ``PublishRequest``, ``ValidateRequest``,
``StatusChangeRequest``, ``SearchRequest``, ``MetaRequest``,
``PushTestRequest``/``EmailTestRequest`` (inline content or ``draft_id``),
``PushPreviewRequest``/``EmailPreviewRequest``/``SmsPreviewRequest``.

Responses: every 2xx body is the envelope ``Envelope[T]`` =
``{response_id, type, data: T}``; decode with e.g.
``msgspec.json.Decoder(Envelope[DraftCreated])``. ``CampaignDetails`` carries both
``id`` (this version's document) and ``campaign_id`` (canonical across versions).

Where V5 spells things differently from V1 this module has its own types:
``SherpaMetric.OPEN_RATE == "OPEN_RATE"``, ``InterruptionLevel.TIME_SENSITIVE``,
search filters ``ids``/``campaign_delivery_type`` (the V1 keys silently match
nothing), the audience limit, and the merged test identifier set.
"""

from __future__ import annotations

import enum
from typing import Any, Generic, TypeVar

import msgspec

from ._common import (
    UNSET,
    AndroidPriority,
    CampaignDeliveryType,
    Channel,
    Connector,
    ContentType,
    ControlGroupDetails,
    ConversionGoalDetails,
    EmailContentBase,
    EmailDeliveryControls,
    EmailTriggerCondition,
    ExpirationSettings,
    Model,
    PersonalizationDetails,
    PushBasicDetails,
    PushContent,
    PushDeliveryControls,
    PushTriggerCondition,
    ReachabilityDetails,
    SchedulingDetailsBase,
    SegmentationDetails,
    StatusAction,
    TestResult,
    UnsetType,
    UtmParams,
)

__all__ = [
    "AdvancedDetails",
    "CampaignAudienceLimit",
    "CampaignDetails",
    "CampaignList",
    "CampaignMeta",
    "CampaignMetaList",
    "CampaignStatus",
    "CreateDraftRequest",
    "DateTimeRange",
    "DraftCreated",
    "DraftPatchRequest",
    "EmailBasicDetails",
    "EmailCampaignContent",
    "EmailContent",
    "EmailContentBody",
    "EmailDraft",
    "EmailDraftPatch",
    "EmailPreviewRequest",
    "EmailTestRequest",
    "Envelope",
    "GeoFenceTimeBound",
    "GeoFenceTimeLimit",
    "InterruptionLevel",
    "IosPriority",
    "MetaFields",
    "MetaRequest",
    "PatchAccepted",
    "PlatformLevelPriority",
    "PreviewRequest",
    "PreviewResult",
    "PublishRequest",
    "PushCampaignContent",
    "PushContentBody",
    "PushDraft",
    "PushDraftPatch",
    "PushPreviewRequest",
    "PushTestRequest",
    "SchedulingDetails",
    "SearchFields",
    "SearchRequest",
    "SherpaMetric",
    "SmsPreviewRequest",
    "StatusAction",
    "StatusChangeRequest",
    "StatusChanged",
    "TestCampaignMeta",
    "TestRequest",
    "TestResults",
    "UserIdentification",
    "ValidateRequest",
    "ValidationIssue",
    "ValidationResult",
    "VariationDetails",
]

T = TypeVar("T")


class _V5(Model, frozen=True, kw_only=True):
    """Base of every V5 model."""


class _V5Request(_V5, frozen=True, kw_only=True):
    """A V5 request body; ``extra`` is merged into the JSON the client sends."""

    request_id: str | UnsetType = UNSET
    extra: dict[str, Any] | UnsetType = UNSET


# -- V5-only closed sets ---------------------------------------------------------------


class CampaignStatus(str, enum.Enum):
    """V5 campaign statuses (adds ``DRAFT`` and ``SENDING``; no ``RETIRED``)."""

    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    ACTIVE = "ACTIVE"
    SENDING = "SENDING"
    PAUSED = "PAUSED"
    SENT = "SENT"
    STOPPED = "STOPPED"
    ARCHIVED = "ARCHIVED"


class SherpaMetric(str, enum.Enum):
    """V5 spelling of the Sherpa metric."""

    OPEN_RATE = "OPEN_RATE"
    CLICK_RATE = "CLICK_RATE"
    BOTH = "BOTH"


class InterruptionLevel(str, enum.Enum):
    """V5 spelling of the iOS interruption level."""

    PASSIVE = "PASSIVE"
    ACTIVE = "ACTIVE"
    TIME_SENSITIVE = "TIME_SENSITIVE"
    CRITICAL = "CRITICAL"


# -- V5 component shapes ---------------------------------------------------------------


class EmailBasicDetails(_V5, frozen=True, kw_only=True):
    """``basic_details`` of a V5 Email campaign (all optional in a draft)."""

    name: str | UnsetType = UNSET
    content_type: ContentType | UnsetType = UNSET
    user_attribute_identifier: str | UnsetType = UNSET
    business_event: str | UnsetType = UNSET
    subscription_category: str | UnsetType = UNSET
    tags: list[str] | UnsetType = UNSET
    team: str | UnsetType = UNSET


class VariationDetails(_V5, frozen=True, kw_only=True):
    """A/B variations (V5: integer percentages, metric ``OPEN_RATE``)."""

    distribution_type: str | UnsetType = UNSET
    no_of_variations: int | UnsetType = UNSET
    manual_distribution_percentage: dict[str, Any] | UnsetType = UNSET
    sherpa_campaign_duration: int | UnsetType = UNSET
    sherpa_distribution_metric: SherpaMetric | UnsetType = UNSET


class PushContentBody(_V5, frozen=True, kw_only=True):
    """``campaign_content.content`` of a Push campaign (single locale/variation)."""

    push: PushContent


class PushCampaignContent(_V5, frozen=True, kw_only=True):
    """Push content; locale-keyed variations go through ``extra`` or a dict body."""

    content: PushContentBody | UnsetType = UNSET
    locales: list[str] | UnsetType = UNSET
    variation_details: VariationDetails | UnsetType = UNSET


class EmailContent(EmailContentBase, frozen=True, kw_only=True):
    """One V5 email variation (``from_address`` lives here, not in basic details)."""


class EmailContentBody(_V5, frozen=True, kw_only=True):
    """``campaign_content.content`` of an Email campaign."""

    email: EmailContent


class EmailCampaignContent(_V5, frozen=True, kw_only=True):
    """Email content: locales, variations and the email itself."""

    content: EmailContentBody | UnsetType = UNSET
    locales: list[str] | UnsetType = UNSET
    variation_details: VariationDetails | UnsetType = UNSET


class GeoFenceTimeBound(_V5, frozen=True, kw_only=True):
    """One delivery window of a Location-triggered campaign."""

    start_time: str | UnsetType = UNSET
    end_time: str | UnsetType = UNSET


class GeoFenceTimeLimit(_V5, frozen=True, kw_only=True):
    """``ALWAYS`` or ``LIMITED_TIME`` within ``timebounds``."""

    notification_schedule: str | UnsetType = UNSET
    timebounds: list[GeoFenceTimeBound] | UnsetType = UNSET


class SchedulingDetails(SchedulingDetailsBase, frozen=True, kw_only=True):
    """V5 scheduling: IANA ``timezone`` (required for fixed-time and BTS sends)."""

    timezone: str | UnsetType = UNSET
    geo_fence_timelimit: GeoFenceTimeLimit | UnsetType = UNSET


class IosPriority(_V5, frozen=True, kw_only=True):
    """APNS priority and interruption level (V5 spellings)."""

    apns_priority: str | UnsetType = UNSET
    interruption_level: InterruptionLevel | UnsetType = UNSET
    relevance_score: float | UnsetType = UNSET


class PlatformLevelPriority(_V5, frozen=True, kw_only=True):
    """Delivery priority per platform."""

    android_specific_priority: AndroidPriority | UnsetType = UNSET
    ios_specific_priority: IosPriority | UnsetType = UNSET


class AdvancedDetails(_V5, frozen=True, kw_only=True):
    """``advanced``: expiry and platform priority."""

    expiration_settings: ExpirationSettings | UnsetType = UNSET
    platform_level_priority: PlatformLevelPriority | UnsetType = UNSET


class CampaignAudienceLimit(_V5, frozen=True, kw_only=True):
    """Cap on messages sent (``limit`` 1 to 9,999,999,999)."""

    is_campaign_audience_limit_enabled: bool | UnsetType = UNSET
    metric: str | UnsetType = UNSET
    frequency: str | UnsetType = UNSET
    limit: int | UnsetType = UNSET


# -- create / patch / publish / validate / status --------------------------------------


class PushDraft(_V5Request, frozen=True, kw_only=True, tag_field="channel", tag="PUSH"):
    """Body of ``POST /v5/campaigns`` for a Push draft; components may come later."""

    campaign_delivery_type: CampaignDeliveryType
    created_by: str
    basic_details: PushBasicDetails | UnsetType = UNSET
    trigger_condition: PushTriggerCondition | UnsetType = UNSET
    campaign_content: PushCampaignContent | UnsetType = UNSET
    segmentation_details: SegmentationDetails | UnsetType = UNSET
    scheduling_details: SchedulingDetails | UnsetType = UNSET
    delivery_controls: PushDeliveryControls | UnsetType = UNSET
    advanced: AdvancedDetails | UnsetType = UNSET
    conversion_goal_details: ConversionGoalDetails | UnsetType = UNSET
    control_group_details: ControlGroupDetails | UnsetType = UNSET
    utm_params: UtmParams | UnsetType = UNSET
    campaign_audience_limit: CampaignAudienceLimit | UnsetType = UNSET


class EmailDraft(
    _V5Request, frozen=True, kw_only=True, tag_field="channel", tag="EMAIL"
):
    """Body of ``POST /v5/campaigns`` for an Email draft."""

    campaign_delivery_type: CampaignDeliveryType
    created_by: str
    basic_details: EmailBasicDetails | UnsetType = UNSET
    trigger_condition: EmailTriggerCondition | UnsetType = UNSET
    connector: Connector | UnsetType = UNSET
    campaign_content: EmailCampaignContent | UnsetType = UNSET
    segmentation_details: SegmentationDetails | UnsetType = UNSET
    scheduling_details: SchedulingDetails | UnsetType = UNSET
    delivery_controls: EmailDeliveryControls | UnsetType = UNSET
    conversion_goal_details: ConversionGoalDetails | UnsetType = UNSET
    control_group_details: ControlGroupDetails | UnsetType = UNSET
    utm_params: UtmParams | UnsetType = UNSET
    campaign_audience_limit: CampaignAudienceLimit | UnsetType = UNSET


CreateDraftRequest = PushDraft | EmailDraft


class PushDraftPatch(_V5Request, frozen=True, kw_only=True):
    """Body of ``PATCH /v5/campaigns/{id}`` (Push): merged into the draft."""

    channel: Channel | UnsetType = UNSET
    campaign_delivery_type: CampaignDeliveryType | UnsetType = UNSET
    updated_by: str | UnsetType = UNSET
    basic_details: PushBasicDetails | UnsetType = UNSET
    trigger_condition: PushTriggerCondition | UnsetType = UNSET
    campaign_content: PushCampaignContent | UnsetType = UNSET
    segmentation_details: SegmentationDetails | UnsetType = UNSET
    scheduling_details: SchedulingDetails | UnsetType = UNSET
    delivery_controls: PushDeliveryControls | UnsetType = UNSET
    advanced: AdvancedDetails | UnsetType = UNSET
    conversion_goal_details: ConversionGoalDetails | UnsetType = UNSET
    control_group_details: ControlGroupDetails | UnsetType = UNSET
    utm_params: UtmParams | UnsetType = UNSET
    campaign_audience_limit: CampaignAudienceLimit | UnsetType = UNSET


class EmailDraftPatch(_V5Request, frozen=True, kw_only=True):
    """Body of ``PATCH /v5/campaigns/{id}`` (Email): merged into the draft."""

    channel: Channel | UnsetType = UNSET
    campaign_delivery_type: CampaignDeliveryType | UnsetType = UNSET
    updated_by: str | UnsetType = UNSET
    basic_details: EmailBasicDetails | UnsetType = UNSET
    connector: Connector | UnsetType = UNSET
    trigger_condition: EmailTriggerCondition | UnsetType = UNSET
    campaign_content: EmailCampaignContent | UnsetType = UNSET
    segmentation_details: SegmentationDetails | UnsetType = UNSET
    scheduling_details: SchedulingDetails | UnsetType = UNSET
    delivery_controls: EmailDeliveryControls | UnsetType = UNSET
    advanced: AdvancedDetails | UnsetType = UNSET
    conversion_goal_details: ConversionGoalDetails | UnsetType = UNSET
    control_group_details: ControlGroupDetails | UnsetType = UNSET
    utm_params: UtmParams | UnsetType = UNSET
    campaign_audience_limit: CampaignAudienceLimit | UnsetType = UNSET


DraftPatchRequest = PushDraftPatch | EmailDraftPatch


class PublishRequest(_V5Request, frozen=True, kw_only=True):
    """Body-only publish form of ``PATCH /v5/campaigns/{id}`` (API.md §9 C3)."""

    status: str = "PUBLISH"


class ValidateRequest(_V5Request, frozen=True, kw_only=True):
    """Body of ``POST /v5/campaigns/{id}/validate`` (``{}`` is valid)."""


class StatusChangeRequest(_V5Request, frozen=True, kw_only=True):
    """Body of ``PATCH /v5/campaigns/{id}/status``: one campaign per call."""

    action: StatusAction


# -- search / meta ---------------------------------------------------------------------


class DateTimeRange(_V5, frozen=True, kw_only=True):
    """``created_date`` filter (ISO date-time in V5)."""

    from_date: str
    to_date: str


class SearchFields(_V5, frozen=True, kw_only=True):
    """V5 search filters: ``ids`` and ``campaign_delivery_type`` (renamed from V1)."""

    ids: list[str] | UnsetType = UNSET
    channels: list[str] | UnsetType = UNSET
    created_by: list[str] | UnsetType = UNSET
    created_date: DateTimeRange | UnsetType = UNSET
    campaign_delivery_type: list[str] | UnsetType = UNSET
    name: str | UnsetType = UNSET
    status: list[str] | UnsetType = UNSET
    tags: list[str] | UnsetType = UNSET
    version_number: int | UnsetType = UNSET


class SearchRequest(_V5Request, frozen=True, kw_only=True):
    """Body of ``POST /v5/campaigns/search``: ``limit`` 1 to 15, ``page`` from 1."""

    limit: int
    page: int
    campaign_fields: SearchFields | UnsetType = UNSET
    include_child_campaigns: bool | UnsetType = UNSET
    include_archive_campaigns: bool | UnsetType = UNSET


class MetaFields(_V5, frozen=True, kw_only=True):
    """V5 meta filters (the V1 names, ``delivery_type`` a single string)."""

    id: str | UnsetType = UNSET
    channels: list[str] | UnsetType = UNSET
    created_by: list[str] | UnsetType = UNSET
    created_date: DateTimeRange | UnsetType = UNSET
    delivery_type: str | UnsetType = UNSET
    campaign_delivery_type: list[str] | UnsetType = UNSET
    name: str | UnsetType = UNSET
    status: list[str] | UnsetType = UNSET
    tags: list[str] | UnsetType = UNSET


class MetaRequest(_V5Request, frozen=True, kw_only=True):
    """Body of ``POST /v5/campaigns/meta``."""

    limit: int
    page: int
    campaign_fields: MetaFields | UnsetType = UNSET
    include_child_campaigns: bool | UnsetType = UNSET


# -- test / preview --------------------------------------------------------------------


class TestCampaignMeta(_V5, frozen=True, kw_only=True):
    """Who receives a test (at most 10 values); ``platform`` in draft mode."""

    identifier: str
    identifier_values: list[str]
    variation: str | UnsetType = UNSET
    locale_name: str | UnsetType = UNSET
    platform: str | UnsetType = UNSET


class PushTestRequest(
    _V5Request, frozen=True, kw_only=True, tag_field="channel", tag="PUSH"
):
    """``POST /v5/campaigns/test``: inline content, or ``draft_id`` alone."""

    test_campaign_meta: TestCampaignMeta
    draft_id: str | UnsetType = UNSET
    basic_details: PushBasicDetails | UnsetType = UNSET
    campaign_content: PushCampaignContent | UnsetType = UNSET
    personalization_details: PersonalizationDetails | UnsetType = UNSET


class EmailTestRequest(
    _V5Request, frozen=True, kw_only=True, tag_field="channel", tag="EMAIL"
):
    """``POST /v5/campaigns/test`` for Email: inline content, or ``draft_id``."""

    test_campaign_meta: TestCampaignMeta
    draft_id: str | UnsetType = UNSET
    basic_details: EmailBasicDetails | UnsetType = UNSET
    connector: Connector | UnsetType = UNSET
    campaign_content: EmailCampaignContent | UnsetType = UNSET
    personalization_details: PersonalizationDetails | UnsetType = UNSET


TestRequest = PushTestRequest | EmailTestRequest


class UserIdentification(_V5, frozen=True, kw_only=True):
    """The user to render for (``USER_ATTRIBUTE_UNIQUE_ID``, ``EMAIL``, ...)."""

    type: str
    value: str


class PushPreviewRequest(
    _V5Request, frozen=True, kw_only=True, tag_field="channel", tag="PUSH"
):
    """``POST /v5/personalization/preview`` for Push content."""

    user_identification: UserIdentification
    campaign_content: PushCampaignContent
    event_attributes: dict[str, str] | UnsetType = UNSET


class EmailPreviewRequest(
    _V5Request, frozen=True, kw_only=True, tag_field="channel", tag="EMAIL"
):
    """``POST /v5/personalization/preview`` for Email content."""

    user_identification: UserIdentification
    campaign_content: EmailCampaignContent
    event_attributes: dict[str, str] | UnsetType = UNSET


class SmsPreviewRequest(
    _V5Request, frozen=True, kw_only=True, tag_field="channel", tag="SMS"
):
    """``POST /v5/personalization/preview`` for SMS (content is not modelled)."""

    user_identification: UserIdentification
    campaign_content: dict[str, Any]
    event_attributes: dict[str, str] | UnsetType = UNSET


PreviewRequest = PushPreviewRequest | EmailPreviewRequest | SmsPreviewRequest


# -- responses -------------------------------------------------------------------------


class Envelope(_V5, Generic[T], frozen=True, kw_only=True):
    """Every V5 2xx body: ``{response_id, type, data}``."""

    data: T
    response_id: str | None = None
    type: str | None = None


class DraftCreated(_V5, frozen=True, kw_only=True):
    """``data`` of a 201 from ``POST /v5/campaigns``."""

    id: str
    status: str | None = None


class PatchAccepted(_V5, frozen=True, kw_only=True):
    """``data`` of a 200 from ``PATCH /v5/campaigns/{id}``."""

    id: str


class StatusChanged(_V5, frozen=True, kw_only=True):
    """``data`` of a 200 from the status endpoint (new status is not returned)."""

    id: str
    action: str | None = None


class ValidationIssue(_V5, frozen=True, kw_only=True):
    """One reason a draft cannot be published."""

    field: str | None = None
    issue: str | None = None


class ValidationResult(_V5, frozen=True, kw_only=True):
    """``data`` of validate: always 200; ``valid`` says whether it may publish."""

    valid: bool
    errors: list[ValidationIssue] = msgspec.field(default_factory=list)


class TestResults(_V5, frozen=True, kw_only=True):
    """``data`` of a test: a result per ``<PLATFORM>_<locale>_<variation>`` key."""

    data: dict[str, TestResult] = msgspec.field(default_factory=dict)
    message: str | None = None


class PreviewResult(_V5, frozen=True, kw_only=True):
    """``data`` of a preview; ``personalized_content`` may nest another envelope."""

    personalized_content: dict[str, Any] | None = None


class CampaignDetails(_V5, frozen=True, kw_only=True):
    """A full campaign (GET, search rows).

    ``id`` is this version's document id; ``campaign_id`` is canonical across
    versions (equal to ``id`` when versioning is off). Channel-dependent components
    stay plain dicts: the spec types them as a Push-or-Email union.
    """

    id: str | None = None
    campaign_id: str | None = None
    version_number: int | None = None
    status: str | None = None
    channel: str | None = None
    campaign_delivery_type: str | None = None
    created_by: str | None = None
    updated_by: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    sent_time: str | None = None
    flow_id: str | None = None
    flow_name: str | None = None
    parent_id: str | None = None
    sender_name: str | None = None
    basic_details: dict[str, Any] | None = None
    campaign_content: dict[str, Any] | None = None
    trigger_condition: dict[str, Any] | None = None
    segmentation_details: dict[str, Any] | None = None
    scheduling_details: dict[str, Any] | None = None
    delivery_controls: dict[str, Any] | None = None
    advanced: dict[str, Any] | None = None
    conversion_goal_details: dict[str, Any] | None = None
    control_group_details: dict[str, Any] | None = None
    utm_params: dict[str, Any] | None = None
    connector: dict[str, Any] | None = None
    campaign_audience_limit: dict[str, Any] | None = None

    @property
    def canonical_id(self) -> str | None:
        """The id to use across versions: ``campaign_id``, else ``id``."""
        return self.campaign_id or self.id


class CampaignList(_V5, frozen=True, kw_only=True):
    """``data`` of search: no total; stop when a page has fewer than ``limit`` rows."""

    campaigns: list[CampaignDetails] = msgspec.field(default_factory=list)


class CampaignMeta(_V5, frozen=True, kw_only=True):
    """One meta row (V1 field names plus ``version_number``, ``rejection_comment``)."""

    campaign_id: str
    version_number: int | None = None
    channel: str | None = None
    platform: list[str] | None = None
    created_by: str | None = None
    campaign_delivery_type: str | None = None
    campaign_name: str | None = None
    campaign_team: str | None = None
    campaign_tags: list[str] | None = None
    campaign_status: str | None = None
    campaign_start_time: str | None = None
    parent_campaign_id: str | None = None
    total_child_campaigns: int | None = None
    rejection_comment: str | None = None
    reachability_details: ReachabilityDetails | None = None


class CampaignMetaList(_V5, frozen=True, kw_only=True):
    """``data`` of meta."""

    campaigns: list[CampaignMeta] = msgspec.field(default_factory=list)
