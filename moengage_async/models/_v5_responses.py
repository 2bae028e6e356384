"""V5 response bodies: unknown fields accepted, enum-like values kept as ``str``."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec

from ._common import (
    UNSET,
    ReachabilityDetails,
    TestResult,
    UnsetType,
)
from ._v5_parts import (
    _V5,
)

__all__ = [
    "CampaignDetails",
    "CampaignList",
    "CampaignMeta",
    "CampaignMetaList",
    "DraftCreated",
    "Envelope",
    "PatchAccepted",
    "PreviewResult",
    "StatusChanged",
    "TestResults",
    "ValidationIssue",
    "ValidationResult",
    "unwrap_preview",
]

T = TypeVar("T")


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

    @property
    def content(self) -> dict[str, Any] | None:
        """The rendered content, unwrapped from any envelope nested inside.

        The spec's example puts a whole ``{response_id, type, data:
        {personalized_content}}`` envelope inside ``personalized_content``;
        this follows such nesting down to the content itself.
        """
        return unwrap_preview(self.personalized_content)


def unwrap_preview(value: Any) -> dict[str, Any] | None:
    """Follow ``data``/``personalized_content`` nesting down to the content."""
    for _ in range(8):  # a malformed answer cannot loop us forever
        if not isinstance(value, dict):
            return None
        if "personalized_content" in value:
            value = value["personalized_content"]
        elif isinstance(value.get("data"), dict) and (
            "response_id" in value or "type" in value
        ):
            value = value["data"]
        else:
            return value
    return value if isinstance(value, dict) else None


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
    #: ``null`` when MoEngage computes no reachability for the campaign type;
    #: ``UNSET`` when the row leaves the key out (kept apart so rows re-encode).
    reachability_details: ReachabilityDetails | UnsetType | None = UNSET


class CampaignMetaList(_V5, frozen=True, kw_only=True):
    """``data`` of meta."""

    campaigns: list[CampaignMeta] = msgspec.field(default_factory=list)
