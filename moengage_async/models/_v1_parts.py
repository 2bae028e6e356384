"""V1 component shapes and closed sets that differ from the other generation."""

from __future__ import annotations

import enum
from typing import Any

from ._common import (
    UNSET,
    AndroidPriority,
    ContentType,
    EmailContentBase,
    ExpirationSettings,
    Model,
    PushContent,
    SchedulingDetailsBase,
    UnsetType,
)
from ._content import check_localized

__all__ = [
    "AdvancedDetails",
    "CampaignAudienceLimit",
    "CampaignStatus",
    "DealCard",
    "EmailBasicDetails",
    "EmailCampaignContent",
    "EmailContent",
    "EmailContentBody",
    "GcgAction",
    "GmailAnnotations",
    "InterruptionLevel",
    "IosPriority",
    "LocalizedEmailCampaignContent",
    "LocalizedPushCampaignContent",
    "PlatformLevelPriority",
    "ProductCarousel",
    "ProductCarouselManualData",
    "ProductCarouselProduct",
    "ProductSetData",
    "PushCampaignContent",
    "PushContentBody",
    "SchedulingDetails",
    "SherpaMetric",
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
    manual_distribution_percentage: dict[str, str] | UnsetType = UNSET
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


class LocalizedPushCampaignContent(PushCampaignContent, frozen=True, kw_only=True):
    """Push content per locale and A/B variation: ``content[locale][variation]``.

    ``content={"es-ES": {"variation_1": PushContentBody(push=...)}}``; the
    ``default`` locale is what users of other languages get. Use it wherever a
    ``PushCampaignContent`` goes; the single-variation form stays
    ``PushCampaignContent``. Decode a body of this shape with this class
    (``msgspec.convert(body["campaign_content"], LocalizedPushCampaignContent)``).
    """

    content: dict[str, dict[str, PushContentBody]]  # type: ignore[assignment]

    def __post_init__(self) -> None:
        check_localized(self.content)


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


class LocalizedEmailCampaignContent(EmailCampaignContent, frozen=True, kw_only=True):
    """Email content per locale and A/B variation: ``content[locale][variation]``.

    The Email counterpart of ``LocalizedPushCampaignContent``.
    """

    content: dict[str, dict[str, EmailContentBody]]  # type: ignore[assignment]

    def __post_init__(self) -> None:
        check_localized(self.content)


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
