"""README's two-line quickstart and ``.ci/run`` agree: CI runs exactly line 2."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quickstart() -> list[str]:
    lines = (ROOT / "README.md").read_text().splitlines()
    start = lines.index("```bash") + 1
    return lines[start : start + 2]


def test_quickstart_has_install_and_test_lines() -> None:
    """Line 1 installs and runs the demo; line 2 installs and runs the suite."""
    demo, test = quickstart()
    assert demo.startswith("pip install ") and "moengage-async" in demo
    assert test.startswith("pip install ") and "pytest" in test


def test_ci_runs_readme_line_two() -> None:
    """``.ci/run`` extracts and runs the README's second quickstart line."""
    script = (ROOT / ".ci" / "run").read_text()
    assert "sed -n '/^```bash$/{n;n;p;q}' README.md" in script
    assert 'bash -c "$TEST_LINE"' in script
