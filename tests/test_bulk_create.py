"""bulk_create against a real loopback server: once-only creation, journal, reruns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from test_bulk_create_fake import FakeMoEngage, push, serve

from moengage_async import (
    CreateItemStatus,
    JournalMismatchError,
    MoEngageClient,
    PayloadValidationError,
    Progress,
    RetryPolicy,
)
from moengage_async.jobs._create_items import BULK_TAG_PREFIX, bulk_request_id
from moengage_async.jobs._journal import ItemState, Journal

FAST = "create_requests:=1000/1;create_success:=1000/1"


def _client(url: str, *, max_retries: int = 3) -> MoEngageClient:
    return MoEngageClient(
        "ws",
        "secret-key",
        base_url=url,
        budgets=FAST,
        retry=RetryPolicy(max_retries=max_retries, testing=True),
    )


def _campaigns(n: int) -> list[dict[str, Any]]:
    return [push(f"c{i}") for i in range(n)]


async def test_every_item_is_created_once_in_input_order() -> None:
    """A job creates each campaign once and reports their ids in input order."""
    fake = FakeMoEngage()
    async with serve(fake) as url, _client(url) as client:
        report = await client.bulk_create(_campaigns(6), job_id="job")
    by_name = {c.name: c.campaign_id for c in fake.ledger}
    assert len(fake.ledger) == len(by_name) == 6
    assert [r.campaign_id for r in report.items] == [by_name[f"c{i}"] for i in range(6)]
    assert report.counts == {"created": 6, "failed": 0, "pending": 0}
    assert report.complete


async def test_request_ids_depend_only_on_job_and_item() -> None:
    """Same job and items give the same request_ids; another job_id gives others."""
    fake = FakeMoEngage()
    async with serve(fake) as url, _client(url) as client:
        first = await client.bulk_create(_campaigns(3), job_id="a")
        again = await client.bulk_create(_campaigns(3), job_id="a")
        other = await client.bulk_create(_campaigns(3), job_id="b")
    ids = [r.request_id for r in first.items]
    assert ids == [r.request_id for r in again.items]
    assert not set(ids) & {r.request_id for r in other.items}
    assert len(set(ids)) == 3


def test_request_id_changes_with_index_and_payload() -> None:
    """The request_id is a function of job, index and payload hash."""
    base = bulk_request_id("job", 0, "h")
    assert base == bulk_request_id("job", 0, "h")
    assert base != bulk_request_id("job", 1, "h") != bulk_request_id("job", 0, "g")


async def test_a_rerun_without_journal_is_replayed_not_duplicated() -> None:
    """Rerunning a job within the reuse window gets the original campaigns back."""
    fake = FakeMoEngage()
    async with serve(fake) as url, _client(url) as client:
        first = await client.bulk_create(_campaigns(4), job_id="job")
        again = await client.bulk_create(_campaigns(4), job_id="job")
    assert len(fake.ledger) == 4
    assert [r.campaign_id for r in first.items] == [r.campaign_id for r in again.items]


async def test_a_rerun_with_the_journal_sends_nothing_for_finished_items(
    tmp_path: Path,
) -> None:
    """Finished items are taken from the journal without any request."""
    fake = FakeMoEngage()
    journal = tmp_path / "job.sqlite"
    async with serve(fake) as url, _client(url) as client:
        first = await client.bulk_create(_campaigns(4), job_id="job", journal=journal)
        sent = fake.create_requests
        again = await client.bulk_create(_campaigns(4), job_id="job", journal=journal)
    assert fake.create_requests == sent == 4
    assert [r.via for r in again.items] == ["journal"] * 4
    assert [r.campaign_id for r in again.items] == [r.campaign_id for r in first.items]


async def test_changed_items_under_a_journaled_job_id_are_refused(
    tmp_path: Path,
) -> None:
    """A rerun whose payloads changed raises JournalMismatchError and sends nothing."""
    fake = FakeMoEngage()
    journal = tmp_path / "job.sqlite"
    changed = _campaigns(3)
    changed[1]["basic_details"]["name"] = "renamed"
    async with serve(fake) as url, _client(url) as client:
        await client.bulk_create(_campaigns(3), job_id="job", journal=journal)
        with pytest.raises(JournalMismatchError, match="item 1 differs"):
            await client.bulk_create(changed, job_id="job", journal=journal)
    assert fake.create_requests == 3


async def test_an_invalid_payload_fails_alone(tmp_path: Path) -> None:
    """A 400 item is reported failed; the others are created."""
    fake = FakeMoEngage()
    items = _campaigns(4)
    items[2]["basic_details"] = "not an object"  # passes the client, the server 400s
    async with serve(fake) as url, _client(url) as client:
        report = await client.bulk_create(items, job_id="job", journal=tmp_path / "j")
    assert [r.status for r in report.items] == [
        CreateItemStatus.CREATED,
        CreateItemStatus.CREATED,
        CreateItemStatus.FAILED,
        CreateItemStatus.CREATED,
    ]
    assert report.failed[0].error is not None
    assert "BadRequestError" in report.failed[0].error
    assert not report.failed[0].retryable
    assert sorted(fake.names(), key=str) == ["c0", "c1", "c3"]


async def test_an_item_the_client_refuses_fails_alone_unsent() -> None:
    """An item failing client-side checks is reported failed and never sent."""
    fake = FakeMoEngage()
    items = _campaigns(3)
    items[0]["channel"] = "SMS"
    async with serve(fake) as url, _client(url) as client:
        report = await client.bulk_create(items, job_id="job")
    assert report.counts == {"created": 2, "failed": 1, "pending": 0}
    assert (report.items[0].error or "").startswith("PayloadValidationError")
    assert fake.create_requests == 2


async def test_a_definitive_failure_is_not_resent_on_rerun(tmp_path: Path) -> None:
    """A 400 is final: the rerun reports it from the journal without sending."""
    fake = FakeMoEngage()
    items = _campaigns(2)
    items[0]["basic_details"] = "not an object"  # passes the client, the server 400s
    async with serve(fake) as url, _client(url) as client:
        await client.bulk_create(items, job_id="job", journal=tmp_path / "j")
        again = await client.bulk_create(items, job_id="job", journal=tmp_path / "j")
    assert fake.create_requests == 2
    assert again.items[0].status is CreateItemStatus.FAILED
    assert again.complete


async def test_a_server_error_stays_open_and_the_rerun_creates_it(
    tmp_path: Path,
) -> None:
    """A 5xx after retries is a retryable failure that the rerun completes."""
    fake = FakeMoEngage(fail_next=[500])
    async with serve(fake) as url, _client(url, max_retries=0) as client:
        first = await client.bulk_create(
            _campaigns(1), job_id="job", journal=tmp_path / "j"
        )
        again = await client.bulk_create(
            _campaigns(1), job_id="job", journal=tmp_path / "j"
        )
    assert first.items[0].status is CreateItemStatus.FAILED
    assert first.items[0].retryable and not first.complete
    assert again.items[0].status is CreateItemStatus.CREATED
    assert fake.names() == ["c0"]


async def test_a_lost_response_within_the_window_is_replayed(tmp_path: Path) -> None:
    """Created-but-unanswered is resent with the same request_id and not duplicated."""
    fake = FakeMoEngage(on_create=lambda n: "lose" if n == 1 else None)
    async with serve(fake) as url, _client(url, max_retries=0) as client:
        await client.bulk_create(_campaigns(1), job_id="job", journal=tmp_path / "j")
        again = await client.bulk_create(
            _campaigns(1), job_id="job", journal=tmp_path / "j"
        )
    assert fake.create_requests == 2
    assert again.items[0].campaign_id == fake.ledger[0].campaign_id
    assert (len(fake.ledger), again.items[0].via) == (1, "create")


async def test_a_lost_response_past_the_window_is_looked_up(tmp_path: Path) -> None:
    """Past the reuse window the created campaign is found by its tag, not resent."""
    fake = FakeMoEngage(
        replay_window_s=0.0, on_create=lambda n: "lose" if n == 1 else None
    )
    windows = {"PUSH": 0.0}
    async with serve(fake) as url, _client(url, max_retries=0) as client:
        await client.bulk_create(
            _campaigns(1), job_id="job", journal=tmp_path / "j", reuse_windows_s=windows
        )
        again = await client.bulk_create(
            _campaigns(1), job_id="job", journal=tmp_path / "j", reuse_windows_s=windows
        )
    assert fake.create_requests == 1
    assert (again.items[0].via, again.items[0].campaign_id) == ("lookup", "cmp00000")


async def test_a_lookup_by_name_finds_untagged_campaigns(tmp_path: Path) -> None:
    """With tag_items=False the lookup matches the campaign name."""
    fake = FakeMoEngage(
        replay_window_s=0.0, on_create=lambda n: "lose" if n == 1 else None
    )
    options: dict[str, Any] = {
        "job_id": "job",
        "journal": tmp_path / "j",
        "reuse_windows_s": {"PUSH": 0.0},
        "tag_items": False,
    }
    async with serve(fake) as url, _client(url, max_retries=0) as client:
        await client.bulk_create(_campaigns(1), **options)
        again = await client.bulk_create(_campaigns(1), **options)
    assert fake.ledger[0].tags == ["bulk"]
    assert (again.items[0].via, len(fake.ledger)) == ("lookup", 1)


async def test_an_unsent_item_past_the_window_is_created_after_lookup(
    tmp_path: Path,
) -> None:
    """When the lookup finds nothing, the open item is created exactly once."""
    fake = FakeMoEngage(
        replay_window_s=0.0, on_create=lambda n: "drop" if n == 1 else None
    )
    windows = {"PUSH": 0.0}
    async with serve(fake) as url, _client(url, max_retries=0) as client:
        await client.bulk_create(
            _campaigns(1), job_id="job", journal=tmp_path / "j", reuse_windows_s=windows
        )
        again = await client.bulk_create(
            _campaigns(1), job_id="job", journal=tmp_path / "j", reuse_windows_s=windows
        )
    assert (again.items[0].via, fake.names()) == ("create", ["c0"])


async def test_items_carry_a_tag_derived_from_their_request_id() -> None:
    """Each campaign keeps its own tags and gains BULK_TAG_PREFIX + request_id."""
    fake = FakeMoEngage()
    async with serve(fake) as url, _client(url) as client:
        report = await client.bulk_create(_campaigns(1), job_id="job")
    assert fake.ledger[0].tags == ["bulk", BULK_TAG_PREFIX + report.items[0].request_id]
    assert fake.ledger[0].request_id == report.items[0].request_id


async def test_an_async_iterable_of_campaigns_is_accepted() -> None:
    """Campaigns may come from an async iterator."""

    async def stream() -> AsyncIterator[dict[str, Any]]:
        for campaign in _campaigns(3):
            yield campaign

    fake = FakeMoEngage()
    async with serve(fake) as url, _client(url) as client:
        report = await client.bulk_create(stream(), job_id="job")
    assert report.counts["created"] == 3


@pytest.mark.parametrize(
    ("campaigns", "kwargs", "error"),
    [
        pytest.param([push("a"), 42], {}, PayloadValidationError, id="not-a-payload"),
        pytest.param(push("a"), {}, PayloadValidationError, id="single-dict"),
        pytest.param([push("a")], {"job_id": " "}, ValueError, id="blank-job-id"),
        pytest.param([push("a")], {"on_quota": "later"}, ValueError, id="on-quota"),
        pytest.param([push("a")], {"concurrency": 0}, ValueError, id="concurrency"),
    ],
)
async def test_bad_input_is_refused_before_anything_is_sent(
    campaigns: Any, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    """Invalid campaigns or options raise before any request."""
    fake = FakeMoEngage()
    async with serve(fake) as url, _client(url) as client:
        with pytest.raises(error):
            await client.bulk_create(campaigns, **{"job_id": "job", **kwargs})
    assert fake.create_requests == 0


async def test_progress_is_reported_after_each_item() -> None:
    """The progress callback sees every item end, finishing with nothing left."""
    seen: list[Progress] = []
    fake = FakeMoEngage()
    async with serve(fake) as url, _client(url) as client:
        await client.bulk_create(
            _campaigns(3), job_id="job", concurrency=1, progress=seen.append
        )
    assert [(p.done, p.failed, p.total) for p in seen] == [
        (1, 0, 3),
        (2, 0, 3),
        (3, 0, 3),
    ]
    assert seen[-1].eta_s == 0.0
    assert all(p.eta_s is not None and p.eta_s >= 0 for p in seen)


async def test_a_caller_owned_journal_stays_open(tmp_path: Path) -> None:
    """A Journal instance passed in is used and left open for the caller."""
    fake = FakeMoEngage()
    journal = Journal(tmp_path / "j.sqlite")
    async with serve(fake) as url, _client(url) as client:
        await client.bulk_create(_campaigns(2), job_id="job", journal=journal)
    assert [r.state for r in journal.items("job")] == [ItemState.CREATED] * 2
    journal.close()


async def test_a_server_error_is_retried_with_the_same_request_id() -> None:
    """A 5xx is retried within the job and the item is created once."""
    fake = FakeMoEngage(fail_next=[500, 503])
    async with serve(fake) as url, _client(url, max_retries=2) as client:
        report = await client.bulk_create(_campaigns(1), job_id="job")
    assert (report.items[0].status, fake.create_requests) == (
        CreateItemStatus.CREATED,
        3,
    )
    assert fake.names() == ["c0"]


async def test_a_failed_lookup_leaves_the_item_open(tmp_path: Path) -> None:
    """When the reconciling search fails, the item is reported open, not created."""
    fake = FakeMoEngage(
        replay_window_s=0.0, on_create=lambda n: "lose" if n == 1 else None
    )
    windows = {"PUSH": 0.0}
    async with serve(fake) as url, _client(url, max_retries=0) as client:
        await client.bulk_create(
            _campaigns(1), job_id="job", journal=tmp_path / "j", reuse_windows_s=windows
        )
    async with _client("http://127.0.0.1:9", max_retries=0) as offline:
        again = await offline.bulk_create(
            _campaigns(1), job_id="job", journal=tmp_path / "j", reuse_windows_s=windows
        )
    assert again.items[0].status is CreateItemStatus.FAILED
    assert again.items[0].retryable
    journal = Journal(tmp_path / "j")
    assert journal.items("job")[0].state is ItemState.SENT
    journal.close()
