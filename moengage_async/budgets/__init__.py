"""Budgets: the rate limits as data, and the limiters that enforce them.

The names below are what the other subpackages may use; the modules are private.
"""

from __future__ import annotations

from ._limiter import Limiter as Limiter
from ._limiter import Permit as Permit
from ._limiter import SignalObserver as SignalObserver
from ._limiter import UnlimitedLimiter as UnlimitedLimiter
from ._limiter import WindowUsage as WindowUsage
from ._limiter import fast_path as fast_path
from ._memory import MemoryLimiter as MemoryLimiter
from ._policy import BulkPolicy as BulkPolicy
from ._policy import StaticShare as StaticShare
from ._policy import WorkConserving as WorkConserving
from ._redis import BudgetBackendError as BudgetBackendError
from ._redis import RedisLimiter as RedisLimiter
from ._redis import limiter_from_env as limiter_from_env
from ._reserve import CURRENT_RESERVATION as CURRENT_RESERVATION
from ._reserve import DEFAULT_LEASE_S as DEFAULT_LEASE_S
from ._reserve import BudgetExhausted as BudgetExhausted
from ._reserve import Reservation as Reservation
from ._rule import bulk_limit as bulk_limit
from ._rule import bulk_windows as bulk_windows
from ._schedule import PriorUsage as PriorUsage
from ._schedule import bulk_view as bulk_view
from ._schedule import earliest_finish as earliest_finish
from ._schedule import earliest_finish_s as earliest_finish_s
from ._schedule import prior_from_snapshot as prior_from_snapshot
from ._schedule import schedule_groups as schedule_groups
from ._spec import DEFAULT_BUDGETS as DEFAULT_BUDGETS
from ._spec import Budget as Budget
from ._spec import BudgetOverrides as BudgetOverrides
from ._spec import Priority as Priority
from ._spec import Window as Window
from ._spec import budgets_from_env as budgets_from_env
from ._spec import exactly as exactly
from ._spec import format_budgets as format_budgets
from ._spec import parse_budgets as parse_budgets
from ._spec import resolve_budgets as resolve_budgets
from ._view import BudgetView as BudgetView

__all__ = [
    "Budget",
    "BudgetBackendError",
    "BudgetExhausted",
    "BudgetOverrides",
    "BudgetView",
    "BulkPolicy",
    "CURRENT_RESERVATION",
    "DEFAULT_BUDGETS",
    "DEFAULT_LEASE_S",
    "Limiter",
    "MemoryLimiter",
    "Permit",
    "PriorUsage",
    "Priority",
    "RedisLimiter",
    "Reservation",
    "SignalObserver",
    "StaticShare",
    "UnlimitedLimiter",
    "Window",
    "WindowUsage",
    "WorkConserving",
    "budgets_from_env",
    "bulk_limit",
    "bulk_view",
    "bulk_windows",
    "earliest_finish",
    "earliest_finish_s",
    "exactly",
    "fast_path",
    "format_budgets",
    "limiter_from_env",
    "parse_budgets",
    "prior_from_snapshot",
    "resolve_budgets",
    "schedule_groups",
]
