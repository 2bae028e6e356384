"""Retry policy: which answers are retried, how long to wait, and ``Retry-After``."""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .._constants import DEFAULT_MAX_RETRIES

__all__ = [
    "RETRYABLE_STATUSES",
    "RetryDetails",
    "RetryPolicy",
    "parse_retry_after",
]

#: 408, 429 and every 5xx are retried; 400/401/403/404/409/422 never are.
RETRYABLE_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with capped exponential backoff and full jitter.

    Args:
        max_retries: retries after the first attempt (0 disables retrying).
        base_delay_s: backoff before the first retry, doubled each time.
        max_delay_s: cap on one backoff sleep.
        max_retry_after_s: cap on a server-directed ``Retry-After`` wait; a longer
            one fails the call instead of sleeping.
        testing: zero backoff (``Retry-After`` still honoured), for test suites.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    max_retry_after_s: float = 300.0
    testing: bool = False
    rng: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.base_delay_s < 0 or self.max_delay_s < 0:
            raise ValueError("backoff delays must be >= 0")

    @staticmethod
    def is_retryable_status(status: int) -> bool:
        """Return whether an HTTP status may be retried."""
        return status >= 500 or status in RETRYABLE_STATUSES

    def backoff(self, attempt: int) -> float:
        """Return the jittered backoff before retry number ``attempt`` (1-based)."""
        if self.testing:
            return 0.0
        ceiling = min(self.max_delay_s, self.base_delay_s * (2 ** (attempt - 1)))
        return float(ceiling * self.rng())


@dataclass(frozen=True)
class RetryDetails:
    """What a retry hook is told before the client sleeps and tries again."""

    operation: str
    attempt: int
    delay_s: float
    reason: str
    status: int | None
    request_id: str


def parse_retry_after(
    headers: Mapping[str, str], *, now_wall: float | None = None
) -> float | None:
    """Return ``Retry-After`` in seconds (delta or HTTP date), else ``None``."""
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        now = time.time() if now_wall is None else now_wall
        return max(0.0, when.timestamp() - now)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds
