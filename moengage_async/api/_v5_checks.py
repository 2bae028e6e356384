"""Argument checks for the V5 operations: bad input fails before anything is sent."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from .._errors import PayloadValidationError
from ..models._base import to_wire
from ..models.v5 import MetaFields, SearchFields
from ._requestor import new_request_id
from ._v1_checks import Payload, check_channel, check_test_recipients, wire_body

__all__ = [
    "check_draft",
    "check_idempotency_key",
    "check_patch",
    "check_test",
    "keyed_body",
    "meta_fields",
    "publish_body",
    "search_fields",
]

#: Delivery types an Email campaign may have (docs/api-notes.md §8).
_EMAIL_TYPES = frozenset(
    {"ONE_TIME", "PERIODIC", "EVENT_TRIGGERED", "BUSINESS_EVENT_TRIGGERED"}
)
#: V1 search keys that V5 silently ignores (zero results), and their V5 names.
_RENAMED = {"id": "ids", "delivery_type": "campaign_delivery_type"}


def check_idempotency_key(key: str | None, request_id: str, generated: bool) -> str:
    """Return the call's ``Idempotency-Key``: ``key``, else a fresh UUID v4.

    When the client generated ``request_id`` itself (a UUID v4) that same value is
    used, so one id names the call everywhere (docs/api-notes.md §6).
    """
    if key is None:
        return request_id if generated else new_request_id()
    try:
        uuid.UUID(key)
    except (TypeError, ValueError, AttributeError):
        raise PayloadValidationError(
            f"idempotency_key must be a UUID (v4), got {key!r}"
        ) from None
    return key


def keyed_body(
    payload: Payload,
    request_id: str | None,
    idempotency_key: str | None,
    allowed: tuple[type, ...],
    what: str,
) -> tuple[dict[str, Any], str, str]:
    """The wire body, its ``request_id`` and the call's ``Idempotency-Key``.

    The key equals the ``request_id`` only when the client generated that id; a
    caller's own id may be shared across calls (correlation), and one key reused
    for another body would be refused by MoEngage.
    """
    embedded = (
        payload.get("request_id")
        if isinstance(payload, Mapping)
        else getattr(payload, "request_id", msgspec.UNSET)
    )
    generated = request_id is None and embedded in (None, msgspec.UNSET)
    body, rid = wire_body(payload, request_id, allowed, what)
    return body, rid, check_idempotency_key(idempotency_key, rid, generated)


def check_draft(body: Mapping[str, Any]) -> None:
    """Refuse a create body V5 cannot accept (docs/api-notes.md §3.2 #10, C18)."""
    check_channel(body, "create_draft")
    kind = body.get("campaign_delivery_type")
    if not isinstance(kind, str) or not kind:
        raise PayloadValidationError("create_draft needs campaign_delivery_type")
    if kind == "BROADCAST_LIVE_ACTIVITY":
        raise PayloadValidationError(
            "BROADCAST_LIVE_ACTIVITY cannot be created through V5 "
            "(docs/api-notes.md C18); create it with the V1 create_campaign"
        )
    if body["channel"] == "EMAIL" and kind not in _EMAIL_TYPES:
        raise PayloadValidationError(f"an Email campaign cannot be {kind}")
    created_by = body.get("created_by")
    if not isinstance(created_by, str) or not created_by.strip():
        raise PayloadValidationError("create_draft needs created_by (an email)")


def check_patch(body: Mapping[str, Any]) -> None:
    """Refuse a component PATCH that is empty or tries to publish."""
    if "status" in body:
        raise PayloadValidationError(
            "status cannot be set in a component update; "
            "publish with client.v5.publish(campaign_id) (docs/api-notes.md C3)"
        )
    if not set(body) - {"request_id"}:
        raise PayloadValidationError("update_draft needs at least one field")


def publish_body(request: Any) -> dict[str, Any]:
    """The publish body: ``{"status": "PUBLISH"}`` (+ ``request_id``) and nothing else.

    MoEngage refuses publish mixed with any other field (400); we refuse first.
    """
    body = {} if request is None else to_wire(request)
    extra = sorted(set(body) - {"status", "request_id"})
    if extra:
        raise PayloadValidationError(
            "publish must be the only change in its PATCH; update components "
            f"first with update_draft (got {', '.join(extra)})"
        )
    if body.setdefault("status", "PUBLISH") != "PUBLISH":
        raise PayloadValidationError(f"status must be PUBLISH, got {body['status']!r}")
    return body


def check_test(body: Mapping[str, Any]) -> None:
    """Refuse a test MoEngage would reject, per mode (docs/api-notes.md C10, C11)."""
    check_channel(body, "test")  # sent in draft mode too (C11)
    check_test_recipients(body)
    if "draft_id" in body:
        draft_id = body["draft_id"]
        if not isinstance(draft_id, str) or not draft_id.strip():
            raise PayloadValidationError("draft_id must be a non-blank string")
        if "campaign_content" in body:
            raise PayloadValidationError(
                "draft mode loads the draft's content: do not send campaign_content "
                "with draft_id"
            )
        return
    needed = ["campaign_content"]
    if body["channel"] == "EMAIL":
        needed += ["basic_details", "connector"]
    missing = [name for name in needed if name not in body]
    if missing:
        raise PayloadValidationError(
            f"an inline {body['channel']} test needs {', '.join(missing)} "
            "(or draft_id for draft mode)"
        )


def search_fields(fields: SearchFields | Mapping[str, Any] | None) -> SearchFields:
    """Return the filter as ``SearchFields``; refuse V1's keys and unknown ones."""
    if fields is None:
        return SearchFields()
    if isinstance(fields, SearchFields):
        return fields
    if not isinstance(fields, Mapping):
        raise PayloadValidationError(
            "search filters must be v5.SearchFields or a mapping, got "
            f"{type(fields).__name__} (convert V1 filters with SearchFields.from_v1)"
        )
    for old, new in _RENAMED.items():
        if old in fields:
            raise PayloadValidationError(
                f"V5 search has no {old!r} filter (it would silently match "
                f"nothing): use {new!r}, or SearchFields.from_v1(...)"
            )
    converted: SearchFields = _convert(fields, SearchFields, "search")
    return converted


def meta_fields(fields: MetaFields | Mapping[str, Any] | None) -> MetaFields:
    """Return the meta filter; refuse the search-only ``campaign_delivery_type``."""
    if fields is None:
        return MetaFields()
    if not isinstance(fields, (MetaFields, Mapping)):
        raise PayloadValidationError(
            f"meta filters must be v5.MetaFields or a mapping, got "
            f"{type(fields).__name__}"
        )
    typed: MetaFields = (
        fields
        if isinstance(fields, MetaFields)
        else _convert(fields, MetaFields, "meta")
    )
    if typed.campaign_delivery_type is not msgspec.UNSET:
        raise PayloadValidationError(
            "meta filters by delivery_type (one string); campaign_delivery_type "
            "is the search key (docs/api-notes.md C19)"
        )
    return typed


def _convert(fields: Mapping[str, Any], cls: type[Any], what: str) -> Any:
    unknown = sorted(set(fields) - set(cls.__struct_fields__))
    if unknown:
        known = ", ".join(cls.__struct_fields__)
        raise PayloadValidationError(
            f"unknown {what} filter(s) {', '.join(unknown)}; known: {known}"
        )
    try:
        return msgspec.convert(dict(fields), cls)
    except msgspec.ValidationError as exc:
        raise PayloadValidationError(f"invalid {what} filter: {exc}") from None
