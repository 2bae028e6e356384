"""Run one call in a forked child and bring back what it returned (POSIX only)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable


def in_forked_child(produce: Callable[[], bytes]) -> bytes:
    """``produce()`` as a forked copy of this process computes it, up to 1 KiB."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: report and leave at once
        os.write(write_end, produce())
        os._exit(0)
    os.close(write_end)
    try:
        return os.read(read_end, 1024)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
