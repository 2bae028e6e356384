"""The bulk-create journal: durable intent/outcome records and job identity checks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from moengage_async import Journal, JournalMismatchError
from moengage_async.jobs._journal import ItemState, JournalItem


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    """A journal file in tmp_path, closed after the test."""
    opened = Journal(tmp_path / "j.sqlite")
    yield opened
    opened.close()


def _items(*hashes: str) -> list[JournalItem]:
    return [
        JournalItem(i, f"rid-{i}", digest, f"name-{i}", "PUSH")
        for i, digest in enumerate(hashes)
    ]


def test_a_new_job_starts_with_every_item_pending(journal: Journal) -> None:
    """Registering a job records all its items as pending."""
    rows = journal.register("job", _items("a", "b"), now=1.0)
    assert [r.state for r in rows] == [ItemState.PENDING, ItemState.PENDING]
    assert [r.request_id for r in journal.items("job")] == ["rid-0", "rid-1"]


def test_outcomes_survive_reopening_the_file(tmp_path: Path) -> None:
    """A second Journal on the same file sees committed intents and outcomes."""
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    journal.register("job", _items("a", "b"), now=1.0)
    journal.record_intent("job", 0, now=2.0)
    journal.record_created("job", 0, "cmp1", now=3.0)
    journal.record_intent("job", 1, now=4.0)
    # No close(): a killed process never closes; every write is already committed.
    reopened = Journal(path)
    rows = reopened.register("job", _items("a", "b"), now=5.0)
    reopened.close()
    journal.close()
    assert (rows[0].state, rows[0].campaign_id) == (ItemState.CREATED, "cmp1")
    assert (rows[1].state, rows[1].uncertain_since) == (ItemState.SENT, 4.0)


def test_a_changed_payload_under_the_same_job_id_is_refused(journal: Journal) -> None:
    """Registering different items under a journaled job_id raises a clear error."""
    journal.register("job", _items("a", "b"), now=1.0)
    with pytest.raises(JournalMismatchError, match="item 1 differs"):
        journal.register("job", _items("a", "c"), now=2.0)


def test_a_changed_item_count_under_the_same_job_id_is_refused(
    journal: Journal,
) -> None:
    """A job rerun with more or fewer items is refused, naming both counts."""
    journal.register("job", _items("a", "b"), now=1.0)
    with pytest.raises(JournalMismatchError, match="2 items but now has 3"):
        journal.register("job", _items("a", "b", "c"), now=2.0)


def test_an_unsent_fresh_item_goes_back_to_pending(journal: Journal) -> None:
    """An intent refused before sending leaves a never-sent item pending."""
    journal.register("job", _items("a"), now=1.0)
    journal.record_intent("job", 0, now=2.0)
    journal.record_not_sent("job", 0, uncertain_since=None)
    row = journal.items("job")[0]
    assert (row.state, row.uncertain_since) == (ItemState.PENDING, None)


def test_an_unsent_retry_of_a_maybe_created_item_stays_sent(journal: Journal) -> None:
    """A refused resend keeps an item an earlier attempt may have created open."""
    journal.register("job", _items("a"), now=1.0)
    journal.record_intent("job", 0, now=2.0)
    journal.record_intent("job", 0, now=9.0)
    journal.record_not_sent("job", 0, uncertain_since=2.0)
    row = journal.items("job")[0]
    assert (row.state, row.uncertain_since, row.attempts) == (ItemState.SENT, 2.0, 2)


def test_an_open_failure_keeps_the_item_sent(journal: Journal) -> None:
    """A 5xx outcome is recorded as an error but the item stays to reconcile."""
    journal.register("job", _items("a"), now=1.0)
    journal.record_intent("job", 0, now=2.0)
    journal.record_unknown("job", 0, "ServerError: 500", now=3.0)
    row = journal.items("job")[0]
    assert (row.state, row.error) == (ItemState.SENT, "ServerError: 500")


def test_jobs_in_one_file_are_independent(journal: Journal) -> None:
    """Two job ids in one journal keep separate items."""
    journal.register("one", _items("a"), now=1.0)
    journal.register("two", _items("x", "y"), now=1.0)
    journal.record_failed("one", 0, "BadRequestError: 400", now=2.0)
    assert [r.state for r in journal.items("one")] == [ItemState.FAILED]
    assert [r.state for r in journal.items("two")] == [ItemState.PENDING] * 2


def test_the_file_uses_wal_with_full_sync(journal: Journal) -> None:
    """The journal runs in WAL mode with synchronous=FULL (fsync per commit)."""
    probe = sqlite3.connect(journal.path)
    mode = probe.execute("PRAGMA journal_mode").fetchone()[0]
    probe.close()
    assert mode == "wal"
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_updating_an_unknown_item_raises(journal: Journal) -> None:
    """Recording an outcome for an item the job does not have is an error."""
    journal.register("job", _items("a"), now=1.0)
    with pytest.raises(KeyError, match="no item 7"):
        journal.record_created("job", 7, "cmp", now=2.0)
