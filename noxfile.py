"""Automation: ``nox -s tests lint typecheck bench``."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nox

nox.options.error_on_external_run = True
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck"]
# A machine without one of PYTHONS runs the others; the missing one is reported as
# skipped, not failed (nox fails it by default when CI is set).
nox.options.error_on_missing_interpreters = False

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


def _find_pyenv_pythons() -> None:
    """Put pyenv's interpreters of PYTHONS on PATH, newest patch of each.

    pyenv's shims answer ``python3.X`` only for the versions it has selected, so nox
    would miss the others although they are installed.
    """
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = []
    for minor in PYTHONS:
        installs = [
            p
            for p in root.glob(f"{minor}.*")
            if re.fullmatch(rf"{re.escape(minor)}\.\d+", p.name)
            and (p / "bin" / f"python{minor}").exists()
        ]
        if installs:
            newest = max(installs, key=lambda p: int(p.name.rsplit(".", 1)[1]))
            found.append(str(newest / "bin"))
    if found:
        os.environ["PATH"] = os.pathsep.join([*found, os.environ.get("PATH", "")])


_find_pyenv_pythons()


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the whole test suite (the reference comparison runs on its own)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def reference(session: nox.Session) -> None:
    """Compare the bundled OpenAPI documents with ../shared/reference/openapi."""
    session.install("-e", ".[test]")
    session.run(
        "python", "-m", "pytest", ".ci/test_reference_specs.py", *session.posargs
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package."""
    session.install("-e", ".[test]")
    session.run("mypy", "--strict", "moengage_async")


@nox.session
def bench(session: nox.Session) -> None:
    """Run every ``benchmarks/bench_*.py`` script; each prints its markdown table.

    Needs the package with its test extra (sandbox, aiolimiter) and a local port
    (servers run on 127.0.0.1): no network beyond the installs. Default sizes keep
    each script under about a minute; run one directly for bigger runs
    (``python benchmarks/bench_scaling.py --bulk --bulk-max 1000000``).
    """
    session.install("-e", ".[test]")  # sandbox, aiolimiter for the comparisons
    for script in sorted(Path("benchmarks").glob("bench_*.py")):
        if script.name == "bench_request_instructions.py" and not shutil.which(
            "valgrind"
        ):
            session.warn(f"{script}: valgrind is not on PATH, not run")
            continue
        session.run("python", str(script))
