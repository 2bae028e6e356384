"""V1 Campaigns operations (``/core-services/v1``) as ``client.v1``.

Every method accepts our typed models or a plain mapping (the escape hatch), checks
its arguments before anything is sent (``PayloadValidationError``), fills in
``request_id`` (kept identical across retries), and decodes the answer straight
from bytes with a decoder built once at import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._constants import MAX_STATUS_BATCH
from .._errors import PayloadValidationError
from ..budgets import Priority
from ..models.v1 import (
    CampaignCreateResponse,
    CampaignDetails,
    CampaignMeta,
    CampaignMetaRequest,
    CampaignSearchRequest,
    CampaignStatusChangeRequest,
    ChildCampaignsRequest,
    ChildCampaignsResponse,
    EmailCampaignUpdate,
    EmailTestRequest,
    GcgAction,
    GlobalControlGroupRequest,
    PreviewRequest,
    PreviewResponse,
    PushCampaignUpdate,
    PushTestRequest,
    StatusAction,
    TestCampaignResponse,
)
from ._arguments import check_campaign_id
from ._decode import BodyDecoder
from ._requestor import USE_CLIENT_DEFAULT, check_request_id
from ._resource import Resource
from ._retry import RetryPolicy
from ._v1_checks import (
    MAX_PAGE_LIMIT,
    Payload,
    check_channel,
    check_preview,
    check_test_recipients,
    coerce_action,
    creation_body,
    validate_campaign_ids,
    validate_paging,
    wire_body,
)

__all__ = [
    "MAX_PAGE_LIMIT",
    "V1API",
    "coerce_action",
    "validate_campaign_ids",
    "validate_paging",
]

_decode_created = BodyDecoder("v1.create_campaign", CampaignCreateResponse)
_decode_search = BodyDecoder("v1.search_campaigns", list[CampaignDetails])
_decode_meta = BodyDecoder("v1.campaign_meta", list[CampaignMeta])
_decode_test = BodyDecoder("v1.test_campaign", TestCampaignResponse)
_decode_preview = BodyDecoder("v1.personalized_preview", PreviewResponse)
_decode_children = BodyDecoder("v1.child_campaigns", ChildCampaignsResponse)


class V1API(Resource):
    """Every operation of ``moengage-campaigns-v1.yml``, reached as ``client.v1``
    (and, one line each, as methods of the client itself).

    Common keyword arguments: ``request_id`` (generated when omitted, identical on
    every retry), ``timeout`` (per-call deadline in seconds, budget waits
    included; ``None`` for none), ``retry`` (a ``RetryPolicy`` for this call) and
    ``priority`` (budget priority).
    """

    __slots__ = ()

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
        body, rid = creation_body(campaign, request_id)
        response = await self._request(
            "v1.create_campaign",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_created(response, rid).campaign_id

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
        check_campaign_id(campaign_id)
        body, rid = wire_body(
            update,
            request_id,
            (PushCampaignUpdate, EmailCampaignUpdate),
            "update_campaign",
        )
        updated_by = body.get("updated_by")
        if not isinstance(updated_by, str) or not updated_by.strip():
            raise PayloadValidationError("update_campaign needs updated_by (an email)")
        await self._request(
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
        body, rid = wire_body(
            search, request_id, (CampaignSearchRequest,), "search_campaigns"
        )
        validate_paging(body.get("limit"), body.get("page"))
        response = await self._request(
            "v1.search_campaigns",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_search(response, rid)

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
                both channels, docs/api-notes.md C10).
        """
        body, rid = wire_body(
            test, request_id, (PushTestRequest, EmailTestRequest), "test_campaign"
        )
        check_channel(body, "test_campaign")
        check_test_recipients(body)
        response = await self._request(
            "v1.test_campaign",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_test(response, rid)

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
        body, rid = wire_body(
            preview, request_id, (PreviewRequest,), "personalized_preview"
        )
        check_preview(body)
        response = await self._request(
            "v1.personalized_preview",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_preview(response, rid)

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
        body, rid = wire_body(
            query, request_id, (CampaignMetaRequest,), "campaign_meta"
        )
        validate_paging(body.get("limit"), body.get("page"))
        response = await self._request(
            "v1.campaign_meta",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_meta(response, rid)

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
        await self._request(
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
        check_campaign_id(parent_campaign_id, "parent_campaign_id")
        validate_paging(limit, page)
        rid = check_request_id(request_id)
        body = ChildCampaignsRequest(request_id=rid, limit=limit, page=page)
        response = await self._request(
            "v1.child_campaigns",
            body=body,
            path_params={"parent_campaign_id": parent_campaign_id},
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_children(response, rid)

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
        await self._request(
            "v1.update_global_control_group",
            body=body,
            request_id=rid,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
