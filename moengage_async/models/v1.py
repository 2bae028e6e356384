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

import enum
from typing import Any

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

__all__ = [
    "AdvancedDetails",
    "CampaignAudienceLimit",
    "CampaignCreateRequest",
    "CampaignCreateResponse",
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
    "ChildCampaign",
    "ChildCampaignsRequest",
    "ChildCampaignsResponse",
    "CustomTemplateData",
    "DealCard",
    "EmailBasicDetails",
    "EmailCampaign",
    "EmailCampaignContent",
    "EmailCampaignUpdate",
    "EmailContent",
    "EmailContentBody",
    "EmailTestMeta",
    "EmailTestRequest",
    "GcgAction",
    "GlobalControlGroupRequest",
    "GmailAnnotations",
    "InterruptionLevel",
    "IosPriority",
    "PersonalizationContent",
    "PersonalizedContent",
    "PlatformLevelPriority",
    "PreviewPersonalizationDetails",
    "PreviewRequest",
    "PreviewResponse",
    "ProductCarousel",
    "ProductCarouselManualData",
    "ProductCarouselProduct",
    "ProductSetData",
    "PushCampaign",
    "PushCampaignContent",
    "PushCampaignUpdate",
    "PushContentBody",
    "PushTestMeta",
    "PushTestRequest",
    "ResponseConnector",
    "SchedulingDetails",
    "SherpaMetric",
    "StatusAction",
    "TestCampaignResponse",
    "UserDetails",
    "VariationDetails",
]


class _V1(Model, frozen=True, kw_only=True):
    """Base of every V1 model."""


class _V1Request(_V1, frozen=True, kw_only=True):
    """A V1 request body; ``extra`` is merged into the JSON the client sends."""

    request_id: str | UnsetType = UNSET
    extra: dict[str, Any] | UnsetType = UNSET


# -- V1-only closed sets ---------------------------------------------------------------


class CampaignStatus(str, enum.Enum):
    """V1 campaign statuses (``RETIRED`` appears in meta only)."""

    ACTIVE = "ACTIVE"
    SCHEDULED = "SCHEDULED"
    PAUSED = "PAUSED"
    SENT = "SENT"
    STOPPED = "STOPPED"
    ARCHIVED = "ARCHIVED"
    RETIRED = "RETIRED"


class SherpaMetric(str, enum.Enum):
    """V1 spelling of the Sherpa metric (V5 uses underscores)."""

    OPEN_RATE = "OPEN RATE"
    CLICK_RATE = "CLICK RATE"
    BOTH = "BOTH"


class InterruptionLevel(str, enum.Enum):
    """V1 spelling of the iOS interruption level (V5 is upper snake case)."""

    PASSIVE = "Passive"
    ACTIVE = "Active"
    TIME_SENSITIVE = "Time sensitive"
    CRITICAL = "Critical"


class GcgAction(str, enum.Enum):
    """Global Control Group file action."""

    ADD = "add"
    REMOVE = "remove"


# -- V1 component shapes ---------------------------------------------------------------


class EmailBasicDetails(_V1, frozen=True, kw_only=True):
    """``basic_details`` of a V1 Email campaign."""

    name: str
    content_type: ContentType
    user_attribute_identifier: str | UnsetType = UNSET
    business_event: str | UnsetType = UNSET
    subscription_category: str | UnsetType = UNSET
    tags: list[str] | UnsetType = UNSET
    team: str | UnsetType = UNSET
    send_only_double_opt_in_users: bool | UnsetType = UNSET
    deduplication_attribute: str | UnsetType = UNSET


class VariationDetails(_V1, frozen=True, kw_only=True):
    """A/B variations (V1: percentages as strings, metric ``OPEN RATE``)."""

    distribution_type: str
    no_of_variations: int
    manual_distribution_percentage: dict[str, Any] | UnsetType = UNSET
    sherpa_campaign_duration: int | UnsetType = UNSET
    sherpa_distribution_metric: SherpaMetric | UnsetType = UNSET


class PushContentBody(_V1, frozen=True, kw_only=True):
    """``campaign_content.content`` of a Push campaign."""

    push: PushContent


class PushCampaignContent(_V1, frozen=True, kw_only=True):
    """Push content: locales, variations and the payload per platform."""

    content: PushContentBody
    locales: list[str] | UnsetType = UNSET
    variation_details: VariationDetails | UnsetType = UNSET


class DealCard(_V1, frozen=True, kw_only=True):
    """Gmail deal-card annotation."""

    description: str | UnsetType = UNSET
    discount_code: str | UnsetType = UNSET
    availability_starts: str | UnsetType = UNSET
    availability_ends: str | UnsetType = UNSET


class ProductCarouselProduct(_V1, frozen=True, kw_only=True):
    """One product of a manual Gmail product carousel."""

    id: str | UnsetType = UNSET
    headline: str | UnsetType = UNSET
    original_price: str | UnsetType = UNSET
    discount_value: str | UnsetType = UNSET
    discount_type: str | UnsetType = UNSET
    promo_url: str | UnsetType = UNSET
    product_image: str | UnsetType = UNSET


class ProductCarouselManualData(_V1, frozen=True, kw_only=True):
    """Manual product list (at least two products)."""

    currency: str | UnsetType = UNSET
    products: list[ProductCarouselProduct] | UnsetType = UNSET


class ProductSetData(_V1, frozen=True, kw_only=True):
    """Products drawn from a catalog product set (2 to 9)."""

    product_set: str | UnsetType = UNSET
    image_url: str | UnsetType = UNSET
    headline: str | UnsetType = UNSET
    promo_url: str | UnsetType = UNSET
    product_count: int | UnsetType = UNSET


class ProductCarousel(_V1, frozen=True, kw_only=True):
    """Gmail product carousel: ``MANUAL`` or ``PRODUCT_SET``."""

    type: str
    manual_data: ProductCarouselManualData | UnsetType = UNSET
    product_set_data: ProductSetData | UnsetType = UNSET


class GmailAnnotations(_V1, frozen=True, kw_only=True):
    """Gmail promotions-tab annotations (V1 Email only)."""

    send_email_if_personalization_fails: bool | UnsetType = UNSET
    sender_logo: str | UnsetType = UNSET
    sender_logo_type: str | UnsetType = UNSET
    deal_card: DealCard | UnsetType = UNSET
    product_carousel: ProductCarousel | UnsetType = UNSET


class EmailContent(EmailContentBase, frozen=True, kw_only=True):
    """One V1 email variation; adds Gmail annotations."""

    gmail_annotations: GmailAnnotations | UnsetType = UNSET


class EmailContentBody(_V1, frozen=True, kw_only=True):
    """``campaign_content.content`` of an Email campaign."""

    email: EmailContent


class EmailCampaignContent(_V1, frozen=True, kw_only=True):
    """Email content: locales, variations and the email itself."""

    content: EmailContentBody
    locales: list[str] | UnsetType = UNSET
    variation_details: VariationDetails | UnsetType = UNSET


class SchedulingDetails(SchedulingDetailsBase, frozen=True, kw_only=True):
    """V1 scheduling: every time is UTC, no ``timezone`` field."""


class IosPriority(_V1, frozen=True, kw_only=True):
    """APNS priority and interruption level (V1 spellings)."""

    apns_priority: str | UnsetType = UNSET
    interruption_level: InterruptionLevel | UnsetType = UNSET
    relevance_score: float | UnsetType = UNSET


class PlatformLevelPriority(_V1, frozen=True, kw_only=True):
    """Delivery priority per platform."""

    android_specific_priority: AndroidPriority | UnsetType = UNSET
    ios_specific_priority: IosPriority | UnsetType = UNSET


class AdvancedDetails(_V1, frozen=True, kw_only=True):
    """``advanced``: expiry and platform priority of a Push campaign."""

    expiration_settings: ExpirationSettings | UnsetType = UNSET
    platform_level_priority: PlatformLevelPriority | UnsetType = UNSET


class CampaignAudienceLimit(_V1, frozen=True, kw_only=True):
    """V1 audience cap (V5 renamed ``metrics`` and added the enabled flag)."""

    limit: int | UnsetType = UNSET
    metrics: str | UnsetType = UNSET
    frequency: str | UnsetType = UNSET


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


# -- responses -------------------------------------------------------------------------


class CampaignCreateResponse(_V1, frozen=True, kw_only=True):
    """201 answer of ``POST /campaigns``."""

    campaign_id: str


class TestCampaignResponse(_V1, frozen=True, kw_only=True):
    """200 answer of ``POST /campaigns/test``: a result per identifier value."""

    data: dict[str, TestResult] = msgspec.field(default_factory=dict)
    message: str | None = None


class PersonalizedContent(_V1, frozen=True, kw_only=True):
    """The rendered content; mirrors the request payload."""

    payload: dict[str, Any] | None = None


class PreviewResponse(_V1, frozen=True, kw_only=True):
    """200 answer of ``POST /personalization/preview``."""

    personalized_content: PersonalizedContent | None = None


class ResponseConnector(_V1, frozen=True, kw_only=True):
    """Connector as echoed by search."""

    connector_type: str | None = None
    connector_name: str | None = None


class CampaignDetails(_V1, frozen=True, kw_only=True):
    """One row of ``POST /campaigns/search`` (a bare JSON array of these).

    Channel-dependent components stay plain dicts (the spec types them ``object``).
    """

    campaign_id: str
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
    delivery_controls: dict[str, Any] | None = None
    advanced: dict[str, Any] | None = None
    segmentation_details: dict[str, Any] | None = None
    scheduling_details: dict[str, Any] | None = None
    conversion_goal_details: dict[str, Any] | None = None
    control_group_details: dict[str, Any] | None = None
    utm_params: dict[str, Any] | None = None
    connector: ResponseConnector | None = None
    campaign_audience_limit: dict[str, Any] | None = None


class CampaignMeta(_V1, frozen=True, kw_only=True):
    """One row of ``POST /campaigns/meta`` (a bare JSON array of these)."""

    campaign_id: str
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
    reachability_details: ReachabilityDetails | None = None


class ChildCampaign(_V1, frozen=True, kw_only=True):
    """One execution of a Periodic or Business-Event-triggered parent."""

    campaign_id: str
    sent_time: str | None = None
    status: str | None = None


class ChildCampaignsResponse(_V1, frozen=True, kw_only=True):
    """200 answer of ``POST /campaigns/{parent_campaign_id}/executions``."""

    executions: list[ChildCampaign] = msgspec.field(default_factory=list)
    total_instances: int | None = None
