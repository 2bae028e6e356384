"""Redis outages: how long a caller waits for Redis to answer again, and who asks.

An outage is Redis not answering (connection refused or reset, no answer within
the limiter's ``op_timeout_s``). It is never a pool that has no free connection
yet: the limiter queues its own calls for a connection (``ScriptRunner``) and
that wait is not an outage.
"""

from __future__ import annotations

import math

import anyio

from .._clock import Clock
from ._redis_support import BudgetBackendError

__all__ = ["Outage"]

#: The first pause before Redis is tried again, and the cap of its doubling.
FIRST_RETRY_S = 0.05
MAX_RETRY_S = 1.0


class Outage:
    """The limiter's view of Redis being unavailable, shared by all its callers.

    When a call finds Redis unavailable the others stop calling it: they sleep on
    the limiter's clock and one try goes out per backoff step (doubling from
    ``FIRST_RETRY_S`` to ``MAX_RETRY_S``), made by whichever caller is awake
    first. The first call Redis answers ends the outage and wakes every sleeper
    at once. A caller gives up with ``BudgetBackendError`` ``max_wait_s`` after it
    first met the outage, or at its deadline if that is sooner; nothing is ever
    admitted without Redis (fail closed).
    """

    __slots__ = (
        "_backoff",
        "_clock",
        "_max_wait",
        "_next_try",
        "_sleepers",
        "_step",
        "down",
    )

    def __init__(self, clock: Clock, max_wait_s: float) -> None:
        self._clock = clock
        self._max_wait = max_wait_s
        #: True from a call that found Redis unavailable to the next one answered
        self.down = False
        self._backoff = self._step = FIRST_RETRY_S
        self._next_try = -math.inf
        self._sleepers: set[anyio.CancelScope] = set()

    @property
    def max_wait_s(self) -> float:
        return self._max_wait

    def failed(self) -> None:
        """A call found Redis unavailable (the first one of an outage starts it);
        the next try waits one backoff step from now."""
        now = self._clock.now()
        if not self.down:
            self.down = True
            self._backoff = self._step = FIRST_RETRY_S
            self._next_try = now + FIRST_RETRY_S
        else:
            self._next_try = max(self._next_try, now + self._step)

    def answered(self) -> None:
        """Redis answered a call: the outage is over, every sleeper tries again."""
        self.down = False
        sleepers, self._sleepers = self._sleepers, set()
        for scope in sleepers:
            scope.cancel()

    async def wait(
        self,
        since: float | None,
        deadline: float | None,
        error: BudgetBackendError | None,
    ) -> float:
        """Return when this caller should call Redis again; raise past the max wait.

        ``since`` is when the caller first met the outage (``None``: now), which it
        passes back on its next wait; ``error`` is what its own last call raised
        (``None`` when it has not called Redis since it met the outage).

        Returns:
            ``since``, to hand back to the next ``wait`` of the same caller.
        """
        clock = self._clock
        now = clock.now()
        if since is None:
            since = now
        give_up = since + self._max_wait
        if deadline is not None:
            give_up = min(give_up, deadline)
        if error is not None and now >= give_up:
            raise self._given_up(now - since, error)
        while self.down:
            if now >= self._next_try:  # this caller makes the due try
                self._step = self._backoff
                self._next_try = now + self._step
                self._backoff = min(2 * self._backoff, MAX_RETRY_S)
                return since
            if now >= give_up:
                raise self._given_up(now - since, error)
            with anyio.CancelScope() as scope:  # ``answered`` cancels it
                self._sleepers.add(scope)
                try:
                    await clock.sleep(min(self._next_try, give_up) - now)
                finally:
                    self._sleepers.discard(scope)
            now = clock.now()
        return since

    def _given_up(
        self, waited: float, error: BudgetBackendError | None
    ) -> BudgetBackendError:
        if error is not None and self._max_wait == 0:
            return error  # no waiting at all: the call's own error, as it was
        exc = BudgetBackendError(
            f"Redis budget backend unavailable for {waited:.3g} s "
            f"(max_outage_wait_s={self._max_wait:g}, or the call's deadline); "
            "nothing was sent"
        )
        exc.unavailable = True
        exc.__cause__ = error
        return exc
