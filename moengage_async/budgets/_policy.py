"""Who may use a window's slots: the bulk policy, once (Python, and Lua for Redis).

``WorkConserving`` (the default) lends every slot to bulk work except a small
headroom kept free for interactive calls, and only while interactive calls are
around:

- Interactive demand is observed per budget: the interactive calls admitted in
  the current and the previous bucket of ``demand_s`` seconds (fixed buckets, so
  the state is five numbers, the same in memory and in Redis's Lua state), and
  the most of them seen since interactive calls resumed (the demand).
- Once an interactive call was admitted within the last ``horizon_s`` seconds,
  bulk callers leave ``floor + demand`` slots of every window free (the demand
  scaled down for a window shorter than the two buckets it was counted over;
  bulk always keeps at least one slot), so the first "pause now" after a quiet
  spell is admitted at once and a steady trickle is served from slots that
  refill as its own stamps expire.
- With no interactive call within the horizon (a job alone: the CLI, a batch
  worker) bulk work uses the whole budget.

``StaticShare(share)`` is the older rule: bulk may fill only ``share`` of each
window whether or not anyone else is around (``bulk_share=`` on the limiters).

``POLICY_LUA`` is the same functions in Lua for the Redis scripts;
``tests/test_budget_rule_lua.py`` checks the two agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._rule import bulk_limit

__all__ = [
    "BulkPolicy",
    "DemandState",
    "POLICY_LUA",
    "QUIET",
    "StaticShare",
    "WorkConserving",
    "bulk_cap",
    "heard",
    "held_back",
    "level",
    "policy_for",
    "quiet_at",
    "roll",
    "share_of",
    "static_cap",
    "window_reserve",
]


@dataclass(frozen=True)
class WorkConserving:
    """Bulk work takes every slot interactive calls are not observed to need.

    Args:
        floor: slots kept free in every window while interactive calls are
            around (so the first one after a pause is admitted at once).
        horizon_s: how long after the last interactive call the headroom is
            kept; after that bulk work gets the whole budget.
        demand_s: the bucket over which interactive calls are counted; the
            headroom is the calls of the current and the previous bucket.
    """

    floor: int = 1
    horizon_s: float = 600.0
    demand_s: float = 10.0

    def __post_init__(self) -> None:
        if self.floor < 0:
            raise ValueError(f"floor must be >= 0, got {self.floor!r}")
        if not (self.horizon_s > 0 and self.demand_s > 0):
            raise ValueError("horizon_s and demand_s must be positive")


@dataclass(frozen=True)
class StaticShare:
    """Bulk work may fill only ``share`` of every window, always."""

    share: float

    def __post_init__(self) -> None:
        if not 0.0 < self.share <= 1.0:
            raise ValueError(f"bulk_share must be in (0, 1], got {self.share!r}")


BulkPolicy = WorkConserving | StaticShare


def policy_for(bulk_share: float | None, bulk_policy: BulkPolicy | None) -> BulkPolicy:
    """The limiters' ``bulk_share=`` / ``bulk_policy=`` arguments as one policy."""
    if bulk_share is not None and bulk_policy is not None:
        raise ValueError("give bulk_share or bulk_policy, not both")
    if bulk_share is not None:
        return StaticShare(bulk_share)
    return bulk_policy if bulk_policy is not None else WorkConserving()


#: (last interactive admission, bucket index, calls in it, calls in the one
#: before, the most calls seen in two buckets since interactive calls resumed)
DemandState = tuple[float, int, int, int, int]
QUIET: DemandState = (-math.inf, 0, 0, 0, 0)


def roll(state: DemandState, now: float, demand_s: float) -> DemandState:
    """The demand state with its buckets moved on to ``now``."""
    last, bucket, cur, _prev, peak = state
    b = math.floor(now / demand_s)
    if b == bucket:
        return state
    if b == bucket + 1:
        return (last, b, 0, cur, peak)
    return (last, b, 0, 0, peak)


def heard(
    state: DemandState, now: float, horizon_s: float, demand_s: float
) -> DemandState:
    """The demand state after one more interactive admission at ``now``."""
    last, bucket, cur, prev, peak = roll(state, now, demand_s)
    if not now < last + horizon_s:  # after a quiet spell the peak starts again
        peak = 0
    return (now, bucket, cur + 1, prev, max(peak, cur + 1 + prev))


def level(state: DemandState, now: float, horizon_s: float, demand_s: float) -> int:
    """The interactive demand the headroom follows at ``now``: the most calls
    seen in two buckets since interactive calls resumed, or -1 when none came
    within the horizon (bulk may use everything)."""
    last = state[0]
    if not now < last + horizon_s:
        return -1
    return state[4]


def window_reserve(demand: int, seconds: float, floor: int, demand_s: float) -> int:
    """Slots bulk work leaves free in a window of ``seconds`` for ``demand``
    (``level``): the floor plus the demand, scaled down for a window shorter
    than the two buckets it was counted over. Computed on integer microseconds,
    as the Lua does."""
    if demand < 0:
        return 0
    span, counted = _us(seconds), 2 * _us(demand_s)
    return floor + math.ceil(demand * min(span, counted) / counted)


def _us(seconds: float) -> int:
    return math.ceil(seconds * 1_000_000)


def quiet_at(state: DemandState, horizon_s: float) -> float:
    """When the headroom drops to nothing (``level`` -1) if no interactive call
    comes: the end of the horizon after the last one."""
    return state[0] + horizon_s


def bulk_cap(limit: int, reserved: int) -> int:
    """What bulk callers may fill of a ``limit``-slot window (at least one)."""
    return max(1, limit - reserved)


def share_of(policy: BulkPolicy) -> float:
    """The static part of each window bulk work may fill (1.0 under the
    work-conserving policy: alone, bulk work may fill every window)."""
    return policy.share if isinstance(policy, StaticShare) else 1.0


def static_cap(policy: BulkPolicy, limit: int) -> int:
    """The bulk cap of a static share (``limit`` under the work-conserving one)."""
    return bulk_limit(limit, share_of(policy))


def held_back(policy: BulkPolicy, limit: int, seconds: float, demand: int) -> int:
    """Slots of a window bulk callers leave free (``WindowUsage.reserved``), given
    the demand ``level``."""
    if isinstance(policy, StaticShare):
        return limit - bulk_limit(limit, policy.share)
    reserved = window_reserve(demand, seconds, policy.floor, policy.demand_s)
    return limit - bulk_cap(limit, reserved)


#: ``roll``, ``level``, ``window_reserve``, ``quiet_at`` and ``bulk_cap`` for the
#: Redis scripts (times in integer us). The state is the string
#: "last bucket cur prev peak" (last = -1 when never heard), read as a table.
POLICY_LUA = """
local function roll(last, bucket, cur, prev, now, demand)
  local b = math.floor(now / demand)
  if b == bucket then
    return last, bucket, cur, prev
  end
  if b == bucket + 1 then
    return last, b, 0, cur
  end
  return last, b, 0, 0
end
local function level(st, now, horizon)
  if st[1] < 0 or not (now < st[1] + horizon) then
    return -1
  end
  return st[5]
end
local function window_reserve(lvl, span, floor, demand)
  if lvl < 0 then
    return 0
  end
  local counted = 2 * demand
  return floor + math.ceil(lvl * math.min(span, counted) / counted)
end
local function quiet_at(st, horizon)
  return st[1] + horizon
end
local function bulk_cap(limit, reserved)
  return math.max(1, limit - reserved)
end
"""
