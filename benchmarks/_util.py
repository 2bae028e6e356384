"""Shared bits of the benchmark scripts: a table printer, the instant server, timing."""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["instant_server", "median", "print_table"]


def print_table(
    title: str, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    """Print a markdown table (pasteable into the README)."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    sys.stdout.flush()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


@contextlib.contextmanager
def instant_server(kind: str = "raw") -> Iterator[str]:
    """Start ``_instant_server.py`` in a child process; yield its base URL."""
    script = Path(__file__).with_name("_instant_server.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), "--kind", kind],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
