"""README's two-line quickstart and ``.ci/run`` agree: CI runs exactly line 2."""

from __future__ import annotations

import re
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


# -- the README and docs/ link to what is there -----------------------------------

#: Written on another branch at the same time as these pages; drop once it is here.
PENDING_PAGES: set[str] = set()

LINK = re.compile(r"\]\(([^)\s]+)\)")
ANCHOR = re.compile(r'<a id="([\w-]+)"></a>')
CITATION = re.compile(
    r"docs/api-notes\.md(?:\]\(api-notes\.md#[\w-]+\))? (§[\d.]+|C\d+)"
)


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_relative_links_reach_files_in_the_repository() -> None:
    """Every relative link of the README and docs/ names a file that exists."""
    missing = []
    for page in pages():
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target or target.startswith(("#", "mailto:")):
                continue
            path = (page.parent / target.split("#", 1)[0]).resolve()
            relative = path.relative_to(ROOT).as_posix()
            if not path.exists() and relative not in PENDING_PAGES:
                missing.append(f"{page.relative_to(ROOT)} -> {target}")
    assert missing == []


def api_note_anchors() -> set[str]:
    return set(ANCHOR.findall((ROOT / "docs" / "api-notes.md").read_text("utf-8")))


def test_links_into_the_api_notes_reach_an_anchor() -> None:
    """``api-notes.md#x`` links point at anchors the notes define."""
    anchors = api_note_anchors()
    broken = [
        f"{page.relative_to(ROOT)}: #{anchor}"
        for page in pages()
        for anchor in re.findall(r"api-notes\.md#([\w-]+)", page.read_text("utf-8"))
        if anchor not in anchors
    ]
    assert broken == []


def test_citations_of_the_api_notes_name_sections_that_exist() -> None:
    """``docs/api-notes.md §4.2`` or ``C19`` in code, tests, docs: real sections."""
    anchors = api_note_anchors()
    cited: dict[str, list[str]] = {}
    files = [*pages(), *ROOT.glob("moengage_async/**/*.py"), *ROOT.glob("tests/*.py")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for ref in CITATION.findall(text):
            section = ref.rstrip(".").lower().replace("§", "s").replace(".", "-")
            cited.setdefault(section, []).append(path.relative_to(ROOT).as_posix())
    assert "s4-2" in cited  # the budgets cite the limits table
    unknown = {
        section: where for section, where in cited.items() if section not in anchors
    }
    assert unknown == {}
