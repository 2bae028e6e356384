"""V1 (``/core-services/v1``) request and response models.

Requests: ``PushCampaign``/``EmailCampaign`` (create, tagged on ``channel``),
``PushCampaignUpdate``/``EmailCampaignUpdate``,
``PushTestRequest``/``EmailTestRequest``,
``PreviewRequest``, ``CampaignSearchRequest``, ``CampaignMetaRequest``,
``CampaignStatusChangeRequest``, ``ChildCampaignsRequest``,
``GlobalControlGroupRequest``. ``request_id`` may be left unset on every request:
the client fills it in (and keeps it across retries).

Responses accept unknown fields and keep enum-like values as ``str`` (the V1
examples answer ``"Active"`` where the schema says ``ACTIVE``); upgrade them with
``models.parse_enum`` when needed.

Every request model has ``extra: dict``: keys merged (deeply) into the encoded body,
for fields these models do not know yet.
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
    DateRange,
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
from ._v1_parts import (
    _V1,
    AdvancedDetails,
    CampaignAudienceLimit,
    CampaignStatus,
    DealCard,
    EmailBasicDetails,
    EmailCampaignContent,
    EmailContent,
    EmailContentBody,
    GcgAction,
    GmailAnnotations,
    InterruptionLevel,
    IosPriority,
    LocalizedEmailCampaignContent,
    LocalizedPushCampaignContent,
    PlatformLevelPriority,
    ProductCarousel,
    ProductCarouselManualData,
    ProductCarouselProduct,
    ProductSetData,
    PushCampaignContent,
    PushContentBody,
    SchedulingDetails,
    SherpaMetric,
    VariationDetails,
    _V1Request,
)
from ._v1_responses import (
    CampaignCreateResponse,
    CampaignDetails,
    CampaignMeta,
    ChildCampaign,
    ChildCampaignsResponse,
    PersonalizedContent,
    PreviewResponse,
    ResponseConnector,
    TestCampaignResponse,
)

__all__ = [
    "AdvancedDetails",
    "AndroidPriority",
    "CampaignAudienceLimit",
    "CampaignCreateRequest",
    "CampaignCreateResponse",
    "CampaignDeliveryType",
    "CampaignDetails",
    "CampaignMeta",
    "CampaignMetaFields",
    "CampaignMetaRequest",
    "CampaignSearchFields",
    "CampaignSearchRequest",
    "CampaignStatus",
    "CampaignStatusChangeRequest",
    "CampaignTestRequest",
    "CampaignUpdateRequest",
    "Channel",
    "ChildCampaign",
    "ChildCampaignsRequest",
    "ChildCampaignsResponse",
    "Connector",
    "ContentType",
    "ControlGroupDetails",
    "ConversionGoalDetails",
    "CustomTemplateData",
    "DateRange",
    "DealCard",
    "EmailBasicDetails",
    "EmailCampaign",
    "EmailCampaignContent",
    "EmailCampaignUpdate",
    "EmailContent",
    "EmailContentBase",
    "EmailContentBody",
    "EmailDeliveryControls",
    "EmailTestMeta",
    "EmailTestRequest",
    "EmailTriggerCondition",
    "ExpirationSettings",
    "GcgAction",
    "GlobalControlGroupRequest",
    "GmailAnnotations",
    "InterruptionLevel",
    "IosPriority",
    "LocalizedEmailCampaignContent",
    "LocalizedPushCampaignContent",
    "Model",
    "PersonalizationContent",
    "PersonalizationDetails",
    "PersonalizedContent",
    "PlatformLevelPriority",
    "PreviewPersonalizationDetails",
    "PreviewRequest",
    "PreviewResponse",
    "ProductCarousel",
    "ProductCarouselManualData",
    "ProductCarouselProduct",
    "ProductSetData",
    "PushBasicDetails",
    "PushCampaign",
    "PushCampaignContent",
    "PushCampaignUpdate",
    "PushContent",
    "PushContentBody",
    "PushDeliveryControls",
    "PushTestMeta",
    "PushTestRequest",
    "PushTriggerCondition",
    "ReachabilityDetails",
    "ResponseConnector",
    "SchedulingDetails",
    "SchedulingDetailsBase",
    "SegmentationDetails",
    "SherpaMetric",
    "StatusAction",
    "TestCampaignResponse",
    "TestResult",
    "UNSET",
    "UnsetType",
    "UserDetails",
    "UtmParams",
    "VariationDetails",
]


# -- create / update -------------------------------------------------------------------


class PushCampaign(
    _V1Request, frozen=True, kw_only=True, tag_field="channel", tag="PUSH"
):
    """Body of ``POST /campaigns`` for a Push campaign."""

    campaign_delivery_type: CampaignDeliveryType
    created_by: str
    basic_details: PushBasicDetails
    campaign_content: PushCampaignContent
    segmentation_details: SegmentationDetails
    scheduling_details: SchedulingDetails
    delivery_controls: PushDeliveryControls | UnsetType = UNSET
    advanced: AdvancedDetails | UnsetType = UNSET
    trigger_condition: PushTriggerCondition | UnsetType = UNSET
    conversion_goal_details: ConversionGoalDetails | UnsetType = UNSET
    control_group_details: ControlGroupDetails | UnsetType = UNSET
    utm_params: UtmParams | UnsetType = UNSET


class EmailCampaign(
    _V1Request, frozen=True, kw_only=True, tag_field="channel", tag="EMAIL"
):
    """Body of ``POST /campaigns`` for an Email campaign."""

    campaign_delivery_type: CampaignDeliveryType
    created_by: str
    basic_details: EmailBasicDetails
    connector: Connector
    campaign_content: EmailCampaignContent
    segmentation_details: SegmentationDetails
    scheduling_details: SchedulingDetails
    delivery_controls: EmailDeliveryControls | UnsetType = UNSET
    trigger_condition: EmailTriggerCondition | UnsetType = UNSET
    conversion_goal_details: ConversionGoalDetails | UnsetType = UNSET
    control_group_details: ControlGroupDetails | UnsetType = UNSET
    utm_params: UtmParams | UnsetType = UNSET
    campaign_audience_limit: CampaignAudienceLimit | UnsetType = UNSET


#: Decode a create body with ``msgspec.json.decode(raw, type=CampaignCreateRequest)``.
CampaignCreateRequest = PushCampaign | EmailCampaign


class PushCampaignUpdate(_V1Request, frozen=True, kw_only=True):
    """Body of ``PATCH /campaigns/{id}`` for Push: each component sent replaces it."""

    updated_by: str
    channel: Channel | UnsetType = UNSET
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


class EmailCampaignUpdate(_V1Request, frozen=True, kw_only=True):
    """Body of ``PATCH /campaigns/{id}`` for Email: each component sent replaces it."""

    updated_by: str
    channel: Channel | UnsetType = UNSET
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


CampaignUpdateRequest = PushCampaignUpdate | EmailCampaignUpdate


# -- search / meta / executions / status / GCG -----------------------------------------


class CampaignSearchFields(_V1, frozen=True, kw_only=True):
    """V1 search filters (``id`` and ``delivery_type``; V5 renamed both)."""

    channels: list[str] | UnsetType = UNSET
    created_by: list[str] | UnsetType = UNSET
    created_date: DateRange | UnsetType = UNSET
    delivery_type: list[str] | UnsetType = UNSET
    id: str | UnsetType = UNSET
    name: str | UnsetType = UNSET
    status: list[str] | UnsetType = UNSET
    tags: list[str] | UnsetType = UNSET


class CampaignSearchRequest(_V1Request, frozen=True, kw_only=True):
    """Body of ``POST /campaigns/search``: ``limit`` 1 to 15, ``page`` from 1."""

    limit: int
    page: int
    campaign_fields: CampaignSearchFields | UnsetType = UNSET
    include_child_campaigns: bool | UnsetType = UNSET
    include_archive_campaigns: bool | UnsetType = UNSET


class CampaignMetaFields(_V1, frozen=True, kw_only=True):
    """V1 meta filters; ``created_date`` accepts YYYY-MM-DD or DD-MM-YYYY."""

    id: str | UnsetType = UNSET
    channels: list[str] | UnsetType = UNSET
    created_by: list[str] | UnsetType = UNSET
    created_date: DateRange | UnsetType = UNSET
    delivery_type: list[str] | UnsetType = UNSET
    name: str | UnsetType = UNSET
    status: list[str] | UnsetType = UNSET
    tags: list[str] | UnsetType = UNSET


class CampaignMetaRequest(_V1Request, frozen=True, kw_only=True):
    """Body of ``POST /campaigns/meta``."""

    limit: int
    page: int
    campaign_fields: CampaignMetaFields | UnsetType = UNSET
    include_child_campaigns: bool | UnsetType = UNSET


class CampaignStatusChangeRequest(_V1Request, frozen=True, kw_only=True):
    """Body of ``POST /campaigns/status``: one action for 1 to 10 campaigns."""

    action: StatusAction
    campaign_ids: list[str]


class ChildCampaignsRequest(_V1Request, frozen=True, kw_only=True):
    """Body of ``POST /campaigns/{parent_campaign_id}/executions``."""

    limit: int
    page: int


class GlobalControlGroupRequest(_V1Request, frozen=True, kw_only=True):
    """Body of ``PUT /global-control-group/users``; the result is emailed."""

    file_url: str
    action_type: GcgAction
    updated_by: str


# -- test and preview ------------------------------------------------------------------


class PushTestMeta(_V1, frozen=True, kw_only=True):
    """Who receives a Push test (at most 10 values)."""

    identifier: str
    identifier_values: list[str]
    locale_name: str | UnsetType = UNSET
    variation: str | UnsetType = UNSET


class EmailTestMeta(PushTestMeta, frozen=True, kw_only=True):
    """Who receives an Email test (at most 10 values)."""


class PushTestRequest(
    _V1Request, frozen=True, kw_only=True, tag_field="channel", tag="PUSH"
):
    """Body of ``POST /campaigns/test`` for inline Push content."""

    basic_details: PushBasicDetails
    campaign_content: PushCampaignContent
    test_campaign_meta: PushTestMeta
    personalization_details: PersonalizationDetails | UnsetType = UNSET


class EmailTestRequest(
    _V1Request, frozen=True, kw_only=True, tag_field="channel", tag="EMAIL"
):
    """Body of ``POST /campaigns/test`` for inline Email content."""

    basic_details: EmailBasicDetails
    connector: Connector
    campaign_content: EmailCampaignContent
    test_campaign_meta: EmailTestMeta
    utm_params: UtmParams | UnsetType = UNSET
    personalization_details: PersonalizationDetails | UnsetType = UNSET


CampaignTestRequest = PushTestRequest | EmailTestRequest


class CustomTemplateData(_V1, frozen=True, kw_only=True):
    """A saved custom template to render."""

    template_id: str
    version: str


class PersonalizationContent(_V1, frozen=True, kw_only=True):
    """What to render: a free-form ``payload`` or a custom template."""

    payload: dict[str, Any] | UnsetType = UNSET
    custom_template_data: CustomTemplateData | UnsetType = UNSET


class UserDetails(_V1, frozen=True, kw_only=True):
    """The user to render for (both fields, or neither)."""

    identifier: str
    identifier_value: str


class PreviewPersonalizationDetails(_V1, frozen=True, kw_only=True):
    """Channel and attribute values for the preview."""

    channel: str
    event_name: str | UnsetType = UNSET
    user_attributes: dict[str, Any] | UnsetType = UNSET
    event_attributes: dict[str, Any] | UnsetType = UNSET


class PreviewRequest(_V1Request, frozen=True, kw_only=True):
    """Body of ``POST /personalization/preview``."""

    personalization_content: PersonalizationContent
    personalization_details: PreviewPersonalizationDetails
    user_details: UserDetails | UnsetType = UNSET
