"""``client.budgets``: a read-only look at the workspace's budgets, for dashboards."""

from __future__ import annotations

from ._limiter import Limiter, WindowUsage

__all__ = ["BudgetView"]


class BudgetView:
    """The client's workspace seen through its limiter."""

    __slots__ = ("_limiter", "_workspace")

    def __init__(self, limiter: Limiter, workspace: str) -> None:
        self._limiter = limiter
        self._workspace = workspace

    def snapshot(self) -> list[WindowUsage]:
        """Usage per budget and window now: used, limit, in flight, queued,
        seconds until the next free slot and until a server block ends."""
        return self._limiter.snapshot(self._workspace)

    def __repr__(self) -> str:
        return f"BudgetView(workspace={self._workspace!r})"
