"""Argument checks for the V1 operations: bad input fails before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from .._constants import MAX_ID_LENGTH, MAX_TEST_RECIPIENTS
from .._errors import PayloadValidationError
from ..models._common import UnsetType, to_wire
from ..models.v1 import EmailCampaign, PushCampaign, StatusAction
from ._arguments import check_campaign_id, check_required
from ._requestor import check_request_id

__all__ = [
    "MAX_PAGE_LIMIT",
    "Payload",
    "check_channel",
    "check_preview",
    "check_test_recipients",
    "coerce_action",
    "creation_body",
    "validate_campaign_ids",
    "validate_paging",
    "wire_body",
]

#: ``limit`` of search, meta and executions: 1 to 15 rows per page.
MAX_PAGE_LIMIT = 15

#: What every V1 method accepts: one of our models, or a plain mapping.
Payload = msgspec.Struct | Mapping[str, Any]


#: Required fields the client fills in itself (``request_id``) or has checked.
_FILLED_IN = frozenset({"request_id", "channel"})

_ACTIONS: dict[object, StatusAction] = {a.value: a for a in StatusAction}


def coerce_action(action: StatusAction | str) -> StatusAction:
    """Return the action as the enum; refuse anything but STOP, PAUSE or RESUME."""
    known = _ACTIONS.get(action)  # exact spelling or the enum itself: one lookup
    if known is not None:
        return known
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
    try:
        ids = list(campaign_ids)
    except TypeError:
        raise PayloadValidationError(
            f"campaign_ids must be a sequence of ids, got {type(campaign_ids).__name__}"
        ) from None
    if not 1 <= len(ids) <= maximum:
        raise PayloadValidationError(
            f"campaign_ids must hold 1 to {maximum} ids, got {len(ids)}"
        )
    try:
        # One C-level pass on the request path: str.strip refuses a non-str.
        joined = "".join(ids)
        valid = (
            all(map(str.strip, ids))
            and joined.isprintable()
            and (len(joined) <= MAX_ID_LENGTH or max(map(len, ids)) <= MAX_ID_LENGTH)
        )
    except TypeError:
        valid = False
    if not valid:
        for campaign_id in ids:
            check_campaign_id(campaign_id, "campaign id")
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


def wire_body(
    payload: Payload, request_id: str | None, allowed: tuple[type, ...], what: str
) -> tuple[dict[str, Any], str]:
    """Return the wire body and its request id; refuse a wrong model or id."""
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


def creation_body(payload: Payload, request_id: str | None) -> tuple[Any, str]:
    """``wire_body`` + ``check_channel`` for ``create_campaign``, without the copy.

    A ``PushCampaign``/``EmailCampaign`` without ``extra`` is sent as the model
    itself: msgspec encodes it directly, about 3x cheaper than building the dict
    first (``benchmarks/bench_payloads.py``). Same checks, same JSON object (the
    model's tag is its channel); anything else takes the ``wire_body`` path.
    """
    kind = type(payload)  # exact types: cheaper than isinstance on this path
    if kind is PushCampaign or kind is EmailCampaign:
        model: PushCampaign | EmailCampaign = payload  # type: ignore[assignment]
        own = model.request_id
        if not model.extra:
            if (
                request_id is None
                and type(own) is str
                and own.strip()
                and own.isprintable()
                and len(own) <= MAX_ID_LENGTH
            ):
                return model, own  # the common case, checked in full
            embedded = None if isinstance(own, UnsetType) else own
            if embedded is not None and request_id not in (None, embedded):
                raise PayloadValidationError(
                    "request_id given twice with different values "
                    "(payload and argument)"
                )
            rid = check_request_id(request_id if request_id is not None else embedded)
            if embedded != rid:
                model = msgspec.structs.replace(model, request_id=rid)
            return model, rid
    body, rid = wire_body(
        payload, request_id, (PushCampaign, EmailCampaign), "create_campaign"
    )
    check_channel(body, "create_campaign")
    model_type = PushCampaign if body["channel"] == "PUSH" else EmailCampaign
    check_required(body, model_type, "create_campaign", skip=_FILLED_IN)
    return body, rid


def check_channel(body: Mapping[str, Any], what: str) -> None:
    """Refuse a body whose ``channel`` is not PUSH or EMAIL (the spec's tag)."""
    if body.get("channel") not in ("PUSH", "EMAIL"):
        raise PayloadValidationError(
            f"{what} needs channel PUSH or EMAIL, got {body.get('channel')!r}"
        )


def check_test_recipients(body: Mapping[str, Any]) -> None:
    """Refuse a test send to no one or to over 10 recipients (docs/api-notes.md C10)."""
    meta = body.get("test_campaign_meta")
    values = meta.get("identifier_values") if isinstance(meta, Mapping) else None
    count = len(values) if isinstance(values, list) else 0
    if not 1 <= count <= MAX_TEST_RECIPIENTS:
        raise PayloadValidationError(
            "test_campaign_meta.identifier_values must hold 1 to "
            f"{MAX_TEST_RECIPIENTS} recipients, got {count}"
        )


def check_preview(body: Mapping[str, Any]) -> None:
    """Refuse a preview without content, or with event attributes but no event."""
    content = body.get("personalization_content")
    if not isinstance(content, Mapping) or not (
        content.get("payload") or content.get("custom_template_data")
    ):
        raise PayloadValidationError(
            "personalization_content needs a payload or custom_template_data"
        )
    details = body.get("personalization_details")
    if not isinstance(details, Mapping) or not details.get("channel"):
        raise PayloadValidationError("personalization_details.channel is required")
    if details.get("event_attributes") and not details.get("event_name"):
        raise PayloadValidationError(
            "personalization_details.event_name is required with event_attributes"
        )
