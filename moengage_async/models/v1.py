"""V1 (``/core-services/v1``) request and response models."""

from __future__ import annotations

import msgspec

from ._common import Model, StatusAction

__all__ = ["CampaignCreateResponse", "CampaignStatusChangeRequest", "StatusAction"]


class CampaignStatusChangeRequest(Model, frozen=True):
    """Body of ``POST /campaigns/status``: one action for 1 to 10 campaigns."""

    request_id: str
    action: StatusAction
    campaign_ids: list[str]


class CampaignCreateResponse(msgspec.Struct, frozen=True):
    """201 answer of ``POST /campaigns``."""

    campaign_id: str
