"""Boundaries of the package, checked over its source with ``ast``.

(a) No module reads or writes another object's underscore attribute: ``x._name``
only where ``x`` is ``self``, ``cls`` or ``super()`` (dunder names are fine).
(b) A module outside a subpackage imports from it only what the subpackage's
``__init__.py`` exposes: ``from ..budgets import MemoryLimiter``, never
``from ..budgets._memory import MemoryLimiter``.
(c) docs/architecture.md's module map lists exactly the modules that exist.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import moengage_async

PACKAGE = Path(moengage_async.__file__).parent
ROOT = "moengage_async"
#: Subpackages whose modules are private: siblings go through their ``__init__``.
GUARDED = ("api", "budgets", "cli", "jobs", "transport")
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def foreign_private_attributes(source: str) -> list[str]:
    """Uses of ``x._name`` in ``source`` where ``x`` is not ``self``, ``cls`` or
    ``super()``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute) or not _is_private(node.attr):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        if (
            isinstance(owner, ast.Call)
            and isinstance(owner.func, ast.Name)
            and owner.func.id == "super"
        ):
            continue
        found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _subpackage(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == ROOT and parts[1] in GUARDED:
        return parts[1]
    return None


def private_imports(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """Imports in ``module`` that reach past another subpackage's ``__init__``."""
    own = _subpackage(module)
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {alias.name}"
                for alias in node.names
                if _subpackage(alias.name) not in (None, own)
                and alias.name.count(".") > 1
            ]
            continue
        if not isinstance(node, ast.ImportFrom):
            continue
        target = _absolute(module, node, is_package)
        package = _subpackage(target)
        if package is None or package == own:
            continue
        if target != f"{ROOT}.{package}":
            found.append(f"line {node.lineno}: from {target} import ...")
            continue
        exposed = set(importlib.import_module(target).__all__)
        found += [
            f"line {node.lineno}: from {target} import {alias.name}"
            for alias in node.names
            if _is_private(alias.name) or alias.name not in exposed
        ]
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))

#: Known exceptions, each with its reason. Owners may remove them; none may be added.
ALLOWED_PRIVATE_ATTRIBUTES = {
    # FakeClock tells "every other task is blocked" from asyncio's own task state.
    "_clock.py": {"task._fut_waiter"},
    # A permit hands its slot back to the limiter that issued it (same module).
    "budgets/_memory.py": {"self._limiter._complete"},
    "budgets/_redis.py": {"self._limiter._complete"},
    # The fault plan's sampler reads the rates of the faults it samples.
    "sandbox/_faults.py": {"faults._rates"},
}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_touches_another_objects_private_attributes(path: Path) -> None:
    """What a part needs from another is passed in or public, never ``x._name``."""
    found = {
        use.split(": ", 1)[1] for use in foreign_private_attributes(path.read_text())
    }
    allowed = ALLOWED_PRIVATE_ATTRIBUTES.get(str(path.relative_to(PACKAGE)), set())
    assert found - allowed == set()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_subpackages_are_entered_through_their_init(path: Path) -> None:
    """Other packages import a subpackage's names from its ``__init__`` only."""
    module = _module_name(path)
    found = private_imports(
        module, path.read_text(), is_package=path.name == "__init__.py"
    )
    assert found == []


def test_the_checks_catch_violations() -> None:
    """Each check reports a planted violation (a guard that cannot fail is none)."""
    attribute = "def f(client):\n    return client._call('x')\n"
    assert foreign_private_attributes(attribute) == ["line 2: client._call"]
    fine = "class A:\n    def f(self):\n        return self._x, super()._y, a.__doc__\n"
    assert foreign_private_attributes(fine) == []
    deep = "from ..budgets._memory import MemoryLimiter\n"
    assert private_imports(f"{ROOT}.jobs._plan", deep) == [
        f"line 1: from {ROOT}.budgets._memory import ..."
    ]
    hidden = "from ..api import _encode\n"
    assert private_imports(f"{ROOT}.jobs._plan", hidden) == [
        f"line 1: from {ROOT}.api import _encode"
    ]
    unexposed = "from ..api import OPERATIONS, Payload\nimport moengage_async.api._v1\n"
    found = private_imports(f"{ROOT}._client", unexposed)
    assert found == ["line 2: import moengage_async.api._v1"]
    # Inside its own subpackage a module imports its siblings directly.
    assert private_imports(f"{ROOT}.api._v1", "from ._requestor import x\n") == []


# -- layering --------------------------------------------------------------------------

#: Shared modules of the root: every package may import them.
SHARED = {"_clock", "_constants", "_errors", "_hooks"}
#: Which package may import which (docs/architecture.md, "Layering").
LAYERS = {
    "transport": set(),
    "budgets": set(),
    "models": set(),
    "api": {"budgets", "transport", "models"},
    "jobs": {"api", "budgets", "models"},
    "_client": {"api", "budgets", "jobs", "transport", "models"},
    "cli": {"_client", "jobs", "budgets", "models", "sandbox"},
    "sandbox": {"_client", "api", "budgets"},
    "_hooks": {"api"},  # typing only: ``RetryDetails`` in a callback signature
    # typing only but ``_hooks``: the client, ``RetryDetails``, budgets, progress
    "otel": {"_client", "api", "budgets", "jobs"},
}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[0] == ROOT else None


def _imported_layers(path: Path) -> set[str]:
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            layer = _layer(_absolute(module, node, is_package))
            if layer is not None:
                found.add(layer)
    return found


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_packages_import_only_lower_layers(layer: str) -> None:
    """Each package imports only the packages its layer allows (and itself)."""
    paths = (
        [PACKAGE / f"{layer}.py"]
        if layer.startswith("_")
        else sorted((PACKAGE / layer).rglob("*.py"))
    )
    imported = set().union(*(_imported_layers(path) for path in paths))
    assert imported - {layer} - SHARED <= LAYERS[layer]


# -- the module map --------------------------------------------------------------------


def _mapped_modules() -> set[str]:
    text = ARCHITECTURE.read_text()
    section = text.split("## Module map", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([\w/]+\.py)`", section, flags=re.MULTILINE))


def test_module_map_lists_exactly_the_modules() -> None:
    """docs/architecture.md names every module once, and no module that is gone."""
    existing = {str(path.relative_to(PACKAGE)) for path in SOURCES}
    assert _mapped_modules() == existing
