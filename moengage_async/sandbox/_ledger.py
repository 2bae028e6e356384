"""The ledger: what the sandbox accepted, applied and refused, for tests to audit.

Tests prove "applied exactly once, nothing lost" from it: every state change per
campaign in order, every arrival per budget (accepted and rejected), and every
request with the identifiers it carried.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Action", "BudgetRecord", "Ledger", "RequestRecord"]


@dataclass(frozen=True, slots=True)
class Action:
    """One accepted change to a campaign."""

    campaign_id: str
    #: ``create``, ``update``, ``publish``, ``STOP``, ``PAUSE`` or ``RESUME``.
    kind: str
    #: The operation that applied it, e.g. ``v1.change_status``.
    operation: str
    at: float
    request_id: str | None
    idempotency_key: str | None
    status_before: str | None
    status_after: str


@dataclass(slots=True)
class BudgetRecord:
    """Arrival times of one budget in one workspace, admitted and refused."""

    accepted: list[float] = field(default_factory=list)
    rejected: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as it arrived, and how the sandbox answered it."""

    operation: str
    workspace_id: str | None
    at: float
    status: int | None
    request_id: str | None
    idempotency_key: str | None
    #: The fault injected, ``none`` when the request was served normally.
    fault: str


class Ledger:
    """Append-only record of a sandbox run; cheap to write, easy to query."""

    def __init__(self, default_workspace: str) -> None:
        self._default_workspace = default_workspace
        self._actions: dict[str, list[Action]] = defaultdict(list)
        self._order: list[Action] = []
        self._budgets: dict[tuple[str, str], BudgetRecord] = {}
        self._requests: list[RequestRecord] = []

    # -- writing ---------------------------------------------------------------

    def record_action(self, action: Action) -> None:
        """Append one applied change."""
        self._actions[action.campaign_id].append(action)
        self._order.append(action)

    def record_budget(
        self, workspace_id: str, name: str, at: float, *, accepted: bool
    ) -> None:
        """Append one arrival to a budget's record."""
        record = self._budgets.get((workspace_id, name))
        if record is None:
            record = self._budgets[(workspace_id, name)] = BudgetRecord()
        (record.accepted if accepted else record.rejected).append(at)

    def record_request(self, record: RequestRecord) -> None:
        """Append one answered (or dropped) request."""
        self._requests.append(record)

    # -- reading ---------------------------------------------------------------

    def actions(self, campaign_id: str | None = None) -> list[Action]:
        """Applied changes of one campaign (or all campaigns), oldest first."""
        if campaign_id is None:
            return list(self._order)
        return list(self._actions.get(campaign_id, ()))

    def campaign_ids(self) -> list[str]:
        """Every campaign that has at least one action, in creation order."""
        return list(self._actions)

    def budget(self, name: str, workspace_id: str | None = None) -> BudgetRecord:
        """Arrival times of ``name`` (a copy; empty when never used)."""
        record = self._budgets.get((workspace_id or self._default_workspace, name))
        if record is None:
            return BudgetRecord()
        return BudgetRecord(list(record.accepted), list(record.rejected))

    def max_in_window(
        self, name: str, seconds: float, workspace_id: str | None = None
    ) -> int:
        """Most accepted arrivals of ``name`` inside any interval of ``seconds``.

        The interval is half-open, ``[t, t + seconds)``, as the windows count.
        """
        times = sorted(self.budget(name, workspace_id).accepted)
        best = 0
        for i, start in enumerate(times):
            end = bisect.bisect_left(times, start + seconds, lo=i)
            best = max(best, end - i)
        return best

    def requests(self, operation: str | None = None) -> list[RequestRecord]:
        """Requests seen (optionally of one operation), in arrival order."""
        if operation is None:
            return list(self._requests)
        return [r for r in self._requests if r.operation == operation]

    def idempotency_keys(self, operation: str | None = None) -> list[str | None]:
        """The ``Idempotency-Key`` of every request seen, in arrival order."""
        return [r.idempotency_key for r in self.requests(operation)]

    def to_json(self) -> dict[str, Any]:
        """Everything, as plain JSON-ready data (served at ``/_sandbox/ledger``)."""
        budgets: dict[str, dict[str, Any]] = defaultdict(dict)
        for (ws, name), record in self._budgets.items():
            budgets[ws][name] = asdict(record)
        return {
            "actions": {
                cid: [asdict(a) for a in actions]
                for cid, actions in self._actions.items()
            },
            "budgets": dict(budgets),
            "requests": [asdict(r) for r in self._requests],
        }
