"""What a handler sees (``Call``) and returns (``Reply`` or raises ``Refusal``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..api import Operation

__all__ = ["Call", "Refusal", "Reply"]


class Refusal(Exception):
    """A documented error answer; the pipeline wraps it in the V1 or V5 envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        target: str | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        details: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.target = target
        self.code = code
        #: For a 429: seconds until the budget frees.
        self.retry_after = retry_after
        #: ``(target, message)`` per problem, when there are several (for example
        #: each campaign of a V1 status batch that cannot take the action).
        self.details = details


@dataclass(slots=True)
class Call:
    """One admitted request, decoded."""

    op: Operation
    workspace_id: str
    now: float
    body: Any
    path_params: Mapping[str, str]
    request_id: str | None
    idempotency_key: str | None
    response_id: str
    #: V5 ``X-MOE-Scopes`` entries (None when the header is absent).
    scopes: tuple[str, ...] | None = None


@dataclass(slots=True)
class Reply:
    """A handler's answer; ``body=None`` sends no body at all."""

    status: int
    body: Any = None
    headers: Mapping[str, str] | None = None
