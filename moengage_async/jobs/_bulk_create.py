"""Bulk campaign creation that loses nothing and duplicates nothing.

Each item gets a request_id derived from the job and the item, so a rerun resends
the same ids; a journal records intent before each send and the outcome after, so
an item whose outcome a crash left open is reconciled (replayed within MoEngage's
request_id reuse window, looked up past it) instead of created twice.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import anyio.to_thread

from .._clock import Clock
from .._constants import DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S
from .._errors import APIError, MoEngageError, PayloadValidationError, RateLimitError
from ..api import V1API, RetryPolicy
from ..budgets import Priority
from ._create_items import (
    REUSE_WINDOWS_S,
    BulkCreateReport,
    CreateItemResult,
    CreateItemStatus,
    PreparedItem,
    collect_items,
    finished_result,
    matches_campaign,
    pending_result,
    prepare_item,
)
from ._journal import ItemState, Journal, JournalItem
from ._planner import Planner
from ._progress import Progress

__all__ = [
    "BulkCreator",
    "CreatorParts",
    "DEFAULT_MAX_QUOTA_WAIT_S",
]

log = logging.getLogger("moengage_async")

#: The operation whose budgets creations spend (plans and ETAs).
_CREATE_OPERATION = "v1.create_campaign"
_SEARCH_PAGE = 15
_SEARCH_MAX_PAGES = 20

#: The longest ``on_quota="wait"`` job goes without creating anything before it
#: stops with the rest pending (one hour; ``max_quota_wait_s``).
DEFAULT_MAX_QUOTA_WAIT_S = 3600.0


class _Run:
    """Shared state of one bulk_create call."""

    def __init__(self, total: int, started: float) -> None:
        self.results: dict[int, CreateItemResult] = {}
        self.total = total
        self.started = started
        self.stop = False
        self.resume_at: float | None = None
        #: Clock time of this run's last creation (or its start): quota waits
        #: are bounded from there.
        self.last_progress = started
        #: The first unexpected error of a worker; the job stops and raises it.
        self.error: Exception | None = None
        #: Clock times of this run's creations, for the ETA.
        self.sent: list[float] = []


@dataclass(frozen=True)
class CreatorParts:
    """What bulk creation uses: the V1 resource, the planner, the clock, and the
    client's retry policy and timeout (each attempt is bounded by them)."""

    v1: V1API
    planner: Planner
    clock: Clock
    retry: RetryPolicy
    timeout: float | None


class BulkCreator:
    """``client.bulk_create``: many V1 creations under both create budgets,
    crash-safe."""

    __slots__ = ("_parts",)

    def __init__(self, parts: CreatorParts) -> None:
        self._parts = parts

    def __repr__(self) -> str:
        return f"BulkCreator({self._parts.planner!r})"

    async def run(
        self,
        campaigns: Iterable[Any] | AsyncIterable[Any],
        *,
        job_id: str,
        journal: str | os.PathLike[str] | Journal | None = None,
        on_quota: Literal["wait", "stop"] = "wait",
        concurrency: int = 2,
        patience_s: float = 60.0,
        max_quota_wait_s: float = DEFAULT_MAX_QUOTA_WAIT_S,
        progress: Callable[[Progress], object] | None = None,
        priority: Priority = Priority.BULK,
        reuse_windows_s: Mapping[str, float] | None = None,
        tag_items: bool = True,
    ) -> BulkCreateReport:
        """Create every campaign once, however often the job is interrupted and rerun.

        Args:
            campaigns: V1 create payloads (dicts or create models), any iterable.
            job_id: names the job; the same job_id and items give the same
                request_ids, so a rerun is idempotent.
            journal: a sqlite path (or ``Journal``) recording intent and outcome of
                each item; rerunning with it skips finished items and reconciles
                those a crash left open. ``None`` keeps the record in memory.
            on_quota: when a slot is more than ``patience_s`` away, ``"wait"`` for
                it (on the client clock) or ``"stop"`` with the rest pending.
            concurrency: creations in flight at once.
            patience_s: the longest wait for a budget slot before ``on_quota``.
            max_quota_wait_s: with ``on_quota="wait"``, the longest the job goes
                without creating anything while it waits for quota (local budgets
                or 429s); past it the job stops as with ``"stop"``, the rest
                pending and resumable with the journal. Default one hour: raise it
                to wait out the daily ``create_success`` window.
            progress: called with a ``Progress`` after each item ends.
            priority: lane in the limiter; bulk work yields to interactive calls.
            reuse_windows_s: per channel, how long MoEngage replays a request_id
                (defaults to ``REUSE_WINDOWS_S``); past it, open items are looked up.
            tag_items: add the tag ``BULK_TAG_PREFIX + request_id`` to each
                campaign's ``basic_details.tags`` so the lookup finds exactly it
                (without it, the lookup matches the campaign name).

        Raises:
            PayloadValidationError: an item is not a payload; nothing is sent.
            JournalMismatchError: the journal holds other items under ``job_id``.
        """
        if not isinstance(job_id, str) or not job_id.strip():
            raise ValueError("job_id must be a non-blank string")
        if on_quota not in ("wait", "stop"):
            raise ValueError(f"on_quota must be 'wait' or 'stop', got {on_quota!r}")
        if isinstance(concurrency, bool) or not (
            isinstance(concurrency, int) and concurrency >= 1
        ):
            raise ValueError("concurrency must be an integer >= 1")
        if not 0 <= patience_s <= MAX_TIMEOUT_S:
            raise PayloadValidationError(
                f"patience_s must be seconds in [0, {MAX_TIMEOUT_S:g}]"
            )
        if not 0 < max_quota_wait_s < math.inf:
            raise PayloadValidationError("max_quota_wait_s must be finite seconds > 0")
        raw = await collect_items(campaigns)
        items = [prepare_item(i, c, job_id, tag_items) for i, c in enumerate(raw)]
        windows = {**REUSE_WINDOWS_S, **(reuse_windows_s or {})}
        owned = not isinstance(journal, Journal)
        if isinstance(journal, Journal):
            store = journal
        else:
            target = ":memory:" if journal is None else journal
            store = await anyio.to_thread.run_sync(lambda: Journal(target))
        try:
            records = [
                JournalItem(i.index, i.request_id, i.digest, i.name, i.channel)
                for i in items
            ]
            rows = await anyio.to_thread.run_sync(
                lambda: store.register(job_id, records, now=time.time())
            )
            run = _Run(len(items), self._parts.clock.now())
            todo: list[tuple[PreparedItem, JournalItem]] = []
            for item, row in zip(items, rows, strict=True):
                if row.state in (ItemState.CREATED, ItemState.FAILED):
                    run.results[item.index] = finished_result(item, row)
                else:
                    todo.append((item, row))
            job = _Job(self._parts, store, job_id, run, on_quota, patience_s, priority)
            job.configure(windows, progress, max_quota_wait_s)
            queue = iter(todo)
            async with anyio.create_task_group() as tg:
                for _ in range(min(concurrency, len(todo))):
                    tg.start_soon(job.worker, queue)
            for item, _row in todo:
                run.results.setdefault(item.index, pending_result(item))
        finally:
            if owned:
                await anyio.to_thread.run_sync(store.close)
        if run.error is not None:
            raise run.error
        return BulkCreateReport(
            job_id,
            tuple(run.results[i.index] for i in items),
            stopped_on_quota=run.stop,
            resume_at=run.resume_at,
        )


class _Job:
    """The per-item protocol: reconcile, journal intent, send, journal outcome."""

    def __init__(
        self,
        parts: CreatorParts,
        journal: Journal,
        job_id: str,
        run: _Run,
        on_quota: str,
        patience_s: float,
        priority: Priority,
    ) -> None:
        self.parts = parts
        self.journal = journal
        self.job_id = job_id
        self.run = run
        self.on_quota = on_quota
        self.patience_s = patience_s
        self.priority = priority
        self.windows: Mapping[str, float] = REUSE_WINDOWS_S
        self.progress: Callable[[Progress], object] | None = None
        self.max_quota_wait_s = DEFAULT_MAX_QUOTA_WAIT_S

    def configure(
        self,
        windows: Mapping[str, float],
        progress: Callable[[Progress], object] | None,
        max_quota_wait_s: float,
    ) -> None:
        self.windows = windows
        self.progress = progress
        self.max_quota_wait_s = max_quota_wait_s

    async def _journal(self, fn: Callable[..., None], *args: Any, **kw: Any) -> None:
        # Shielded: a cancelled job must still commit what it knows.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(lambda: fn(self.job_id, *args, **kw))

    async def worker(self, queue: Any) -> None:
        """Settle items until the queue or the job ends. An unexpected error
        (a journal that cannot be written, a failing progress callback) stops
        the job and is raised alone by ``run``, never as an exception group."""
        try:
            for item, row in queue:
                if self.run.stop:
                    return
                result = await self.one(item, row)
                self.run.results[item.index] = result
                self._report()
        except Exception as exc:
            self.run.stop = True
            if self.run.error is None:
                self.run.error = exc

    async def one(self, item: PreparedItem, row: JournalItem) -> CreateItemResult:
        """Settle one item: reconcile an open outcome, then send until it ends."""
        if row.state is ItemState.SENT and row.uncertain_since is not None:
            window = self.windows.get(item.channel or "", min(self.windows.values()))
            if time.time() - row.uncertain_since >= window:
                try:
                    found = await self._lookup(item)
                except MoEngageError as exc:
                    return await self._failed(item, exc, open_outcome=True)
                if found is not None:
                    await self._journal(
                        self.journal.record_created, item.index, found, now=time.time()
                    )
                    return self._created(item, found, "lookup")
            # Within the window MoEngage answers a resent request_id with the
            # original campaign; past it, the lookup just proved there is none.
        return await self._send(item, row.uncertain_since)

    async def _send(
        self, item: PreparedItem, uncertain: float | None
    ) -> CreateItemResult:
        """Send with the same request_id until created, refused, or out of tries.

        One attempt per call (``max_retries=0``), so the job knows whether each
        attempt may have reached MoEngage: only those make the item uncertain.
        """
        parts = self.parts
        clock = parts.clock
        policy = parts.retry
        once = dataclasses.replace(policy, max_retries=0)
        timeout = min(
            self.patience_s + (parts.timeout or DEFAULT_TIMEOUT_S), MAX_TIMEOUT_S
        )
        failures = 0
        quota_waits = 0
        while True:
            now = time.time()
            await self._journal(self.journal.record_intent, item.index, now=now)
            try:
                campaign_id = await parts.v1.create_campaign(
                    item.payload,
                    request_id=item.request_id,
                    priority=self.priority,
                    timeout=timeout,
                    retry=once,
                )
            except RateLimitError as exc:
                # Refused unsent (locally or by a 429): nothing was created now.
                await self._journal(
                    self.journal.record_not_sent, item.index, uncertain_since=uncertain
                )
                # A local refusal names the slot; a bare 429 (V1 sends no
                # Retry-After) waits a backoff, at least a second.
                clock_now = clock.now()
                quota_waits += 1
                wait = max(
                    max(policy.backoff(quota_waits), 1.0)
                    if exc.retry_at is None
                    else exc.retry_at - clock_now,
                    1e-3,
                )
                too_long = (
                    clock_now + wait - self.run.last_progress > self.max_quota_wait_s
                )
                if self.on_quota == "stop" or self.run.stop or too_long:
                    if too_long and not self.run.stop:
                        log.warning(
                            "bulk job %s: no creation for %.0f s of quota waits "
                            "(max_quota_wait_s); stopping with the rest pending",
                            self.job_id,
                            clock_now - self.run.last_progress,
                        )
                    self.run.stop = True
                    if exc.retry_at is not None:
                        first = self.run.resume_at
                        self.run.resume_at = min(first or exc.retry_at, exc.retry_at)
                    return pending_result(item)
                await clock.sleep(wait)
                if self.run.stop:  # another worker stopped the job meanwhile
                    return pending_result(item)
                continue
            except MoEngageError as exc:
                if _definitive(exc):
                    return await self._failed(item, exc, open_outcome=False)
                uncertain = now if uncertain is None else uncertain
                failures += 1
                if failures > policy.max_retries:
                    return await self._failed(item, exc, open_outcome=True)
                await clock.sleep(policy.backoff(failures))
                continue
            self.run.sent.append(clock.now())
            self.run.last_progress = clock.now()
            await self._journal(
                self.journal.record_created, item.index, campaign_id, now=time.time()
            )
            return self._created(item, campaign_id, "create")

    async def _failed(
        self, item: PreparedItem, exc: MoEngageError, *, open_outcome: bool
    ) -> CreateItemResult:
        text = f"{type(exc).__name__}: {exc}"
        record = (
            self.journal.record_unknown if open_outcome else self.journal.record_failed
        )
        await self._journal(record, item.index, text, now=time.time())
        log.warning("bulk job %s item %d failed: %s", self.job_id, item.index, text)
        return CreateItemResult(
            item.index,
            item.request_id,
            item.name,
            CreateItemStatus.FAILED,
            error=text,
            retryable=open_outcome,
        )

    def _created(
        self, item: PreparedItem, campaign_id: str, via: str
    ) -> CreateItemResult:
        return CreateItemResult(
            item.index,
            item.request_id,
            item.name,
            CreateItemStatus.CREATED,
            campaign_id=campaign_id,
            via=via,
        )

    async def _lookup(self, item: PreparedItem) -> str | None:
        """Find the campaign an earlier attempt created, by its tag or name."""
        fields: dict[str, Any] = (
            {"tags": [item.tag]} if item.tag is not None else {"name": item.name}
        )
        if item.channel in REUSE_WINDOWS_S:
            fields["channels"] = [item.channel]
        for page in range(1, _SEARCH_MAX_PAGES + 1):
            search = {"limit": _SEARCH_PAGE, "page": page, "campaign_fields": fields}
            rows = await self.parts.v1.search_campaigns(search, priority=self.priority)
            for found in rows:
                if matches_campaign(found, item):
                    return found.campaign_id
            if len(rows) < _SEARCH_PAGE:
                return None
        return None

    def _report(self) -> None:
        if self.progress is None:
            return
        run = self.run
        done = sum(r.status is CreateItemStatus.CREATED for r in run.results.values())
        failed = sum(r.status is CreateItemStatus.FAILED for r in run.results.values())
        now = self.parts.clock.now()
        elapsed = now - run.started
        remaining = run.total - done - failed
        self.progress(
            Progress(
                done=done,
                failed=failed,
                total=run.total,
                elapsed_s=elapsed,
                rate_per_s=(done + failed) / elapsed if elapsed > 0 else 0.0,
                eta_s=self._eta(remaining, now),
            )
        )

    def _eta(self, remaining: int, now: float) -> float:
        """Earliest finish the create budgets allow: the planner's schedule, given
        this run's creations."""
        planner = self.parts.planner
        # Creations older than every window no longer hold anything back.
        horizon = now - planner.horizon(_CREATE_OPERATION)[0]
        self.run.sent = [t for t in self.run.sent if t > horizon]
        plan = planner.plan(
            _CREATE_OPERATION, remaining, remaining, self.priority, sent=self.run.sent
        )
        return plan.earliest_finish_s


def _definitive(exc: MoEngageError) -> bool:
    """A refusal that created nothing and would be refused again (400, 401, ...)."""
    if isinstance(exc, PayloadValidationError):
        return True
    return (
        isinstance(exc, APIError)
        and 400 <= exc.status < 500
        and not RetryPolicy.is_retryable_status(exc.status)
    )
