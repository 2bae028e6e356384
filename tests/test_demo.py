"""The demo: a bulk pause against the embedded sandbox, its table and its plot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from moengage_async.budgets._spec import Window
from moengage_async.cli._demo import demo, render_table
from moengage_async.cli._plot import rolling_counts, rolling_series

FAST = "status:=10/0.02,100/0.5"


async def test_demo_pauses_everything_without_a_429() -> None:
    """The demo run pauses every seeded campaign and never meets a 429."""
    result = await demo(300, budgets=FAST)
    assert (result.applied, result.failed, result.rate_limited) == (300, 0, 0)
    assert result.requests == 30
    assert result.elapsed_s >= result.minimum_s
    # Alone, the job is planned (and its ETA computed) at the full windows.
    assert result.minimum_s > 0
    assert result.planned_s == pytest.approx(result.minimum_s, abs=1e-9)


async def test_demo_table_reports_rate_and_minimum() -> None:
    """The closing table names requests, 429s, rate vs budget and time vs minimum."""
    text = render_table(await demo(150, budgets=FAST))
    labels = ("requests", "429 responses", "achieved rate", "theoretical minimum")
    for label in (*labels, "at full windows", "planned"):
        assert label in text


def test_rolling_counts_count_each_window() -> None:
    """Rolling counts include arrivals in (t - seconds, t]."""
    assert rolling_counts([0.0, 0.1, 0.2, 1.0, 1.05], Window(10, 1.0)) == [
        1,
        2,
        3,
        3,
        4,
    ]


def test_demo_command_writes_a_png_timeline(tmp_path: Path) -> None:
    """``moengage-async demo --plot`` prints the table and writes a PNG."""
    out = tmp_path / "timeline.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "moengage_async",
            "demo",
            "--ids",
            "200",
            "--budget",
            FAST,
            "--plot",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "429 responses" in result.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rolling_series_drops_when_arrivals_leave_the_window() -> None:
    """The plotted count falls back when arrivals age out of the window."""
    xs, ys = rolling_series([0.0, 0.5], Window(10, 1.0))
    assert list(zip(xs, ys, strict=True)) == [(0.0, 1), (0.5, 2), (1.0, 1), (1.5, 0)]
