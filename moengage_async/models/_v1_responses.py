"""V1 response bodies: unknown fields accepted, enum-like values kept as ``str``."""

from __future__ import annotations

from typing import Any

import msgspec

from ._common import (
    ReachabilityDetails,
    TestResult,
)
from ._v1_parts import (
    _V1,
)

__all__ = [
    "CampaignCreateResponse",
    "CampaignDetails",
    "CampaignMeta",
    "ChildCampaign",
    "ChildCampaignsResponse",
    "PersonalizedContent",
    "PreviewResponse",
    "ResponseConnector",
    "TestCampaignResponse",
]


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
