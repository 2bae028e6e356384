"""Coalescing: concurrent one-id ``pause``/``resume``/``stop`` calls share requests.

An event consumer that pauses campaigns one at a time would spend one ``status``
slot per id; merged into V1 batches of up to ten it gets ten times the throughput.
There is no background task: the first caller of a batch waits ``linger`` on the
client's clock and sends it, the tenth sends it at once, the others wait for their
own outcome. Nothing outlives the calls, so nothing can leak past ``aclose()``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import anyio

from .._clock import Clock
from .._constants import MAX_STATUS_BATCH
from .._errors import MoEngageError, PayloadValidationError
from ..api import V1API
from ..models.v1 import StatusAction
from ._bulk_status import coerce_status_action, send_isolated

__all__ = [
    "Coalescer",
    "CoalescerStatistics",
    "DEFAULT_COALESCE_LINGER_S",
    "status_coalescer",
]

#: How long the first caller waits for others to join its batch.
DEFAULT_COALESCE_LINGER_S = 0.005

SendAction = Callable[[StatusAction, list[str]], Awaitable[None]]


class _Waiter:
    """One caller: its id, and the outcome it waits for."""

    __slots__ = ("campaign_id", "done", "error", "event", "promoted")

    def __init__(self, campaign_id: str) -> None:
        self.campaign_id = campaign_id
        self.event = anyio.Event()
        self.done = False
        self.promoted = False
        self.error: BaseException | None = None


@dataclass
class _Lane:
    """The callers of one action waiting for their batch."""

    pending: list[_Waiter] = field(default_factory=list)
    leader: bool = False


@dataclass(frozen=True)
class CoalescerStatistics:
    """Counters: calls taken, requests sent (bisection included), callers waiting."""

    calls: int
    requests: int
    waiting: int


class Coalescer:
    """Merges single-id status changes into batches of the same action."""

    def __init__(
        self,
        send: SendAction,
        clock: Clock,
        *,
        linger_s: float = DEFAULT_COALESCE_LINGER_S,
        max_batch: int = MAX_STATUS_BATCH,
    ) -> None:
        if linger_s < 0:
            raise ValueError("linger_s must be >= 0")
        if not 1 <= max_batch <= MAX_STATUS_BATCH:
            raise ValueError(f"max_batch must be 1 to {MAX_STATUS_BATCH}")
        self._send = send
        self._clock = clock
        self.linger_s = linger_s
        self._max = max_batch
        self._lanes: dict[StatusAction, _Lane] = {a: _Lane() for a in StatusAction}
        self._calls = 0
        self._requests = 0

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
        """Change one campaign's status in a shared batch; raise its own error."""
        lane = self._lanes[action]
        waiter = _Waiter(campaign_id)
        self._calls += 1
        lane.pending.append(waiter)
        if len(lane.pending) >= self._max:
            batch = lane.pending[: self._max]
            del lane.pending[: self._max]
            await self._flush(action, batch)
        elif not lane.leader:
            await self._lead(action, lane, waiter, linger=True)
        while not waiter.done:
            try:
                await waiter.event.wait()
            except BaseException:
                self._abandon(lane, waiter)
                raise
            if waiter.promoted and not waiter.done:
                waiter.promoted = False
                waiter.event = anyio.Event()
                await self._lead(action, lane, waiter, linger=False)
        if waiter.error is not None:
            raise waiter.error

    async def _lead(
        self, action: StatusAction, lane: _Lane, me: _Waiter, *, linger: bool
    ) -> None:
        """Wait for company, then send whatever is pending (fewer than a batch)."""
        lane.leader = True
        try:
            if linger:
                await self._clock.sleep(self.linger_s)
        except BaseException:
            lane.leader = False
            self._abandon(lane, me)
            raise
        lane.leader = False
        batch = lane.pending[: self._max]
        del lane.pending[: self._max]
        if batch:
            await self._flush(action, batch)

    def _abandon(self, lane: _Lane, me: _Waiter) -> None:
        """A cancelled caller leaves its place; someone else leads the rest."""
        if me in lane.pending:
            lane.pending.remove(me)
        if me.promoted:  # chosen to lead, but cancelled before it could
            me.promoted = False
            lane.leader = False
        if lane.pending and not lane.leader:
            heir = lane.pending[0]
            heir.promoted = True
            lane.leader = True
            heir.event.set()

    async def _flush(self, action: StatusAction, batch: Sequence[_Waiter]) -> None:
        """Send one batch and hand each caller its outcome.

        Shielded: the batch belongs to every caller in it, so the sender's own
        cancellation must not strand the others (the client's timeout bounds it).
        """
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
            with anyio.CancelScope(shield=True):
                await send_isolated(send, list(by_id), settle)
        finally:
            for waiters in by_id.values():  # only if sending itself broke
                for waiter in waiters:
                    waiter.error = MoEngageError("coalesced batch was not sent")
                    waiter.done = True
                    waiter.event.set()


def status_coalescer(
    v1: V1API, clock: Clock, *, linger_s: float = DEFAULT_COALESCE_LINGER_S
) -> Coalescer:
    """A ``Coalescer`` that sends each batch as one V1 ``change_status``."""

    async def send(action: StatusAction, ids: list[str]) -> None:
        await v1.change_status(action, ids)

    return Coalescer(send, clock, linger_s=linger_s)
