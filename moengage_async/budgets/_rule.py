"""The admission rule, once: when one more request fits into one rolling window.

Both backends decide with this rule. ``MemoryLimiter`` calls ``admission_bound``
(through ``WindowLog``); ``RedisLimiter``'s Lua scripts include ``RULE_LUA``, the
same function written statement for statement in Lua, and
``tests/test_budget_rule_lua.py`` runs the two on the same random states against
a real redis-server and asserts identical answers. The bulk cap is computed only
here (``bulk_limit``) and handed to Lua as a number.

The rule: units take a window's slots in order, counted stamps (oldest first),
requests in flight, the callers queued ahead, then this one; each holds its slot
at least one window length. Unit ``k`` cannot start before unit ``k - cap`` has
freed its slot. A stamp frees its slot when it leaves the window; a request in
flight no sooner than one window after now (it has not completed yet). In a
success quota a failure releases the reservation at once instead: the bound
assumes success, and a waiter there looks again on every release (memory) or
every ``poll_s`` (Redis).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from ._spec import Window

__all__ = ["RULE_LUA", "admission_bound", "bulk_limit", "bulk_windows"]


def bulk_limit(limit: int, share: float) -> int:
    """The slots of a ``limit``-slot window that bulk callers may fill."""
    return max(1, min(limit, math.floor(limit * share)))


def bulk_windows(windows: Sequence[Window], share: float) -> tuple[Window, ...]:
    """The windows as a ``Priority.BULK`` caller sees them (``bulk_limit`` each)."""
    if not 0.0 < share <= 1.0:
        raise ValueError(f"bulk_share must be in (0, 1], got {share!r}")
    return tuple(Window(bulk_limit(w.limit, share), w.seconds) for w in windows)


def admission_bound(
    now: float,
    seconds: float,
    cap: int,
    limit: int,
    used: int,
    flying: int,
    ahead: int,
    expiry_of: Callable[[int], float],
) -> tuple[float, bool]:
    """Return a lower bound on when one more request fits, and whether that waits
    on a completion of a request in flight.

    ``cap`` is what this caller may fill (``limit``, or the bulk cap), ``used``
    the stamps still counted at ``now``, ``expiry_of(k)`` when the ``k`` oldest
    of them have left. Exact for the head of the queue (``ahead == 0``) when it
    does not wait on a completion. Keep ``RULE_LUA`` equal to this.
    """
    index = used + flying + ahead
    step = cap
    shift = 0.0
    while True:
        if index < step:
            return now + shift, False
        i = index - step
        if i < used:
            return expiry_of(i + 1) + shift, False
        if i < used + flying:
            return now + seconds + shift, True
        index, step, shift = i, limit, shift + seconds


#: ``admission_bound`` in Lua, for the Redis scripts (times in integer us).
RULE_LUA = """
local function admission_bound(now, seconds, cap, limit, used, flying, ahead,
                               expiry_of)
  local index = used + flying + ahead
  local step = cap
  local shift = 0
  while true do
    if index < step then
      return now + shift, false
    end
    local i = index - step
    if i < used then
      return expiry_of(i + 1) + shift, false
    end
    if i < used + flying then
      return now + seconds + shift, true
    end
    index, step, shift = i, limit, shift + seconds
  end
end
"""
