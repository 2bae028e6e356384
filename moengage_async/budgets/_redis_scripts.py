"""The Lua scripts behind ``RedisLimiter``: each decision is one atomic server call.

Time is in integer microseconds: Redis's own ``TIME`` unless the caller passes a
clock reading (tests with a fake clock). Numbers handed to ``redis.call`` go
through ``string.format('%d')`` because Lua would print them with 14 digits.

Keys per budget (all share the workspace's hash tag, so one cluster slot):
``stamps`` (zset: completion stamps, member = permit id, score = time),
``flight`` (zset: in-flight permits scored by lease deadline), ``gate`` (string:
blocked until), ``q0``/``q1`` (zset: waiting tickets per priority lane) and
``ql`` (zset: each waiter's lease, so a dead waiter leaves the queue) and
``dem`` (string: the interactive demand the bulk policy follows).

The uncontended path (nothing in flight, queued or blocked) makes as few
``redis.call``s as it can: each costs microseconds inside Redis. ``keep``
re-arms a TTL with headroom, so most calls only read it.
"""

from __future__ import annotations

import hashlib

from ._policy import POLICY_LUA
from ._rule import RULE_LUA

__all__ = [
    "ACQUIRE",
    "BLOCK",
    "COMPLETE",
    "FORGET",
    "KEYS_PER_BUDGET",
    "SNAPSHOT",
    "Script",
]

#: stamps, flight, gate, q0, q1, ql, dem
KEYS_PER_BUDGET = 7


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

#: One window's count and the helpers around ``admission_bound`` (``RULE_LUA``).
_WINDOW = """
-- The window ``expiry_of`` reads: set by ``aim`` before each use.
local cur_stamps, cur_lo, cur_span
local function aim(stamps, now, span)
  cur_stamps, cur_lo, cur_span = stamps, '(' .. s(now - span), span
end
-- How many stamps the window ending at ``now`` counts (and aim ``expiry_of``).
local function window(stamps, now, span)
  aim(stamps, now, span)
  return redis.call('ZCOUNT', stamps, cur_lo, '+inf')
end
-- When the ``k`` oldest stamps counted by the last ``window`` call have left it.
local function expiry_of(k)
  local e = redis.call('ZRANGEBYSCORE', cur_stamps, cur_lo, '+inf', 'WITHSCORES',
    'LIMIT', k - 1, 1)
  return tonumber(e[2]) + cur_span
end
-- The snapshot's ``next_free_in`` (us): when one more interactive call could fit.
local function next_free(stamps, now, span, limit, n, f, blocked)
  aim(stamps, now, span)
  local at = admission_bound(now, span, limit, limit, n, f, 0, expiry_of)
  return math.max(at - now, blocked)
end
-- A lapsed lease (its holder died) counts as completed at its deadline.
-- Returns how many left ``flight``.
local function reap(stamps, flight, nows, ttl)
  local dead = redis.call('ZRANGEBYSCORE', flight, '-inf', nows, 'WITHSCORES')
  if #dead == 0 then return 0 end
  for j = 1, #dead, 2 do redis.call('ZADD', stamps, dead[j + 1], dead[j]) end
  redis.call('ZREMRANGEBYSCORE', flight, '-inf', nows)
  keep(stamps, ttl)
  return #dead / 2
end
"""

#: The interactive demand of one budget (``_policy.DemandState``) in Redis: the
#: string "last bucket cur prev peak" (times in us), read by every acquire and written
#: by interactive admissions, so the whole fleet follows the same demand.
_DEMAND = """
local function demand_state(key)
  local v = redis.call('GET', key)
  if not v then return {-1, 0, 0, 0, 0} end
  local out = {}
  for x in string.gmatch(v, '%S+') do out[#out + 1] = tonumber(x) end
  return out
end
local function hear(key, st, now, demand, horizon)
  local last, bucket, cur, prev = roll(st[1], st[2], st[3], st[4], now, demand)
  local peak = st[5]
  if last < 0 or not (now < last + horizon) then peak = 0 end
  peak = math.max(peak, cur + 1 + prev)
  local new = {now, bucket, cur + 1, prev, peak}
  redis.call('SET', key, table.concat({s(now), s(bucket), s(cur + 1), s(prev),
    s(peak)}, ' '), 'PX', math.floor((horizon + 2 * demand) / 1000) + 1000)
  return new
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
#       packed little-endian: priority, lease_us, grace_us, poll_us, tolerance_us,
#       budget count, the bulk policy (mode: 0 static share, 1 work-conserving;
#       floor, horizon_us, demand_us), then per budget quota, concurrency,
#       horizon_us, ttl_ms, window count, then limit, static bulk cap, span_us
#       per window (one C call unpacks them all: splitting strings in Lua costs
#       more than the rest of the script). The static cap comes from
#       ``_rule.bulk_limit``; the work-conserving one from ``POLICY_LUA``.
# KEYS: 7 per budget, then the workspace's ticket counter.
# Returns one space-separated status string (cheaper to parse than an array or
# a bulk string):
# "1 now stats..." when admitted,
# "0 now ticket lower_bound_us sleep_us stats..." otherwise;
# stats per budget, as they stand after this call: in_flight, queued,
# blocked_us, the interactive demand level (``_policy.level``), then used and
# next_free_us per window.
_ACQUIRE = (
    _PRELUDE
    + RULE_LUA
    + POLICY_LUA
    + _WINDOW
    + _DEMAND
    + """
local id, o = ARGV[1], {struct.unpack(string.rep('<d', #ARGV[2] / 8), ARGV[2])}
local now = clock(ARGV[3])
local ticket = tonumber(ARGV[4])
local prio, lease = o[1], o[2]
local grace, poll, tol = o[3], o[4], o[5]
local mode, floor, horizon, demand = o[7], o[8], o[9], o[10]
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
local specs, flying, queued, blocks, used, states = {}, {}, {}, {}, {}, {}
-- One budget's bound under ``reserved``: the admission time (absolute) and how
-- long to sleep before looking again.
local function bound(b, stamps, counts, f, ahead, quota, lvl)
  local at, nap, j = now, 0, 0
  for w = b + 5, b + 4 + 3 * o[b + 4], 3 do
    j = j + 1
    local limit, span = o[w], o[w + 2]
    local cap = limit
    if prio == 1 then
      if mode == 0 then
        cap = o[w + 1]
      else
        cap = bulk_cap(limit, window_reserve(lvl, span, floor, demand))
      end
    end
    aim(stamps, now, span)
    local t, waits = admission_bound(now, span, cap, limit, counts[j], f, ahead,
                                     expiry_of)
    at = math.max(at, t)
    if waits and quota then
      -- A failed call releases its reservation at once: look again soon.
      nap = math.max(nap, math.min(t - now, poll))
    else
      nap = math.max(nap, t - now)
    end
  end
  return at, nap
end
local pos = 11
for i = 1, o[6] do
  -- This budget's numbers start at o[b]: quota, concurrency, horizon, ttl, windows.
  local b = pos
  specs[i] = b
  pos = b + 5 + 3 * o[b + 4]
  local k = (i - 1) * 7
  local stamps, flight, gate = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  local q0, q1, ql = KEYS[k + 4], KEYS[k + 5], KEYS[k + 6]
  local quota, conc = o[b] == 1, o[b + 1]
  -- These keys are usually all absent (nothing in flight, queued or blocked):
  -- one EXISTS then stands for a read of each.
  local present, f = redis.call('EXISTS', flight, gate, q0, q1), 0
  if present > 0 then f = redis.call('ZCARD', flight) end
  if f > 0 then
    present = present - 1  -- now counts the gate and queues only
    f = f - reap(stamps, flight, nows, o[b + 3])
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
  queued[i] = n0 + n1
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
  blocks[i] = blocked
  if conc > 0 and f + ahead >= conc then sleep = math.max(sleep, poll) end
  local counts = {}
  used[i] = counts
  for w = b + 5, pos - 1, 3 do
    counts[#counts + 1] = window(stamps, now, o[w + 2])
  end
  local st = {-1, 0, 0, 0}
  if mode == 1 then st = demand_state(KEYS[k + 7]) end
  states[i] = st
  local lvl = -1
  if prio == 1 and mode == 1 then
    lvl = level(st, now, horizon)
  end
  local at, nap = bound(b, stamps, counts, f, ahead, quota, lvl)
  if lvl >= 0 then
    -- The headroom may end before that: bulk could go then.
    local when = quiet_at(st, horizon)
    if when < at then
      local t, t_nap = bound(b, stamps, counts, f, ahead, quota, -1)
      if math.max(t, when) < at then
        at, nap = math.max(t, when), math.max(t_nap, when - now)
      end
    end
  end
  firm = math.max(firm, at - now)
  sleep = math.max(sleep, nap)
end
local admitted = sleep <= 0
if admitted then
  local due = s(now + lease)
  for i = 1, #specs do
    local k = (i - 1) * 7
    local flight, ttl = KEYS[k + 2], o[specs[i] + 3] + math.floor(lease / 1000)
    redis.call('ZADD', flight, due, id)
    if flying[i] == 0 then  -- the ZADD made the key: it has no TTL yet
      arm(flight, ttl)
    else
      keep(flight, ttl)
    end
    flying[i] = flying[i] + 1
    if not fresh then
      redis.call('ZREM', KEYS[k + 4], id)
      redis.call('ZREM', KEYS[k + 5], id)
      redis.call('ZREM', KEYS[k + 6], id)
      queued[i] = queued[i] - 1
    end
    if prio == 0 and mode == 1 then
      states[i] = hear(KEYS[k + 7], states[i], now, demand, horizon)
    end
  end
else
  local ttl = math.floor((sleep + grace) / 1000) + 1000
  if fresh then
    -- Tickets come from one counter per workspace: strict arrival order.
    ticket = redis.call('INCR', KEYS[#KEYS])
    redis.call('PEXPIRE', KEYS[#KEYS], 86400000)
  end
  for i = 1, #specs do
    local k = (i - 1) * 7
    local q = KEYS[k + 4 + prio]
    queued[i] = queued[i] + redis.call('ZADD', q, 'NX', s(ticket), id)
    redis.call('ZADD', KEYS[k + 6], s(now + sleep + grace), id)
    keep(q, ttl)
    keep(KEYS[k + 6], ttl)
  end
end
-- What a snapshot would say now (see ``usage`` in the snapshot script).
local stats = {}
for i = 1, #specs do
  local b = specs[i]
  stats[#stats + 1] = flying[i]
  stats[#stats + 1] = queued[i]
  -- Counts print exactly through table.concat (%.14g); a long block may not.
  stats[#stats + 1] = s(blocks[i])
  local st = states[i]
  stats[#stats + 1] = level(st, now, horizon)
  local j = 0
  for w = b + 5, b + 4 + 3 * o[b + 4], 3 do
    j = j + 1
    local n = used[i][j]
    stats[#stats + 1] = n
    stats[#stats + 1] = s(next_free(KEYS[(i - 1) * 7 + 1], now, o[w + 2], o[w], n,
                                    flying[i], blocks[i]))
  end
end
if admitted then
  return {ok = '1 ' .. nows .. ' ' .. table.concat(stats, ' ')}
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

# KEYS: 7 per budget. ARGV: now | policy "floor,horizon_us,demand_us" | spec per
# budget. Returns per budget: in_flight, queued, blocked_us, demand level, then used,
# next_free_us per window: the same numbers as the acquire script's stats.
_SNAPSHOT = (
    _PRELUDE
    + _SPEC
    + RULE_LUA
    + POLICY_LUA
    + _WINDOW
    + _DEMAND
    + """
local now = clock(ARGV[1])
local nows = s(now)
local p = spec(ARGV[2])
local out = {now}
for i = 1, #ARGV - 2 do
  local b = spec(ARGV[2 + i])
  local k = (i - 1) * 7
  local stamps, flight = KEYS[k + 1], KEYS[k + 2]
  local f = redis.call('ZCARD', flight)
  if f > 0 then f = f - reap(stamps, flight, nows, b[4]) end
  local queued = redis.call('ZCARD', KEYS[k + 4]) + redis.call('ZCARD', KEYS[k + 5])
  local blocked = math.max(0, tonumber(redis.call('GET', KEYS[k + 3]) or '0') - now)
  local st = demand_state(KEYS[k + 7])
  out[#out + 1] = f
  out[#out + 1] = queued
  out[#out + 1] = blocked
  out[#out + 1] = level(st, now, p[2])
  for w = 5, #b, 2 do
    local limit, span = b[w], b[w + 1]
    local n = window(stamps, now, span)
    out[#out + 1] = n
    out[#out + 1] = next_free(stamps, now, span, limit, n, f, blocked)
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
