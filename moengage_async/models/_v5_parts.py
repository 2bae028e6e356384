"""V5 component shapes and closed sets that differ from the other generation."""

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
    "EmailBasicDetails",
    "EmailCampaignContent",
    "EmailContent",
    "EmailContentBody",
    "GeoFenceTimeBound",
    "GeoFenceTimeLimit",
    "InterruptionLevel",
    "IosPriority",
    "LocalizedEmailCampaignContent",
    "LocalizedPushCampaignContent",
    "PlatformLevelPriority",
    "PushCampaignContent",
    "PushContentBody",
    "SchedulingDetails",
    "SherpaMetric",
    "VariationDetails",
]


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
    manual_distribution_percentage: dict[str, int] | UnsetType = UNSET
    sherpa_campaign_duration: int | UnsetType = UNSET
    sherpa_distribution_metric: SherpaMetric | UnsetType = UNSET


class PushContentBody(_V5, frozen=True, kw_only=True):
    """``campaign_content.content`` of a Push campaign (single locale/variation)."""

    push: PushContent


class PushCampaignContent(_V5, frozen=True, kw_only=True):
    """Push content of one variation; per locale/variation: the Localized model."""

    content: PushContentBody | UnsetType = UNSET
    locales: list[str] | UnsetType = UNSET
    variation_details: VariationDetails | UnsetType = UNSET


class LocalizedPushCampaignContent(PushCampaignContent, frozen=True, kw_only=True):
    """V5 Push content keyed ``content[locale][variation]`` (see the V1 class)."""

    content: dict[str, dict[str, PushContentBody]]  # type: ignore[assignment]

    def __post_init__(self) -> None:
        check_localized(self.content)


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


class LocalizedEmailCampaignContent(EmailCampaignContent, frozen=True, kw_only=True):
    """Email content per locale and A/B variation: ``content[locale][variation]``.

    The Email counterpart of ``LocalizedPushCampaignContent``.
    """

    content: dict[str, dict[str, EmailContentBody]]  # type: ignore[assignment]

    def __post_init__(self) -> None:
        check_localized(self.content)


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
