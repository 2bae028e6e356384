"""Request checks beyond auth: headers (docs/api-notes.md §2) and the body schema."""

from __future__ import annotations

from typing import Any

from .._constants import V1_PREFIX
from ..api import Operation
from ._calls import Call, Refusal

__all__ = ["check_headers", "check_schema"]

_JSON = "application/json"


def check_headers(
    op: Operation,
    call: Call,
    raw: bytes,
    content_type: str | None,
    header_rid: str | None,
) -> None:
    """JSON bodies; V5 request id and key rules (docs/api-notes.md §2)."""
    if raw and (content_type or "").split(";", 1)[0].strip().lower() != _JSON:
        raise Refusal(
            400, "Content-Type must be application/json.", target="Content-Type"
        )
    if op.version != 5:
        return
    if header_rid is None and call.request_id is None:
        raise Refusal(
            400,
            "X-MOE-Request-Id header (or body request_id) is required.",
            target="X-MOE-Request-Id",
        )
    if header_rid is not None and call.request_id not in (None, header_rid):
        raise Refusal(
            400,
            "X-MOE-Request-Id header and body request_id must be equal.",
            target="request_id",
        )
    if op.idempotency_key and not call.idempotency_key:
        raise Refusal(
            400, "Idempotency-Key header is required.", target="Idempotency-Key"
        )


def _spec_path(op: Operation) -> str:
    return op.path[len(V1_PREFIX) :] if op.version == 1 else op.path


def check_schema(op: Operation, body: Any) -> None:
    """Refuse a body that breaks the operation's request schema, naming the field."""
    from ._schemas import operation_schemas

    schemas = operation_schemas(op.version, op.method, _spec_path(op))
    if body is None:
        if schemas.request_body_required:
            raise Refusal(400, "request body is mandatory", target="body")
        return
    error = schemas.request_error(body)
    if error is not None:
        raise Refusal(400, error.message, target=error.field)
