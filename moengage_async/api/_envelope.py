"""Turn a non-2xx answer into an ``APIError``: V1 and V5 envelopes, or the raw body."""

from __future__ import annotations

from typing import Any

import msgspec

from .._errors import APIError, RateLimitError, error_class_for_status
from ..transport import Response

__all__ = ["error_from_response"]


class _Detail(msgspec.Struct):
    target: Any = None
    message: Any = None
    code: Any = None


class _ErrorBody(msgspec.Struct):
    code: Any = None
    message: Any = None
    target: Any = None
    details: list[_Detail] | None = None
    request_id: Any = None
    # V1 GCG 500 shape
    title: Any = None
    description: Any = None
    # Data API shape: {"status": "fail", "error": {"type": "Rate Limits Exceeded"}}
    type: Any = None


class _Envelope(msgspec.Struct):
    error: _ErrorBody
    response_id: Any = None


_decode_envelope = msgspec.json.Decoder(_Envelope).decode
_RAW_LIMIT = 2000


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else msgspec.json.encode(value).decode()


def error_from_response(
    response: Response, *, retry_after: float | None = None
) -> APIError:
    """Build the exception for a non-2xx response, whatever its body looks like."""
    status = response.status
    cls = error_class_for_status(status)
    extra: dict[str, Any] = {}
    if cls is RateLimitError:
        extra["retry_after"] = retry_after
    try:
        envelope = _decode_envelope(response.body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        raw = response.body[:_RAW_LIMIT].decode("utf-8", "replace")
        reason = "empty body" if not response.body else "undocumented body"
        return cls(reason, status=status, raw_body=raw, **extra)
    err = envelope.error
    details = [
        {
            k: v
            for k, v in (("target", d.target), ("message", d.message), ("code", d.code))
            if v is not None
        }
        for d in err.details or ()
    ]
    message = _text(err.message) or _text(err.description) or _text(err.title)
    return cls(
        message or "no message",
        status=status,
        code=_text(err.code) or _text(err.type),
        target=_text(err.target) or None,
        details=details,
        request_id=_text(err.request_id),
        response_id=_text(envelope.response_id),
        **extra,
    )
