"""Who may use a window's slots: the bulk policy, once (Python, and Lua for Redis).

``WorkConserving`` (the default) lends every slot to bulk work except a small
headroom kept free for interactive calls, and only while interactive calls are
around:

- Interactive demand is observed per budget: the interactive calls admitted in
  the current and the previous bucket of ``demand_s`` seconds (fixed buckets, so
  the state is four numbers, the same in memory and in Redis's Lua state).
- Once an interactive call was admitted within the last ``horizon_s`` seconds,
  bulk callers leave ``reserve = max(floor, demand)`` slots of every window
  free (never the whole window: bulk keeps at least one slot), so the first
  "pause now" after a quiet spell is admitted at once and a steady trickle is
  served from slots that refill as its own stamps expire.
- With no interactive call within the horizon (a job alone: the CLI, a batch
  worker) bulk work uses the whole budget.

``StaticShare(share)`` is the older rule: bulk may fill only ``share`` of each
window whether or not anyone else is around (``bulk_share=`` on the limiters).

``POLICY_LUA`` is ``roll``/``reserve``/``bulk_cap`` in Lua for the Redis
scripts; ``tests/test_budget_rule_lua.py`` checks the two agree.
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
    "lifts",
    "policy_for",
    "reserve",
    "roll",
    "static_cap",
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


#: (last interactive admission, bucket index, calls in it, calls in the one before)
DemandState = tuple[float, int, int, int]
QUIET: DemandState = (-math.inf, 0, 0, 0)


def roll(state: DemandState, now: float, demand_s: float) -> DemandState:
    """The demand state with its buckets moved on to ``now``."""
    last, bucket, cur, _prev = state
    b = math.floor(now / demand_s)
    if b == bucket:
        return state
    if b == bucket + 1:
        return (last, b, 0, cur)
    return (last, b, 0, 0)


def heard(state: DemandState, now: float, demand_s: float) -> DemandState:
    """The demand state after one more interactive admission at ``now``."""
    _, bucket, cur, prev = roll(state, now, demand_s)
    return (now, bucket, cur + 1, prev)


def reserve(
    state: DemandState, now: float, floor: int, horizon_s: float, demand_s: float
) -> int:
    """Slots bulk work leaves free in each window at ``now`` (0 when quiet)."""
    last, _, cur, prev = roll(state, now, demand_s)
    if not now < last + horizon_s:
        return 0
    return max(floor, cur + prev)


def lifts(
    state: DemandState, now: float, floor: int, horizon_s: float, demand_s: float
) -> list[tuple[float, int]]:
    """When ``reserve`` falls, and to what, if no interactive call comes: at most
    three steps (a bucket rolls out, the next one does, the horizon passes)."""
    last, bucket, cur, prev = roll(state, now, demand_s)
    end = last + horizon_s
    if not now < end:
        return []
    out: list[tuple[float, int]] = []
    level = max(floor, cur + prev)
    for at, level_then in (
        ((bucket + 1) * demand_s, max(floor, cur)),
        ((bucket + 2) * demand_s, floor),
    ):
        if at < end and level_then < level:
            out.append((at, level_then))
            level = level_then
    if level > 0:
        out.append((end, 0))
    return out


def bulk_cap(limit: int, reserved: int) -> int:
    """What bulk callers may fill of a ``limit``-slot window (at least one)."""
    return max(1, limit - reserved)


def static_cap(policy: BulkPolicy, limit: int) -> int:
    """The bulk cap of a static share (``limit`` under the work-conserving one)."""
    return bulk_limit(limit, policy.share) if isinstance(policy, StaticShare) else limit


def held_back(policy: BulkPolicy, limit: int, reserve: int) -> int:
    """Slots of a ``limit``-slot window bulk callers leave free, given ``reserve``
    (``WindowUsage.reserved``)."""
    if isinstance(policy, StaticShare):
        return limit - bulk_limit(limit, policy.share)
    return limit - bulk_cap(limit, reserve)


#: ``roll``, ``reserve``, ``lifts`` and ``bulk_cap`` for the Redis scripts. The
#: state is the string "last bucket cur prev" (last = -1 when never heard).
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
local function reserve(last, bucket, cur, prev, now, floor, horizon, demand)
  last, bucket, cur, prev = roll(last, bucket, cur, prev, now, demand)
  if last < 0 or not (now < last + horizon) then
    return 0
  end
  return math.max(floor, cur + prev)
end
local function lifts(last, bucket, cur, prev, now, floor, horizon, demand)
  last, bucket, cur, prev = roll(last, bucket, cur, prev, now, demand)
  local out = {}
  local finish = last + horizon
  if last < 0 or not (now < finish) then
    return out
  end
  local level = math.max(floor, cur + prev)
  local steps = {{(bucket + 1) * demand, math.max(floor, cur)},
                 {(bucket + 2) * demand, floor}}
  for j = 1, 2 do
    local at, level_then = steps[j][1], steps[j][2]
    if at < finish and level_then < level then
      out[#out + 1] = {at, level_then}
      level = level_then
    end
  end
  if level > 0 then
    out[#out + 1] = {finish, 0}
  end
  return out
end
local function bulk_cap(limit, reserved)
  return math.max(1, limit - reserved)
end
"""
