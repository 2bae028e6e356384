"""Reservations: a slot taken ahead of a call, handed to that call, or given back.

``client.budgets.try_reserve(op)`` asks the limiter without waiting: a
``Reservation`` when the operation's budgets admit a call now, else
``BudgetExhausted`` with the seconds until the earliest slot. Inside
``async with reservation:`` the first request of the operation's budgets takes
the reserved slot instead of asking the limiter again (a context variable carries
it to the requestor). A reservation nobody uses is released: at the end of its
``async with`` block, by ``release()``, or by the lease keeper ``lease_s`` after it
was handed out. Released means never sent: the slot is free again at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
from collections.abc import Sequence
from types import TracebackType

import anyio

from .._clock import Clock
from .._errors import RateLimitError
from ._limiter import Permit
from ._spec import Priority

__all__ = [
    "BudgetExhausted",
    "CURRENT_RESERVATION",
    "DEFAULT_LEASE_S",
    "LeaseKeeper",
    "Reservation",
    "exhausted",
    "release_unsent",
]

log = logging.getLogger("moengage_async.budgets")

#: How long a reservation may stay unused before its slot is given back.
DEFAULT_LEASE_S = 1.0

#: Below this, a "retry in" would invite a busy loop (a concurrency cap frees
#: without notice): the answer is never sooner than this.
_MIN_RETRY_S = 0.001


class BudgetExhausted(RateLimitError):
    """No slot now (a non-blocking question): retry in ``retry_in_s`` seconds.

    Raised by ``try_reserve`` before anything is sent (``local`` is true);
    ``retry_at`` is the same moment in the limiter's clock time. A
    ``RateLimitError``, so ``except RateLimitError`` catches it too.
    """

    def __init__(self, message: str, *, retry_in_s: float, retry_at: float) -> None:
        super().__init__(message, retry_at=retry_at, local=True)
        self.retry_in_s = retry_in_s


def exhausted(budgets: Sequence[str], now: float, at: float) -> BudgetExhausted:
    """The ``BudgetExhausted`` of ``budgets`` whose earliest slot is at ``at``."""
    at = max(at, now + _MIN_RETRY_S)
    if math.isinf(at):  # a concurrency cap with nothing stamped: poll
        at = now + _MIN_RETRY_S
    names = ",".join(budgets)
    return BudgetExhausted(
        f"budget {names} has no slot now; the earliest is in {at - now:.3f}s",
        retry_in_s=at - now,
        retry_at=at,
    )


async def release_unsent(permit: Permit) -> None:
    """Give back a permit whose request was never sent.

    A limiter's permit may have ``release()`` (the slot is free again at once);
    else it is completed as a failure (a request budget keeps the slot for its
    window, a success quota gets it back).
    """
    release = getattr(permit, "release", None)
    if release is not None:
        await release()
    else:
        await permit.complete(success=False)


#: The reservation of the ``async with`` block the current task is in.
CURRENT_RESERVATION: contextvars.ContextVar[Reservation | None] = (
    contextvars.ContextVar("moengage_reservation", default=None)
)


class Reservation:
    """A slot of an operation's budgets, held for one call.

    Use it as ``async with reservation: await client.change_status(...)``: the first
    request of these budgets inside the block (same task, or tasks started in it)
    goes out under the reserved slot without asking the limiter. Unused at the end
    of the block, or ``lease_s`` after it was handed out, the slot is released.
    """

    __slots__ = (
        "_keeper",
        "_permit",
        "_token",
        "budgets",
        "expires_at",
        "limiter",
        "operation",
        "priority",
        "workspace",
    )

    def __init__(
        self,
        permit: Permit,
        *,
        limiter: object,
        workspace: str,
        operation: str,
        budgets: tuple[str, ...],
        priority: Priority,
        expires_at: float,
        keeper: LeaseKeeper | None,
    ) -> None:
        self._permit: Permit | None = permit
        self.limiter = limiter
        self.workspace = workspace
        self.operation = operation
        self.budgets = budgets
        self.priority = priority
        #: Clock time at which an unused slot is given back.
        self.expires_at = expires_at
        self._keeper = keeper
        self._token: contextvars.Token[Reservation | None] | None = None

    @property
    def held(self) -> bool:
        """Whether the slot is still reserved and unused."""
        return self._permit is not None

    def claim(
        self, limiter: object, workspace: str, budgets: Sequence[str]
    ) -> Permit | None:
        """The reserved permit for a request of ``budgets`` through ``limiter`` in
        ``workspace``, once; ``None`` when it does not match or is spent."""
        permit = self._permit
        if (
            permit is None
            or limiter is not self.limiter
            or workspace != self.workspace
            or tuple(budgets) != self.budgets
        ):
            return None
        self._permit = None
        if self._keeper is not None:
            self._keeper.forget(self)
        return permit

    async def release(self) -> None:
        """Give the slot back unused (nothing to do once a request took it)."""
        permit = self._permit
        if permit is None:
            return
        self._permit = None
        if self._keeper is not None:
            self._keeper.forget(self)
        with anyio.CancelScope(shield=True):
            await release_unsent(permit)

    async def __aenter__(self) -> Reservation:
        self._token = CURRENT_RESERVATION.set(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        token, self._token = self._token, None
        if token is not None:
            CURRENT_RESERVATION.reset(token)
        await self.release()

    def __repr__(self) -> str:
        state = "held" if self._permit is not None else "spent"
        return (
            f"<Reservation {self.operation} {self.priority.name.lower()} {state}"
            f" expires_at={self.expires_at:.3f}>"
        )


class LeaseKeeper:
    """Releases reservations nobody used within their lease.

    One task per keeper, alive only while reservations are outstanding: it sleeps
    on the clock until the oldest lease ends. Leases share one length, so
    insertion order is expiry order.
    """

    def __init__(self, clock: Clock, lease_s: float = DEFAULT_LEASE_S) -> None:
        if not lease_s > 0:
            raise ValueError("lease_s must be positive")
        self.clock = clock
        self.lease_s = lease_s
        self._open: dict[Reservation, None] = {}
        self._task: asyncio.Task[None] | None = None

    @property
    def outstanding(self) -> int:
        """Reservations handed out and neither used nor released yet."""
        return len(self._open)

    def keep(self, reservation: Reservation) -> None:
        """Watch ``reservation`` until it is claimed, released or expires."""
        self._open[reservation] = None
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def forget(self, reservation: Reservation) -> None:
        """Stop watching (claimed or released)."""
        self._open.pop(reservation, None)

    async def _run(self) -> None:
        CURRENT_RESERVATION.set(None)
        try:
            while self._open:
                oldest = next(iter(self._open))
                wait = oldest.expires_at - self.clock.now()
                if wait > 0:
                    await self.clock.sleep(wait)
                    continue
                log.debug("releasing an unused reservation of %s", oldest.operation)
                await oldest.release()
        finally:
            self._task = None

    async def aclose(self) -> None:
        """Release every outstanding reservation and stop the task."""
        task = self._task
        if task is not None:
            task.cancel()
            with anyio.CancelScope(shield=True):
                await asyncio.gather(task, return_exceptions=True)
        for reservation in list(self._open):
            await reservation.release()
