"""V5 Campaigns operations (``/v5/...``, draft-first) as ``client.v5``.

Every call goes through the same ``Requestor.request`` as V1: budgets, retries,
error mapping. V5 adds headers (docs/api-notes.md §2): ``X-MOE-Request-Id`` equal
to the body's ``request_id``, and an ``Idempotency-Key`` (UUID v4) on every POST and
PATCH but validate and preview. Both are fixed before the first attempt, so every
retry of one call carries the same values and MoEngage replays instead of applying
twice.
Answers are ``{response_id, type, data}`` envelopes, decoded once per call by
decoders built at import. Search, meta, test and preview are in ``_v5_queries``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .._errors import APIError
from ..budgets import Priority
from ..models.v1 import StatusAction
from ..models.v5 import (
    CampaignDetails,
    DraftCreated,
    EmailDraft,
    EmailDraftPatch,
    Envelope,
    PatchAccepted,
    PublishRequest,
    PushDraft,
    PushDraftPatch,
    StatusChanged,
    StatusChangeRequest,
    ValidateRequest,
    ValidationResult,
)
from ._arguments import check_campaign_id
from ._decode import BodyDecoder
from ._requestor import USE_CLIENT_DEFAULT, check_request_id
from ._retry import RetryPolicy
from ._v1_checks import coerce_action
from ._v5_checks import (
    check_draft,
    check_idempotency_key,
    check_patch,
    keyed_body,
    publish_body,
)
from ._v5_queries import Payload, V5Queries

__all__ = ["V5API"]

log = logging.getLogger("moengage_async")

_decode_created = BodyDecoder("v5.create_draft", Envelope[DraftCreated])
_decode_details = BodyDecoder("v5.get_campaign", Envelope[CampaignDetails])
_decode_patch = BodyDecoder("v5.update_draft", Envelope[PatchAccepted])
_decode_published = BodyDecoder("v5.publish", Envelope[PatchAccepted])
_decode_validation = BodyDecoder("v5.validate", Envelope[ValidationResult])
_decode_status = BodyDecoder("v5.change_status", Envelope[StatusChanged])


class V5API(V5Queries):
    """Every operation of ``moengage-campaigns-v5.yml``, reached as ``client.v5``.

    Common keyword arguments: ``request_id`` (body ``request_id`` and
    ``X-MOE-Request-Id``; generated when omitted), ``idempotency_key`` (UUID v4 on
    POST/PATCH; generated when omitted; identical on every retry), ``timeout``
    (per-call deadline in seconds, budget waits included), ``retry`` (a
    ``RetryPolicy`` for this call) and ``priority`` (budget lane).
    """

    __slots__ = ()

    async def create_draft(
        self,
        draft: Payload,
        *,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> DraftCreated:
        """Create a DRAFT campaign (201) and return its ``id`` and status.

        ``request_id`` keeps V1's creation rule: reuse it only to retry a failed
        creation (within 1 h for Push, 1 day for Email it replays the draft).

        Args:
            draft: a ``v5.PushDraft``/``v5.EmailDraft`` or a mapping.

        Raises:
            PayloadValidationError: missing channel, delivery type or creator, an
                Email-only violation, or ``BROADCAST_LIVE_ACTIVITY``
                (docs/api-notes.md C18: create those with V1); nothing is sent.
        """
        body, rid, key = keyed_body(
            draft, request_id, idempotency_key, (PushDraft, EmailDraft), "create_draft"
        )
        check_draft(body)
        response = await self._send(
            "v5.create_draft",
            body,
            rid,
            key=key,
            campaign_id=None,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_created(response, rid).data

    async def get_campaign(
        self,
        campaign_id: str,
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> CampaignDetails:
        """Return one campaign's full configuration and status (SMS included).

        ``id`` is this version's document, ``campaign_id`` the id across versions
        (``CampaignDetails.canonical_id`` picks the right one).
        """
        check_campaign_id(campaign_id)
        rid = check_request_id(request_id)
        response = await self._send(
            "v5.get_campaign",
            None,
            rid,
            key=None,
            campaign_id=campaign_id,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_details(response, rid).data

    async def update_draft(
        self,
        campaign_id: str,
        update: Payload,
        *,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> PatchAccepted:
        """Merge components into a draft (``PATCH``); MoEngage re-validates it.

        Args:
            update: a ``v5.PushDraftPatch``/``v5.EmailDraftPatch`` or a mapping.
                Each component sent replaces the stored one.

        Raises:
            PayloadValidationError: an empty update, or one that sets ``status``
                (publish with ``publish()``); nothing is sent.
            ConflictError: the campaign is not a DRAFT (409; docs/api-notes.md C5).
        """
        check_campaign_id(campaign_id)
        body, rid, key = keyed_body(
            update,
            request_id,
            idempotency_key,
            (PushDraftPatch, EmailDraftPatch),
            "update_draft",
        )
        check_patch(body)
        response = await self._send(
            "v5.update_draft",
            body,
            rid,
            key=key,
            campaign_id=campaign_id,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_patch(response, rid).data

    async def publish(
        self,
        campaign_id: str,
        request: PublishRequest | Mapping[str, Any] | None = None,
        *,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> PatchAccepted:
        """Publish a draft: ``PATCH`` with exactly ``{"status": "PUBLISH"}``.

        The V5 spec calls publishing "not yet supported" while MoEngage's V5 docs
        document this body-only form (docs/api-notes.md C3); this sends the
        documented form and never falls back to V1. Needs the
        ``create_manage_publish`` permission.

        Raises:
            PayloadValidationError: ``request`` holds anything besides ``status``
                and ``request_id`` (MoEngage refuses the mix with a 400); nothing
                is sent.
            PermissionDeniedError: the key may not publish (403).
            UnprocessableEntityError: the draft fails publish validation (422).
            ConflictError: the campaign is not a DRAFT (409).
        """
        check_campaign_id(campaign_id)
        body = publish_body(request)
        body, rid, key = keyed_body(body, request_id, idempotency_key, (), "publish")
        response = await self._send(
            "v5.publish",
            body,
            rid,
            key=key,
            campaign_id=campaign_id,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_published(response, rid).data

    async def validate(
        self,
        campaign_id: str,
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> ValidationResult:
        """Run the publish-time checks without changing anything.

        Always a 200: ``valid`` says whether ``publish`` would pass, ``errors``
        lists ``{field, issue}`` otherwise. Sends no ``Idempotency-Key`` (exempt).
        """
        check_campaign_id(campaign_id)
        rid = check_request_id(request_id)
        response = await self._send(
            "v5.validate",
            ValidateRequest(request_id=rid),
            rid,
            key=None,
            campaign_id=campaign_id,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_validation(response, rid).data

    async def change_status(
        self,
        campaign_id: str,
        action: StatusAction | str,
        *,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        post_fallback: bool = True,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> StatusChanged:
        """STOP, PAUSE or RESUME one campaign (one request per campaign).

        The method is ``PATCH /v5/campaigns/{id}/status`` per the spec and three
        other sources; MoEngage's V5 FAQ says ``POST`` (docs/api-notes.md C1). With
        ``post_fallback`` a 405 to the PATCH is retried once as POST, same body and
        same ``Idempotency-Key``. The answer does not carry the new status: GET the
        campaign to confirm it. For many campaigns prefer V1's ten-id batches
        (``client.change_status``): ten times the throughput on the same budget.

        Raises:
            PayloadValidationError: an unknown action; nothing is sent.
            UnprocessableEntityError: the transition is invalid for the campaign's
                state or delivery type (422).
        """
        check_campaign_id(campaign_id)
        rid = check_request_id(request_id)
        key = check_idempotency_key(idempotency_key, rid, request_id is None)
        body = StatusChangeRequest(request_id=rid, action=coerce_action(action))
        kwargs: dict[str, Any] = {
            "key": key,
            "campaign_id": campaign_id,
            "timeout": timeout,
            "retry": retry,
            "priority": priority,
        }
        try:
            response = await self._send("v5.change_status", body, rid, **kwargs)
        except APIError as exc:
            if exc.status != 405 or not post_fallback:
                raise
            log.debug("v5.change_status: PATCH answered 405; trying POST once (C1)")
            response = await self._send("v5.change_status_post", body, rid, **kwargs)
        return _decode_status(response, rid).data
