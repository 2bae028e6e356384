"""The Lua scripts behind ``RedisLimiter``: each decision is one atomic server call.

Time is in integer microseconds: Redis's own ``TIME`` unless the caller passes a
clock reading (tests with a fake clock). Numbers handed to ``redis.call`` go
through ``string.format('%d')`` because Lua would print them with 14 digits.

Keys per budget (all share the workspace's hash tag, so one cluster slot):
``stamps`` (zset: completion stamps, member = permit id, score = time),
``flight`` (zset: in-flight permits scored by lease deadline), ``gate`` (string:
blocked until), ``q0``/``q1`` (zset: waiting tickets per priority lane) and
``ql`` (zset: each waiter's lease, so a dead waiter leaves the queue).

The uncontended path (nothing in flight, queued or blocked) makes as few
``redis.call``s as it can: each costs microseconds inside Redis. ``keep``
re-arms a TTL with headroom, so most calls only read it.
"""

from __future__ import annotations

import hashlib

__all__ = [
    "ACQUIRE",
    "BLOCK",
    "COMPLETE",
    "FORGET",
    "KEYS_PER_BUDGET",
    "SNAPSHOT",
    "Script",
]

#: stamps, flight, gate, q0, q1, ql
KEYS_PER_BUDGET = 6


class Script:
    """A Lua source and its SHA1, so EVALSHA needs no prior SCRIPT LOAD."""

    __slots__ = ("digest", "name", "sha", "source")

    def __init__(self, name: str, source: str) -> None:
        self.name = name
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()
        #: ``sha`` as bytes: the client sends bytes as they are, str it encodes
        self.digest = self.sha.encode()

    def __repr__(self) -> str:
        return f"Script({self.name!r})"


_PRELUDE = """
local function s(x) return string.format('%d', x) end
local function clock(arg)
  local now = tonumber(arg)
  if now then return now end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
-- Expire ``key`` in ``ms`` plus a quarter of headroom.
local function arm(key, ms)
  redis.call('PEXPIRE', key, ms + math.floor(ms / 4))
end
-- Keep ``key`` alive at least ``ms`` more. Thanks to the headroom most calls only
-- read the TTL (PEXPIRE costs several times more than PTTL); a key still dies at
-- most 1.25 * ms after its last write.
local function keep(key, ms)
  if redis.call('PTTL', key) < ms then arm(key, ms) end
end
"""

#: Reads a budget spec: the hot scripts take packed numbers instead.
_SPEC = """
local function spec(text)
  local out = {}
  for v in string.gmatch(text, '[^,]+') do out[#out + 1] = tonumber(v) end
  return out
end
"""

# Budget spec: "quota,concurrency,horizon_us,ttl_ms,limit1,span1_us,limit2,..."
# ARGV: id | options | now (optional) | ticket (optional); options are doubles
#       packed little-endian: priority, lease_us, bulk_share, grace_us, poll_us,
#       tolerance_us, budget count, then per budget quota, concurrency, horizon_us,
#       ttl_ms, window count, limit1, span1_us, ... (one C call unpacks them all:
#       splitting strings in Lua costs more than the rest of the script)
# KEYS: 6 per budget, then the workspace's ticket counter.
# Returns one space-separated status string (cheaper to parse than an array or
# a bulk string):
# "1 now stats..." when admitted,
# "0 now ticket lower_bound_us sleep_us stats..." otherwise;
# stats per budget: in_flight, queued, blocked_us, then used per window.
_ACQUIRE = (
    _PRELUDE
    + """
local id, o = ARGV[1], {struct.unpack(string.rep('<d', #ARGV[2] / 8), ARGV[2])}
local now = clock(ARGV[3])
local ticket = tonumber(ARGV[4])
local prio, lease, share = o[1], o[2], o[3]
local grace, poll, tol = o[4], o[5], o[6]
local nows = s(now)
-- Waiters ahead that are overdue by more than ``tol`` (a stalled process) do not
-- hold back the ones behind: they keep their ticket, not an idle slot.
local function live(q, ql, upto)
  local ids
  if upto then
    ids = redis.call('ZRANGEBYSCORE', q, '-inf', '(' .. s(upto))
  else
    ids = redis.call('ZRANGE', q, 0, -1)
  end
  if #ids == 0 then return 0 end
  local leases = redis.call('ZMSCORE', ql, unpack(ids))
  local c = 0
  for j = 1, #leases do
    local l = tonumber(leases[j])
    if l and l - grace + tol > now then c = c + 1 end
  end
  return c
end
local fresh = ticket == nil
if fresh then ticket = 0 end
local firm, sleep = 0, 0
local stats, specs, flying = {}, {}, {}
local pos = 8
for i = 1, o[7] do
  -- This budget's numbers start at o[b]: quota, concurrency, horizon, ttl, windows.
  local b = pos
  specs[i] = b
  pos = b + 5 + 2 * o[b + 4]
  local k = (i - 1) * 6
  local stamps, flight, gate = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  local q0, q1, ql = KEYS[k + 4], KEYS[k + 5], KEYS[k + 6]
  local quota, conc = o[b], o[b + 1]
  -- These keys are usually all absent (nothing in flight, queued or blocked):
  -- one EXISTS then stands for a read of each.
  local present, f = redis.call('EXISTS', flight, gate, q0, q1), 0
  if present > 0 then f = redis.call('ZCARD', flight) end
  if f > 0 then
    present = present - 1  -- now counts the gate and queues only
    -- A lapsed lease (its holder died) counts as completed at its deadline.
    local dead = redis.call('ZRANGEBYSCORE', flight, '-inf', nows, 'WITHSCORES')
    if #dead > 0 then
      for j = 1, #dead, 2 do redis.call('ZADD', stamps, dead[j + 1], dead[j]) end
      redis.call('ZREMRANGEBYSCORE', flight, '-inf', nows)
      keep(stamps, o[b + 3])
      f = f - #dead / 2
    end
  end
  flying[i] = f
  local n0, n1, gated = 0, 0, present > 0
  if gated then
    n0, n1 = redis.call('ZCARD', q0), redis.call('ZCARD', q1)
  end
  if n0 + n1 > 0 then
    local gone = redis.call('ZRANGEBYSCORE', ql, '-inf', '(' .. nows)
    if #gone > 0 then
      redis.call('ZREM', q0, unpack(gone))
      redis.call('ZREM', q1, unpack(gone))
      redis.call('ZREM', ql, unpack(gone))
      n0, n1 = redis.call('ZCARD', q0), redis.call('ZCARD', q1)
    end
  end
  local ahead = 0
  local upto = nil
  if not fresh then upto = ticket end
  if n0 > 0 then
    if prio == 0 then ahead = live(q0, ql, upto) else ahead = live(q0, ql, nil) end
  end
  if prio == 1 and n1 > 0 then ahead = ahead + live(q1, ql, upto) end
  local blocked = 0
  if gated then blocked = tonumber(redis.call('GET', gate) or '0') - now end
  if blocked > 0 then
    firm = math.max(firm, blocked)
    sleep = math.max(sleep, blocked)
  else
    blocked = 0
  end
  -- Counts print exactly through table.concat (%.14g); a long block may not.
  stats[#stats + 1] = f
  stats[#stats + 1] = n0 + n1
  stats[#stats + 1] = s(blocked)
  if conc > 0 and f + ahead >= conc then sleep = math.max(sleep, poll) end
  for w = b + 5, pos - 1, 2 do
    local limit, span = o[w], o[w + 1]
    if prio == 1 then limit = math.max(1, math.floor(limit * share)) end
    local lo = '(' .. s(now - span)
    local n = redis.call('ZCOUNT', stamps, lo, '+inf')
    stats[#stats + 1] = n
    local d = n + f + ahead + 1 - limit
    if d > 0 then
      local est = span
      if d <= n then
        local e = redis.call('ZRANGEBYSCORE', stamps, lo, '+inf', 'WITHSCORES',
          'LIMIT', d - 1, 1)
        est = tonumber(e[2]) + span - now
      end
      if quota == 1 then
        -- A failed call releases its reservation, so only stamps bound the wait.
        local dq = n + 1 - limit
        local low = 0
        if dq > 0 then
          local e = redis.call('ZRANGEBYSCORE', stamps, lo, '+inf', 'WITHSCORES',
            'LIMIT', dq - 1, 1)
          low = tonumber(e[2]) + span - now
        end
        firm = math.max(firm, low)
        sleep = math.max(sleep, low, math.min(est, poll))
      else
        -- Slots still in flight free no sooner than one span from now.
        firm = math.max(firm, est)
        sleep = math.max(sleep, est)
      end
    end
  end
end
if sleep <= 0 then
  local due = s(now + lease)
  for i = 1, #specs do
    local k = (i - 1) * 6
    local flight, ttl = KEYS[k + 2], o[specs[i] + 3] + math.floor(lease / 1000)
    redis.call('ZADD', flight, due, id)
    if flying[i] == 0 then  -- the ZADD made the key: it has no TTL yet
      arm(flight, ttl)
    else
      keep(flight, ttl)
    end
    if not fresh then
      redis.call('ZREM', KEYS[k + 4], id)
      redis.call('ZREM', KEYS[k + 5], id)
      redis.call('ZREM', KEYS[k + 6], id)
    end
  end
  return {ok = '1 ' .. nows .. ' ' .. table.concat(stats, ' ')}
end
local ttl = math.floor((sleep + grace) / 1000) + 1000
if fresh then
  -- Tickets come from one counter per workspace: strict arrival order.
  ticket = redis.call('INCR', KEYS[#KEYS])
  redis.call('PEXPIRE', KEYS[#KEYS], 86400000)
end
for i = 1, #specs do
  local k = (i - 1) * 6
  local q = KEYS[k + 4 + prio]
  redis.call('ZADD', q, 'NX', s(ticket), id)
  redis.call('ZADD', KEYS[k + 6], s(now + sleep + grace), id)
  keep(q, ttl)
  keep(KEYS[k + 6], ttl)
end
local out = {0, nows, s(ticket), s(firm), s(sleep), table.concat(stats, ' ')}
return {ok = table.concat(out, ' ')}
"""
)

# KEYS: stamps, flight per budget.
# ARGV: now | id | success | then quota, ttl_ms, horizon_us per budget.
_COMPLETE = (
    _PRELUDE
    + """
local now = clock(ARGV[1])
local id, ok = ARGV[2], ARGV[3] == '1'
for i = 1, #KEYS / 2 do
  local quota, ttl = ARGV[3 * i + 1], tonumber(ARGV[3 * i + 2])
  local stamps, flight = KEYS[2 * i - 1], KEYS[2 * i]
  redis.call('ZREM', flight, id)
  if quota == '1' and not ok then
    redis.call('ZREM', stamps, id)
  else
    redis.call('ZADD', stamps, s(now), id)
    keep(stamps, ttl)
  end
  -- Trimming here keeps the acquire path short; ZCOUNT ignores old stamps.
  redis.call('ZREMRANGEBYSCORE', stamps, '-inf', s(now - tonumber(ARGV[3 * i + 3])))
end
return now
"""
)

# KEYS: gate, stamps per budget. ARGV: now | seconds_us | phantom id | ttl_ms each.
_BLOCK = (
    _PRELUDE
    + """
local now = clock(ARGV[1])
local span, id = tonumber(ARGV[2]), ARGV[3]
for i = 1, #ARGV - 3 do
  local gate, stamps = KEYS[2 * i - 1], KEYS[2 * i]
  if span > 0 then
    local cur = tonumber(redis.call('GET', gate) or '0')
    if now + span > cur then
      redis.call('SET', gate, s(now + span), 'PX', math.floor(span / 1000) + 1000)
    end
  end
  -- Someone outside the ledger spent this budget: count it, so all back off.
  redis.call('ZADD', stamps, s(now), id)
  keep(stamps, tonumber(ARGV[3 + i]))
end
return now
"""
)

# KEYS: flight, q0, q1, ql per budget. ARGV: id. Drops a waiter or an unsent permit.
_FORGET = """
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
"""

# KEYS: 6 per budget. ARGV: now | spec per budget.
# Returns per budget: in_flight, queued, blocked_us, then used, next_free_us per window.
_SNAPSHOT = (
    _PRELUDE
    + _SPEC
    + """
local now = clock(ARGV[1])
local out = {now}
for i = 1, #ARGV - 1 do
  local b = spec(ARGV[1 + i])
  local k = (i - 1) * 6
  local stamps = KEYS[k + 1]
  local f = redis.call('ZCOUNT', KEYS[k + 2], '(' .. s(now), '+inf')
  local lapsed = redis.call('ZRANGEBYSCORE', KEYS[k + 2], '-inf', s(now), 'WITHSCORES')
  local queued = redis.call('ZCARD', KEYS[k + 4]) + redis.call('ZCARD', KEYS[k + 5])
  local blocked = math.max(0, tonumber(redis.call('GET', KEYS[k + 3]) or '0') - now)
  out[#out + 1] = f
  out[#out + 1] = queued
  out[#out + 1] = blocked
  for w = 5, #b, 2 do
    local limit, span = b[w], b[w + 1]
    local lo = '(' .. s(now - span)
    local n = redis.call('ZCOUNT', stamps, lo, '+inf')
    for j = 2, #lapsed, 2 do
      if tonumber(lapsed[j]) > now - span then n = n + 1 end
    end
    local d, wait = n + f + 1 - limit, 0
    if d > 0 then
      wait = span
      if d <= n then
        local e = redis.call('ZRANGEBYSCORE', stamps, lo, '+inf', 'WITHSCORES',
          'LIMIT', d - 1, 1)
        if e[2] then wait = tonumber(e[2]) + span - now end
      end
    end
    out[#out + 1] = n
    out[#out + 1] = math.max(wait, blocked)
  end
end
return out
"""
)

ACQUIRE = Script("acquire", _ACQUIRE)
COMPLETE = Script("complete", _COMPLETE)
BLOCK = Script("block", _BLOCK)
FORGET = Script("forget", _FORGET)
SNAPSHOT = Script("snapshot", _SNAPSHOT)
