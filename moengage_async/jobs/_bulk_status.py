"""Bulk status change: stream any number of ids through V1 batches of ten.

Why V1: one request carries ten ids under the same ``status`` budget as V5's one-id
call, so a bulk job is ten times faster. The input is consumed lazily and at most
``concurrency`` batches are in flight; ids are de-duplicated as they come (the
set of ids seen is the one thing that grows with the input). Every id ends in
exactly one outcome (``jobs/_status_results.py``); with a journal, a rerun skips
the ids an earlier run finished and sends the rest.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import (
    AsyncIterable,
    Awaitable,
    Callable,
    Iterable,
    Sequence,
    Sized,
)
from typing import Literal, TypeAlias

import anyio
import anyio.to_thread
from anyio.streams.memory import MemoryObjectReceiveStream

from .._clock import Clock
from .._constants import MAX_STATUS_BATCH
from .._errors import (
    APIError,
    MoEngageError,
    PayloadValidationError,
    RateLimitError,
)
from ..api import (
    USE_CLIENT_DEFAULT,
    V1API,
    V5API,
    RetryPolicy,
    check_campaign_id,
    new_request_id,
)
from ..budgets import Priority
from ..models.v1 import StatusAction
from ._journal import Journal, StatusEntry, StatusState
from ._planner import Planner
from ._progress import Progress
from ._status_results import (
    FATAL_ERRORS,
    ID_ERRORS,
    BulkStatusReport,
    StatusFailure,
    StatusOutcome,
    StatusResult,
    named_ids,
    outcome_of_error,
    outcome_of_refusal,
)

__all__ = [
    "BulkStatusJob",
    "BulkStatusReport",
    "DEFAULT_CONCURRENCY",
    "OnResult",
    "StatusFailure",
    "coerce_status_action",
    "send_isolated",
]

SendBatch: TypeAlias = Callable[[list[str]], Awaitable[None]]
OnOutcome: TypeAlias = Callable[[Sequence[str], "MoEngageError | None"], None]
OnResult: TypeAlias = Callable[[StatusResult], None]
Ids: TypeAlias = Iterable[str] | AsyncIterable[str]
JournalArg: TypeAlias = "str | os.PathLike[str] | Journal | None"

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
    """Send ``ids`` as one batch; settle the ids a refusal names, resend the rest.

    Every id ends in exactly one ``on_outcome`` call: with ``None`` when applied or
    with the error that refused it. A refusal that names ids (in its ``details``)
    settles those and the rest go again, one request more per refusal; one that
    names nothing is bisected. Returns the requests sent.
    """
    sent = 0
    pending = ids
    while pending:
        sent += 1
        try:
            await send(pending)
        except ID_ERRORS as exc:
            named = pending if len(pending) == 1 else named_ids(exc, pending)
            if not named:
                mid = len(pending) // 2
                left = await send_isolated(send, pending[:mid], on_outcome)
                return (
                    sent + left + await send_isolated(send, pending[mid:], on_outcome)
                )
            on_outcome(named, exc)
            settled = set(named)
            pending = [i for i in pending if i not in settled]
            continue
        except MoEngageError as exc:
            on_outcome(pending, exc)
            return sent
        on_outcome(pending, None)
        return sent
    return sent


class _Ledger:
    """The job's rows in a ``Journal``, written from a worker thread."""

    def __init__(self, journal: Journal, job_id: str) -> None:
        self.journal = journal
        self.job_id = job_id

    async def finished(self, ids: list[str]) -> dict[str, StatusEntry]:
        """The ids an earlier run left in a final state."""
        found = await anyio.to_thread.run_sync(
            self.journal.status_entries, self.job_id, ids
        )
        return {cid: e for cid, e in found.items() if e.state.final}

    async def write(self, entries: list[StatusEntry], now: float) -> None:
        await anyio.to_thread.run_sync(
            lambda: self.journal.record_status(self.job_id, entries, now=now)
        )


def _entry(result: StatusResult) -> StatusEntry:
    """The journal row of one outcome; failures that may pass are sent again."""
    outcome = result.outcome
    if outcome is StatusOutcome.FAILED and not isinstance(result.error, ID_ERRORS):
        state = StatusState.RETRY
    else:
        state = StatusState(outcome.value)
    error = None if result.error is None else str(result.error)
    return StatusEntry(result.campaign_id, state, error)


def _resumed(entry: StatusEntry) -> StatusResult:
    """The outcome an earlier run journaled, as a result of this run."""
    error = None if entry.error is None else MoEngageError(entry.error)
    outcome = StatusOutcome(entry.state.value)
    return StatusResult(entry.campaign_id, outcome, error, resumed=True)


class _Job:
    """Counters, callbacks and the journal of one running bulk job."""

    def __init__(
        self,
        action: StatusAction,
        report: BulkStatusReport,
        send: SendBatch,
        clock_now: Callable[[], float],
        total: int | None,
        progress: Callable[[Progress], None] | None,
        on_result: OnResult | None,
        eta: Callable[[int], float] | None,
        ledger: _Ledger | None,
    ) -> None:
        self.action = action
        self.report = report
        self.send = send
        self.now = clock_now
        self.started = clock_now()
        self.total = total
        self.progress = progress
        self.on_result = on_result
        self.eta = eta
        self.ledger = ledger
        self.fatal: MoEngageError | None = None
        self._eta_at: tuple[float, float] | None = None  # (computed at, eta)

    def record(self, results: Sequence[StatusResult]) -> None:
        for result in results:
            self.report.add(result)
            if self.on_result is not None:
                self.on_result(result)

    async def settle(self, ids: list[str]) -> None:
        ledger = self.ledger
        if ledger is not None:
            done = await ledger.finished(ids)
            if done:
                self.record([_resumed(done[i]) for i in ids if i in done])
                ids = [i for i in ids if i not in done]
        if ids:
            if self.fatal is not None:
                error = self.fatal
                results = [StatusResult(i, StatusOutcome.FAILED, error) for i in ids]
            else:
                if ledger is not None:
                    sent = [StatusEntry(i, StatusState.SENT) for i in ids]
                    await ledger.write(sent, self.now())
                results = await self.resolve(ids)
            if ledger is not None:
                await ledger.write([_entry(r) for r in results], self.now())
            self.record(results)
        self.notify()

    async def resolve(self, ids: list[str]) -> list[StatusResult]:
        """Send ``ids`` until each has an outcome; count the requests."""
        results: list[StatusResult] = []
        action = self.action

        def outcome(batch: Sequence[str], error: MoEngageError | None) -> None:
            if error is None:
                results.extend(StatusResult(i, StatusOutcome.APPLIED) for i in batch)
                return
            if isinstance(error, FATAL_ERRORS):
                self.fatal = error
            maybe_sent = error.unanswered_attempts > 0
            for campaign_id in batch:
                if isinstance(error, ID_ERRORS):
                    assert isinstance(error, APIError)
                    kind = outcome_of_refusal(action, error, campaign_id)
                else:
                    kind = outcome_of_error(error, maybe_sent=maybe_sent)
                results.append(StatusResult(campaign_id, kind, error))

        sent = await send_isolated(self.send, ids, outcome)
        self.report.requests += sent  # not `+=` across the await: tasks interleave
        return results

    def notify(self) -> None:
        if self.progress is None:
            return
        now = self.now()
        elapsed = now - self.started
        report = self.report
        finished = report.total
        self.progress(
            Progress(
                done=report.applied + report.already,
                failed=report.failed + len(report.unknown),
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
            remaining = max(self.total - finished - self.report.duplicates, 0)
            self._eta_at = (now, self.eta(remaining))
        return max(self._eta_at[1] - (now - self._eta_at[0]), 0.0)


async def _batches(
    ids: Ids,
    size: int,
    reject: Callable[[object, PayloadValidationError], None],
    duplicate: Callable[[], None] | None,
) -> AsyncIterable[list[str]]:
    """Group ids lazily into lists of ``size``, each id once.

    Ids the shared argument check refuses go to ``reject`` (never sent), repeats
    to ``duplicate`` (``None``: the ids are taken as they come, and nothing is
    kept per id).
    """
    batch: list[str] = []
    seen: set[str] = set()

    def take(campaign_id: object) -> bool:
        try:
            check_campaign_id(campaign_id)
        except PayloadValidationError as exc:
            reject(campaign_id, exc)
            return False
        assert isinstance(campaign_id, str)
        if duplicate is not None:
            if campaign_id in seen:
                duplicate()
                return False
            seen.add(campaign_id)
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
    job: _Job,
    ids: Ids,
    *,
    batch_size: int,
    concurrency: int,
    deduplicate: bool = True,
) -> BulkStatusReport:
    """Drive ``job`` over ``ids`` with at most ``concurrency`` batches in flight.

    A fixed pool of workers pulls batches from an unbuffered stream, so the input
    is read only as fast as batches are taken and no task outlives the call.
    """

    def reject(campaign_id: object, error: PayloadValidationError) -> None:
        # Refused alone, before sending: the rest of its batch still goes.
        job.record([StatusResult(str(campaign_id), StatusOutcome.FAILED, error)])

    def duplicate() -> None:
        job.report.duplicates += 1

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
            batches = _batches(
                ids, batch_size, reject, duplicate if deduplicate else None
            )
            async for batch in batches:
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
        journal: JournalArg = None,
        job_id: str | None = None,
        deduplicate: bool = True,
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
            on_result: called once per distinct id with its ``StatusResult``
                (applied, already, failed with its error, or unknown).
            journal: a sqlite path (or ``Journal``) recording each id's state
                before it is sent and its outcome after. A rerun with the same
                journal and job id skips the ids an earlier run finished (their
                outcomes come back with ``resumed=True``) and sends the rest.
            job_id: names the job in the journal (default: the action, so a rerun
                of ``pause`` resumes the last ``pause`` in that journal).
            deduplicate: send each id once, counting repeats in the report. It
                keeps every distinct id in memory (about 70 bytes each); pass
                ``False`` for a stream known to be unique to keep memory flat.
            timeout: per request, as for every call.
            retry: per request, as for every call.

        Returns:
            A ``BulkStatusReport`` in which every distinct id has exactly one
            outcome, plus the duplicates dropped and the requests sent. A refusal
            that names ids (400/404/409/422 with ``details``) settles those ids and
            the rest of the batch is sent again; one that names none is bisected.
            Transport errors and 5xx are retried per request; if they persist the
            ids are ``unknown``. After a 401/403 the remaining ids fail with that
            error without being sent.

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
        clock = self._clock
        op = "v1.change_status" if api_version == 1 else "v5.change_status"
        # When this job's requests completed (as many as a window can hold, and
        # only if an ETA is asked for): the plan needs them, the usage snapshot
        # only counts them.
        span, most = self._planner.horizon(op)
        keep = progress is not None and isinstance(campaign_ids, Sized)
        done_at: deque[float] = deque(maxlen=most)

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

        send = send_v1 if api_version == 1 else send_v5

        async def send_stamped(ids: list[str]) -> None:
            try:
                await send(ids)
            finally:
                done_at.append(clock.now())

        batch_size = MAX_STATUS_BATCH if api_version == 1 else 1
        report = BulkStatusReport(verb, applied_ids=[] if collect_applied else None)
        total = len(campaign_ids) if isinstance(campaign_ids, Sized) else None

        def eta(remaining: int) -> float:
            requests = math.ceil(remaining / batch_size)
            horizon = clock.now() - span  # older stamps hold nothing back
            while done_at and done_at[0] <= horizon:
                done_at.popleft()
            plan = self._planner.plan(op, remaining, requests, priority, sent=done_at)
            return plan.earliest_finish_s

        owned = journal is not None and not isinstance(journal, Journal)
        store = (
            journal
            if journal is None or isinstance(journal, Journal)
            else await anyio.to_thread.run_sync(Journal, journal)
        )
        ledger = (
            None if store is None else _Ledger(store, job_id or f"status:{verb.value}")
        )
        job = _Job(
            verb,
            report,
            send_stamped if keep else send,
            self._clock.now,
            total,
            progress,
            on_result,
            eta,
            ledger,
        )
        try:
            await run_bulk(
                job,
                campaign_ids,
                batch_size=batch_size,
                concurrency=concurrency,
                deduplicate=deduplicate,
            )
            report.earliest_s = self._planner.at_full_windows(op, report.requests)
            return report
        finally:
            if owned and store is not None:
                store.close()
