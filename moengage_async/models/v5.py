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

from typing import Any

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
from ._v5_filters import (
    DateTimeRange,
    MetaFields,
    MetaRequest,
    SearchFields,
    SearchRequest,
)
from ._v5_parts import (
    _V5,
    AdvancedDetails,
    CampaignAudienceLimit,
    CampaignStatus,
    EmailBasicDetails,
    EmailCampaignContent,
    EmailContent,
    EmailContentBody,
    GeoFenceTimeBound,
    GeoFenceTimeLimit,
    InterruptionLevel,
    IosPriority,
    LocalizedEmailCampaignContent,
    LocalizedPushCampaignContent,
    PlatformLevelPriority,
    PushCampaignContent,
    PushContentBody,
    SchedulingDetails,
    SherpaMetric,
    VariationDetails,
    _V5Request,
)
from ._v5_responses import (
    CampaignDetails,
    CampaignList,
    CampaignMeta,
    CampaignMetaList,
    DraftCreated,
    Envelope,
    PatchAccepted,
    PreviewResult,
    StatusChanged,
    TestResults,
    ValidationIssue,
    ValidationResult,
)

__all__ = [
    "AdvancedDetails",
    "AndroidPriority",
    "CampaignAudienceLimit",
    "CampaignDeliveryType",
    "CampaignDetails",
    "CampaignList",
    "CampaignMeta",
    "CampaignMetaList",
    "CampaignStatus",
    "Channel",
    "Connector",
    "ContentType",
    "ControlGroupDetails",
    "ConversionGoalDetails",
    "CreateDraftRequest",
    "DateTimeRange",
    "DraftCreated",
    "DraftPatchRequest",
    "EmailBasicDetails",
    "EmailCampaignContent",
    "EmailContent",
    "EmailContentBase",
    "EmailContentBody",
    "EmailDeliveryControls",
    "EmailDraft",
    "EmailDraftPatch",
    "EmailPreviewRequest",
    "EmailTestRequest",
    "EmailTriggerCondition",
    "Envelope",
    "ExpirationSettings",
    "GeoFenceTimeBound",
    "GeoFenceTimeLimit",
    "InterruptionLevel",
    "IosPriority",
    "LocalizedEmailCampaignContent",
    "LocalizedPushCampaignContent",
    "MetaFields",
    "MetaRequest",
    "Model",
    "PatchAccepted",
    "PersonalizationDetails",
    "PlatformLevelPriority",
    "PreviewRequest",
    "PreviewResult",
    "PublishRequest",
    "PushBasicDetails",
    "PushCampaignContent",
    "PushContent",
    "PushContentBody",
    "PushDeliveryControls",
    "PushDraft",
    "PushDraftPatch",
    "PushPreviewRequest",
    "PushTestRequest",
    "PushTriggerCondition",
    "ReachabilityDetails",
    "SchedulingDetails",
    "SchedulingDetailsBase",
    "SearchFields",
    "SearchRequest",
    "SegmentationDetails",
    "SherpaMetric",
    "SmsPreviewRequest",
    "StatusAction",
    "StatusChangeRequest",
    "StatusChanged",
    "TestCampaignMeta",
    "TestRequest",
    "TestResult",
    "TestResults",
    "UNSET",
    "UnsetType",
    "UserIdentification",
    "UtmParams",
    "ValidateRequest",
    "ValidationIssue",
    "ValidationResult",
    "VariationDetails",
]


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
    """Body-only publish form of ``PATCH /v5/campaigns/{id}`` (docs/api-notes.md C3)."""

    status: str = "PUBLISH"


class ValidateRequest(_V5Request, frozen=True, kw_only=True):
    """Body of ``POST /v5/campaigns/{id}/validate`` (``{}`` is valid)."""


class StatusChangeRequest(_V5Request, frozen=True, kw_only=True):
    """Body of ``PATCH /v5/campaigns/{id}/status``: one campaign per call."""

    action: StatusAction


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
