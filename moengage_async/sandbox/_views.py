"""How a stored campaign looks in each documented answer (V1 and V5 shapes)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ._store import Campaign

__all__ = [
    "COMPONENTS",
    "details_v1",
    "details_v5",
    "meta_v1",
    "meta_v5",
    "v1_status",
]

#: Top-level campaign components a create or PATCH may carry.
COMPONENTS = (
    "basic_details",
    "trigger_condition",
    "campaign_content",
    "segmentation_details",
    "scheduling_details",
    "delivery_controls",
    "advanced",
    "conversion_goal_details",
    "control_group_details",
    "utm_params",
    "campaign_audience_limit",
    "connector",
)

#: Delivery types that have reachability (docs/api-notes.md §3: scheduled One-time,
#: Event-triggered and Business-Event-triggered).
_REACHABLE = frozenset({"ONE_TIME", "EVENT_TRIGGERED", "BUSINESS_EVENT_TRIGGERED"})


def v1_status(status: str) -> str:
    """V1 has no SENDING: a sending campaign reads as ACTIVE there."""
    return "ACTIVE" if status == "SENDING" else status


def _created_at(campaign: Campaign) -> str:
    return f"{campaign.created_date}T00:00:00"


def _components(campaign: Campaign) -> dict[str, Any]:
    body = campaign.body
    return {name: body[name] for name in COMPONENTS if name in body}


def details_v1(campaign: Campaign) -> dict[str, Any]:
    """A ``CampaignDetailsResponse`` row of V1 search."""
    row: dict[str, Any] = {
        "campaign_id": campaign.id,
        "channel": campaign.channel,
        "campaign_delivery_type": campaign.delivery_type,
        "status": v1_status(campaign.status),
        "created_by": campaign.created_by,
        "created_at": _created_at(campaign),
    }
    if campaign.updated_by is not None:
        row["updated_by"] = campaign.updated_by
    row.update(_components(campaign))
    return row


def details_v5(campaign: Campaign) -> dict[str, Any]:
    """The V5 ``CampaignDetailsResponse`` (GET ``data`` and search rows)."""
    row: dict[str, Any] = {
        "id": campaign.id,
        "campaign_id": campaign.id,
        "version_number": campaign.version_number,
        "status": campaign.status,
        "channel": campaign.channel,
        "campaign_delivery_type": campaign.delivery_type,
        "created_by": campaign.created_by,
        "created_at": _created_at(campaign),
    }
    if campaign.updated_by is not None:
        row["updated_by"] = campaign.updated_by
    row.update(_components(campaign))
    return row


def _platforms(campaign: Campaign) -> list[str]:
    basic = campaign.body.get("basic_details")
    platforms = basic.get("platforms") if isinstance(basic, dict) else None
    if isinstance(platforms, list):
        return [p for p in platforms if p in ("ANDROID", "IOS", "WEB")]
    return []


def _reachability(campaign: Campaign) -> dict[str, Any] | None:
    if campaign.delivery_type not in _REACHABLE or campaign.status == "DRAFT":
        return None
    if campaign.delivery_type == "ONE_TIME" and campaign.status != "SCHEDULED":
        return None
    day = _dt.date.fromisoformat(campaign.created_date)
    return {
        "count": 1000 + int(campaign.id[-4:], 16) % 9000,
        "last_updated_time": f"{day.isoformat()}T00:00:00Z",
    }


def _meta(campaign: Campaign, status: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "campaign_status": status,
        "channel": campaign.channel,
        "campaign_delivery_type": campaign.delivery_type,
        "created_by": campaign.created_by,
        "campaign_tags": campaign.tags,
        "platform": _platforms(campaign),
        "total_child_campaigns": len(campaign.executions),
    }
    reach = _reachability(campaign)
    if reach is not None:
        row["reachability_details"] = reach
    return row


def meta_v1(campaign: Campaign) -> dict[str, Any]:
    """A ``CampaignMetaResponse`` row of V1 meta."""
    return _meta(campaign, v1_status(campaign.status))


def meta_v5(campaign: Campaign) -> dict[str, Any]:
    """A ``CampaignMetaResponseV5`` row: V1's fields plus ``version_number``."""
    row = _meta(campaign, campaign.status)
    row["version_number"] = campaign.version_number
    return row
