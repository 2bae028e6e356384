"""The ``moengage-async`` command, run for real in a subprocess against a sandbox."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import spec_example

from moengage_async.sandbox import Sandbox

BUDGET = "status:=100/0.05,1000/1"


class ThreadedSandbox:
    """A sandbox serving from its own event loop in a background thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.sandbox = Sandbox(budgets=BUDGET)
        self.run(self.sandbox.start())

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def seed(self, n: int, **kwargs: Any) -> list[str]:
        async def seed() -> list[str]:
            return self.sandbox.seed_campaigns(n, **kwargs)

        result: list[str] = self.run(seed())
        return result

    def paused(self) -> set[str]:
        async def read() -> set[str]:
            return {
                a.campaign_id
                for a in self.sandbox.ledger.actions()
                if a.kind == "PAUSE"
            }

        result: set[str] = self.run(read())
        return result

    def close(self) -> None:
        self.run(self.sandbox.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ThreadedSandbox]:
    server = ThreadedSandbox()
    yield server
    server.close()


def cli(
    *args: str,
    sandbox: ThreadedSandbox | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m moengage_async`` with sandbox credentials in the environment."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}
    if sandbox is not None:
        full_env.update(
            MOENGAGE_WORKSPACE_ID=sandbox.sandbox.workspace_id,
            MOENGAGE_API_KEY=sandbox.sandbox.api_key,
            MOENGAGE_BUDGETS=BUDGET,
        )
        args = (*args, "--base-url", sandbox.sandbox.url)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "moengage_async", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
    )


def test_pause_ids_from_arguments(sandbox: ThreadedSandbox) -> None:
    """``status pause ID...`` pauses them and exits 0."""
    ids = sandbox.seed(3)
    result = cli("status", "pause", *ids, "--json", sandbox=sandbox)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["applied"] == 3
    assert set(ids) <= sandbox.paused()


def test_pause_ids_from_a_file(sandbox: ThreadedSandbox, tmp_path: Path) -> None:
    """``--ids-file`` reads one id a line, skipping blanks and comments."""
    ids = sandbox.seed(25)
    path = tmp_path / "ids.txt"
    path.write_text("# to pause\n" + "\n\n".join(ids) + "\n")
    result = cli("status", "pause", "--ids-file", str(path), "--json", sandbox=sandbox)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["applied"] == 25
    assert set(ids) <= sandbox.paused()


def test_pause_ids_from_stdin(sandbox: ThreadedSandbox) -> None:
    """Without ids or a file, ids come from stdin."""
    ids = sandbox.seed(4)
    result = cli("status", "pause", sandbox=sandbox, stdin="\n".join(ids))
    assert result.returncode == 0, result.stderr
    assert "PAUSE: 4 applied, 0 already, 0 failed, 0 unknown;" in result.stdout


def test_some_failed_exits_one_and_names_them(sandbox: ThreadedSandbox) -> None:
    """An unknown id fails alone: exit 1, the failure listed with its id."""
    ids = sandbox.seed(2)
    result = cli("status", "pause", *ids, "ghost-id", "--json", sandbox=sandbox)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["applied"] == 2
    assert [f["campaign_id"] for f in doc["failures"]] == ["ghost-id"]
    assert doc["failures"][0]["status"] == 400


def test_plain_progress_lines_when_not_a_terminal(sandbox: ThreadedSandbox) -> None:
    """Off a terminal, progress is plain lines on stderr ending at the total."""
    ids = sandbox.seed(30)
    result = cli("status", "pause", *ids, sandbox=sandbox)
    assert result.returncode == 0
    assert "pause: 30/30 (30 ok, 0 failed)" in result.stderr


def test_dry_run_prints_the_plan_and_sends_nothing() -> None:
    """``--dry-run`` needs no credentials and prints requests and earliest finish."""
    ids = [f"c{i}" for i in range(20_000)]
    result = cli("status", "pause", "--dry-run", stdin="\n".join(ids))
    assert result.returncode == 0, result.stderr
    assert "2000 request(s)" in result.stdout
    assert "19m 9s" in result.stdout


def test_the_api_key_is_never_printed(sandbox: ThreadedSandbox) -> None:
    """A rejected key fails the ids with 401 without echoing the key."""
    secret = "sup3r-s3cret-key"
    result = cli(
        "status", "pause", "c1", sandbox=sandbox, env={"MOENGAGE_API_KEY": secret}
    )
    assert result.returncode == 1
    assert secret not in result.stdout + result.stderr
    assert "401" in result.stdout


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        pytest.param(
            ("status", "pause", "c1"), {}, "missing workspace id", id="no-credentials"
        ),
        pytest.param(
            ("status", "pause", "--ids-file", "/nonexistent/ids.txt"),
            {"MOENGAGE_WORKSPACE_ID": "w", "MOENGAGE_API_KEY": "k"},
            "cannot read /nonexistent/ids.txt",
            id="unreadable-file",
        ),
        pytest.param(
            ("status", "pause", "c1", "--budget", "status=ten/1"),
            {"MOENGAGE_WORKSPACE_ID": "w", "MOENGAGE_API_KEY": "k"},
            "bad --budget",
            id="bad-budget",
        ),
        pytest.param(
            ("status", "halt", "c1"), {}, "invalid choice", id="unknown-action"
        ),
        pytest.param(
            ("create", "--file", "/nonexistent/c.jsonl"),
            {"MOENGAGE_WORKSPACE_ID": "w", "MOENGAGE_API_KEY": "k"},
            "cannot read",
            id="unreadable-jsonl",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_two(
    args: tuple[str, ...], env: dict[str, str], needle: str
) -> None:
    """Bad flags, credentials or files: exit 2 and one line on stderr, no traceback."""
    result = cli(*args, env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_ids_file_is_a_usage_error(tmp_path: Path) -> None:
    """An id with spaces inside is refused with its file and line, exit 2."""
    path = tmp_path / "ids.txt"
    path.write_text("c1\nnot an id\n")
    result = cli(
        "status",
        "pause",
        "--ids-file",
        str(path),
        env={"MOENGAGE_WORKSPACE_ID": "w", "MOENGAGE_API_KEY": "k"},
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"moengage-async: error: {path} line 2: malformed campaign id 'not an id'\n"
    )


def test_malformed_jsonl_is_a_usage_error(tmp_path: Path) -> None:
    """A campaigns file line that is not JSON is refused with its line, exit 2."""
    path = tmp_path / "c.jsonl"
    path.write_text('{"channel": "PUSH"}\n{oops\n')
    result = cli("create", "--file", str(path), "--dry-run")
    assert result.returncode == 2
    assert f"{path} line 2: not valid JSON" in result.stderr


def test_get_prints_the_campaign(sandbox: ThreadedSandbox) -> None:
    """``get ID`` prints the V5 campaign as JSON."""
    (campaign_id,) = sandbox.seed(1, api=5)
    result = cli("get", campaign_id, sandbox=sandbox)
    assert result.returncode == 0, result.stderr
    assert campaign_id in result.stdout


def test_search_prints_matching_campaigns(sandbox: ThreadedSandbox) -> None:
    """``search --name`` prints the page of matching campaigns as JSON."""
    (campaign_id,) = sandbox.seed(1, name="findable-by-cli")
    result = cli("search", "--name", "findable-by-cli", sandbox=sandbox)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [c["campaign_id"] for c in found] == [campaign_id]


def test_search_refuses_a_bad_limit_before_sending(sandbox: ThreadedSandbox) -> None:
    """A limit outside 1 to 15 is a usage error: exit 2, one line."""
    result = cli("search", "--limit", "50", sandbox=sandbox)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "limit" in result.stderr


def test_sandbox_command_serves_until_stopped() -> None:
    """``sandbox --port 0`` prints its URL and answers the other commands."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "moengage_async", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("MoEngage sandbox on http://127.0.0.1:"), first
        url = first.split(" on ", 1)[1].strip()
        result = cli(
            "search",
            "--base-url",
            url,
            env={
                "MOENGAGE_WORKSPACE_ID": "SANDBOX_WS",
                "MOENGAGE_API_KEY": "sandbox-key",
            },
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == []
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_sandbox_command_refuses_bad_faults() -> None:
    """An unknown fault name is a usage error: exit 2, one line."""
    result = cli("sandbox", "--port", "0", "--faults", "gremlins=1")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "gremlins" in result.stderr


def _campaign_lines(names: list[str]) -> str:
    lines = []
    for name in names:
        body = spec_example(1, "POST", "/campaigns", "push_one_time_android_ios")
        body.pop("request_id", None)
        body["advanced"] = {}
        body["basic_details"] = {**body["basic_details"], "name": name}
        lines.append(json.dumps(body))
    return "\n".join(lines) + "\n"


def test_create_from_jsonl_is_idempotent_with_a_journal(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    """``create --file --journal`` creates each campaign; a rerun creates none."""
    path = tmp_path / "campaigns.jsonl"
    path.write_text(_campaign_lines(["cli-a", "cli-b"]))
    journal = str(tmp_path / "journal.sqlite")
    args = ("create", "--file", str(path), "--journal", journal, "--json")
    first = cli(*args, sandbox=sandbox)
    assert first.returncode == 0, first.stderr
    statuses = [item["status"] for item in json.loads(first.stdout)["items"]]
    assert statuses == ["created", "created"]
    second = cli(*args, sandbox=sandbox)
    assert second.returncode == 0, second.stderr

    async def creates() -> int:
        return sum(a.kind == "create" for a in sandbox.sandbox.ledger.actions())

    assert sandbox.run(creates()) == 2


def test_redis_url_shares_the_budget_through_redis(
    sandbox: ThreadedSandbox, redis_url: str
) -> None:
    """``--redis-url`` budgets the run in Redis: the workspace's keys appear there."""
    import redis

    ids = sandbox.seed(12)
    result = cli(
        "status", "pause", *ids, "--json", "--redis-url", redis_url, sandbox=sandbox
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["applied"] == 12
    store = redis.Redis.from_url(redis_url)
    try:
        keys = store.keys(f"moengage:{{{sandbox.sandbox.workspace_id}}}:status*")
    finally:
        store.close()
    assert keys, "the status budget was not recorded in Redis"


def test_ctrl_c_prints_the_partial_summary_and_the_rerun_finishes(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    """Ctrl-C mid-job prints what is done and exits 130; the same command with the
    same --journal then finishes the rest without repeating any id."""
    import signal
    import time

    ids = sandbox.seed(800, delivery_type="PERIODIC")
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    journal = tmp_path / "journal.sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}
    env.update(
        MOENGAGE_WORKSPACE_ID=sandbox.sandbox.workspace_id,
        MOENGAGE_API_KEY=sandbox.sandbox.api_key,
    )
    args = [
        *("status", "pause", "--ids-file", str(ids_file)),
        *("--journal", str(journal), "--base-url", sandbox.sandbox.url),
    ]
    # A slow client-side budget (10 requests per 0.1 s) leaves time to interrupt.
    with subprocess.Popen(
        [sys.executable, "-m", "moengage_async", *args, "--budget", "status:=10/0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        deadline = time.monotonic() + 30
        while len(sandbox.paused() & set(ids)) < 100 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert out.startswith("interrupted: PAUSE: "), out
    assert "Traceback" not in out + err
    first = sandbox.paused() & set(ids)
    assert 100 <= len(first) < len(ids)
    env["MOENGAGE_BUDGETS"] = BUDGET
    rerun = subprocess.run(
        [sys.executable, "-m", "moengage_async", *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["applied"] + report["already"] == len(ids)
    assert report["failed"] == report["unknown"] == 0
    assert report["resumed"] >= 1
    assert sandbox.paused() >= set(ids)
