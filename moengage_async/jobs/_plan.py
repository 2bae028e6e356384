"""Plans: how many requests a job needs and the earliest time it can end.

The schedule maths itself lives in ``budgets._schedule`` (one schedule function
for every plan and ETA); this module counts requests and asks it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .._constants import MAX_STATUS_BATCH
from ..api import OPERATIONS
from ..budgets import (
    Budget,
    Priority,
    PriorUsage,
    WindowUsage,
    bulk_view,
    bulk_windows,
    earliest_finish,
    prior_from_snapshot,
    schedule_groups,
)

__all__ = [
    "Plan",
    "PriorUsage",
    "bulk_windows",
    "earliest_finish",
    "format_duration",
    "plan_requests",
    "prior_from_snapshot",
    "schedule_groups",
    "status_change_requests",
]


@dataclass(frozen=True)
class Plan:
    """What a job will cost before anything is sent.

    ``earliest_finish_s`` is measured from the moment of planning to the instant the
    last request may be sent (response latency not included): no schedule that
    respects every window of ``budgets`` can be shorter.
    """

    operation: str
    items: int
    requests: int
    budgets: tuple[str, ...]
    earliest_finish_s: float

    def describe(self) -> str:
        """One human line, e.g. for ``--dry-run``."""
        return (
            f"{self.operation}: {self.items} item(s) -> {self.requests} request(s) "
            f"via budget(s) {', '.join(self.budgets)}; earliest finish in "
            f"{format_duration(self.earliest_finish_s)}"
        )


def format_duration(seconds: float) -> str:
    """Render seconds as ``2d 03h 04m 05s``-style text (short units, no zeros)."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    return " ".join(f"{v}{u}" for v, u in parts if v) or "0s"


def status_change_requests(n_ids: int, *, api_version: int = 1) -> int:
    """Requests needed to change the status of ``n_ids`` campaigns (no bisection)."""
    if n_ids < 0:
        raise ValueError("n_ids must be >= 0")
    if api_version == 1:
        return math.ceil(n_ids / MAX_STATUS_BATCH)
    if api_version == 5:
        return n_ids
    raise ValueError(f"api_version must be 1 or 5, got {api_version!r}")


def plan_requests(
    operation: str,
    items: int,
    requests: int,
    budgets: Mapping[str, Budget],
    *,
    usage: Iterable[WindowUsage] = (),
    now: float = 0.0,
    priority: Priority = Priority.INTERACTIVE,
    sent: Iterable[float] = (),
) -> Plan:
    """Plan ``requests`` requests of ``operation`` (a name in the operation table).

    A ``Priority.BULK`` plan leaves free what the limiter's bulk policy keeps for
    interactive calls (``usage``'s ``reserved``, a static share included).
    ``sent``: the clock times of requests a running job has completed, which the
    snapshot counts but cannot date.
    """
    usage = list(usage)
    names = OPERATIONS[operation].budgets
    chosen = {name: budgets[name] for name in names}
    if priority is Priority.BULK:
        chosen = {name: bulk_view(b, usage) for name, b in chosen.items()}
    windows, blocked = prior_from_snapshot(
        [u for u in usage if u.budget in chosen], chosen, now, sent
    )
    finish = earliest_finish(windows, requests, start=now, blocked_until=blocked)
    return Plan(operation, items, requests, tuple(names), max(finish - now, 0.0))
