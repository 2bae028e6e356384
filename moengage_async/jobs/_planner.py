"""``Planner``: what a job costs under one workspace's budgets and current usage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._clock import Clock
from ..api import OPERATIONS
from ..budgets import DEFAULT_BUDGETS, Budget, Limiter, Priority, WindowUsage
from ._plan import Plan, plan_requests, status_change_requests

__all__ = ["Planner"]


class Planner:
    """Plans jobs of one workspace against its limiter's budgets; sends nothing."""

    __slots__ = ("_clock", "_limiter", "_workspace")

    def __init__(self, limiter: Limiter, workspace: str, clock: Clock) -> None:
        self._limiter = limiter
        self._workspace = workspace
        self._clock = clock

    def __repr__(self) -> str:
        return f"Planner(workspace={self._workspace!r})"

    def budgets_in_use(self) -> Mapping[str, Budget]:
        """The budgets the limiter enforces (the documented table if unknown)."""
        found = getattr(self._limiter, "budgets", None)
        return found if isinstance(found, Mapping) else DEFAULT_BUDGETS

    def bulk_share_for(self, priority: Priority) -> float:
        """The share of each window ``priority`` may fill (1 for interactive)."""
        if priority is Priority.INTERACTIVE:
            return 1.0
        share = getattr(self._limiter, "bulk_share", 1.0)
        return float(share) if isinstance(share, (int, float)) else 1.0

    def horizon(self, operation: str) -> tuple[float, int]:
        """How far back and how many of a job's own request stamps can matter to
        a plan of ``operation``: its longest window and its largest limit."""
        budgets = self.budgets_in_use()
        windows = [w for n in OPERATIONS[operation].budgets for w in budgets[n].windows]
        return (
            max((w.seconds for w in windows), default=0.0),
            max((w.limit for w in windows), default=0),
        )

    def at_full_windows(self, operation: str, requests: int) -> float:
        """The least time ``requests`` requests of ``operation`` need under the full
        windows of its budgets, from an unused budget: the yardstick of a job."""
        budgets = self.budgets_in_use()
        chosen = {n: budgets[n] for n in OPERATIONS[operation].budgets}
        return plan_requests(operation, requests, requests, chosen).earliest_finish_s

    def usage(self) -> list[WindowUsage]:
        """The workspace's usage per budget and window now."""
        return self._limiter.snapshot(self._workspace)

    def plan(
        self,
        operation: str,
        items: int,
        requests: int,
        priority: Priority = Priority.BULK,
        sent: Iterable[float] = (),
    ) -> Plan:
        """Plan ``requests`` requests of ``operation`` (an operation-table name).

        Every plan and ETA comes from here: ``plan_*``, ``--dry-run`` and the
        progress ETAs of the bulk jobs, which pass ``sent``, the clock times of
        their own completed requests (the usage snapshot counts them, but cannot
        say when they leave the windows).
        """
        return plan_requests(
            operation,
            items,
            requests,
            self.budgets_in_use(),
            usage=self.usage(),
            now=self._clock.now(),
            priority=priority,
            sent=sent,
        )

    def plan_status_change(
        self, n_ids: int, *, api_version: int = 1, priority: Priority = Priority.BULK
    ) -> Plan:
        """Plan a bulk status change of ``n_ids`` campaigns; nothing is sent.

        Example: 20,000 pauses are 2,000 V1 requests, ~19 minutes under the
        documented 10/s, 100/min, 6000/h at full windows (longer at the limiter's
        bulk share, and if the budget is already in use).
        """
        requests = status_change_requests(n_ids, api_version=api_version)
        op = "v1.change_status" if api_version == 1 else "v5.change_status"
        return self.plan(op, n_ids, requests, priority)

    def plan_creation(
        self, n_items: int, *, api_version: int = 1, priority: Priority = Priority.BULK
    ) -> Plan:
        """Plan ``n_items`` creations (each one success under ``create_success``)."""
        if n_items < 0:
            raise ValueError("n_items must be >= 0")
        op = "v1.create_campaign" if api_version == 1 else "v5.create_draft"
        return self.plan(op, n_items, n_items, priority)
