"""V1 Campaigns operations (``/core-services/v1``) as typed async methods.

Every method accepts our typed models or a plain mapping (the escape hatch), checks
its arguments before anything is sent (``PayloadValidationError``), fills in
``request_id`` (kept identical across retries), and decodes the answer straight
from bytes with a decoder built once at import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from ._budget_spec import Priority
from ._constants import MAX_STATUS_BATCH, MAX_TEST_RECIPIENTS
from ._core import USE_CLIENT_DEFAULT, BaseClient, check_request_id
from ._errors import PayloadValidationError
from ._retry import RetryPolicy
from .models._common import to_wire
from .models.v1 import (
    CampaignCreateResponse,
    CampaignDetails,
    CampaignMeta,
    CampaignMetaRequest,
    CampaignSearchRequest,
    CampaignStatusChangeRequest,
    ChildCampaignsRequest,
    ChildCampaignsResponse,
    EmailCampaign,
    EmailCampaignUpdate,
    EmailTestRequest,
    GcgAction,
    GlobalControlGroupRequest,
    PreviewRequest,
    PreviewResponse,
    PushCampaign,
    PushCampaignUpdate,
    PushTestRequest,
    StatusAction,
    TestCampaignResponse,
)

__all__ = [
    "MAX_PAGE_LIMIT",
    "V1Operations",
    "coerce_action",
    "validate_campaign_ids",
    "validate_paging",
]

#: ``limit`` of search, meta and executions: 1 to 15 rows per page.
MAX_PAGE_LIMIT = 15

_decode_created = msgspec.json.Decoder(CampaignCreateResponse).decode
_decode_search = msgspec.json.Decoder(list[CampaignDetails]).decode
_decode_meta = msgspec.json.Decoder(list[CampaignMeta]).decode
_decode_test = msgspec.json.Decoder(TestCampaignResponse).decode
_decode_preview = msgspec.json.Decoder(PreviewResponse).decode
_decode_children = msgspec.json.Decoder(ChildCampaignsResponse).decode

Payload = msgspec.Struct | Mapping[str, Any]


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


def validate_paging(limit: Any, page: Any) -> None:
    """Refuse a ``limit`` outside 1 to 15 or a ``page`` below 1."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise PayloadValidationError(f"limit must be an int, got {limit!r}")
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise PayloadValidationError(
            f"limit must be 1 to {MAX_PAGE_LIMIT}, got {limit}"
        )
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise PayloadValidationError(f"page must be an int >= 1, got {page!r}")


def _body(
    payload: Payload, request_id: str | None, allowed: tuple[type, ...], what: str
) -> tuple[dict[str, Any], str]:
    """Return the wire body and its request id, refusing the wrong model or ids."""
    if isinstance(payload, msgspec.Struct) and not isinstance(payload, allowed):
        names = " or ".join(cls.__name__ for cls in allowed)
        raise PayloadValidationError(
            f"{what} expects {names} or a mapping, got {type(payload).__name__}"
        )
    if not isinstance(payload, (msgspec.Struct, Mapping)):
        raise PayloadValidationError(
            f"{what} expects a model or a mapping, got {type(payload).__name__}"
        )
    body = to_wire(payload)
    embedded = body.get("request_id")
    if embedded is not None and request_id is not None and embedded != request_id:
        raise PayloadValidationError(
            "request_id given twice with different values (payload and argument)"
        )
    rid = check_request_id(request_id if request_id is not None else embedded)
    body["request_id"] = rid
    return body, rid


class V1Operations(BaseClient):
    """Every operation of ``moengage-campaigns-v1.yml``.

    Common keyword arguments: ``request_id`` (generated when omitted, identical on
    every retry), ``timeout`` (per-call deadline in seconds, budget waits
    included; ``None`` for none), ``retry`` (a ``RetryPolicy`` for this call) and
    ``priority`` (budget priority).
    """

    async def create_campaign(
        self,
        campaign: Payload,
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> str:
        """Create a Push or Email campaign and return its id.

        ``request_id`` is MoEngage's dedup key for creation: reuse it only to retry
        a failed creation (the client does so itself on 429/5xx).

        Args:
            campaign: a ``v1.PushCampaign``/``v1.EmailCampaign`` or a mapping.

        Raises:
            PayloadValidationError: wrong model type or a blank/conflicting
                ``request_id``; nothing is sent.
        """
        body, rid = _body(
            campaign, request_id, (PushCampaign, EmailCampaign), "create_campaign"
        )
        response = await self._call(
            "v1.create_campaign",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_created(response.body).campaign_id

    async def update_campaign(
        self,
        campaign_id: str,
        update: Payload,
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> None:
        """Update an API-created campaign (204); each component sent replaces it.

        Args:
            update: a ``v1.PushCampaignUpdate``/``v1.EmailCampaignUpdate`` or a
                mapping; ``updated_by`` is required by MoEngage.
        """
        body, rid = _body(
            update,
            request_id,
            (PushCampaignUpdate, EmailCampaignUpdate),
            "update_campaign",
        )
        await self._call(
            "v1.update_campaign",
            body=body,
            path_params={"campaign_id": campaign_id},
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )

    async def search_campaigns(
        self,
        search: CampaignSearchRequest | Mapping[str, Any],
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> list[CampaignDetails]:
        """Return one page of campaigns with their full configuration.

        Raises:
            PayloadValidationError: ``limit`` outside 1 to 15 or ``page`` below 1.
        """
        body, rid = _body(
            search, request_id, (CampaignSearchRequest,), "search_campaigns"
        )
        validate_paging(body.get("limit"), body.get("page"))
        response = await self._call(
            "v1.search_campaigns",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_search(response.body)

    async def test_campaign(
        self,
        test: Payload,
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> TestCampaignResponse:
        """Send inline content to at most 10 test recipients.

        Raises:
            PayloadValidationError: no recipients or more than 10 (enforced for
                both channels, API.md §9 C10).
        """
        body, rid = _body(
            test, request_id, (PushTestRequest, EmailTestRequest), "test_campaign"
        )
        meta = body.get("test_campaign_meta")
        values = meta.get("identifier_values") if isinstance(meta, dict) else None
        if not isinstance(values, list) or not 1 <= len(values) <= MAX_TEST_RECIPIENTS:
            count = len(values) if isinstance(values, list) else 0
            raise PayloadValidationError(
                "test_campaign_meta.identifier_values must hold 1 to "
                f"{MAX_TEST_RECIPIENTS} recipients, got {count}"
            )
        response = await self._call(
            "v1.test_campaign",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_test(response.body)

    async def personalized_preview(
        self,
        preview: PreviewRequest | Mapping[str, Any],
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> PreviewResponse:
        """Render personalised content for one user without sending anything."""
        body, rid = _body(
            preview, request_id, (PreviewRequest,), "personalized_preview"
        )
        response = await self._call(
            "v1.personalized_preview",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_preview(response.body)

    async def campaign_meta(
        self,
        query: CampaignMetaRequest | Mapping[str, Any],
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> list[CampaignMeta]:
        """Return one page of lightweight campaign metadata with reachability.

        Raises:
            PayloadValidationError: ``limit`` outside 1 to 15 or ``page`` below 1.
        """
        body, rid = _body(query, request_id, (CampaignMetaRequest,), "campaign_meta")
        validate_paging(body.get("limit"), body.get("page"))
        response = await self._call(
            "v1.campaign_meta",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_meta(response.body)

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

    async def child_campaigns(
        self,
        parent_campaign_id: str,
        *,
        limit: int = MAX_PAGE_LIMIT,
        page: int = 1,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> ChildCampaignsResponse:
        """Return one page of executions of a Periodic or Business-Event parent.

        Raises:
            PayloadValidationError: blank parent id, ``limit`` outside 1 to 15, or
                ``page`` below 1.
        """
        validate_paging(limit, page)
        rid = check_request_id(request_id)
        body = ChildCampaignsRequest(request_id=rid, limit=limit, page=page)
        response = await self._call(
            "v1.child_campaigns",
            body=body,
            path_params={"parent_campaign_id": parent_campaign_id},
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_children(response.body)

    async def update_global_control_group(
        self,
        file_url: str,
        action_type: GcgAction | str,
        updated_by: str,
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> None:
        """Add or remove the users listed in a public CSV (204; result is emailed).

        Raises:
            PayloadValidationError: unknown action, or a blank URL or email.
        """
        try:
            action = GcgAction(
                action_type.lower() if isinstance(action_type, str) else action_type
            )
        except ValueError:
            raise PayloadValidationError(
                f"unknown action_type {action_type!r}; expected add or remove"
            ) from None
        for name, value in (("file_url", file_url), ("updated_by", updated_by)):
            if not isinstance(value, str) or not value.strip():
                raise PayloadValidationError(f"{name} must be a non-blank string")
        rid = check_request_id(request_id)
        body = GlobalControlGroupRequest(
            request_id=rid, file_url=file_url, action_type=action, updated_by=updated_by
        )
        await self._call(
            "v1.update_global_control_group",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
