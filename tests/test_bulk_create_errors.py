"""bulk_create when answers go wrong: malformed 201 bodies and endless 429s.

Every run ends with a report in which each item has an outcome; nothing is ever
created twice (the fake server's own ledger says so); a 429 storm stops at
``max_quota_wait_s`` on virtual time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest
from aiohttp import web
from test_bulk_create_fake import FakeMoEngage, push, serve

from moengage_async import FakeClock, MoEngageClient, RetryPolicy
from moengage_async.jobs import CreateItemStatus

FAST = "create_requests:=100000/1;create_success:=100000/1"


def _client(
    url: str, *, max_retries: int, clock: FakeClock | None = None
) -> MoEngageClient:
    return MoEngageClient(
        "ws",
        "secret-key",
        base_url=url,
        budgets=FAST,
        clock=clock,
        retry=RetryPolicy(max_retries=max_retries, testing=True),
        bulk_share=1.0,
    )


@pytest.mark.parametrize(
    "max_retries",
    [pytest.param(0, id="no-retry-outcome-open"), pytest.param(3, id="retried")],
)
async def test_truncated_201s_end_in_a_report_and_never_create_twice(
    tmp_path: Path, max_retries: int
) -> None:
    """1 % of create answers are cut short after creating: the job still reports
    every item; a rerun with the journal completes it without a duplicate."""
    n = 200
    fake = FakeMoEngage(on_create=lambda k: "truncate" if k % 100 == 50 else None)
    items = [push(f"c{i}") for i in range(n)]
    async with serve(fake) as url, _client(url, max_retries=max_retries) as client:
        first = await client.bulk_create(items, job_id="job", journal=tmp_path / "j")
        assert len(first.items) == n
        assert all(r.status is not CreateItemStatus.PENDING for r in first.items)
        open_items = [r for r in first.failed if r.retryable]
        assert all("MalformedResponseError" in (r.error or "") for r in open_items)
        if max_retries == 0:
            assert len(open_items) == 2  # requests 50 and 150
        else:
            assert first.complete
        again = await client.bulk_create(items, job_id="job", journal=tmp_path / "j")
    assert again.complete
    assert len(fake.ledger) == n
    assert not [name for name, k in Counter(fake.names()).items() if k > 1]
    # The rerun resent only the open items, replayed by their request_id.
    assert fake.create_requests == n + 2


@asynccontextmanager
async def _always_429() -> AsyncIterator[tuple[str, list[int]]]:
    """A server answering every request 429 (no Retry-After, as V1 does)."""
    seen: list[int] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(1)
        return web.json_response(
            {"error": {"code": "429 Too Many Requests", "message": "slow down"}},
            status=429,
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", seen
    finally:
        await runner.cleanup()


async def test_wait_stops_at_max_quota_wait_in_a_429_storm(tmp_path: Path) -> None:
    """on_quota="wait" against endless 429s stops at the bound, on virtual time,
    with every item pending and the job resumable from its journal."""
    clock = FakeClock()
    async with (
        _always_429() as (url, seen),
        _client(url, max_retries=0, clock=clock) as client,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(clock.autojump)
        with anyio.fail_after(30):  # real seconds: a hang fails, never loops
            report = await client.bulk_create(
                [push(f"c{i}") for i in range(3)],
                job_id="storm",
                journal=tmp_path / "j",
                on_quota="wait",
                max_quota_wait_s=120.0,
                concurrency=1,
            )
        tg.cancel_scope.cancel()
    assert report.stopped_on_quota
    assert report.counts == {"created": 0, "failed": 0, "pending": 3}
    assert 119.0 <= clock.now() <= 120.0  # waited up to the bound, never past it
    assert 100 <= len(seen) <= 121  # one request per >= 1 s wait
    journal_states = {r.status for r in report.items}
    assert journal_states == {CreateItemStatus.PENDING}


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
async def test_max_quota_wait_must_be_finite_and_positive(bad: float) -> None:
    """A bound that is not finite seconds > 0 is refused before anything runs."""
    from moengage_async import PayloadValidationError

    async with MoEngageClient("ws", "k", base_url="http://127.0.0.1:9") as client:
        with pytest.raises(PayloadValidationError, match="max_quota_wait_s"):
            await client.bulk_create([push("c")], job_id="j", max_quota_wait_s=bad)
