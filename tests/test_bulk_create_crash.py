"""kill -9 a journaled bulk creation at random points: nothing lost, nothing twice.

The server (and its ledger) lives in the test process; the job runs in a
subprocess (``tests/crash_worker.py``) that the server's create hook SIGKILLs on a
seeded, random create request: before creating, after creating but before the
answer, or a few milliseconds after answering (while the journal commits).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import pytest
from test_bulk_create_fake import FakeMoEngage, serve

WORKER = Path(__file__).with_name("crash_worker.py")
COUNT = 30
PHASES = ("before", "lose", "after")


@dataclass
class Killer:
    """Kills the running worker on chosen create requests."""

    points: dict[int, str]
    rng: random.Random
    pid: int | None = None
    kills: list[tuple[int, str]] = field(default_factory=list)

    def __call__(self, number: int) -> str | None:
        phase = self.points.pop(number, None)
        if phase is None or self.pid is None:
            return None
        pid, self.pid = self.pid, None
        self.kills.append((number, phase))
        if phase == "after":
            # Let the answer go out, then kill while the outcome is being journaled.
            delay = self.rng.uniform(0.0, 0.004)
            asyncio.get_running_loop().call_later(delay, os.kill, pid, signal.SIGKILL)
            return None
        os.kill(pid, signal.SIGKILL)
        return "drop" if phase == "before" else "lose"


async def _run_worker(
    url: str, journal: Path, killer: Killer, out: Path, extra: list[str]
) -> int:
    command = [sys.executable, str(WORKER), url, str(journal), "--count", str(COUNT)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with out.open("wb") as stdout:
        process = await anyio.open_process(
            [*command, *extra], stdout=stdout, stderr=subprocess.PIPE, env=env
        )
        killer.pid = process.pid
        with anyio.fail_after(60):
            code = await process.wait()
        killer.pid = None
    return code


@pytest.mark.parametrize(
    ("seed", "window"),
    [
        pytest.param(0, None, id="seed0-replay-window"),
        pytest.param(10, 0.0, id="seed10-window-passed"),
    ],
)
async def test_kill_9_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, seed: int, window: float | None
) -> None:
    """After kills at random points and a rerun, each campaign exists exactly once."""
    rng = random.Random(seed)
    kill_at = sorted(rng.sample(range(1, COUNT + 1), 3))
    killer = Killer({n: rng.choice(PHASES) for n in kill_at}, rng)
    fake = FakeMoEngage(
        replay_window_s=3600.0 if window is None else window, on_create=killer
    )
    extra = [] if window is None else ["--reuse-window", str(window)]
    journal, out = tmp_path / "job.sqlite", tmp_path / "out.json"
    codes = []
    async with serve(fake) as url:
        for _ in range(len(kill_at) + 2):
            codes.append(await _run_worker(url, journal, killer, out, extra))
            if codes[-1] == 0:
                break
    assert codes[-1] == 0 and -signal.SIGKILL in codes, (codes, killer.kills)
    report = json.loads(out.read_text())
    names = sorted(c.name or "" for c in fake.ledger)
    assert names == sorted(f"c{i}" for i in range(COUNT)), killer.kills
    ids = {c.name: c.campaign_id for c in fake.ledger}
    assert report["counts"] == {"created": COUNT, "failed": 0, "pending": 0}
    assert [item[2] for item in report["items"]] == [ids[f"c{i}"] for i in range(COUNT)]
