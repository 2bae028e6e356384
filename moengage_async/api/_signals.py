"""MoEngage's own rate-limit signals: the ``x-ratelimit-*`` headers of a response.

MoEngage documents ``x-ratelimit-limit``, ``x-ratelimit-remaining`` and
``x-ratelimit-reset`` on rate-limited responses. ``RateLimitSignals.observe``
reads them from any response that has them and hands the triple to the limiter
(``SignalObserver.observe``), which tightens its ledger to the server's count.
On a 429 without ``Retry-After`` whose ``remaining`` is 0, ``reset`` is also the
wait: the budgets are blocked until then, capped. (A 429 with slots remaining was
refused for another reason, such as a GCG file job still running.)

``reset`` is not documented as a delay or a time: a number above ``10**9`` is a
Unix time (September 2001 onwards), anything else seconds from now.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence

from ..budgets import Limiter, SignalObserver
from ..transport import Response
from ._retry import parse_retry_after

__all__ = ["REMAINING", "RateLimitSignals", "reset_seconds"]

log = logging.getLogger("moengage_async")

#: The header whose presence marks a response worth reading (one lookup).
REMAINING = "x-ratelimit-remaining"
_LIMIT = "x-ratelimit-limit"
_RESET = "x-ratelimit-reset"
#: A reset above this is a Unix time, not a delay.
EPOCH_FROM = 1e9


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def reset_seconds(text: str | None, *, now_wall: float | None = None) -> float | None:
    """``x-ratelimit-reset`` as seconds from now: a delay as it is, a Unix time
    (above ``10**9``) minus the wall clock, never negative; ``None`` when absent
    or not a number."""
    value = _number(text)
    if value is None:
        return None
    if value > EPOCH_FROM:
        now = time.time() if now_wall is None else now_wall
        return max(0.0, value - now)
    return value


class RateLimitSignals:
    """Reads the headers of one workspace's responses into its limiter.

    Args:
        workspace: the workspace the responses belong to.
        limiter: the client's limiter; without ``observe`` only the 429 wait is
            used.
        max_wait_s: the longest a ``reset`` may hold the budgets (the retry
            policy's ``max_retry_after_s``); a longer one is capped and logged.
        wall_clock: the Unix time (for epoch resets).
    """

    __slots__ = ("_limiter", "_max_wait_s", "_observe", "_wall", "_workspace")

    def __init__(
        self,
        workspace: str,
        limiter: Limiter,
        *,
        max_wait_s: float,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._workspace = workspace
        self._limiter = limiter
        self._observe = limiter.observe if isinstance(limiter, SignalObserver) else None
        self._max_wait_s = max_wait_s
        self._wall = wall_clock

    async def observe(
        self, budgets: Sequence[str], response: Response, lag_s: float
    ) -> None:
        """Read ``response``'s ``x-ratelimit-*`` headers (call only when
        ``REMAINING`` is among them); ``lag_s``: since the request was sent."""
        headers = response.headers
        limit = _number(headers.get(_LIMIT))
        remaining = _number(headers.get(REMAINING))
        reset = reset_seconds(headers.get(_RESET), now_wall=self._wall())
        if limit is None or remaining is None or limit < 1 or not budgets:
            log.debug(
                "ignoring unreadable x-ratelimit headers: limit=%r remaining=%r",
                headers.get(_LIMIT),
                headers.get(REMAINING),
            )
            return
        reset_s = 0.0 if reset is None else reset
        if self._observe is not None:
            await self._observe(
                self._workspace, budgets, int(limit), int(remaining), reset_s, lag_s
            )
        if (
            response.status == 429
            and remaining == 0
            and reset_s > 0
            and parse_retry_after(headers) is None
        ):
            await self._limiter.block(
                self._workspace, budgets, self._capped(budgets, reset_s)
            )

    def _capped(self, budgets: Sequence[str], reset_s: float) -> float:
        """``reset_s``, at most ``max_wait_s``."""
        cap = self._max_wait_s
        if reset_s <= cap:
            return reset_s
        log.warning(
            "x-ratelimit-reset of %.0fs for %s/%s is beyond %.0fs: waiting %.0fs",
            reset_s,
            self._workspace,
            ",".join(budgets),
            cap,
            cap,
        )
        return cap
