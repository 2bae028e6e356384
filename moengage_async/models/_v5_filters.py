"""V5 search and meta bodies, and the V1 -> V5 search filter migration.

V5 renamed two search filters: ``id`` (one string) became ``ids`` (a list) and
``delivery_type`` became ``campaign_delivery_type``. The old keys are not an error
on MoEngage's side: they silently match **nothing**. ``SearchFields`` has no field
for them, so a typo cannot be built, and ``SearchFields.from_v1`` converts an
existing V1 filter.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

import msgspec

from ._base import UNSET, UnsetType, to_wire
from ._v5_parts import _V5, _V5Request

__all__ = [
    "DateTimeRange",
    "MetaFields",
    "MetaRequest",
    "SearchFields",
    "SearchRequest",
]

#: V1 filter names that V5 search spells the same way.
_SAME = ("channels", "created_by", "name", "status", "tags")


class DateTimeRange(_V5, frozen=True, kw_only=True):
    """``created_date`` filter (ISO date-time in V5)."""

    from_date: str
    to_date: str


class SearchFields(_V5, frozen=True, kw_only=True):
    """V5 search filters: ``ids`` and ``campaign_delivery_type`` (renamed from V1)."""

    ids: list[str] | UnsetType = UNSET
    channels: list[str] | UnsetType = UNSET
    created_by: list[str] | UnsetType = UNSET
    created_date: DateTimeRange | UnsetType = UNSET
    campaign_delivery_type: list[str] | UnsetType = UNSET
    name: str | UnsetType = UNSET
    status: list[str] | UnsetType = UNSET
    tags: list[str] | UnsetType = UNSET
    version_number: int | UnsetType = UNSET

    @classmethod
    def from_v1(cls, fields: msgspec.Struct | Mapping[str, Any]) -> SearchFields:
        """Convert a V1 search filter (``v1.CampaignSearchFields`` or a mapping).

        ``id`` becomes ``ids: [id]``, ``delivery_type`` becomes
        ``campaign_delivery_type``, and V1's ``YYYY-MM-DD`` dates become ISO
        date-times covering the same whole days (``to_date`` ends at 23:59:59).

        Raises:
            ValueError: a key V1 search does not have, or the ``RETIRED`` status
                (V5 has none).
        """
        old = to_wire(fields)
        new: dict[str, Any] = {}
        for key, value in old.items():
            if key in _SAME:
                new[key] = value
            elif key == "id":
                new["ids"] = [value] if isinstance(value, str) else list(value)
            elif key == "delivery_type":
                new["campaign_delivery_type"] = (
                    [value] if isinstance(value, str) else list(value)
                )
            elif key == "created_date":
                new[key] = {
                    "from_date": _v5_datetime(value["from_date"], end=False),
                    "to_date": _v5_datetime(value["to_date"], end=True),
                }
            else:
                raise ValueError(f"{key!r} is not a V1 search filter")
        statuses = new.get("status") or ()
        if any(str(s).upper() == "RETIRED" for s in statuses):
            raise ValueError("V5 has no RETIRED status; drop it from the filter")
        return msgspec.convert(new, cls)


def _v5_datetime(value: str, *, end: bool) -> str:
    """``YYYY-MM-DD`` or ``DD-MM-YYYY`` -> the day's first (or last) second."""
    text = value.strip()
    if "T" in text:
        return text  # already a date-time
    try:
        if len(text) == 10 and text[2] == "-":
            day = _dt.datetime.strptime(text, "%d-%m-%Y").date()
        else:
            day = _dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a V1 date: {value!r}") from None
    clock = "23:59:59" if end else "00:00:00"
    return f"{day.isoformat()}T{clock}"


class SearchRequest(_V5Request, frozen=True, kw_only=True):
    """Body of ``POST /v5/campaigns/search``: ``limit`` 1 to 15, ``page`` from 1."""

    limit: int
    page: int
    campaign_fields: SearchFields | UnsetType = UNSET
    include_child_campaigns: bool | UnsetType = UNSET
    include_archive_campaigns: bool | UnsetType = UNSET


class MetaFields(_V5, frozen=True, kw_only=True):
    """V5 meta filters (the V1 names, ``delivery_type`` a single string).

    ``campaign_delivery_type`` is here only because one spec example sends it;
    the schema key is ``delivery_type`` (docs/api-notes.md C19) and the client
    sends that.
    """

    id: str | UnsetType = UNSET
    channels: list[str] | UnsetType = UNSET
    created_by: list[str] | UnsetType = UNSET
    created_date: DateTimeRange | UnsetType = UNSET
    delivery_type: str | UnsetType = UNSET
    campaign_delivery_type: list[str] | UnsetType = UNSET
    name: str | UnsetType = UNSET
    status: list[str] | UnsetType = UNSET
    tags: list[str] | UnsetType = UNSET


class MetaRequest(_V5Request, frozen=True, kw_only=True):
    """Body of ``POST /v5/campaigns/meta``."""

    limit: int
    page: int
    campaign_fields: MetaFields | UnsetType = UNSET
    include_child_campaigns: bool | UnsetType = UNSET
