"""The Lua script behind ``RedisLimiter.observe``: MoEngage's headers, fleet-wide.

One atomic call counts the matched window as the acquire script does (stamps in
the window, live in-flight permits, lapsed leases whose deadline is inside it)
and stamps the usage the server reports beyond that as phantom calls, so every
process sharing the Redis sees it.
"""

from __future__ import annotations

from ._redis_scripts import _PRELUDE, Script

__all__ = ["OBSERVE"]

# KEYS: stamps, flight of the matched budget.
# ARGV: now | span_us | limit | remaining | ttl_ms | phantom id prefix | lag_us.
# Stamps count from ``lag_us`` before the window: the server counted at the
# request's arrival, before this answer was read (COMPLETE keeps them that long).
# Returns "counted added".
_OBSERVE = (
    _PRELUDE
    + """
local now = clock(ARGV[1])
local span, limit, remaining = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local stamps, flight = KEYS[1], KEYS[2]
local nows, lo = s(now), '(' .. s(now - span)
local n = redis.call('ZCOUNT', stamps, '(' .. s(now - span - tonumber(ARGV[7])), '+inf')
n = n + redis.call('ZCOUNT', flight, lo, '+inf')
local add = math.min(limit, limit - n - remaining)
if add <= 0 then return {ok = s(n) .. ' 0'} end
local members = {}
for i = 1, add do
  members[#members + 1] = nows
  members[#members + 1] = ARGV[6] .. ':' .. i
  if #members >= 1000 then
    redis.call('ZADD', stamps, unpack(members))
    members = {}
  end
end
if #members > 0 then redis.call('ZADD', stamps, unpack(members)) end
keep(stamps, tonumber(ARGV[5]))
return {ok = s(n) .. ' ' .. s(add)}
"""
)

OBSERVE = Script("observe", _OBSERVE)
