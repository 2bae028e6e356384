"""Checks of the arguments every operation shares; bad input is refused before
anything is sent, with a ``PayloadValidationError`` naming the argument.

The limits are documented in docs/design.md ("Argument checks").
"""

from __future__ import annotations

import functools
import math
from collections.abc import AsyncIterable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import msgspec

from .._constants import DATA_CENTERS, MAX_ID_LENGTH, MAX_TIMEOUT_S
from .._errors import PayloadValidationError
from ..budgets import Priority

__all__ = [
    "check_base_url",
    "check_bulk_arguments",
    "check_campaign_id",
    "check_client_arguments",
    "check_data_center",
    "check_priority",
    "check_required",
    "check_timeout",
    "check_workspace_id",
]


def check_campaign_id(value: Any, name: str = "campaign_id") -> str:
    """Return ``value``: a string of 1 to ``MAX_ID_LENGTH`` printable characters,
    not only whitespace."""
    if not isinstance(value, str) or not value.strip():
        raise PayloadValidationError(
            f"{name} must be a non-blank string: {value!r:.80}"
        )
    if len(value) > MAX_ID_LENGTH:
        raise PayloadValidationError(
            f"{name} must be at most {MAX_ID_LENGTH} characters, got {len(value)}"
        )
    if not value.isprintable():
        raise PayloadValidationError(
            f"{name} must not contain control characters or line breaks"
        )
    return value


def check_timeout(timeout: Any, name: str = "timeout") -> Any:
    """Return ``timeout``; refuse one that is not ``None`` or a finite number of
    seconds in (0, ``MAX_TIMEOUT_S``]."""
    if timeout is None:
        return None
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not (0 < timeout <= MAX_TIMEOUT_S)  # also false for NaN
        or not math.isfinite(timeout)
    ):
        raise PayloadValidationError(
            f"{name} must be None or seconds in (0, {MAX_TIMEOUT_S:g}], "
            f"got {timeout!r:.40}"
        )
    return timeout


def check_priority(priority: Any) -> None:
    """Refuse a priority that is not a ``Priority``."""
    if not isinstance(priority, Priority):
        raise PayloadValidationError(
            f"priority must be a Priority (INTERACTIVE or BULK), got {priority!r:.40}"
        )


def check_required(
    body: Mapping[str, Any], model: Any, what: str, *, skip: frozenset[str]
) -> None:
    """Refuse a mapping without one of ``model``'s required fields (its fields
    without a default, the spec's ``required`` list), ``skip`` aside."""
    missing = [
        name
        for name in _required_fields(model)
        if name not in skip and body.get(name) is None
    ]
    if missing:
        raise PayloadValidationError(
            f"{what} misses required field(s): {', '.join(missing)}"
        )


@functools.cache
def _required_fields(model: Any) -> tuple[str, ...]:
    """The wire names of ``model``'s required fields (read once per model)."""
    info = msgspec.inspect.type_info(model)
    assert isinstance(info, msgspec.inspect.StructType)
    return tuple(f.encode_name for f in info.fields if f.required)


def check_workspace_id(value: Any) -> None:
    """Refuse a workspace id that cannot be one (it goes into headers)."""
    if not isinstance(value, str) or not value.strip():
        raise PayloadValidationError("workspace_id must be a non-blank string")
    if (
        len(value) > MAX_ID_LENGTH
        or not value.isprintable()
        or any(c in value for c in "{}/ ")
        or value != value.strip()
    ):
        raise PayloadValidationError(
            f"workspace_id must be at most {MAX_ID_LENGTH} characters without "
            "whitespace, control characters, '/', '{' or '}'"
        )


def check_data_center(value: Any) -> None:
    """Refuse a data center outside ``DATA_CENTERS``."""
    if value not in DATA_CENTERS:
        known = ", ".join(sorted(DATA_CENTERS))
        raise PayloadValidationError(
            f"unknown data_center {value!r:.40}; expected one of {known}"
        )


def check_base_url(value: Any) -> None:
    """Refuse a base URL that is not ``http(s)://host[:port][/path]``."""
    if value is None:
        return
    parts = urlsplit(value) if isinstance(value, str) else None
    try:
        ok = (
            parts is not None
            and parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and value.isprintable()
            and " " not in value
        )
        if ok and parts is not None:
            _ = parts.port  # a bad port raises ValueError
    except ValueError:
        ok = False
    if not ok:
        raise PayloadValidationError(
            f"base_url must be an http:// or https:// URL with a host, "
            f"got {value!r:.80}"
        )


def check_client_arguments(
    workspace_id: Any, data_center: Any, base_url: Any, timeout: Any
) -> None:
    """The client constructor's checks: workspace id, data center (unless a
    ``base_url`` replaces it), base URL and default timeout."""
    check_workspace_id(workspace_id)
    if base_url is None:
        check_data_center(data_center)
    check_base_url(base_url)
    check_timeout(timeout)


def check_bulk_arguments(campaign_ids: Any, priority: Any, timeout: Any) -> None:
    """A bulk status job's own checks: an iterable of ids (not one string), a
    ``Priority`` and a timeout; each id is checked with its batch."""
    if isinstance(campaign_ids, (str, bytes)) or not isinstance(
        campaign_ids, (Iterable, AsyncIterable)
    ):
        raise PayloadValidationError(
            "campaign_ids must be an iterable of ids, got "
            f"{type(campaign_ids).__name__}"
        )
    from ._requestor import USE_CLIENT_DEFAULT  # _requestor imports this module

    check_priority(priority)
    if timeout is not USE_CLIENT_DEFAULT:
        check_timeout(timeout)
