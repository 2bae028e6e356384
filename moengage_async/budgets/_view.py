"""``client.budgets``: the workspace's budgets, to look at and to ask ahead of a call.

``snapshot()`` is for dashboards. ``try_reserve(op)`` is the non-blocking question
of backpressure (a slot now, or ``BudgetExhausted`` with the seconds to wait) and
``reserve(op)`` its waiting form; both hand out a ``Reservation`` whose slot the
next request of that operation takes (see ``_reserve``).
"""

from __future__ import annotations

from collections.abc import Mapping

from .._clock import Clock, MonotonicClock
from .._errors import PayloadValidationError
from ._limiter import Limiter, Permit, WindowUsage
from ._reserve import DEFAULT_LEASE_S, LeaseKeeper, Reservation
from ._spec import Priority

__all__ = ["BudgetView"]


class BudgetView:
    """The client's workspace seen through its limiter.

    Args:
        limiter: the client's limiter.
        workspace: the client's workspace.
        clock: the client's clock (leases run on it).
        operations: operation name -> the budgets it spends (the operation table).
        lease_s: how long a reservation may stay unused before it is released.
    """

    __slots__ = ("_clock", "_keeper", "_limiter", "_operations", "_workspace")

    def __init__(
        self,
        limiter: Limiter,
        workspace: str,
        *,
        clock: Clock | None = None,
        operations: Mapping[str, tuple[str, ...]] | None = None,
        lease_s: float = DEFAULT_LEASE_S,
    ) -> None:
        self._limiter = limiter
        self._workspace = workspace
        self._clock: Clock = clock or MonotonicClock()
        self._operations = dict(operations or {})
        self._keeper = LeaseKeeper(self._clock, lease_s)

    def snapshot(self) -> list[WindowUsage]:
        """Usage per budget and window now: used, limit, in flight, queued,
        seconds until the next free slot and until a server block ends."""
        return self._limiter.snapshot(self._workspace)

    @property
    def lease_s(self) -> float:
        """Seconds a reservation may stay unused before its slot is given back."""
        return self._keeper.lease_s

    @property
    def outstanding_reservations(self) -> int:
        """Reservations handed out and neither used nor released yet."""
        return self._keeper.outstanding

    async def try_reserve(
        self, operation: str, *, priority: Priority = Priority.INTERACTIVE
    ) -> Reservation:
        """Reserve a slot of ``operation``'s budgets now, without waiting.

        ``priority`` is the lane asked about: an interactive question sees the
        interactive headroom, a bulk one the bulk share.

        Raises:
            BudgetExhausted: no slot now; ``retry_in_s`` says when the earliest is.
            PayloadValidationError: an unknown operation name.
        """
        budgets = self._budgets_of(operation)
        nowait = getattr(self._limiter, "acquire_nowait", None)
        if nowait is None:
            raise PayloadValidationError(
                f"{type(self._limiter).__name__} cannot answer without waiting "
                "(it has no acquire_nowait)"
            )
        permit: Permit = await nowait(self._workspace, budgets, priority=priority)
        return self._hand_out(permit, operation, budgets, priority)

    async def reserve(
        self,
        operation: str,
        *,
        priority: Priority = Priority.INTERACTIVE,
        timeout: float | None = None,
    ) -> Reservation:
        """Wait for a slot of ``operation``'s budgets (in its priority lane).

        Raises:
            RateLimitError: ``local``, when no slot can come within ``timeout``.
            PayloadValidationError: an unknown operation name.
        """
        budgets = self._budgets_of(operation)
        deadline = None if timeout is None else self._clock.now() + timeout
        permit = await self._limiter.acquire(
            self._workspace, budgets, priority=priority, deadline=deadline
        )
        return self._hand_out(permit, operation, budgets, priority)

    async def aclose(self) -> None:
        """Release every reservation still outstanding (the client's ``aclose``)."""
        await self._keeper.aclose()

    def _budgets_of(self, operation: str) -> tuple[str, ...]:
        budgets = self._operations.get(operation)
        if budgets is None:
            raise PayloadValidationError(f"unknown operation {operation!r}")
        return budgets

    def _hand_out(
        self,
        permit: Permit,
        operation: str,
        budgets: tuple[str, ...],
        priority: Priority,
    ) -> Reservation:
        keeper = self._keeper
        reservation = Reservation(
            permit,
            limiter=self._limiter,
            workspace=self._workspace,
            operation=operation,
            budgets=budgets,
            priority=priority,
            expires_at=self._clock.now() + keeper.lease_s,
            keeper=keeper,
        )
        keeper.keep(reservation)
        return reservation

    def __repr__(self) -> str:
        return f"BudgetView(workspace={self._workspace!r})"
