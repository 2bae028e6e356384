"""The CI guard (tests/ci_guard.py) on small suites of its own, run by a real pytest.

Each case writes a test file to a temporary folder and runs pytest on it in a child
process with ``-p ci_guard`` and ``CI=true``: a skip fails the run, except a
``requires_task_uncancel`` test on Python 3.10; without ``CI`` a skip is only a skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

PLAIN_SKIP = """
import pytest

def test_runs():
    pass

def test_skipped():
    pytest.skip("no reason good enough for CI")
"""

GATED = """
import pytest

@pytest.mark.requires_task_uncancel
def test_needs_uncancel():
    import asyncio
    assert hasattr(asyncio.Task, "uncancel")

def test_runs():
    pass
"""

GATED_AND_PLAIN_SKIP = GATED + PLAIN_SKIP.replace("import pytest", "").replace(
    "def test_runs", "def test_runs_too"
)


def run_suite(tmp_path: Path, source: str, *, ci: str | None) -> int:
    """Run pytest with the guard on ``source``; return its exit code."""
    (tmp_path / "test_case.py").write_text(source)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), env.get("PYTHONPATH")])
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "ci_guard",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:moengage_sandbox",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode


def test_a_skip_fails_the_run_in_ci(tmp_path: Path) -> None:
    """``CI=true`` turns an ordinary skip into a failed run."""
    assert run_suite(tmp_path, PLAIN_SKIP, ci="true") == pytest.ExitCode.TESTS_FAILED


def test_a_skip_is_only_a_skip_outside_ci(tmp_path: Path) -> None:
    """Without ``CI`` the same suite passes, its skip reported as such."""
    assert run_suite(tmp_path, PLAIN_SKIP, ci=None) == pytest.ExitCode.OK


def test_the_version_gated_test_passes_the_guard(tmp_path: Path) -> None:
    """A ``requires_task_uncancel`` test runs on 3.11+, and may skip only on 3.10."""
    assert run_suite(tmp_path, GATED, ci="true") == pytest.ExitCode.OK


def test_the_gate_excuses_no_other_skip(tmp_path: Path) -> None:
    """Beside a version-gated test, an ordinary skip still fails the run in CI."""
    code = run_suite(tmp_path, GATED_AND_PLAIN_SKIP, ci="true")
    assert code == pytest.ExitCode.TESTS_FAILED
