"""Bulk campaign creation that loses nothing and duplicates nothing.

Each item gets a request_id derived from the job and the item, so a rerun resends
the same ids; a journal records intent before each send and the outcome after, so
an item whose outcome a crash left open is reconciled (replayed within MoEngage's
request_id reuse window, looked up past it) instead of created twice.
"""

from __future__ import annotations

import bisect
import enum
import hashlib
import logging
import os
import time
import uuid
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import anyio.to_thread
import msgspec

from ._budget_spec import DEFAULT_BUDGETS, Priority
from ._constants import DEFAULT_TIMEOUT_S
from ._core import new_request_id
from ._errors import APIError, MoEngageError, PayloadValidationError, RateLimitError
from ._journal import ItemState, Journal, JournalItem
from ._progress import Progress
from ._v1 import V1Operations

__all__ = [
    "BULK_TAG_PREFIX",
    "BulkCreateOperations",
    "BulkCreateReport",
    "CreateItemResult",
    "CreateItemStatus",
    "REUSE_WINDOWS_S",
    "bulk_request_id",
    "earliest_finish_s",
    "payload_hash",
]

log = logging.getLogger("moengage_async")

#: API.md §6: a V1 create request_id replays the original campaign for 1 h (Push)
#: or 1 day (Email) after a successful creation.
REUSE_WINDOWS_S: Mapping[str, float] = {"PUSH": 3600.0, "EMAIL": 86400.0}
#: Each item carries the tag ``BULK_TAG_PREFIX + request_id`` so it can be found.
BULK_TAG_PREFIX = "moengage-async:"
_NAMESPACE = uuid.UUID("6f3c2f0e-9b1d-4c55-8a5e-2b8d1e4a7c10")
_CREATE_BUDGETS = ("create_requests", "create_success")
_SEARCH_PAGE = 15
_SEARCH_MAX_PAGES = 20
_canonical = msgspec.json.Encoder(order="sorted").encode


class CreateItemStatus(str, enum.Enum):
    """How one item of a bulk creation ended (for now)."""

    CREATED = "created"
    FAILED = "failed"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class CreateItemResult:
    """One item's outcome.

    ``retryable`` marks a failure whose outcome is open (5xx, transport): the journal
    keeps the item unresolved and a rerun reconciles it. ``via`` says how a created
    item was settled: ``"create"``, ``"journal"`` (an earlier run) or ``"lookup"``.
    """

    index: int
    request_id: str
    name: str | None
    status: CreateItemStatus
    campaign_id: str | None = None
    error: str | None = None
    retryable: bool = False
    via: str | None = None


@dataclass(frozen=True, slots=True)
class BulkCreateReport:
    """Every item's outcome, in input order, and why the job ended.

    ``resume_at`` (client clock time) is set when the job stopped on a spent quota:
    the earliest moment a rerun with the same journal can make progress.
    """

    job_id: str
    items: tuple[CreateItemResult, ...]
    stopped_on_quota: bool = False
    resume_at: float | None = None

    def _select(self, status: CreateItemStatus) -> list[CreateItemResult]:
        return [item for item in self.items if item.status is status]

    @property
    def created(self) -> list[CreateItemResult]:
        """Items whose campaign exists (created now, earlier, or found)."""
        return self._select(CreateItemStatus.CREATED)

    @property
    def failed(self) -> list[CreateItemResult]:
        """Items MoEngage refused, or whose call failed after retries."""
        return self._select(CreateItemStatus.FAILED)

    @property
    def pending(self) -> list[CreateItemResult]:
        """Items not attempted because the job stopped on quota."""
        return self._select(CreateItemStatus.PENDING)

    @property
    def counts(self) -> dict[str, int]:
        """Items per status, e.g. ``{"created": 5, "failed": 0, "pending": 7}``."""
        return {s.value: len(self._select(s)) for s in CreateItemStatus}

    @property
    def complete(self) -> bool:
        """True when no item is pending and no failure is left open."""
        return all(
            i.status is CreateItemStatus.CREATED
            or (i.status is CreateItemStatus.FAILED and not i.retryable)
            for i in self.items
        )


def payload_hash(payload: Mapping[str, Any]) -> str:
    """SHA-256 of the payload's canonical JSON (sorted keys), ``request_id`` aside."""
    body = {k: v for k, v in payload.items() if k != "request_id"}
    return hashlib.sha256(_canonical(body)).hexdigest()


def bulk_request_id(job_id: str, index: int, digest: str) -> str:
    """The deterministic request_id of item ``index`` of a job (a UUID v5)."""
    return str(uuid.uuid5(_NAMESPACE, f"{job_id}\x00{index}\x00{digest}"))


def earliest_finish_s(
    items: int,
    windows: Iterable[tuple[int, float]],
    *,
    sent: Iterable[float] = (),
    now: float = 0.0,
) -> float:
    """Seconds from ``now`` until the last of ``items`` sends may start.

    Replays the rolling windows greedily: each item starts at the first moment
    every window (``limit`` per ``seconds``) has room, given the earlier sends
    ``sent`` (clock times) and the items before it. Exact for one process that
    owns the budgets; a lower bound when others spend them too.
    """
    pairs = [(int(lim), float(sec)) for lim, sec in windows]
    stamps = sorted(sent)
    t = now
    for _ in range(max(items, 0)):
        while True:
            start = t
            for lim, sec in pairs:
                recent = len(stamps) - bisect.bisect_right(stamps, t - sec)
                if recent >= lim:
                    start = max(start, stamps[len(stamps) - lim] + sec)
            if start == t:
                break
            t = start
        stamps.append(t)
    return t - now if items > 0 else 0.0


@dataclass
class _Item:
    index: int
    payload: dict[str, Any]
    digest: str
    request_id: str
    name: str | None
    channel: str | None
    tag: str | None


def _prepare(index: int, campaign: Any, job_id: str, tag: bool) -> _Item:
    if isinstance(campaign, msgspec.Struct):
        campaign = msgspec.to_builtins(campaign)
    if not isinstance(campaign, Mapping):
        raise PayloadValidationError(
            f"item {index}: expected a create payload (dict or model), "
            f"got {type(campaign).__name__}"
        )
    payload = {k: v for k, v in campaign.items() if k != "request_id"}
    digest = payload_hash(payload)
    rid = bulk_request_id(job_id, index, digest)
    basics = payload.get("basic_details")
    name = basics.get("name") if isinstance(basics, Mapping) else None
    channel = payload.get("channel")
    label = None
    if tag and isinstance(basics, Mapping):
        tags = basics.get("tags", [])
        if isinstance(tags, list):
            label = BULK_TAG_PREFIX + rid
            payload["basic_details"] = {**basics, "tags": [*tags, label]}
    return _Item(
        index,
        payload,
        digest,
        rid,
        name if isinstance(name, str) else None,
        channel if isinstance(channel, str) else None,
        label,
    )


async def _collect(campaigns: Any) -> list[Any]:
    if isinstance(campaigns, (str, bytes, Mapping)):
        raise PayloadValidationError(
            "campaigns must be an iterable of create payloads, not a single value"
        )
    if isinstance(campaigns, AsyncIterable):
        return [c async for c in campaigns]
    return list(campaigns)


class _Run:
    """Shared state of one bulk_create call."""

    def __init__(self, total: int, started: float) -> None:
        self.results: dict[int, CreateItemResult] = {}
        self.total = total
        self.started = started
        self.stop = False
        self.resume_at: float | None = None
        #: Clock times of this run's creations, for the ETA.
        self.sent: list[float] = []


class BulkCreateOperations(V1Operations):
    """``bulk_create``: many V1 creations under both create budgets, crash-safe."""

    async def bulk_create(
        self,
        campaigns: Iterable[Any] | AsyncIterable[Any],
        *,
        job_id: str,
        journal: str | os.PathLike[str] | Journal | None = None,
        on_quota: Literal["wait", "stop"] = "wait",
        concurrency: int = 2,
        patience_s: float = 60.0,
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
        if not patience_s >= 0:
            raise ValueError("patience_s must be >= 0")
        raw = await _collect(campaigns)
        items = [_prepare(i, c, job_id, tag_items) for i, c in enumerate(raw)]
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
            run = _Run(len(items), self._clock.now())
            todo: list[tuple[_Item, JournalItem]] = []
            for item, row in zip(items, rows, strict=True):
                if row.state in (ItemState.CREATED, ItemState.FAILED):
                    run.results[item.index] = _finished(item, row)
                else:
                    todo.append((item, row))
            job = _Job(self, store, job_id, run, on_quota, patience_s, priority)
            job.configure(windows, progress)
            queue = iter(todo)
            async with anyio.create_task_group() as tg:
                for _ in range(min(concurrency, len(todo))):
                    tg.start_soon(job.worker, queue)
            for item, _row in todo:
                run.results.setdefault(item.index, _pending(item))
        finally:
            if owned:
                await anyio.to_thread.run_sync(store.close)
        return BulkCreateReport(
            job_id,
            tuple(run.results[i.index] for i in items),
            stopped_on_quota=run.stop,
            resume_at=run.resume_at,
        )


def _finished(item: _Item, row: JournalItem) -> CreateItemResult:
    if row.state is ItemState.CREATED:
        return CreateItemResult(
            item.index,
            item.request_id,
            item.name,
            CreateItemStatus.CREATED,
            campaign_id=row.campaign_id,
            via="journal",
        )
    return CreateItemResult(
        item.index,
        item.request_id,
        item.name,
        CreateItemStatus.FAILED,
        error=row.error,
    )


def _pending(item: _Item) -> CreateItemResult:
    return CreateItemResult(
        item.index, item.request_id, item.name, CreateItemStatus.PENDING
    )


class _Job:
    """The per-item protocol: reconcile, journal intent, send, journal outcome."""

    def __init__(
        self,
        client: BulkCreateOperations,
        journal: Journal,
        job_id: str,
        run: _Run,
        on_quota: str,
        patience_s: float,
        priority: Priority,
    ) -> None:
        self.client = client
        self.journal = journal
        self.job_id = job_id
        self.run = run
        self.on_quota = on_quota
        self.patience_s = patience_s
        self.priority = priority
        self.windows: Mapping[str, float] = REUSE_WINDOWS_S
        self.progress: Callable[[Progress], object] | None = None

    def configure(
        self,
        windows: Mapping[str, float],
        progress: Callable[[Progress], object] | None,
    ) -> None:
        self.windows = windows
        self.progress = progress

    async def _journal(self, fn: Callable[..., None], *args: Any, **kw: Any) -> None:
        # Shielded: a cancelled job must still commit what it knows.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(lambda: fn(self.job_id, *args, **kw))

    async def worker(self, queue: Any) -> None:
        for item, row in queue:
            if self.run.stop:
                return
            result = await self.one(item, row)
            self.run.results[item.index] = result
            self._report()

    async def one(self, item: _Item, row: JournalItem) -> CreateItemResult:
        if row.state is ItemState.SENT and row.uncertain_since is not None:
            window = self.windows.get(item.channel or "", min(self.windows.values()))
            if time.time() - row.uncertain_since >= window:
                found = await self._lookup(item)
                if found is not None:
                    await self._journal(
                        self.journal.record_created, item.index, found, now=time.time()
                    )
                    return self._created(item, found, "lookup")
            # Within the window MoEngage answers a resent request_id with the
            # original campaign; past it, the lookup just proved there is none.
        uncertain = row.uncertain_since
        while True:
            await self._journal(self.journal.record_intent, item.index, now=time.time())
            uncertain = uncertain if uncertain is not None else time.time()
            try:
                campaign_id = await self.client.create_campaign(
                    item.payload,
                    request_id=item.request_id,
                    priority=self.priority,
                    timeout=self.patience_s
                    + (self.client._timeout or DEFAULT_TIMEOUT_S),
                )
            except RateLimitError as exc:
                await self._journal(
                    self.journal.record_not_sent,
                    item.index,
                    uncertain_since=row.uncertain_since,
                )
                retry_at = exc.retry_at
                if self.on_quota == "stop" or self.run.stop:
                    self.run.stop = True
                    if retry_at is not None:
                        self.run.resume_at = min(
                            self.run.resume_at or retry_at, retry_at
                        )
                    return _pending(item)
                # A local refusal names the slot; a bare 429 gets the patience.
                now = self.client.clock.now()
                delay = self.patience_s if retry_at is None else retry_at - now
                await self.client.clock.sleep(max(delay, 1e-3))
                continue
            except MoEngageError as exc:
                return await self._failed(item, exc)
            self.run.sent.append(self.client.clock.now())
            await self._journal(
                self.journal.record_created, item.index, campaign_id, now=time.time()
            )
            return self._created(item, campaign_id, "create")

    async def _failed(self, item: _Item, exc: MoEngageError) -> CreateItemResult:
        text = f"{type(exc).__name__}: {exc}"
        definitive = isinstance(exc, PayloadValidationError) or (
            isinstance(exc, APIError) and 400 <= exc.status < 500
        )
        record = (
            self.journal.record_failed if definitive else self.journal.record_unknown
        )
        await self._journal(record, item.index, text, now=time.time())
        log.warning("bulk job %s item %d failed: %s", self.job_id, item.index, text)
        return CreateItemResult(
            item.index,
            item.request_id,
            item.name,
            CreateItemStatus.FAILED,
            error=text,
            retryable=not definitive,
        )

    def _created(self, item: _Item, campaign_id: str, via: str) -> CreateItemResult:
        return CreateItemResult(
            item.index,
            item.request_id,
            item.name,
            CreateItemStatus.CREATED,
            campaign_id=campaign_id,
            via=via,
        )

    async def _lookup(self, item: _Item) -> str | None:
        """Find the campaign an earlier attempt created, by its tag or name."""
        fields: dict[str, Any] = (
            {"tags": [item.tag]} if item.tag is not None else {"name": item.name}
        )
        if item.channel in REUSE_WINDOWS_S:
            fields["channels"] = [item.channel]
        for page in range(1, _SEARCH_MAX_PAGES + 1):
            rid = new_request_id()
            body = {
                "request_id": rid,
                "limit": _SEARCH_PAGE,
                "page": page,
                "campaign_fields": fields,
            }
            response = await self.client._call(
                "v1.search_campaigns", body=body, request_id=rid, priority=self.priority
            )
            rows = msgspec.json.decode(response.body)
            if not isinstance(rows, list):
                rows = rows.get("campaigns", []) if isinstance(rows, dict) else []
            for found in rows:
                if isinstance(found, dict) and _matches(found, item):
                    return str(found["campaign_id"])
            if len(rows) < _SEARCH_PAGE:
                return None
        return None

    def _report(self) -> None:
        if self.progress is None:
            return
        run = self.run
        done = sum(r.status is CreateItemStatus.CREATED for r in run.results.values())
        failed = sum(r.status is CreateItemStatus.FAILED for r in run.results.values())
        now = self.client.clock.now()
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
        """Earliest finish the create budgets allow, given this run's sends."""
        windows = [
            (w.limit, w.seconds)
            for w in self.client.limiter.snapshot(self.client.workspace_id)
            if w.budget in _CREATE_BUDGETS
        ] or [w for b in _CREATE_BUDGETS for w in DEFAULT_BUDGETS[b].windows]
        return earliest_finish_s(remaining, windows, sent=self.run.sent, now=now)


def _matches(found: Mapping[str, Any], item: _Item) -> bool:
    basics = found.get("basic_details")
    basics = basics if isinstance(basics, Mapping) else {}
    if item.tag is not None:
        tags = [*basics.get("tags", []), *found.get("tags", [])]
        return item.tag in tags
    return item.name is not None and item.name in (
        basics.get("name"),
        found.get("name"),
    )
