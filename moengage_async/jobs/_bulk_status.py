"""Bulk status change: stream any number of ids through V1 batches of ten.

Why V1: one request carries ten ids under the same ``status`` budget as V5's one-id
call, so a bulk job is ten times faster. Memory stays flat: the input is consumed
lazily, at most ``concurrency`` batches are in flight, and the report keeps counts
plus the failures (applied ids only when asked).
"""

from __future__ import annotations

import math
from collections.abc import (
    AsyncIterable,
    Awaitable,
    Callable,
    Iterable,
    Sequence,
    Sized,
)
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream

from .._clock import Clock
from .._constants import MAX_STATUS_BATCH
from .._errors import (
    AuthenticationError,
    BadRequestError,
    MoEngageError,
    NotFoundError,
    PayloadValidationError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ..api import USE_CLIENT_DEFAULT, V1API, V5API, RetryPolicy, new_request_id
from ..budgets import Priority
from ..models.v1 import StatusAction
from ._planner import Planner
from ._progress import Progress

__all__ = [
    "BulkStatusJob",
    "BulkStatusReport",
    "DEFAULT_CONCURRENCY",
    "OnResult",
    "StatusFailure",
    "coerce_status_action",
    "send_isolated",
]

#: Answers that blame the ids: the batch is split to find the bad ones.
ID_ERRORS = (BadRequestError, NotFoundError, UnprocessableEntityError)
#: Answers that blame the credentials: every later batch would fail the same way.
FATAL_ERRORS = (AuthenticationError, PermissionDeniedError)

SendBatch: TypeAlias = Callable[[list[str]], Awaitable[None]]
OnOutcome: TypeAlias = Callable[[Sequence[str], "MoEngageError | None"], None]
OnResult: TypeAlias = Callable[[str, "MoEngageError | None"], None]
Ids: TypeAlias = Iterable[str] | AsyncIterable[str]

DEFAULT_CONCURRENCY = 16
#: How often (in clock seconds) a running job recomputes its ETA from the budgets.
ETA_REFRESH_S = 1.0


def coerce_status_action(action: StatusAction | str) -> StatusAction:
    """Return the action as the enum; refuse anything but STOP, PAUSE or RESUME."""
    try:
        return StatusAction(action.upper() if isinstance(action, str) else action)
    except (ValueError, AttributeError):
        raise PayloadValidationError(
            f"unknown status action {action!r}; expected STOP, PAUSE or RESUME"
        ) from None


async def send_isolated(send: SendBatch, ids: list[str], on_outcome: OnOutcome) -> int:
    """Send ``ids`` as one batch; when the server blames the ids, bisect.

    Every id ends in exactly one ``on_outcome`` call: with ``None`` when applied or
    with the error of the smallest batch that failed. Returns the requests sent.
    """
    try:
        await send(ids)
    except ID_ERRORS as exc:
        if len(ids) == 1:
            on_outcome(ids, exc)
            return 1
        mid = len(ids) // 2
        left = await send_isolated(send, ids[:mid], on_outcome)
        return 1 + left + await send_isolated(send, ids[mid:], on_outcome)
    except MoEngageError as exc:
        on_outcome(ids, exc)
        return 1
    on_outcome(ids, None)
    return 1


@dataclass(frozen=True)
class StatusFailure:
    """One id that was not changed, and why."""

    campaign_id: str
    error: MoEngageError


@dataclass
class BulkStatusReport:
    """How a bulk status change ended. Every id is counted as applied or failed."""

    action: StatusAction
    applied: int = 0
    failures: list[StatusFailure] = field(default_factory=list)
    requests: int = 0
    elapsed_s: float = 0.0
    applied_ids: list[str] | None = None

    @property
    def failed(self) -> int:
        """How many ids failed."""
        return len(self.failures)

    @property
    def total(self) -> int:
        """How many ids the job consumed."""
        return self.applied + self.failed

    @property
    def ok(self) -> bool:
        """Whether every id was applied."""
        return not self.failures


class _Job:
    """Counters and callbacks of one running bulk job."""

    def __init__(
        self,
        report: BulkStatusReport,
        send: SendBatch,
        clock_now: Callable[[], float],
        total: int | None,
        progress: Callable[[Progress], None] | None,
        on_result: OnResult | None,
        eta: Callable[[int], float] | None,
    ) -> None:
        self.report = report
        self.send = send
        self.now = clock_now
        self.started = clock_now()
        self.total = total
        self.progress = progress
        self.on_result = on_result
        self.eta = eta
        self.fatal: MoEngageError | None = None
        self._eta_at: tuple[float, float] | None = None  # (computed at, eta)

    def outcome(self, ids: Sequence[str], error: MoEngageError | None) -> None:
        report = self.report
        if error is None:
            report.applied += len(ids)
            if report.applied_ids is not None:
                report.applied_ids.extend(ids)
        else:
            if isinstance(error, FATAL_ERRORS):
                self.fatal = error
            report.failures.extend(StatusFailure(i, error) for i in ids)
        if self.on_result is not None:
            for campaign_id in ids:
                self.on_result(campaign_id, error)

    async def settle(self, ids: list[str]) -> None:
        if self.fatal is not None:
            self.outcome(ids, self.fatal)
        else:
            sent = await send_isolated(self.send, ids, self.outcome)
            self.report.requests += sent  # not `+=` across the await: tasks interleave
        self.notify()

    def notify(self) -> None:
        if self.progress is None:
            return
        now = self.now()
        elapsed = now - self.started
        report = self.report
        finished = report.total
        self.progress(
            Progress(
                done=report.applied,
                failed=report.failed,
                total=self.total,
                elapsed_s=elapsed,
                rate_per_s=finished / elapsed if elapsed > 0 else 0.0,
                eta_s=self._eta(now, finished),
            )
        )

    def _eta(self, now: float, finished: int) -> float | None:
        if self.total is None or self.eta is None:
            return None
        if self._eta_at is None or now - self._eta_at[0] >= ETA_REFRESH_S:
            self._eta_at = (now, self.eta(max(self.total - finished, 0)))
        return max(self._eta_at[1] - (now - self._eta_at[0]), 0.0)


async def _batches(
    ids: Ids, size: int, reject: Callable[[str], None]
) -> AsyncIterable[list[str]]:
    """Group ids lazily into lists of ``size``; malformed ids go to ``reject``."""
    batch: list[str] = []

    def take(campaign_id: object) -> bool:
        if not isinstance(campaign_id, str) or not campaign_id.strip():
            reject(campaign_id)  # type: ignore[arg-type]
            return False
        batch.append(campaign_id)
        return len(batch) >= size

    if isinstance(ids, AsyncIterable):
        async for campaign_id in ids:
            if take(campaign_id):
                yield batch
                batch = []
    else:
        for campaign_id in ids:
            if take(campaign_id):
                yield batch
                batch = []
    if batch:
        yield batch


async def run_bulk(
    job: _Job, ids: Ids, *, batch_size: int, concurrency: int
) -> BulkStatusReport:
    """Drive ``job`` over ``ids`` with at most ``concurrency`` batches in flight.

    A fixed pool of workers pulls batches from an unbuffered stream, so the input
    is read only as fast as batches are taken and no task outlives the call.
    """

    def reject(campaign_id: str) -> None:
        job.outcome(
            [campaign_id],
            PayloadValidationError(f"invalid campaign id {campaign_id!r}"),
        )

    send, receive = anyio.create_memory_object_stream[list[str]](0)

    async def worker(batches: MemoryObjectReceiveStream[list[str]]) -> None:
        async with batches:
            async for batch in batches:
                await job.settle(batch)

    async with anyio.create_task_group() as tg:
        with receive:
            for _ in range(concurrency):
                tg.start_soon(worker, receive.clone())
        async with send:
            async for batch in _batches(ids, batch_size, reject):
                await send.send(batch)
    job.report.elapsed_s = job.now() - job.started
    job.notify()
    return job.report


class BulkStatusJob:
    """``client.bulk_change_status``: pause, resume or stop any number of campaigns.

    Sends through the V1 resource (batches of ten) or the V5 one (one id per
    request) and plans its ETA with the workspace's ``Planner``.
    """

    __slots__ = ("_clock", "_planner", "_v1", "_v5")

    def __init__(self, v1: V1API, v5: V5API, planner: Planner, clock: Clock) -> None:
        self._v1 = v1
        self._v5 = v5
        self._planner = planner
        self._clock = clock

    def __repr__(self) -> str:
        return f"BulkStatusJob({self._planner!r})"

    async def _patiently(self, call: Callable[[], Awaitable[object]]) -> None:
        """Run ``call``; when the budget has no slot before its deadline, wait for one.

        A bulk job queues behind the budget for as long as it takes (an hour
        window can hold it for minutes); the per-call timeout still bounds each
        HTTP exchange. Nothing was sent when the limiter refuses (``local``).
        """
        while (wait := await self._refused_for(call)) is not None:
            await self._clock.sleep(wait)

    async def _refused_for(self, call: Callable[[], Awaitable[object]]) -> float | None:
        """Run ``call``; return how long to wait when the limiter refused it."""
        try:
            await call()
        except RateLimitError as exc:
            if not exc.local or exc.retry_at is None:
                raise
            return max(exc.retry_at - self._clock.now(), 0.0)
        return None

    async def run(
        self,
        action: StatusAction | str,
        campaign_ids: Ids,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Callable[[Progress], None] | None = None,
        priority: Priority = Priority.BULK,
        api_version: Literal[1, 5] = 1,
        collect_applied: bool = False,
        on_result: OnResult | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
    ) -> BulkStatusReport:
        """Change the status of every id, as fast as the ``status`` budget allows.

        Args:
            action: ``PAUSE``, ``RESUME`` or ``STOP``.
            campaign_ids: a list, any iterable or an async iterable of ids; it is
                consumed lazily, so a stream of millions uses flat memory.
            concurrency: requests in flight at most.
            progress: called with a ``Progress`` after every batch and at the end.
            priority: budget lane; bulk work waits behind interactive calls.
            api_version: 1 sends batches of ten (``POST /campaigns/status``); 5 sends
                one ``PATCH /v5/campaigns/{id}/status`` per id.
            collect_applied: also list the applied ids in the report.
            on_result: called once per id with ``None`` (applied) or its error.
            timeout: per request, as for every call.
            retry: per request, as for every call.

        Returns:
            A ``BulkStatusReport``: applied count, each failed id with its error, the
            requests sent. A batch the server rejects for its ids (400/404/422) is
            bisected so every valid id is still applied; transport errors and 5xx
            are retried per request and then fail the batch's ids. After a 401/403
            the remaining ids fail with that error without being sent.

        Raises:
            PayloadValidationError: unknown action, bad concurrency or api_version.
        """
        verb = coerce_status_action(action)
        if concurrency < 1:
            raise PayloadValidationError("concurrency must be >= 1")
        if api_version not in (1, 5):
            raise PayloadValidationError(f"api_version must be 1 or 5: {api_version!r}")
        if isinstance(campaign_ids, str):
            raise PayloadValidationError("campaign_ids must be ids, not one string")

        v1 = self._v1
        v5 = self._v5

        async def send_v1(ids: list[str]) -> None:
            rid = new_request_id()
            await self._patiently(
                lambda: v1.change_status(
                    verb,
                    ids,
                    request_id=rid,
                    timeout=timeout,
                    retry=retry,
                    priority=priority,
                )
            )

        async def send_v5(ids: list[str]) -> None:
            (campaign_id,) = ids
            rid = new_request_id()
            key = new_request_id()
            # client.v5.change_status: one id per call, its POST fallback on 405.
            await self._patiently(
                lambda: v5.change_status(
                    campaign_id,
                    verb,
                    request_id=rid,
                    idempotency_key=key,
                    timeout=timeout,
                    retry=retry,
                    priority=priority,
                )
            )

        batch_size = MAX_STATUS_BATCH if api_version == 1 else 1
        report = BulkStatusReport(verb, applied_ids=[] if collect_applied else None)
        total = len(campaign_ids) if isinstance(campaign_ids, Sized) else None
        op = "v1.change_status" if api_version == 1 else "v5.change_status"

        def eta(remaining: int) -> float:
            requests = math.ceil(remaining / batch_size)
            plan = self._planner.plan(op, remaining, requests, priority)
            return plan.earliest_finish_s

        job = _Job(
            report,
            send_v1 if api_version == 1 else send_v5,
            self._clock.now,
            total,
            progress,
            on_result,
            eta,
        )
        return await run_bulk(
            job, campaign_ids, batch_size=batch_size, concurrency=concurrency
        )
