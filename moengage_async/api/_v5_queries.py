"""V5 read and test operations: search (lazy iterator), meta, test, preview.

``V5Queries`` also holds what every V5 operation shares: the requestor and
``_send``, one ``Requestor.request`` through the budgets, retries and error mapping.
``V5API`` in ``_v5`` adds the draft lifecycle on top.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from .._errors import PayloadValidationError
from ..budgets import Priority
from ..models._v5_responses import unwrap_preview
from ..models.v5 import (
    CampaignDetails,
    CampaignList,
    CampaignMeta,
    CampaignMetaList,
    EmailPreviewRequest,
    EmailTestRequest,
    Envelope,
    MetaFields,
    MetaRequest,
    PreviewResult,
    PushPreviewRequest,
    PushTestRequest,
    SearchFields,
    SearchRequest,
    SmsPreviewRequest,
    TestResults,
)
from ._decode import BodyDecoder, malformed
from ._requestor import USE_CLIENT_DEFAULT, check_request_id
from ._resource import Resource
from ._retry import RetryPolicy
from ._v1_checks import MAX_PAGE_LIMIT, validate_paging, wire_body
from ._v5_checks import (
    check_idempotency_key,
    check_test,
    keyed_body,
    meta_fields,
    search_fields,
)
from ._v5_search import CampaignSearch, check_page_size

if TYPE_CHECKING:
    from ..transport import Response

__all__ = ["Payload", "V5Queries"]

log = logging.getLogger("moengage_async")

_decode_list = BodyDecoder("v5.search", Envelope[CampaignList])
_decode_meta = BodyDecoder("v5.meta", Envelope[CampaignMetaList])
_decode_test = BodyDecoder("v5.test", Envelope[TestResults])
_decode_preview = BodyDecoder("v5.personalized_preview", dict[str, Any])

#: What the operations accept: one of our models, or a plain mapping.
Payload = msgspec.Struct | Mapping[str, Any]


class V5Queries(Resource):
    """V5 search, meta, test and preview; the base of ``V5API``.

    Common keyword arguments: ``request_id`` (body ``request_id`` and
    ``X-MOE-Request-Id``; generated when omitted), ``idempotency_key`` (UUID v4 on
    POST/PATCH; generated when omitted; identical on every retry), ``timeout``
    (per-call deadline in seconds, budget waits included), ``retry`` (a
    ``RetryPolicy`` for this call) and ``priority`` (budget lane).
    """

    __slots__ = ()

    async def _send(
        self,
        op: str,
        body: Any,
        rid: str,
        *,
        key: str | None,
        campaign_id: str | None,
        timeout: float | None,
        retry: RetryPolicy | None,
        priority: Priority,
    ) -> Response:
        return await self._request(
            op,
            body=body,
            path_params=None if campaign_id is None else {"campaign_id": campaign_id},
            request_id=rid,
            idempotency_key=key,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )

    def search(
        self,
        fields: SearchFields | Mapping[str, Any] | None = None,
        *,
        include_child_campaigns: bool | None = None,
        include_archive_campaigns: bool | None = None,
        page_size: int = MAX_PAGE_LIMIT,
        max_items: int | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> CampaignSearch:
        """Iterate over every matching campaign: ``async for c in client.v5.search()``.

        Pages of ``page_size`` (1 to 15) are fetched lazily, one at a time, each
        through the search budget at ``priority``, with its own ``request_id`` and
        ``Idempotency-Key``. Iteration ends at the first short page (V5 has no
        total count) or after ``max_items`` rows. DRAFT rows appear only when
        ``DRAFT`` is in ``status``. ``timeout`` and ``retry`` apply per page.

        Args:
            fields: ``v5.SearchFields`` or a mapping of the same keys. V1's ``id``
                and ``delivery_type`` are refused: V5 silently ignores them and
                answers nothing (convert with ``SearchFields.from_v1``).

        Raises:
            PayloadValidationError: at call time, for a bad filter or page size.
        """
        filters = search_fields(fields)
        check_page_size(page_size, max_items)
        flags: dict[str, Any] = {}
        if include_child_campaigns is not None:
            flags["include_child_campaigns"] = include_child_campaigns
        if include_archive_campaigns is not None:
            flags["include_archive_campaigns"] = include_archive_campaigns
        has_filters = bool(msgspec.to_builtins(filters))

        async def fetch(page: int, limit: int) -> list[CampaignDetails]:
            rid = check_request_id(None)
            body = SearchRequest(
                request_id=rid,
                limit=limit,
                page=page,
                campaign_fields=filters if has_filters else msgspec.UNSET,
                **flags,
            )
            response = await self._send(
                "v5.search",
                body,
                rid,
                key=rid,
                campaign_id=None,
                timeout=timeout,
                retry=retry,
                priority=priority,
            )
            return _decode_list(response, rid).data.campaigns

        return CampaignSearch(fetch, page_size=page_size, max_items=max_items)

    async def meta(
        self,
        fields: MetaFields | Mapping[str, Any] | None = None,
        *,
        limit: int = MAX_PAGE_LIMIT,
        page: int = 1,
        include_child_campaigns: bool | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> list[CampaignMeta]:
        """Return one page of metadata rows with reachability and version.

        Meta keeps V1's filter names (``id``, ``delivery_type`` as one string).

        Raises:
            PayloadValidationError: ``limit`` outside 1 to 15, ``page`` below 1,
                or the search-only key ``campaign_delivery_type``
                (docs/api-notes.md C19).
        """
        filters = meta_fields(fields)
        validate_paging(limit, page)
        rid = check_request_id(request_id)
        key = check_idempotency_key(idempotency_key, rid, request_id is None)
        has_filters = bool(msgspec.to_builtins(filters))
        body = MetaRequest(
            request_id=rid,
            limit=limit,
            page=page,
            campaign_fields=filters if has_filters else msgspec.UNSET,
            include_child_campaigns=(
                msgspec.UNSET
                if include_child_campaigns is None
                else include_child_campaigns
            ),
        )
        response = await self._send(
            "v5.meta",
            body,
            rid,
            key=key,
            campaign_id=None,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        rows = _decode_meta(response, rid).data.campaigns
        if not rows and has_filters and page == 1:
            log.warning(
                "v5.meta: no rows for filters %s; check the key names (V5 meta "
                "uses V1's id/delivery_type, V5 search uses ids/"
                "campaign_delivery_type)",
                sorted(msgspec.to_builtins(filters)),
            )
        return rows

    async def test(
        self,
        test: Payload,
        *,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> TestResults:
        """Send a test to at most 10 recipients, inline or from a draft.

        Inline: ``channel`` + ``campaign_content`` (Email adds ``basic_details``
        and ``connector``). Draft mode: ``draft_id`` + ``channel`` (sent although
        the schema calls them exclusive: every example does, docs/api-notes.md
        C11), never ``campaign_content``. The answer has one result per
        ``<PLATFORM>_<locale>_<variation>``.

        Raises:
            PayloadValidationError: no channel, 0 or more than 10 recipients, or
                the wrong fields for the mode; nothing is sent.
            ConflictError: the key was reused with another body, or a test for
                it is in progress (409): a new send needs a new key.
        """
        body, rid, key = keyed_body(
            test,
            request_id,
            idempotency_key,
            (PushTestRequest, EmailTestRequest),
            "test",
        )
        check_test(body)
        response = await self._send(
            "v5.test",
            body,
            rid,
            key=key,
            campaign_id=None,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        return _decode_test(response, rid).data

    async def personalized_preview(
        self,
        preview: Payload,
        *,
        request_id: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> PreviewResult:
        """Render content for one user without sending (never loads a draft).

        The answer is parsed defensively: the spec's example nests a second
        envelope inside ``personalized_content``; the result's ``content`` is
        always the rendered content itself. No ``Idempotency-Key`` is sent.

        Raises:
            PayloadValidationError: no ``user_identification`` or
                ``campaign_content``, or a channel other than PUSH/EMAIL/SMS.
        """
        body, rid = wire_body(
            preview,
            request_id,
            (PushPreviewRequest, EmailPreviewRequest, SmsPreviewRequest),
            "personalized_preview",
        )
        if body.get("channel") not in ("PUSH", "EMAIL", "SMS"):
            raise PayloadValidationError(
                f"preview needs channel PUSH, EMAIL or SMS, got {body.get('channel')!r}"
            )
        for name in ("user_identification", "campaign_content"):
            if not isinstance(body.get(name), Mapping):
                raise PayloadValidationError(f"preview needs {name}")
        response = await self._send(
            "v5.personalized_preview",
            body,
            rid,
            key=None,
            campaign_id=None,
            timeout=timeout,
            retry=retry,
            priority=priority,
        )
        content = unwrap_preview(_decode_preview(response, rid))
        if content is None:  # the nesting ends in something that is not content
            raise malformed(
                "v5.personalized_preview", response, rid, "no content object"
            )
        return PreviewResult(personalized_content=content)
