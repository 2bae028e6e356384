"""The public surface: ``__all__`` is sorted and matches what each module defines."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import moengage_async

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(
        moengage_async.__path__, prefix="moengage_async."
    )
    if not name.endswith("__main__")
)


@pytest.mark.parametrize("module_name", ["moengage_async", *MODULES])
def test_all_is_sorted_and_defined(module_name: str) -> None:
    """Every module's ``__all__`` is sorted, unique, and names real attributes."""
    module = importlib.import_module(module_name)
    exported = list(getattr(module, "__all__", []))
    assert exported == sorted(exported), f"{module_name}.__all__ is not sorted"
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert hasattr(module, name), f"{module_name}.__all__ names missing {name}"


# Subpackages by concern; their modules are private and users import from the root.
INTERNAL_PACKAGES = {"api", "budgets", "cli", "jobs", "transport"}


def test_root_exports_every_public_name() -> None:
    """Names re-exported at the root are exactly its ``__all__``."""
    public = (
        {
            name
            for name in vars(moengage_async)
            # ``isidentifier``: pytest's assertion rewriting (the package ships a
            # pytest11 plugin) adds ``@py_builtins``/``@pytest_ar`` to the namespace.
            if name.isidentifier()
            and not name.startswith("_")
            and name not in {"annotations", "models"}
        }
        - {"version", "PackageNotFoundError"}
        - INTERNAL_PACKAGES
    )
    # Public modules imported on demand, not re-exported names.
    modules = {"sandbox", "otel"}
    assert public - modules == set(moengage_async.__all__) - {"__version__"}
