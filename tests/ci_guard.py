"""The CI guard: with ``CI=true`` a skipped test fails the run.

The one exception is declared, not inferred: a test marked ``requires_task_uncancel``
(it needs ``asyncio.Task.uncancel``, new in Python 3.11) is skipped on Python 3.10,
and the guard accepts exactly those skips there. On 3.11 and newer the marker skips
nothing, so any skip fails CI. ``tests/conftest.py`` registers these hooks;
``tests/test_ci_guard.py`` runs them on small suites of their own (``-p ci_guard``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest


def in_ci() -> bool:
    """``CI`` is set to a true value (read when the run ends)."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


#: ``asyncio.Task.uncancel`` exists (Python 3.11+).
HAS_TASK_UNCANCEL = sys.version_info >= (3, 11)

#: Node ids skipped because this Python lacks ``Task.uncancel`` (3.10 only).
_version_gated: set[str] = set()


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker (also listed in pyproject.toml for the main suite)."""
    config.addinivalue_line(
        "markers",
        "requires_task_uncancel: needs asyncio.Task.uncancel; skipped on 3.10 only",
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Skip ``requires_task_uncancel`` tests on Python 3.10, and remember which."""
    if HAS_TASK_UNCANCEL:
        return
    skip = pytest.mark.skip(reason="needs asyncio.Task.uncancel (Python 3.11+)")
    for item in items:
        if item.get_closest_marker("requires_task_uncancel") is not None:
            item.add_marker(skip)
            _version_gated.add(item.nodeid)


def unexpected_skips(skipped: list[Any]) -> list[Any]:
    """The skip reports the CI guard refuses: all but the version-gated ones."""
    return [report for report in skipped if report.nodeid not in _version_gated]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run in CI when a test was skipped (bar the version-gated ones)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not in_ci() or reporter is None:
        return
    refused = unexpected_skips(reporter.stats.get("skipped", []))
    reporter.ensure_newline()
    if refused:
        reporter.write_line(
            f"CI=true: {len(refused)} test(s) skipped; every test must run in CI",
            red=True,
        )
        for report in refused:
            reporter.write_line(f"  skipped: {report.nodeid}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    gated = len(reporter.stats.get("skipped", [])) - len(refused)
    if gated:
        reporter.write_line(
            f"CI=true: {gated} test(s) need Task.uncancel and were skipped on "
            f"Python {sys.version_info.major}.{sys.version_info.minor} (allowed)"
        )
