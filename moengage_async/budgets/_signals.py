"""MoEngage's ``x-ratelimit-*`` headers matched to the ledger's windows.

A header triple ``(limit, remaining, reset)`` describes one window of the
operation's budgets (the sandbox: the tightest one). ``match_window`` picks the
configured window it describes; ``ServerLimits`` remembers, per workspace, limits
the server reports that differ from the configured ones (logged once, shown in
snapshots) and the limits in force: a lower one at once, a higher one only with
``learn_limits``.

The rule, in order:

1. A window shorter than ``reset`` (one second of slack for whole-second
   rounding) cannot be the one described: a rolling window frees its next slot
   within its own length. If that leaves none, all windows stay candidates.
2. A candidate whose limit equals the header's is the one; several: the longest
   (its usage is held the longest, so tightening it is the safe choice).
3. Otherwise the limit differs from every candidate's: the window whose limit is
   nearest the header's by ratio (ties: the longer one). That window is told the
   server's limit.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from ._limiter import WindowUsage
from ._spec import Budget

__all__ = [
    "Candidate",
    "Departures",
    "Observed",
    "ServerLimits",
    "match_window",
    "phantoms_needed",
]

log = logging.getLogger("moengage_async.budgets")

#: Slack for a reset rounded up to whole seconds.
_RESET_SLACK_S = 1.0


class Candidate(NamedTuple):
    """One window of one budget, with its limit in force (configured or learned)."""

    budget: str
    seconds: float
    limit: int


class Observed(NamedTuple):
    """What a limiter made of one header triple.

    ``budget``/``seconds`` name the window it matched, ``limit`` that window's limit
    in force afterwards, ``added`` the phantom usage recorded (slots the server
    counted and the ledger did not).
    """

    budget: str
    seconds: float
    limit: int
    added: int


def match_window(
    candidates: Sequence[Candidate], limit: int, reset_s: float
) -> Candidate | None:
    """The window a header triple describes (see the module's rule)."""
    eligible = [c for c in candidates if reset_s <= c.seconds + _RESET_SLACK_S]
    if not eligible:
        eligible = list(candidates)
    if not eligible:
        return None
    exact = [c for c in eligible if c.limit == limit]
    if exact:
        return max(exact, key=lambda c: c.seconds)
    return min(eligible, key=lambda c: (abs(math.log(limit / c.limit)), -c.seconds))


class ServerLimits:
    """Limits the server reported, per workspace, budget and window length.

    A reported limit below the one in force is adopted (tightening); ``learn``
    also adopts one above it. Nothing exceeds the configuration without
    ``learn``.
    """

    __slots__ = ("_budgets", "_learned", "_reported", "learn")

    def __init__(self, budgets: Mapping[str, Budget], *, learn: bool) -> None:
        self._budgets = budgets
        self.learn = learn
        self._reported: dict[tuple[str, str, float], int] = {}
        self._learned: dict[tuple[str, str, float], int] = {}

    def candidates(self, workspace: str, names: Iterable[str]) -> list[Candidate]:
        """Every window of these budgets with the limit in force for ``workspace``."""
        learned = self._learned
        return [
            Candidate(
                name, w.seconds, learned.get((workspace, name, w.seconds), w.limit)
            )
            for name in dict.fromkeys(names)
            for w in self._budgets[name].windows
        ]

    def learned(self, workspace: str, budget: str, seconds: float) -> int | None:
        """The limit in force for this window when it is not the configured one."""
        return self._learned.get((workspace, budget, seconds))

    def note(self, workspace: str, window: Candidate, reported: int) -> int | None:
        """Record the server's ``reported`` limit for ``window``; return the new
        limit in force when it changes, else ``None``.

        A lower limit is adopted at once (tightening is always safe); a higher
        one only with ``learn``, except that a limit lowered before returns to
        the configured one. Without ``learn`` nothing exceeds the configuration.
        """
        key = (workspace, window.budget, window.seconds)
        configured = next(
            w.limit
            for w in self._budgets[window.budget].windows
            if w.seconds == window.seconds
        )
        if reported == configured:
            self._reported.pop(key, None)
        elif self._reported.get(key) != reported:
            self._reported[key] = reported
            log.warning(
                "MoEngage reports a limit of %d for budget %s/%s (window %gs); "
                "configured: %d%s",
                reported,
                workspace,
                window.budget,
                window.seconds,
                configured,
                " (learn_limits=True adopts a higher one)"
                if reported > configured and not self.learn
                else "",
            )
        in_force = window.limit
        if reported < in_force or self.learn:
            new = reported
        else:
            new = min(reported, configured)
        if new == in_force:
            return None
        if new == configured:
            self._learned.pop(key, None)
        else:
            self._learned[key] = new
        log.info(
            "budget %s/%s window %gs: limit %d in force (was %d)",
            workspace,
            window.budget,
            window.seconds,
            new,
            in_force,
        )
        return new

    def annotate(self, workspace: str, rows: list[WindowUsage]) -> list[WindowUsage]:
        """``rows`` with each window's ``server_limit`` and the limit in force."""
        if not self._reported and not self._learned:
            return rows
        out: list[WindowUsage] = []
        for row in rows:
            key = (workspace, row.budget, row.seconds)
            reported = self._reported.get(key)
            limit = self._learned.get(key, row.limit)
            if reported is None and limit == row.limit:
                out.append(row)
            else:
                out.append(dataclasses.replace(row, limit=limit, server_limit=reported))
        return out


def phantoms_needed(limit: int, counted: int, remaining: int) -> int:
    """Slots to add so the ledger's free slots (``limit - counted``) are no more
    than the server's ``remaining``; at most ``limit``."""
    return max(0, min(limit, limit - counted - remaining))


class _Stamps:
    """Sorted stamp times; the oldest are dropped by moving ``head``."""

    __slots__ = ("head", "keep", "times")

    def __init__(self, keep: float) -> None:
        self.keep = keep
        self.times: list[float] = []
        self.head = 0


class Departures:
    """When the observed answers and phantoms were stamped, per workspace and
    budget, kept two of the budget's longest windows.

    The server counted the ledger's usage as it stood when the request *arrived*;
    the answer is read later, when some of that usage may have left the ledger's
    window while still inside the server's. ``between`` counts those, so they are
    not taken for usage the ledger never saw. (A memory ledger forgets what
    leaves its windows; Redis keeps its stamps and needs no such record.)
    """

    __slots__ = ("_budgets", "_stamps")

    def __init__(self, budgets: Mapping[str, Budget]) -> None:
        self._budgets = budgets
        self._stamps: dict[tuple[str, str], _Stamps] = {}

    def record(self, workspace: str, budget: str, now: float, count: int = 1) -> None:
        """``count`` stamps made at ``now`` (never earlier than the last)."""
        stamps = self._stamps.get((workspace, budget))
        if stamps is None:
            longest = max((w.seconds for w in self._budgets[budget].windows), default=0)
            stamps = self._stamps[(workspace, budget)] = _Stamps(2 * longest)
        times = stamps.times
        head = bisect.bisect_right(times, now - stamps.keep, stamps.head)
        if head > len(times) // 2:  # compact now and then: amortised O(1)
            del times[:head]
            head = 0
        stamps.head = head
        times.extend([now] * count)

    def between(self, workspace: str, budget: str, low: float, high: float) -> int:
        """How many recorded stamps lie in ``(low, high]``."""
        stamps = self._stamps.get((workspace, budget))
        if stamps is None:
            return 0
        times, head = stamps.times, stamps.head
        return bisect.bisect_right(times, high, head) - bisect.bisect_right(
            times, low, head
        )
