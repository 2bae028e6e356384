"""A crash-safe sqlite journal of bulk jobs: intent before send, outcome after.

Every write is one committed transaction (WAL, ``synchronous=FULL``), so a ``kill -9``
at any instant leaves each item either untouched, "sent" (outcome unknown: reconcile
before retrying), or finished. The class is synchronous on purpose: callers on an
event loop run it in a worker thread (``anyio.to_thread``), and a lock serialises
those threads on the one connection.
"""

from __future__ import annotations

import contextlib
import enum
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = [
    "ItemState",
    "Journal",
    "JournalItem",
    "JournalMismatchError",
    "StatusEntry",
    "StatusState",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    item_count INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    job_id TEXT NOT NULL,
    item_key INTEGER NOT NULL,
    request_id TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    name TEXT,
    channel TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    intent_at REAL,
    uncertain_since REAL,
    campaign_id TEXT,
    error TEXT,
    outcome_at REAL,
    PRIMARY KEY (job_id, item_key)
);
CREATE TABLE IF NOT EXISTS status_items (
    job_id TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    at REAL NOT NULL,
    PRIMARY KEY (job_id, campaign_id)
);
"""


#: Ids per ``IN (...)`` query: under sqlite's default host-parameter limit.
_SQL_CHUNK = 500


class ItemState(str, enum.Enum):
    """Where one item stands.

    ``SENT`` means a request may have reached MoEngage and no outcome is recorded:
    the item must be reconciled (replayed or looked up) before it is sent again.
    """

    PENDING = "pending"
    SENT = "sent"
    CREATED = "created"
    FAILED = "failed"


class StatusState(str, enum.Enum):
    """Where one id of a bulk status job stands in the journal.

    ``SENT`` and ``UNKNOWN`` ids are sent again by a rerun (a status change can be
    repeated safely: the second one is refused as "already"); ``RETRY`` ids failed
    for a reason that may pass (transport, 5xx, budget, credentials). ``APPLIED``,
    ``ALREADY`` and ``FAILED`` (refused for the id itself) are final.
    """

    SENT = "sent"
    APPLIED = "applied"
    ALREADY = "already"
    FAILED = "failed"
    RETRY = "retry"
    UNKNOWN = "unknown"

    @property
    def final(self) -> bool:
        """Whether a rerun leaves the id alone."""
        return self in _FINAL_STATUS


_FINAL_STATUS = frozenset(
    {StatusState.APPLIED, StatusState.ALREADY, StatusState.FAILED}
)


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """What the journal holds for one id of a status job."""

    campaign_id: str
    state: StatusState
    error: str | None = None


class JournalMismatchError(ValueError):
    """Raised when a job's items differ from those journaled under the same job_id."""


@dataclass(frozen=True, slots=True)
class JournalItem:
    """One journaled item. Times are wall-clock seconds (``time.time()``)."""

    key: int
    request_id: str
    payload_hash: str
    name: str | None
    channel: str | None
    state: ItemState = ItemState.PENDING
    attempts: int = 0
    intent_at: float | None = None
    uncertain_since: float | None = None
    campaign_id: str | None = None
    error: str | None = None


_COLUMNS = (
    "item_key, request_id, payload_hash, name, channel, state, attempts, "
    "intent_at, uncertain_since, campaign_id, error"
)


def _row(row: tuple[object, ...]) -> JournalItem:
    key, rid, digest, name, channel, state, attempts, intent, unsure, cid, err = row
    return JournalItem(
        key=int(key),  # type: ignore[call-overload]
        request_id=str(rid),
        payload_hash=str(digest),
        name=None if name is None else str(name),
        channel=None if channel is None else str(channel),
        state=ItemState(state),
        attempts=int(attempts),  # type: ignore[call-overload]
        intent_at=None if intent is None else float(intent),  # type: ignore[arg-type]
        uncertain_since=None if unsure is None else float(unsure),  # type: ignore[arg-type]
        campaign_id=None if cid is None else str(cid),
        error=None if err is None else str(err),
    )


class Journal:
    """The record of bulk creation jobs in one sqlite file (``":memory:"`` for none).

    ``synchronous=FULL`` with WAL fsyncs the log on every commit, so an outcome
    survives a power cut, not only a crashed process; at MoEngage's create rate
    (5/s at most) the fsync costs nothing that matters.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._lock = threading.Lock()
        # Autocommit mode: each statement commits unless inside an explicit BEGIN.
        self._db = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    @property
    def path(self) -> str:
        """The sqlite file this journal writes to."""
        return self._path

    def __repr__(self) -> str:
        return f"Journal({self._path!r})"

    def close(self) -> None:
        """Close the connection; every write is already committed."""
        with self._lock:
            self._db.close()

    def register(
        self, job_id: str, items: Sequence[JournalItem], *, now: float
    ) -> list[JournalItem]:
        """Record a job's items as pending, or check them against an earlier run.

        Returns the journaled state of every item, in key order.

        Raises:
            JournalMismatchError: the job exists with other items (count or payloads).
        """
        with self._transaction():
            return self._register(job_id, items, now)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """Hold the lock and one write transaction: committed whole, or rolled back."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _register(
        self, job_id: str, items: Sequence[JournalItem], now: float
    ) -> list[JournalItem]:
        found = self._db.execute(
            "SELECT item_count FROM jobs WHERE job_id = ?", (job_id,)
        ).fetchone()
        if found is None:
            self._db.execute(
                "INSERT INTO jobs (job_id, item_count, created_at) VALUES (?, ?, ?)",
                (job_id, len(items), now),
            )
            self._db.executemany(
                "INSERT INTO items (job_id, item_key, request_id, payload_hash, name,"
                " channel, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        job_id,
                        i.key,
                        i.request_id,
                        i.payload_hash,
                        i.name,
                        i.channel,
                        "pending",
                    )
                    for i in items
                ],
            )
            return [_pending(i) for i in items]
        if int(found[0]) != len(items):
            raise JournalMismatchError(
                f"job {job_id!r} was journaled with {found[0]} items but now has "
                f"{len(items)}; use a new job_id for a different set of campaigns"
            )
        stored = self._items(job_id)
        for old, new in zip(stored, items, strict=True):
            if old.key != new.key or old.payload_hash != new.payload_hash:
                raise JournalMismatchError(
                    f"job {job_id!r}: item {new.key} differs from the journaled one "
                    f"(payload hash {new.payload_hash[:12]} != "
                    f"{old.payload_hash[:12]}); use a new job_id for changed campaigns"
                )
        return stored

    def items(self, job_id: str) -> list[JournalItem]:
        """Return every journaled item of a job, in key order."""
        with self._lock:
            return self._items(job_id)

    def _items(self, job_id: str) -> list[JournalItem]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM items WHERE job_id = ? ORDER BY item_key",
            (job_id,),
        ).fetchall()
        return [_row(r) for r in rows]

    def record_intent(self, job_id: str, key: int, *, now: float) -> None:
        """Mark an item as (about to be) sent; committed before the request goes."""
        self._update(
            "state = 'sent', attempts = attempts + 1, intent_at = ?, "
            "uncertain_since = COALESCE(uncertain_since, ?), error = NULL",
            (now, now),
            job_id,
            key,
        )

    def record_created(
        self, job_id: str, key: int, campaign_id: str, *, now: float
    ) -> None:
        """Record the campaign an item created; the item is finished."""
        self._update(
            "state = 'created', campaign_id = ?, error = NULL, outcome_at = ?, "
            "uncertain_since = NULL",
            (campaign_id, now),
            job_id,
            key,
        )

    def record_failed(self, job_id: str, key: int, error: str, *, now: float) -> None:
        """Record a definitive refusal (4xx): nothing was created; finished."""
        self._update(
            "state = 'failed', error = ?, outcome_at = ?, uncertain_since = NULL",
            (error, now),
            job_id,
            key,
        )

    def record_unknown(self, job_id: str, key: int, error: str, *, now: float) -> None:
        """Keep an item "sent" after an error that leaves its outcome open (5xx)."""
        self._update("error = ?, outcome_at = ?", (error, now), job_id, key)

    def record_not_sent(
        self, job_id: str, key: int, *, uncertain_since: float | None
    ) -> None:
        """Undo an intent whose request was refused unsent (budget or 429).

        ``uncertain_since`` is the item's value before this attempt: an item an
        earlier run may have created stays "sent" until it is reconciled.
        """
        state = ItemState.PENDING if uncertain_since is None else ItemState.SENT
        self._update(
            "state = ?, uncertain_since = ?",
            (state.value, uncertain_since),
            job_id,
            key,
        )

    def status_entries(self, job_id: str, ids: Sequence[str]) -> dict[str, StatusEntry]:
        """Return the journaled entries of those ``ids`` that a status job has seen."""
        found: dict[str, StatusEntry] = {}
        with self._lock:
            for start in range(0, len(ids), _SQL_CHUNK):
                chunk = list(ids[start : start + _SQL_CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT campaign_id, outcome, error FROM status_items"
                    f" WHERE job_id = ? AND campaign_id IN ({marks})",
                    (job_id, *chunk),
                ).fetchall()
                for cid, outcome, error in rows:
                    found[str(cid)] = StatusEntry(
                        str(cid),
                        StatusState(outcome),
                        None if error is None else str(error),
                    )
        return found

    def status_job(self, job_id: str) -> list[StatusEntry]:
        """Return every entry of a status job, ordered by campaign id."""
        with self._lock:
            rows = self._db.execute(
                "SELECT campaign_id, outcome, error FROM status_items"
                " WHERE job_id = ? ORDER BY campaign_id",
                (job_id,),
            ).fetchall()
        return [
            StatusEntry(str(c), StatusState(o), None if e is None else str(e))
            for c, o, e in rows
        ]

    def record_status(
        self, job_id: str, entries: Sequence[StatusEntry], *, now: float
    ) -> None:
        """Write the state of some ids of a status job, in one transaction."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO status_items (job_id, campaign_id, outcome, error, at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id, campaign_id) DO UPDATE"
                " SET outcome = excluded.outcome, error = excluded.error,"
                " at = excluded.at",
                [(job_id, e.campaign_id, e.state.value, e.error, now) for e in entries],
            )

    def _update(
        self, assignments: str, values: tuple[object, ...], job_id: str, key: int
    ) -> None:
        with self._lock:
            cursor = self._db.execute(
                f"UPDATE items SET {assignments} WHERE job_id = ? AND item_key = ?",
                (*values, job_id, key),
            )
        if cursor.rowcount != 1:
            raise KeyError(f"job {job_id!r} has no item {key}")


def _pending(item: JournalItem) -> JournalItem:
    return JournalItem(
        item.key, item.request_id, item.payload_hash, item.name, item.channel
    )
