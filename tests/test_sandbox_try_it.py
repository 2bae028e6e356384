"""A new user's first run: seed a sandbox, paste the printed command, all paused."""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from moengage_async import MoEngageError
from moengage_async.cli._main import build_parser
from moengage_async.sandbox import Sandbox, SandboxStartError, parse_faults
from moengage_async.sandbox.__main__ import parser as sandbox_parser

SCALED = "status:=100/0.05,1000/1"
_CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port some other socket is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _health(url: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{url}/_sandbox/health", timeout=10) as answer:
        doc: dict[str, object] = json.load(answer)
    return doc


def _serve(module: str, *args: str) -> subprocess.Popen[str]:
    """Start a sandbox on a free port in a child process."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_CLEAN_ENV,
    )


def _read_banner(proc: subprocess.Popen[str]) -> tuple[str, str, Path]:
    """The URL, the pause command and the ids file a seeded sandbox prints."""
    assert proc.stdout is not None
    lines: list[str] = []
    while not lines or lines[-1].strip() != "pause them all:":
        line = proc.stdout.readline()
        assert line, f"sandbox exited early: {lines} {proc.stderr}"
        lines.append(line)
    command = proc.stdout.readline().strip()
    url = lines[0].split(" on ", 1)[1].strip()
    found = re.search(r"ids in (\S+)", "".join(lines))
    assert found is not None, lines
    return url, command, Path(found.group(1))


def test_the_printed_command_pauses_every_seeded_campaign() -> None:
    """``sandbox --campaigns 1000`` then its printed command: 1000 paused, 0 failed."""
    proc = _serve(
        "moengage_async", "sandbox", "--campaigns", "1000", "--budget", SCALED
    )
    try:
        url, command, ids_file = _read_banner(proc)
        ids = ids_file.read_text().split()
        assert len(set(ids)) == 1000
        assert _health(url)["statuses"] == {"ACTIVE": 1000}
        argv = shlex.split(command)
        assert argv[0] == "moengage-async"
        result = subprocess.run(
            [sys.executable, "-m", "moengage_async", *argv[1:], "--quiet"],
            capture_output=True,
            text=True,
            env=_CLEAN_ENV,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(
            "PAUSE: 1000 applied, 0 already, 0 failed, 0 unknown;"
        ), result.stdout
        assert _health(url)["statuses"] == {"PAUSED": 1000}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert not ids_file.exists(), "the temporary ids file outlives the sandbox"


def test_the_module_entry_point_seeds_into_a_given_file(tmp_path: Path) -> None:
    """``python -m moengage_async.sandbox --campaigns N --ids-file F`` keeps F."""
    ids_file = tmp_path / "ids.txt"
    proc = _serve(
        "moengage_async.sandbox", "--campaigns", "7", "--ids-file", str(ids_file)
    )
    try:
        url, command, printed = _read_banner(proc)
        assert printed == ids_file
        assert len(ids_file.read_text().split()) == 7
        assert _health(url)["statuses"] == {"ACTIVE": 7}
        assert "--budget" not in command  # the documented budgets need no flag
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert ids_file.exists()


async def test_seed_pausable_gives_ids_a_file_and_a_command(tmp_path: Path) -> None:
    """The Python API seeds ACTIVE pausable campaigns and a command the CLI parses."""
    async with Sandbox(budgets=SCALED) as sandbox:
        setup = sandbox.seed_pausable(25, ids_file=tmp_path / "ids")
        assert setup.ids_file.read_text().split() == list(setup.ids)
        kinds = {sandbox.campaign(i).delivery_type for i in setup.ids}
        assert kinds == {"PERIODIC", "EVENT_TRIGGERED"}
        assert {sandbox.campaign(i).status for i in setup.ids} == {"ACTIVE"}
        args = build_parser().parse_args(shlex.split(setup.command)[1:])
        assert (args.command, args.action) == ("status", "pause")
        assert args.ids_file == str(setup.ids_file)
        assert args.base_url == sandbox.url
        assert (args.workspace_id, args.api_key) == ("SANDBOX_WS", "sandbox-key")
        assert args.budget == "status:=100/0.05,1000/1"
        async with sandbox.client() as client:
            report = await client.bulk_change_status("PAUSE", list(setup.ids))
        assert (report.applied, report.failed) == (25, 0)
        assert {sandbox.campaign(i).status for i in setup.ids} == {"PAUSED"}


async def test_the_client_budgets_with_the_sandbox_table() -> None:
    """``sandbox.client()`` paces itself to the sandbox's scaled budgets."""
    async with (
        Sandbox(budgets="status:=7/0.5;search:=3/0.25") as sandbox,
        sandbox.client() as client,
    ):
        windows = {(u.budget, u.limit, u.seconds) for u in client.budgets.snapshot()}
        assert ("status", 7, 0.5) in windows
        assert ("search", 3, 0.25) in windows
        assert ("status", 10, 1.0) not in windows


async def test_explicit_client_budgets_still_win() -> None:
    """``sandbox.client(budgets=...)`` keeps the caller's budgets."""
    async with (
        Sandbox(budgets="status:=7/0.5") as sandbox,
        sandbox.client(budgets="status:=2/1") as client,
    ):
        windows = {(u.budget, u.limit, u.seconds) for u in client.budgets.snapshot()}
        assert ("status", 2, 1.0) in windows
        assert ("status", 7, 0.5) not in windows


async def test_a_busy_port_is_a_typed_error(busy_port: int) -> None:
    """Starting on a port in use raises ``SandboxStartError`` naming it."""
    sandbox = Sandbox(port=busy_port)
    with pytest.raises(SandboxStartError, match=f"127.0.0.1:{busy_port}") as info:
        await sandbox.start()
    assert isinstance(info.value, MoEngageError)
    assert info.value.errno == errno.EADDRINUSE
    assert "already in use" in str(info.value)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["moengage_async", "sandbox"], id="moengage-async"),
        pytest.param(["moengage_async.sandbox"], id="python-m-sandbox"),
    ],
)
def test_a_busy_port_on_the_command_line_is_one_line(
    command: list[str], busy_port: int
) -> None:
    """``sandbox --port <busy>``: exit 2, one line on stderr, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", *command, "--port", str(busy_port)],
        capture_output=True,
        text=True,
        env=_CLEAN_ENV,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"127.0.0.1:{busy_port}" in result.stderr
    assert "already in use" in result.stderr
    assert result.stdout == ""


def _faults_examples(parser: argparse.ArgumentParser) -> list[str]:
    """The quoted examples in the help of ``--faults`` (of a subcommand too)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return _faults_examples(action.choices["sandbox"])
        if action.dest == "faults":
            return re.findall(r"'([^']+)'", action.help or "")
    raise AssertionError("no --faults option")


@pytest.mark.parametrize(
    "parser",
    [
        pytest.param(build_parser(), id="moengage-async-sandbox"),
        pytest.param(sandbox_parser(), id="python-m-sandbox"),
    ],
)
def test_the_help_examples_of_faults_parse(parser: argparse.ArgumentParser) -> None:
    """Every ``--faults`` example the help shows is accepted."""
    examples = _faults_examples(parser)
    assert examples
    for example in examples:
        assert parse_faults(example).active, example


def test_short_fault_names_mean_their_rates() -> None:
    """``5xx`` is the error rate and ``reset`` the reset rate."""
    faults = parse_faults("5xx=0.1,reset=0.05,html=0.01")
    assert (faults.error_rate, faults.reset_rate, faults.html_rate) == (
        0.1,
        0.05,
        0.01,
    )
    with pytest.raises(ValueError, match="second time"):
        parse_faults("5xx=0.1,error_rate=0.2")


async def test_a_5xx_fault_written_short_answers_5xx() -> None:
    """A sandbox started with ``5xx=1`` answers every API call with a 5xx."""
    async with (
        Sandbox(faults="5xx=1") as sandbox,
        aiohttp.ClientSession() as session,
        session.post(
            f"{sandbox.url}/core-services/v1/campaigns/search",
            json={"request_id": "r1"},
            headers=sandbox.auth_headers(),
        ) as answer,
    ):
        assert answer.status in (500, 502, 503)
