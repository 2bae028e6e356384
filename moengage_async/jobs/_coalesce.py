"""Coalescing: concurrent one-id ``pause``/``resume``/``stop`` calls share requests.

An event consumer that pauses campaigns one at a time would spend one ``status``
slot per id; merged into V1 batches of up to ten it gets ten times the throughput.

A batch is formed while it waits for a slot, not on a timer. The first caller
opens a batch and a task of the coalescer (not of any caller) runs it: it asks the
budget for a slot (``reserve``), and every caller arriving meanwhile joins; when the
slot comes, up to ten waiting ids go out under it. With room in the budget the
slot comes at once, so a lone call is sent at once (callers of the same event-loop
turn still share it); at saturation callers pile up while batches wait their turn,
so each request carries ten. An optional ``linger_s`` waits for company first
(without a ``reserve``, the only way to batch). Callers only wait for their own
outcome: cancelling one never fails or delays the others, and a batch in flight
is finished for everyone in it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.lowlevel

from .._clock import Clock
from .._constants import MAX_STATUS_BATCH
from .._errors import MoEngageError, PayloadValidationError
from ..api import V1API
from ..budgets import CURRENT_RESERVATION, BudgetView
from ..models.v1 import StatusAction
from ._bulk_status import coerce_status_action, send_isolated

__all__ = [
    "Coalescer",
    "CoalescerStatistics",
    "DEFAULT_COALESCE_LINGER_S",
    "status_coalescer",
]

#: How long a batch waits for company when the coalescer has no ``reserve``.
DEFAULT_COALESCE_LINGER_S = 0.005

SendAction = Callable[[StatusAction, list[str]], Awaitable[None]]
#: Waits for a slot; the batch is sent inside the returned context (its slot).
Reserve = Callable[[], Awaitable[AbstractAsyncContextManager[Any]]]


class _Waiter:
    """One caller: its id, and the outcome it waits for."""

    __slots__ = ("campaign_id", "done", "error", "event")

    def __init__(self, campaign_id: str) -> None:
        self.campaign_id = campaign_id
        self.event = anyio.Event()
        self.done = False
        self.error: BaseException | None = None


class _Run:
    """One batch being formed: it lingers (optionally), then waits for a slot."""

    __slots__ = ("lingering", "scope", "sending")

    def __init__(self) -> None:
        self.lingering = False
        self.sending = False
        self.scope: anyio.CancelScope | None = None

    def wake(self) -> None:
        """Cut the linger short: a full batch is waiting."""
        if self.scope is not None:
            self.scope.cancel()


@dataclass
class _Lane:
    """The callers of one action not yet in a sent batch, and the open batches."""

    pending: list[_Waiter] = field(default_factory=list)
    runs: list[_Run] = field(default_factory=list)


@dataclass(frozen=True)
class CoalescerStatistics:
    """Counters: calls taken, requests sent (bisection included), callers waiting."""

    calls: int
    requests: int
    waiting: int


class Coalescer:
    """Merges single-id status changes into batches of the same action.

    Args:
        send: sends one batch (``v1.change_status``).
        clock: the client's clock (the linger sleeps on it).
        linger_s: how long a batch waits for company before asking for a slot.
        max_batch: ids per request, at most ten.
        reserve: waits for a slot of the budget and returns it as an async
            context manager; the batch is sent inside it. ``None``: no slot is
            asked for ahead (the send waits for the budget itself).
    """

    def __init__(
        self,
        send: SendAction,
        clock: Clock,
        *,
        linger_s: float = DEFAULT_COALESCE_LINGER_S,
        max_batch: int = MAX_STATUS_BATCH,
        reserve: Reserve | None = None,
    ) -> None:
        if linger_s < 0:
            raise ValueError("linger_s must be >= 0")
        if not 1 <= max_batch <= MAX_STATUS_BATCH:
            raise ValueError(f"max_batch must be 1 to {MAX_STATUS_BATCH}")
        self._send = send
        self._clock = clock
        self.linger_s = linger_s
        self._max = max_batch
        self._reserve = reserve
        self._lanes: dict[StatusAction, _Lane] = {a: _Lane() for a in StatusAction}
        self._calls = 0
        self._requests = 0
        self._tasks: dict[asyncio.Task[None], _Run] = {}

    async def change_status(self, action: StatusAction | str, campaign_id: str) -> None:
        """Check one id and its action, then ``submit`` it.

        Raises:
            PayloadValidationError: an unknown action or a blank id; nothing is sent.
        """
        verb = coerce_status_action(action)
        if not isinstance(campaign_id, str) or not campaign_id.strip():
            raise PayloadValidationError(f"invalid campaign id {campaign_id!r}")
        await self.submit(verb, campaign_id)

    def statistics(self) -> CoalescerStatistics:
        """Return the counters so far."""
        waiting = sum(len(lane.pending) for lane in self._lanes.values())
        return CoalescerStatistics(self._calls, self._requests, waiting)

    async def submit(self, action: StatusAction, campaign_id: str) -> None:
        """Change one campaign's status in a shared batch; raise its own error.

        Cancelling the caller takes its id out of a batch not yet sent; a batch
        already in flight is finished for the others either way.
        """
        lane = self._lanes[action]
        waiter = _Waiter(campaign_id)
        self._calls += 1
        lane.pending.append(waiter)
        waiting = len(lane.pending)
        if waiting > len(lane.runs) * self._max:
            run = _Run()
            lane.runs.append(run)
            task = asyncio.get_running_loop().create_task(self._run(action, lane, run))
            self._tasks[task] = run
            task.add_done_callback(self._tasks.pop)
        if waiting % self._max == 0:  # a full batch: its run need not linger
            for run in lane.runs:
                if run.lingering:
                    run.wake()
                    break
        try:
            await waiter.event.wait()
        except BaseException:
            if waiter in lane.pending:
                lane.pending.remove(waiter)
            raise
        if waiter.error is not None:
            raise waiter.error

    async def _run(self, action: StatusAction, lane: _Lane, run: _Run) -> None:
        """Form one batch, wait for its slot, send it, tell each caller."""
        CURRENT_RESERVATION.set(None)  # never a reservation of whoever spawned us
        slot: AbstractAsyncContextManager[Any] | None = None
        try:
            if self.linger_s > 0 and len(lane.pending) < self._max:
                run.lingering = True
                with anyio.CancelScope() as run.scope:
                    await self._clock.sleep(self.linger_s)
                run.lingering, run.scope = False, None
            else:  # callers of this event-loop turn join first
                await anyio.lowlevel.checkpoint()
            if self._reserve is not None:
                slot = await self._reserve()
        except Exception as exc:  # no slot in time: the batch fails as one
            lane.runs.remove(run)
            error = exc if isinstance(exc, MoEngageError) else MoEngageError(str(exc))
            self._fail(self._take(lane), error)
            return
        except BaseException:
            lane.runs.remove(run)
            raise
        lane.runs.remove(run)
        run.sending = True
        batch = self._take(lane)
        if slot is None:
            await self._flush(action, batch)
            return
        async with slot:  # an unused slot (everyone left) is given back
            if batch:
                await self._flush(action, batch)

    async def aclose(self) -> None:
        """Let batches in flight finish; cancel those still forming, whose callers
        get ``MoEngageError`` (nothing of theirs was sent)."""
        forming = [task for task, run in self._tasks.items() if not run.sending]
        for task in forming:
            task.cancel()
        with anyio.CancelScope(shield=True):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for lane in self._lanes.values():
            pending, lane.pending = lane.pending, []
            self._fail(
                pending, MoEngageError("client closed before the batch was sent")
            )

    def _take(self, lane: _Lane) -> list[_Waiter]:
        batch = lane.pending[: self._max]
        del lane.pending[: self._max]
        return batch

    @staticmethod
    def _fail(batch: Sequence[_Waiter], error: BaseException) -> None:
        for waiter in batch:
            waiter.error = error
            waiter.done = True
            waiter.event.set()

    async def _flush(self, action: StatusAction, batch: Sequence[_Waiter]) -> None:
        """Send one batch and hand each caller its outcome."""
        by_id: dict[str, list[_Waiter]] = {}
        for waiter in batch:
            by_id.setdefault(waiter.campaign_id, []).append(waiter)

        def settle(ids: Sequence[str], error: MoEngageError | None) -> None:
            for campaign_id in ids:
                for waiter in by_id.pop(campaign_id, ()):
                    waiter.error = error
                    waiter.done = True
                    waiter.event.set()

        async def send(ids: list[str]) -> None:
            self._requests += 1
            await self._send(action, ids)

        try:
            await send_isolated(send, list(by_id), settle)
        finally:
            for waiters in by_id.values():  # only if sending itself broke
                self._fail(waiters, MoEngageError("coalesced batch was not sent"))


def status_coalescer(
    v1: V1API,
    clock: Clock,
    *,
    budgets: BudgetView | None = None,
    timeout: float | None = None,
    linger_s: float | None = None,
) -> Coalescer:
    """A ``Coalescer`` whose batches go out as V1 ``change_status``.

    With ``budgets`` each batch first waits for a slot of ``v1.change_status``
    (within ``timeout``), so batches form while the budget is full and a lone call
    goes at once; ``linger_s`` then defaults to 0. Without, batches form during a
    fixed ``linger_s`` (default ``DEFAULT_COALESCE_LINGER_S``).
    """

    async def send(action: StatusAction, ids: list[str]) -> None:
        await v1.change_status(action, ids)

    if budgets is None:
        linger = DEFAULT_COALESCE_LINGER_S if linger_s is None else linger_s
        return Coalescer(send, clock, linger_s=linger)
    view = budgets

    async def reserve() -> AbstractAsyncContextManager[Any]:
        return await view.reserve("v1.change_status", timeout=timeout)

    return Coalescer(
        send, clock, linger_s=0.0 if linger_s is None else linger_s, reserve=reserve
    )
