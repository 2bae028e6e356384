"""bulk_create against the real sandbox: spec-valid bodies, server-side quota, kill -9.

The crash trials run the job in a subprocess (``tests/crash_worker.py``) while the
sandbox, and so its ledger, lives in this process. A watcher SIGKILLs the worker a
random few milliseconds after the sandbox applied a seeded number of creations:
in the middle of a request, of an answer, or of a journal commit. Lost replies are
injected on top. After reruns to completion every campaign exists exactly once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import msgspec
import pytest
from conftest import spec_example

from moengage_async import FakeClock, RetryPolicy
from moengage_async.jobs._create_items import BULK_TAG_PREFIX
from moengage_async.models import v1
from moengage_async.sandbox import Sandbox

WORKER = Path(__file__).with_name("crash_worker.py")
FAST = "create_requests:=1000/1;create_success:=1000/1"
COUNT = 30


def _template() -> dict[str, Any]:
    body = spec_example(1, "POST", "/campaigns", "push_one_time_android_ios")
    body["advanced"] = {}
    body.pop("request_id", None)
    return dict(body)


def _campaigns(n: int) -> list[dict[str, Any]]:
    items = []
    for i in range(n):
        body = _template()
        body["basic_details"] = {**body["basic_details"], "name": f"c{i}"}
        items.append(body)
    return items


def _created_names(sandbox: Sandbox) -> list[str]:
    return sorted(
        sandbox.campaign(a.campaign_id).name
        for a in sandbox.ledger.actions()
        if a.kind == "create"
    )


def _creates(sandbox: Sandbox) -> int:
    return sum(a.kind == "create" for a in sandbox.ledger.actions())


async def test_a_spec_invalid_item_fails_alone_in_the_sandbox() -> None:
    """The sandbox refuses one malformed body (400); the others are created."""
    items = _campaigns(3)
    del items[1]["campaign_content"]
    async with Sandbox(budgets=FAST) as sandbox, sandbox.client(budgets=FAST) as c:
        report = await c.bulk_create(items, job_id="job")
    assert [r.status.value for r in report.items] == ["created", "failed", "created"]
    assert _created_names(sandbox) == ["c0", "c2"]


async def test_the_sandbox_quota_and_the_client_agree_on_stop_and_resume(
    tmp_path: Path,
) -> None:
    """Under 5 creations a minute, stop/advance/rerun creates 5, 10, then all 12."""
    clock = FakeClock()
    quota = "create_requests:=1000/1;create_success:=5/60"
    counts = []
    async with (
        Sandbox(budgets=quota, clock=clock) as sandbox,
        sandbox.client(
            budgets=quota,
            clock=clock,
            retry=RetryPolicy(testing=True),
            bulk_share=1.0,
        ) as client,
    ):
        for _ in range(3):
            report = await client.bulk_create(
                _campaigns(12),
                job_id="job",
                journal=tmp_path / "j",
                on_quota="stop",
                patience_s=10,
            )
            counts.append(report.counts["created"])
            clock.advance(60)
    assert counts == [5, 10, 12]
    assert _created_names(sandbox) == sorted(f"c{i}" for i in range(12))
    assert sandbox.ledger.budget("create_success").rejected == []


async def _run_worker(
    sandbox: Sandbox, argv: list[str], out: Path, kill_after: int | None, rng: Any
) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, str(WORKER), sandbox.url, *argv]
    with out.open("wb") as stdout:
        process = await anyio.open_process(
            command, stdout=stdout, stderr=subprocess.PIPE, env=env
        )

        async def kill_later() -> None:
            assert kill_after is not None
            while _creates(sandbox) < kill_after:
                await anyio.sleep(0.0005)
            await anyio.sleep(rng.uniform(0.0, 0.003))
            if process.returncode is None:
                os.kill(process.pid, signal.SIGKILL)

        async with anyio.create_task_group() as tg:
            if kill_after is not None:
                tg.start_soon(kill_later)
            with anyio.fail_after(60):
                code = await process.wait()
            tg.cancel_scope.cancel()
    return code


@pytest.mark.parametrize(
    "seed, window_passes",
    [
        pytest.param(1, False, id="seed1-within-window"),
        pytest.param(3, True, id="seed3-window-passed"),
    ],
)
async def test_kill_9_at_random_points_creates_each_campaign_once(
    tmp_path: Path, seed: int, window_passes: bool
) -> None:
    """Kills mid-job, then reruns: the sandbox ledger holds each campaign once."""
    rng = random.Random(seed)
    kills = sorted(rng.sample(range(1, COUNT), 2))
    clock = FakeClock()
    template = tmp_path / "template.json"
    template.write_text(json.dumps(_template()))
    argv = [str(tmp_path / "job.sqlite"), "--count", str(COUNT)]
    argv += ["--template", str(template), "--workspace", "SANDBOX_WS"]
    argv += ["--api-key", "sandbox-key"]
    if window_passes:
        argv += ["--reuse-window", "0"]
    out = tmp_path / "out.json"
    codes = []
    faults = "lost_reply_rate=0.1"
    async with Sandbox(budgets=FAST, clock=clock, faults=faults, seed=seed) as sandbox:
        for kill_after in [*kills, None]:
            codes.append(await _run_worker(sandbox, argv, out, kill_after, rng))
            if window_passes:
                clock.advance(7200.0)  # every request_id is free again
            if codes[-1] == 0:
                break
    assert codes[-1] == 0 and -signal.SIGKILL in codes, codes
    assert _created_names(sandbox) == sorted(f"c{i}" for i in range(COUNT))
    report = json.loads(out.read_text())
    assert report["counts"] == {"created": COUNT, "failed": 0, "pending": 0}
    ids = {sandbox.campaign(cid).name: cid for _, _, cid, _ in report["items"]}
    assert sorted(ids) == sorted(f"c{i}" for i in range(COUNT))


async def test_typed_create_models_are_accepted() -> None:
    """Items may be v1.PushCampaign models; each is created with its tag."""
    models = [msgspec.convert(c, v1.PushCampaign) for c in _campaigns(2)]
    async with Sandbox(budgets=FAST) as sandbox, sandbox.client(budgets=FAST) as c:
        report = await c.bulk_create(models, job_id="job")
    assert report.counts["created"] == 2
    created = sandbox.campaign(report.items[1].campaign_id or "")
    assert (created.name, created.tags[-1]) == (
        "c1",
        BULK_TAG_PREFIX + report.items[1].request_id,
    )
