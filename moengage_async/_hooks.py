"""Telemetry hooks: plain callbacks, so logs, Prometheus or OpenTelemetry plug in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api import RetryDetails

__all__ = ["Hooks", "RequestInfo", "ThrottleInfo"]


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
class Hooks:
    """Callbacks the client calls synchronously; keep them fast and never raise."""

    on_request: Callable[[RequestInfo], None] | None = None
    on_retry: Callable[[RetryDetails], None] | None = None
    on_throttle: Callable[[ThrottleInfo], None] | None = None
    on_rate_limited: Callable[[RequestInfo], None] | None = None
