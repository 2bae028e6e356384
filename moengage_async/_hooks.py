"""Telemetry hooks: plain callbacks, so logs, Prometheus or OpenTelemetry plug in.

The hooks of one call run synchronously in the task that made the call, in this
order: ``on_call_start``; then per attempt ``on_throttle`` (when the budgets made it
wait), ``on_attempt_start``, ``on_request`` (``on_rate_limited`` too on a 429) and
``on_retry`` before the next attempt; ``on_call_end`` last, whatever the outcome
(cancellation included). A bridge may therefore keep a call's state in a
``contextvars.ContextVar`` between ``on_call_start`` and ``on_call_end``, as
``moengage_async.otel`` does for its spans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api import RetryDetails

__all__ = [
    "AttemptInfo",
    "CallInfo",
    "CallResult",
    "Hooks",
    "RequestInfo",
    "ThrottleInfo",
]


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """One HTTP attempt: its operation, outcome and timing (seconds)."""

    operation: str
    status: int | None
    elapsed_s: float
    attempt: int
    request_id: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ThrottleInfo:
    """A wait imposed by the budgets before an attempt was sent."""

    operation: str
    budgets: tuple[str, ...]
    waited_s: float


@dataclass(frozen=True, slots=True)
class CallInfo:
    """One logical call as it starts (its attempts, retries and waits follow).

    ``path`` is the operation's path template (``/v5/campaigns/{campaign_id}``),
    never the filled-in path: no campaign id reaches a hook.
    """

    operation: str
    method: str
    path: str
    budgets: tuple[str, ...]
    workspace_id: str
    base_url: str
    request_id: str


@dataclass(frozen=True, slots=True)
class AttemptInfo:
    """One HTTP attempt about to be sent (``attempt`` counts from 1)."""

    operation: str
    attempt: int
    request_id: str


@dataclass(frozen=True, slots=True)
class CallResult:
    """How a logical call ended: its last status (if any answer came) and error.

    ``error`` is the class name of the exception the caller sees
    (``"CancelledError"`` when the call was cancelled), ``None`` on success.
    """

    operation: str
    status: int | None
    elapsed_s: float
    request_id: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Hooks:
    """Callbacks the client calls synchronously; keep them fast and never raise.

    With none of ``on_call_start``/``on_call_end`` set, a call costs nothing extra;
    each other hook costs one ``None`` check where it would fire.
    """

    on_request: Callable[[RequestInfo], None] | None = None
    on_retry: Callable[[RetryDetails], None] | None = None
    on_throttle: Callable[[ThrottleInfo], None] | None = None
    on_rate_limited: Callable[[RequestInfo], None] | None = None
    on_call_start: Callable[[CallInfo], None] | None = None
    on_call_end: Callable[[CallResult], None] | None = None
    on_attempt_start: Callable[[AttemptInfo], None] | None = None
