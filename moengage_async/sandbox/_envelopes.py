"""The documented error bodies (docs/api-notes.md §5), built in one place.

V1: ``{"error": {"code": "<status> <text>", "message", "target", "details",
"request_id"}}``. V5: ``{"response_id", "error": {"code": <enum>, ...}}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "V1_REASONS",
    "V5_CODES",
    "data_api_rate_limited",
    "v1_error",
    "v1_rate_limited",
    "v5_error",
    "v5_rate_limited",
]

#: The ``code`` text V1 puts next to each status (as seen in the spec examples).
V1_REASONS = {
    400: "400 Bad Request",
    401: "401 Authentication error",
    404: "404 Not Found",
    429: "429 conflict",
    500: "500 Internal Server Error",
    502: "502 Bad Gateway",
    503: "503 Service Unavailable",
    504: "504 Gateway Timeout",
}

#: V5 ``error.code`` per status (404 uses the observed ``NOT_FOUND``, 409 is
#: ``BAD_REQUEST`` as documented).
V5_CODES = {
    400: "VALIDATION_FAILED",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "BAD_REQUEST",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    502: "INTERNAL_ERROR",
    503: "INTERNAL_ERROR",
    504: "INTERNAL_ERROR",
}


def v1_error(
    status: int,
    message: str,
    *,
    target: str | None = None,
    request_id: str | None = None,
    details: Sequence[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """A V1 ``ErrorResponse`` body naming ``target`` (when there is one)."""
    error: dict[str, Any] = {
        "code": V1_REASONS.get(status, f"{status} Error"),
        "message": message,
    }
    _name_targets(error, message, target, details)
    if request_id is not None:
        error["request_id"] = request_id
    return {"error": error}


def _name_targets(
    error: dict[str, Any],
    message: str,
    target: str | None,
    details: Sequence[tuple[str, str]] | None,
) -> None:
    """Set ``target`` and ``details``: one entry per problem, or the target alone."""
    if target is not None:
        error["target"] = target
        error["details"] = [{"target": target, "message": message}]
    if details:
        error["details"] = [{"target": t, "message": m} for t, m in details]


def v1_rate_limited(request_id: str | None) -> dict[str, Any]:
    """The V1 ``RateLimitExceeded`` body, word for word."""
    return {
        "error": {
            "code": "429 conflict",
            "message": "rate_limit",
            "target": "",
            "details": [{"target": "rate_limit", "message": "Rate limiting breached"}],
            "request_id": request_id or "",
        }
    }


def v5_error(
    status: int,
    message: str,
    *,
    response_id: str,
    code: str | None = None,
    target: str | None = None,
    request_id: str | None = None,
    details: Sequence[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """A ``V5ErrorEnvelope`` body; ``code`` defaults to the status's usual one."""
    error: dict[str, Any] = {
        "code": code or V5_CODES.get(status, "INTERNAL_ERROR"),
        "message": message,
        "details": [],
    }
    _name_targets(error, message, target, details)
    if request_id is not None:
        error["request_id"] = request_id
    return {"response_id": response_id, "error": error}


def v5_rate_limited(response_id: str, request_id: str | None) -> dict[str, Any]:
    """The V5 429 body (the wait is in the ``Retry-After`` header)."""
    body = v5_error(
        429,
        "Rate limit exceeded for app key.",
        response_id=response_id,
        request_id=request_id,
    )
    return body


def data_api_rate_limited(request_id: str | None) -> dict[str, Any]:
    """A 429 in the shape MoEngage's Data API answers with (``status: fail``)."""
    return {
        "status": "fail",
        "error": {
            "type": "Rate Limits Exceeded",
            "message": "Rate limit exceeded for app key.",
            "request_id": request_id or "",
        },
    }
