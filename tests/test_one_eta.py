"""One ETA: the plan, ``--dry-run`` and the progress ETA come from one schedule.

The job runs against the sandbox on a fake clock that moves only while nothing is
on the wire and the job's one worker sleeps on the budget, so it follows the
earliest schedule exactly: every progress ETA, added to the moment it was
reported, must land on the plan made before the run, and the dry-run must print
that plan. Both bulk policies are checked: a static share plans a longer job.
"""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest

from moengage_async import FakeClock, MemoryLimiter, Progress, RetryPolicy
from moengage_async.cli import main
from moengage_async.sandbox import Sandbox

#: Two windows whose steps show: 150 requests are 100 in the first minute, the
#: other 50 from 60 s on (at 10/s); at 80 % of each window they end later.
BUDGETS = "status:=10/1,100/60"
IDS = 1500
#: The 100th request at 9 s, the 150th at 60 + 4 s.
FULL_WINDOWS_S = 64.0
NO_RETRY = RetryPolicy(max_retries=0)


async def _drive(clock: FakeClock, limiter: MemoryLimiter, ws: str) -> None:
    """Move fake time to the next sleeper's deadline whenever no request is in
    flight and the worker waits for a slot: then nothing can happen before it."""
    while True:
        await anyio.lowlevel.checkpoint()
        rows = [u for u in limiter.snapshot(ws) if u.budget == "status"]
        in_flight = rows[0].in_flight if rows else 0
        queued = rows[0].queued if rows else 0
        deadline = clock.next_deadline
        if in_flight == 0 and queued == 1 and deadline is not None:
            clock.advance(max(deadline - clock.now(), 0.0))


async def _run_job(bulk_share: float | None) -> tuple[float, list[tuple[float, float]]]:
    """The plan made before the job, and (time, ETA) of every progress report."""
    clock = FakeClock()
    seen: list[tuple[float, float]] = []

    def progress(p: Progress) -> None:
        assert p.eta_s is not None
        seen.append((clock.now(), p.eta_s))

    async with Sandbox(budgets=BUDGETS, clock=clock) as sandbox:
        ids = sandbox.seed_campaigns(IDS, delivery_type="PERIODIC")
        async with sandbox.client(
            clock=clock, bulk_share=bulk_share, retry=NO_RETRY, timeout=None
        ) as client:
            assert isinstance(client.limiter, MemoryLimiter)
            planned = client.plan_status_change(IDS).earliest_finish_s
            async with anyio.create_task_group() as tg:
                tg.start_soon(_drive, clock, client.limiter, client.workspace_id)
                report = await client.bulk_change_status(
                    "PAUSE", ids, concurrency=1, progress=progress
                )
                tg.cancel_scope.cancel()
        assert sandbox.ledger.budget("status").rejected == []
    assert report.applied == IDS
    assert clock.now() == pytest.approx(planned, abs=1e-6)  # on schedule
    # The report's yardstick is the full windows, whatever the policy.
    assert report.earliest_s == pytest.approx(FULL_WINDOWS_S, abs=1e-6)
    assert report.elapsed_s == pytest.approx(planned, abs=1e-6)
    return planned, seen


def _dry_run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *flags: str) -> float:
    ids = tmp_path / "ids.txt"
    ids.write_text("".join(f"c{i}\n" for i in range(IDS)))
    code = main(
        [
            *("status", "pause", "--ids-file", str(ids), "--dry-run", "--json"),
            *("--budget", BUDGETS, *flags),
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    return float(doc["earliest_finish_s"])


@pytest.mark.parametrize(
    ("bulk_share", "flags", "expected"),
    [
        # Alone, the work-conserving default plans at the full windows: the 100th
        # request at 9 s, the 150th at 64 s.
        (None, (), 64.0),
        # 80 %: 8 a second, 80 a minute: the 80th at 9 s, the 150th at 68 s.
        (0.8, ("--bulk-share", "0.8"), 68.0),
    ],
)
async def test_plan_dry_run_and_progress_eta_agree(
    bulk_share: float | None,
    flags: tuple[str, ...],
    expected: float,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The plan, ``--dry-run`` and every progress ETA name one finish time."""
    for name in ("MOENGAGE_BULK_SHARE", "MOENGAGE_REDIS_URL", "MOENGAGE_BUDGETS"):
        monkeypatch.delenv(name, raising=False)
    planned, seen = await _run_job(bulk_share)
    assert planned == pytest.approx(expected, abs=1e-6)
    assert await anyio.to_thread.run_sync(
        _dry_run, capsys, tmp_path, *flags
    ) == pytest.approx(planned, abs=1e-6)
    assert len(seen) == 1 + IDS // 10  # at the start, then one per request
    assert seen[0] == (0.0, pytest.approx(planned, abs=1e-6))
    for at, eta in seen:
        assert at + eta == pytest.approx(planned, abs=1e-6), (at, eta)
    assert seen[-1][1] == 0.0
