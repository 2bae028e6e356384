"""Search and meta filters, shared by V1 and V5, and the page rule."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any

from ._calls import Refusal
from ._store import Campaign

__all__ = ["page", "select"]


def _date(value: Any, field: str, *, v5: bool, meta: bool) -> _dt.date:
    if not isinstance(value, str):
        raise Refusal(400, f"{field} must be a date string", target=field)
    text = value.strip()
    try:
        if v5:  # ISO date-time (a bare date is accepted too)
            return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        if meta and len(text) == 10 and text[2] == "-":  # DD-MM-YYYY
            return _dt.datetime.strptime(text, "%d-%m-%Y").date()
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise Refusal(
            400, f"{field} is not a valid date: {value!r}", target=field
        ) from None


def _date_range(
    fields: Mapping[str, Any], *, v5: bool, meta: bool
) -> tuple[_dt.date, _dt.date] | None:
    created = fields.get("created_date")
    if created is None:
        return None
    for key in ("from_date", "to_date"):
        if key not in created:
            target = f"campaign_fields.created_date.{key}"
            raise Refusal(400, f"{key} key is mandatory field", target=target)
    prefix = "campaign_fields.created_date."
    start = _date(created["from_date"], prefix + "from_date", v5=v5, meta=meta)
    end = _date(created["to_date"], prefix + "to_date", v5=v5, meta=meta)
    return start, end


def _upper(values: Iterable[Any]) -> set[str]:
    return {v.upper() for v in values if isinstance(v, str)}


def select(
    campaigns: Iterable[Campaign],
    body: Mapping[str, Any],
    *,
    v5: bool,
    meta: bool = False,
) -> list[Campaign]:
    """Campaigns matching ``campaign_fields`` and the flags, in creation order.

    DRAFT rows appear only on V5 and only when ``DRAFT`` is asked for; archived
    ones only with ``include_archive_campaigns``. On V5 search the renamed V1
    keys (``delivery_type``, ``id``) match nothing, as MoEngage documents.
    """
    fields: Mapping[str, Any] = body.get("campaign_fields") or {}
    if v5 and not meta and ("delivery_type" in fields or "id" in fields):
        return []
    statuses = _upper(fields.get("status") or ())
    channels = _upper(fields.get("channels") or ())
    tags = set(fields.get("tags") or ())
    creators = set(fields.get("created_by") or ())
    name = fields.get("name")
    needle = name.lower() if isinstance(name, str) and name else None
    if v5 and not meta:
        types = _upper(fields.get("campaign_delivery_type") or ())
        ids = set(fields.get("ids") or ())
    else:
        raw_type = fields.get("delivery_type")
        types = _upper([raw_type] if isinstance(raw_type, str) else raw_type or ())
        ids = {fields["id"]} if isinstance(fields.get("id"), str) else set()
    version = fields.get("version_number") if v5 else None
    dates = _date_range(fields, v5=v5, meta=meta)
    archived = bool(body.get("include_archive_campaigns"))
    out = []
    for c in campaigns:
        if c.status == "DRAFT" and (not v5 or "DRAFT" not in statuses):
            continue
        if c.status == "ARCHIVED" and not archived and "ARCHIVED" not in statuses:
            continue
        shown = c.status if v5 or c.status != "SENDING" else "ACTIVE"
        if statuses and shown not in statuses:
            continue
        if channels and c.channel not in channels:
            continue
        if types and c.delivery_type not in types:
            continue
        if ids and c.id not in ids:
            continue
        if creators and c.created_by not in creators:
            continue
        if tags and not tags.intersection(c.tags):
            continue
        if needle is not None and needle not in c.name.lower():
            continue
        if version is not None and c.version_number != version:
            continue
        if dates is not None:
            day = _dt.date.fromisoformat(c.created_date)
            if not dates[0] <= day <= dates[1]:
                continue
        out.append(c)
    return out


def page(rows: list[Campaign], body: Mapping[str, Any]) -> list[Campaign]:
    """One page: ``limit`` rows (1-15) from page ``page`` (>= 1)."""
    # JSON Schema counts 1.0 as an integer, so the schema check lets it through.
    limit = int(body["limit"])
    number = int(body["page"])
    start = (number - 1) * limit
    return rows[start : start + limit]
