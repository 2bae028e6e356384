"""V1 Campaigns operations (``/core-services/v1``) as typed async methods."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from ._budget_spec import Priority
from ._constants import MAX_STATUS_BATCH
from ._core import USE_CLIENT_DEFAULT, BaseClient, check_request_id
from ._errors import PayloadValidationError
from ._retry import RetryPolicy
from .models.v1 import CampaignStatusChangeRequest, StatusAction

__all__ = ["V1Operations", "coerce_action", "validate_campaign_ids"]


def coerce_action(action: StatusAction | str) -> StatusAction:
    """Return the action as the enum; refuse anything but STOP, PAUSE or RESUME."""
    try:
        return StatusAction(action.upper() if isinstance(action, str) else action)
    except (ValueError, AttributeError):
        raise PayloadValidationError(
            f"unknown status action {action!r}; expected STOP, PAUSE or RESUME"
        ) from None


def validate_campaign_ids(campaign_ids: Sequence[str], *, maximum: int) -> list[str]:
    """Return the ids as a list; refuse none, more than ``maximum``, or blanks."""
    if isinstance(campaign_ids, str):
        raise PayloadValidationError(
            "campaign_ids must be a sequence of ids, not a string"
        )
    ids = list(campaign_ids)
    if not 1 <= len(ids) <= maximum:
        raise PayloadValidationError(
            f"campaign_ids must hold 1 to {maximum} ids, got {len(ids)}"
        )
    for campaign_id in ids:
        if not isinstance(campaign_id, str) or not campaign_id.strip():
            raise PayloadValidationError(f"invalid campaign id {campaign_id!r}")
    return ids


class V1Operations(BaseClient):
    """Every operation of ``moengage-campaigns-v1.yml``."""

    async def change_status(
        self,
        action: StatusAction | str,
        campaign_ids: Sequence[str],
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> None:
        """STOP, PAUSE or RESUME 1 to 10 API-created campaigns in one request.

        Raises:
            PayloadValidationError: no ids, more than 10, a blank id, or an unknown
                action; nothing is sent.
        """
        rid = check_request_id(request_id)
        body = CampaignStatusChangeRequest(
            request_id=rid,
            action=coerce_action(action),
            campaign_ids=validate_campaign_ids(campaign_ids, maximum=MAX_STATUS_BATCH),
        )
        await self._call(
            "v1.change_status",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )

    async def create_campaign(
        self,
        campaign: msgspec.Struct | dict[str, Any],
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> str:
        """Create a Push or Email campaign; return its id. PLACEHOLDER signature."""
        rid = check_request_id(request_id)
        body: Any = (
            dict(campaign)
            if isinstance(campaign, dict)
            else msgspec.to_builtins(campaign)
        )
        body["request_id"] = rid
        response = await self._call(
            "v1.create_campaign",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return str(msgspec.json.decode(response.body)["campaign_id"])
