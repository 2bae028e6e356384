"""The model base class, the closed sets both generations share, and wire helpers."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

__all__ = [
    "CampaignDeliveryType",
    "Channel",
    "ContentType",
    "Model",
    "Platform",
    "SchedulingType",
    "StatusAction",
    "UNSET",
    "UnsetType",
    "parse_enum",
    "to_wire",
]

E = TypeVar("E", bound=enum.Enum)


class Model(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """Base of every wire model: keyword-only, frozen, unset fields left out.

    Optional fields default to ``UNSET``: "not sent" differs from "send null".
    Unknown fields in decoded JSON are ignored, so the server may add new ones.
    """


# -- closed sets -----------------------------------------------------------------------


class StatusAction(str, enum.Enum):
    """The status transitions MoEngage accepts (publish is separate, V5 only)."""

    STOP = "STOP"
    PAUSE = "PAUSE"
    RESUME = "RESUME"


class Channel(str, enum.Enum):
    """Channels a campaign can be created, updated or tested on."""

    PUSH = "PUSH"
    EMAIL = "EMAIL"


class CampaignDeliveryType(str, enum.Enum):
    """How a campaign is triggered (Email allows only the first four)."""

    ONE_TIME = "ONE_TIME"
    PERIODIC = "PERIODIC"
    EVENT_TRIGGERED = "EVENT_TRIGGERED"
    BUSINESS_EVENT_TRIGGERED = "BUSINESS_EVENT_TRIGGERED"
    DEVICE_TRIGGERED = "DEVICE_TRIGGERED"
    LOCATION_TRIGGERED = "LOCATION_TRIGGERED"
    BROADCAST_LIVE_ACTIVITY = "BROADCAST_LIVE_ACTIVITY"


class Platform(str, enum.Enum):
    """Push platforms."""

    ANDROID = "ANDROID"
    IOS = "IOS"
    WEB = "WEB"


class SchedulingType(str, enum.Enum):
    """``scheduling_details.delivery_type`` values a request may use."""

    ASAP = "ASAP"
    AT_FIXED_TIME = "AT_FIXED_TIME"
    SEND_IN_BTS = "SEND_IN_BTS"
    SEND_IN_USER_TIMEZONE = "SEND_IN_USER_TIMEZONE"


class ContentType(str, enum.Enum):
    """Email content type; ``PROMOTIONAL`` needs a ``subscription_category``."""

    PROMOTIONAL = "PROMOTIONAL"
    TRANSACTIONAL = "TRANSACTIONAL"


def parse_enum(cls: type[E], value: str | None) -> E | str | None:
    """Return ``value`` as a member of ``cls`` (case-insensitive), else unchanged.

    Responses keep enum-like fields as ``str`` so an unexpected value (V1 examples
    answer ``"Active"``) never breaks decoding; this helper upgrades them on demand.
    """
    if value is None:
        return None
    wanted = value.strip().upper().replace(" ", "_")
    for member in cls:
        if str(member.value).upper().replace(" ", "_") == wanted:
            return member
    return value


def to_wire(
    payload: msgspec.Struct | Mapping[str, Any], **fields: Any
) -> dict[str, Any]:
    """Return a request body as plain JSON-ready builtins.

    ``payload`` is one of our models or a plain mapping (the escape hatch for fields
    the models do not know). A model's ``extra`` mapping, when it has one, is merged
    in deeply; ``fields`` set top-level keys last (e.g. ``request_id``).
    """
    if isinstance(payload, msgspec.Struct):
        body: dict[str, Any] = msgspec.to_builtins(payload)
        extra = getattr(payload, "extra", UNSET)
        body.pop("extra", None)
        if extra is not UNSET and extra:
            _merge(body, extra)
    elif isinstance(payload, Mapping):
        body = dict(payload)
    else:
        raise TypeError(f"expected a model or a mapping, got {type(payload).__name__}")
    body.update(fields)
    return body


def _merge(into: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            _merge(current, value)
        else:
            into[key] = msgspec.to_builtins(value)
