"""The ``moengage-async`` command: argument parsing, input files, the demo.

The names below are what the other modules may use; the modules are private.
"""

from __future__ import annotations

from ._main import main as main

__all__ = [
    "main",
]
