"""A faithful local MoEngage Campaigns server: ``async with Sandbox() as sandbox``.

Like stripe-mock or moto: V1 and V5 endpoints with the documented bodies and
errors, exact rolling-window budgets counted on arrival, seedable faults, and a
ledger that proves what was applied. Needs the ``sandbox`` extra (jsonschema).

Names load lazily, so the pytest plugin in this package imports in microseconds
and never pulls in aiohttp's server or jsonschema until a fixture is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._faults import Fault as Fault
    from ._faults import Faults as Faults
    from ._faults import parse_faults as parse_faults
    from ._ledger import Action as Action
    from ._ledger import BudgetRecord as BudgetRecord
    from ._ledger import Ledger as Ledger
    from ._ledger import RequestRecord as RequestRecord
    from ._server import PauseSetup as PauseSetup
    from ._server import Sandbox as Sandbox
    from ._server import SandboxStartError as SandboxStartError
    from ._server import serve as serve
    from ._store import Campaign as Campaign

__all__ = [
    "Action",
    "BudgetRecord",
    "Campaign",
    "Fault",
    "Faults",
    "Ledger",
    "PauseSetup",
    "RequestRecord",
    "Sandbox",
    "SandboxStartError",
    "parse_faults",
    "serve",
]

_WHERE = {
    "Action": "_ledger",
    "BudgetRecord": "_ledger",
    "Campaign": "_store",
    "Fault": "_faults",
    "Faults": "_faults",
    "Ledger": "_ledger",
    "PauseSetup": "_server",
    "RequestRecord": "_ledger",
    "Sandbox": "_server",
    "SandboxStartError": "_server",
    "parse_faults": "_faults",
    "serve": "_server",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
