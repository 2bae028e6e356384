"""bulk_create under the create_success quota, on virtual time (FakeClock)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import pytest
from test_bulk_create_fake import FakeMoEngage, push, serve

from moengage_async import (
    BulkCreateReport,
    FakeClock,
    MoEngageClient,
    Progress,
    RetryPolicy,
)
from moengage_async.budgets._schedule import earliest_finish_s

T = TypeVar("T")
QUOTA = "create_requests:=1000/1;create_success:=5/60"


def _client(url: str, clock: FakeClock, budgets: str | None = QUOTA) -> MoEngageClient:
    return MoEngageClient(
        "ws",
        "secret-key",
        base_url=url,
        budgets=budgets,
        clock=clock,
        retry=RetryPolicy(testing=True),
        bulk_share=1.0,  # the job may use the whole window: no interactive traffic
    )


async def _on_virtual_time(clock: FakeClock, job: Callable[[], Awaitable[T]]) -> T:
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        result = await job()
        tg.cancel_scope.cancel()
    return result


def _campaigns(n: int) -> list[dict[str, Any]]:
    return [push(f"c{i}") for i in range(n)]


async def test_stop_ends_after_the_quota_with_the_rest_pending(tmp_path: Path) -> None:
    """on_quota="stop": a 12-item job under 5/min creates 5 and leaves 7 pending."""
    fake, clock = FakeMoEngage(), FakeClock()
    async with serve(fake) as url, _client(url, clock) as client:
        report = await _on_virtual_time(
            clock,
            lambda: client.bulk_create(
                _campaigns(12),
                job_id="job",
                journal=tmp_path / "j",
                on_quota="stop",
                patience_s=10,
                concurrency=1,
            ),
        )
    assert report.counts == {"created": 5, "failed": 0, "pending": 7}
    assert [r.index for r in report.pending] == list(range(5, 12))
    assert (report.stopped_on_quota, report.resume_at, clock.now()) == (True, 60, 0)
    assert len(fake.ledger) == 5


async def test_a_stopped_job_resumes_where_it_stopped(tmp_path: Path) -> None:
    """Rerunning a stopped job with its journal continues; three runs finish it."""
    fake, clock = FakeMoEngage(), FakeClock()
    reports: list[BulkCreateReport] = []
    async with serve(fake) as url, _client(url, clock) as client:
        for _ in range(3):
            report = await _on_virtual_time(
                clock,
                lambda: client.bulk_create(
                    _campaigns(12),
                    job_id="job",
                    journal=tmp_path / "j",
                    on_quota="stop",
                    patience_s=10,
                    concurrency=1,
                ),
            )
            reports.append(report)
            clock.advance((report.resume_at or clock.now()) - clock.now())
    assert [r.counts["created"] for r in reports] == [5, 10, 12]
    assert [r.resume_at for r in reports] == [60, 120, None]
    assert reports[-1].complete
    assert sorted(c.name or "" for c in fake.ledger) == sorted(
        f"c{i}" for i in range(12)
    )
    assert fake.create_requests == 12


@pytest.mark.parametrize(
    "patience_s",
    [pytest.param(90.0, id="limiter-waits"), pytest.param(0.0, id="job-waits")],
)
async def test_wait_finishes_when_the_plan_says(patience_s: float) -> None:
    """With on_quota="wait", 12 items at 5/min finish at the planned virtual time."""
    fake, clock = FakeMoEngage(), FakeClock()
    async with serve(fake) as url, _client(url, clock) as client:
        report = await _on_virtual_time(
            clock,
            lambda: client.bulk_create(
                _campaigns(12), job_id="job", patience_s=patience_s, concurrency=1
            ),
        )
    assert report.complete and len(fake.ledger) == 12
    assert clock.now() == earliest_finish_s(12, [(1000, 1.0), (5, 60.0)]) == 120


def test_earliest_finish_takes_the_slowest_window() -> None:
    """The plan is the latest start any window imposes on the last item."""
    assert earliest_finish_s(0, [(5, 60.0)]) == 0
    assert earliest_finish_s(5, [(5, 60.0)]) == 0
    assert earliest_finish_s(6, [(5, 60.0), (100, 86400.0)]) == 60
    assert earliest_finish_s(300, [(5, 60.0), (100, 86400.0)]) == 2 * 86400 + 19 * 60


def test_earliest_finish_counts_earlier_sends() -> None:
    """Sends already in a window push the remaining items back."""
    assert earliest_finish_s(1, [(5, 60.0)], sent=[0.0] * 5, now=10.0) == 50
    assert earliest_finish_s(1, [(5, 60.0)], sent=[0.0] * 4, now=10.0) == 0


async def test_progress_eta_comes_from_the_create_budgets() -> None:
    """ETA follows the documented 5/min quota: 60 s until the 6th send, then 0."""
    fake, clock = FakeMoEngage(), FakeClock()
    seen: list[Progress] = []
    async with serve(fake) as url, _client(url, clock, budgets=None) as client:
        await _on_virtual_time(
            clock,
            lambda: client.bulk_create(
                _campaigns(7), job_id="job", concurrency=1, progress=seen.append
            ),
        )
    assert [p.eta_s for p in seen] == [60.0, 60.0, 60.0, 60.0, 60.0, 0.0, 0.0]
    assert seen[-1].elapsed_s == 60.0


async def test_a_refusal_after_a_lost_answer_keeps_the_item_open(
    tmp_path: Path,
) -> None:
    """An attempt refused by the budget after one that may have created stays open."""
    fake = FakeMoEngage(
        replay_window_s=0.0, on_create=lambda n: "lose" if n == 1 else None
    )
    clock = FakeClock()
    options: dict[str, Any] = {
        "job_id": "job",
        "journal": tmp_path / "j",
        "on_quota": "stop",
        "patience_s": 1,
        "reuse_windows_s": {"PUSH": 0.0},
    }
    budgets = "create_requests:=1/60;create_success:=100/60"
    async with serve(fake) as url, _client(url, clock, budgets) as client:
        first = await client.bulk_create(_campaigns(1), **options)
        clock.advance(60)
        again = await client.bulk_create(_campaigns(1), **options)
    assert (first.stopped_on_quota, first.items[0].status.value) == (True, "pending")
    assert (again.items[0].via, again.items[0].campaign_id) == ("lookup", "cmp00000")
    assert len(fake.ledger) == 1
