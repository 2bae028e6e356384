"""The command never shows a traceback: each failure is one line on stderr with
its exit code (docs/cli.md). ``main()`` runs in-process, its output captured;
requests, if any, would reach a recording server on 127.0.0.1."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from moengage_async.budgets import parse_budgets
from moengage_async.cli import main
from moengage_async.cli._main import build_parser
from moengage_async.jobs import Journal
from moengage_async.jobs._journal import JournalItem
from moengage_async.sandbox import parse_faults
from tests.recording_server import TEST_API_KEY
from tests.test_bulk_create_fake import push


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert TEST_API_KEY not in out + err
    return code, out, err


@pytest.fixture
def campaigns(tmp_path: Path) -> Path:
    path = tmp_path / "campaigns.jsonl"
    path.write_text("".join(json.dumps(push(f"c{i}")) + "\n" for i in range(2)))
    return path


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOENGAGE_WORKSPACE_ID", "ws")
    monkeypatch.setenv("MOENGAGE_API_KEY", TEST_API_KEY)
    for name in ("MOENGAGE_BUDGETS", "MOENGAGE_DATA_CENTER", "MOENGAGE_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)


def test_version_prints_the_installed_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--version`` prints the distribution's version and exits 0."""
    import importlib.metadata

    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert (
        out.strip() == f"moengage-async {importlib.metadata.version('moengage-async')}"
    )


def test_a_changed_file_under_the_same_job_id_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], campaigns: Path, tmp_path: Path, creds: None
) -> None:
    """The journal holds other items for the job: exit 2, one line, nothing sent."""
    journal = tmp_path / "j.sqlite"
    store = Journal(journal)
    store.register(
        "campaigns", [JournalItem(0, "rid-0", "another-digest", "x", "PUSH")], now=0
    )
    store.close()
    code, _, err = _run(
        capsys,
        "create",
        "--file", str(campaigns),
        "--journal", str(journal),
        "--base-url", "http://127.0.0.1:9",
    )  # fmt: skip
    assert code == 2
    assert err.count("\n") == 1 and "--job-id" in err


def test_an_unwritable_journal_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], campaigns: Path, tmp_path: Path, creds: None
) -> None:
    """A journal path that cannot be opened: exit 2, one line naming it."""
    bad = tmp_path / "no-such-dir" / "j.sqlite"
    code, _, err = _run(
        capsys,
        "create",
        "--file", str(campaigns),
        "--journal", str(bad),
        "--base-url", "http://127.0.0.1:9",
    )  # fmt: skip
    assert code == 2
    assert err.count("\n") == 1 and str(bad) in err


def test_demo_plot_without_matplotlib_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``demo --plot`` without the plot extra says what to install; exit 2."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    code, _, err = _run(capsys, "demo", "--ids", "10", "--plot", "out.png")
    assert code == 2
    assert "pip install 'moengage-async[plot]'" in err
    assert err.count("\n") == 1


def test_bad_budgets_in_the_environment_name_the_variable(
    capsys: pytest.CaptureFixture[str],
    campaigns: Path,
    monkeypatch: pytest.MonkeyPatch,
    creds: None,
) -> None:
    """``MOENGAGE_BUDGETS=garbage`` is reported as the variable, not ``--budget``."""
    monkeypatch.setenv("MOENGAGE_BUDGETS", "garbage")
    code, _, err = _run(capsys, "create", "--file", str(campaigns), "--dry-run")
    assert code == 2
    assert "MOENGAGE_BUDGETS" in err and "--budget" not in err
    code, _, err = _run(
        capsys, "create", "--file", str(campaigns), "--dry-run", "--budget", "x"
    )
    assert code == 2 and "bad --budget" in err


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        pytest.param(["--base-url", "notaurl"], "base_url", id="base-url"),
        pytest.param(["--base-url", "http://"], "base_url", id="base-url-no-host"),
        pytest.param(["--data-center", "99"], "data_center", id="data-center"),
        pytest.param(["--workspace-id", "w{s}"], "workspace_id", id="workspace"),
    ],
)
def test_bad_connection_settings_are_usage_errors_before_any_request(
    capsys: pytest.CaptureFixture[str],
    campaigns: Path,
    creds: None,
    flags: list[str],
    named: str,
) -> None:
    """Refused when the client is built: exit 2 at once, one line naming it."""
    code, _, err = _run(capsys, "create", "--file", str(campaigns), *flags)
    assert code == 2
    assert named in err and err.count("\n") == 1


def test_an_unexpected_error_is_one_line_with_code_70(
    capsys: pytest.CaptureFixture[str],
    campaigns: Path,
    creds: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A defect still prints one line (exit 70); MOENGAGE_DEBUG=1 re-raises it."""
    import moengage_async.cli._main as cli_main

    def broken(path: str) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_main, "read_jsonl", broken)
    code, _, err = _run(capsys, "create", "--file", str(campaigns))
    assert code == 70
    assert "RuntimeError: boom" in err and "MOENGAGE_DEBUG=1" in err
    monkeypatch.setenv("MOENGAGE_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["create", "--file", str(campaigns)])


#: How each option's example values are checked; an example of an option not
#: listed here fails the test below until it gets a checker.
_EXAMPLE_CHECKS = {"--budget": parse_budgets, "--faults": parse_faults}


def _help_examples() -> list[tuple[str, str, str]]:
    """(subcommand, option, example) for every ``e.g. '...'`` in the help."""
    parser = build_parser()
    subparsers = next(
        a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"
    )
    return [
        (name, action.option_strings[0], example)
        for name, sub in subparsers.choices.items()  # type: ignore[attr-defined]
        for action in sub._actions
        for example in re.findall(r"e\.g\. '([^']+)'", action.help or "")
    ]


def test_every_help_example_parses() -> None:
    """Each quoted example in every subcommand's help is accepted by its parser."""
    examples = _help_examples()
    assert {option for _, option, _ in examples} == set(_EXAMPLE_CHECKS)
    for _, option, example in examples:
        _EXAMPLE_CHECKS[option](example)


@pytest.mark.parametrize("share", ["0", "1.5", "nan"])
def test_a_bad_bulk_share_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], share: str
) -> None:
    """``--bulk-share`` outside (0, 1] is refused before anything is planned or sent."""
    code, out, err = _run(
        capsys, "status", "pause", "c1", "--dry-run", "--bulk-share", share
    )
    assert code == 2 and out == ""
    assert "bulk_share must be in (0, 1]" in err
