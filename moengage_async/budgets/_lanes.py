"""Queue lanes of the memory limiter: who waits on a budget, in which order."""

from __future__ import annotations

from collections import deque

import anyio

from ._limiter import Permit
from ._policy import BulkPolicy
from ._spec import Budget
from ._window_log import BudgetState

__all__ = ["LaneBudget", "Waiter", "names_of"]


class Waiter:
    """A queued caller; ``wake()`` cuts its current sleep short.

    ``permit`` is set when another task admitted this caller on its behalf (a
    slot freed while it slept): the slot counts from that moment, not from when
    this task gets to run, so a burst of freed slots is handed out at once.
    """

    __slots__ = ("bulk", "lane", "permit", "scope", "states")

    def __init__(self, states: tuple[LaneBudget, ...], bulk: bool) -> None:
        self.states = states
        self.bulk = bulk
        self.lane = 1 if bulk else 0
        self.permit: Permit | None = None
        self.scope: anyio.CancelScope | None = None

    def wake(self) -> None:
        """Cut the current sleep short so the caller looks at its turn again."""
        if self.scope is not None:
            self.scope.cancel()


class LaneBudget(BudgetState):
    """A budget's state plus its two FIFO lanes (created only while someone waits)."""

    __slots__ = ("lanes",)

    def __init__(self, spec: Budget, policy: BulkPolicy) -> None:
        super().__init__(
            spec.name,
            spec.windows,
            successes_only=spec.successes_only,
            concurrency=spec.concurrency,
            policy=policy,
        )
        self.lanes: tuple[deque[Waiter], deque[Waiter]] | None = None

    def wake_heads(self) -> None:
        """Wake the first caller of each lane: something changed for them."""
        lanes = self.lanes
        if lanes is not None:
            for lane in lanes:
                if lane:
                    lane[0].wake()

    def queued(self) -> int:
        """How many callers wait on this budget, both lanes."""
        return 0 if self.lanes is None else len(self.lanes[0]) + len(self.lanes[1])


def names_of(states: tuple[LaneBudget, ...]) -> str:
    """The budgets' names joined by commas, for log lines and errors."""
    return ",".join(state.name for state in states)
