"""Budgets shared by every process and host through Redis, as exact as in memory.

MoEngage counts per workspace, not per process: ten replicas with local limiters
would send ten times the budget. Each decision is one Lua script call that checks
and records every window of every budget atomically on Redis's own clock.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import random
import secrets
import struct
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import anyio

from .._clock import Clock, MonotonicClock
from .._errors import RateLimitError
from ._limiter import Limiter, Permit, WindowUsage
from ._policy import (
    BulkPolicy,
    StaticShare,
    WorkConserving,
    policy_for,
    share_of,
    static_cap,
)
from ._redis_observe import OBSERVE
from ._redis_outage import Outage
from ._redis_scripts import ACQUIRE, BLOCK, COMPLETE, FORGET, KEYS_PER_BUDGET, SNAPSHOT
from ._redis_support import (
    US,
    BudgetBackendError,
    ScriptRunner,
    Seen,
    budget_table,
    encode_budget,
    import_redis,
    scaled_budgets,
    seen_from_reply,
    us,
    usage_from_seen,
    with_count,
)
from ._reserve import exhausted
from ._signals import Candidate, Observed, ServerLimits, match_window
from ._spec import (
    Budget,
    BudgetOverrides,
    Priority,
    budgets_from_env,
)

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["BudgetBackendError", "RedisLimiter", "limiter_from_env"]

log = logging.getLogger("moengage_async.redis")

_US = 1_000_000
#: The first byte of an admitting acquire reply ("1 ..."), as bytes or str.
_ADMITTED = (ord("1"), "1")
_SLACK_MS = 1000
_FORGET_TIMEOUT_S = 2.0


class _PermitIds:
    """Unique permit ids, cheaper than fresh randomness per call.

    A 64-bit random prefix per process (drawn again in a forked child) and a
    counter: ids collide only if two processes draw the same prefix.
    """

    __slots__ = ("_count", "_prefix")

    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self._prefix = secrets.token_hex(8).encode()
        self._count = itertools.count()

    def next(self) -> bytes:
        return b"%s%x" % (self._prefix, next(self._count))


_ids = _PermitIds()
if hasattr(os, "register_at_fork"):  # POSIX: a forked child draws a new prefix
    os.register_at_fork(after_in_child=_ids.reseed)


class _Plan:
    """The keys and encoded arguments of one workspace and budget set, built once."""

    __slots__ = (
        "acquire_keys",
        "block_keys",
        "complete_keys",
        "complete_specs",
        "forget_keys",
        "names",
        "options",
        "workspace",
    )

    def __init__(
        self,
        workspace: str,
        names: tuple[str, ...],
        keys: list[str],
        ticket_key: str,
        specs: Mapping[str, tuple[str, str]],
        options: tuple[bytes, bytes],
    ) -> None:
        self.workspace = workspace
        self.names = names
        per = KEYS_PER_BUDGET  # stamps, flight, gate, q0, q1, ql, dem
        budgets = range(len(names))
        self.acquire_keys = with_count([*keys, ticket_key])
        self.complete_keys = with_count(
            [k for i in budgets for k in (keys[per * i], keys[per * i + 1])]
        )
        self.complete_specs = tuple(
            p.encode() for n in names for p in specs[n][1].split(",")
        )
        self.forget_keys = with_count(
            [k for i, k in enumerate(keys) if i % per in (1, 3, 4, 5)]
        )
        self.block_keys = with_count(
            [k for i in budgets for k in (keys[per * i + 2], keys[per * i])]
        )
        #: the acquire script's options, indexed by ``Priority``
        self.options = options


class _RedisPermit:
    __slots__ = ("_done", "_id", "_limiter", "_plan")

    def __init__(self, limiter: RedisLimiter, plan: _Plan, pid: bytes) -> None:
        self._limiter = limiter
        self._plan = plan
        self._id = pid
        self._done = False

    async def complete(self, *, success: bool) -> None:
        if self._done:
            return
        self._done = True
        await self._limiter._complete(self._plan, self._id, success)

    async def release(self) -> None:
        """Give the slots back unsent: the permit leaves ``flight``, unstamped."""
        if self._done:
            return
        self._done = True
        await self._limiter._complete(self._plan, self._id, False, unsent=True)


class RedisLimiter:
    """Exact rolling-window budgets shared through Redis by every process and host.

    Args:
        redis: a ``redis://`` / ``rediss://`` / ``unix://`` URL (the limiter owns and
            closes that connection pool) or an existing ``redis.asyncio.Redis``.
        budgets: overrides of the documented table (mapping or string syntax), or
            a complete mapping of ``Budget`` objects.
        bulk_share: a static part of each window ``Priority.BULK`` may fill
            (``StaticShare``), whether or not interactive calls come.
        bulk_policy: how bulk and interactive callers share the windows; the
            default, ``WorkConserving()``, lends bulk work every slot the
            fleet's interactive calls are not observed to need.
        clock: sleeps and deadlines; defaults to the monotonic clock.
        key_prefix: namespace of every key (no braces).
        on_unavailable: ``"fail"`` raises ``BudgetBackendError`` when Redis cannot be
            reached; ``"local"`` falls back to an in-process limiter.
        local_fraction: the share of each limit the local fallback may use.
        max_request_s: the lease of an in-flight slot; a holder that dies frees it
            (as if completed) this long after it was taken.
        use_server_time: stamp with Redis's ``TIME`` (hosts may disagree on time);
            ``False`` stamps with ``clock`` (tests with a fake clock).
        jitter_s: random extra sleep before retrying, against thundering herds.
        poll_s: retry interval when a slot may free without notice (a released
            success reservation or a concurrency cap).
        backend_retry_s: while falling back to local, how long until Redis is
            tried again.
        op_timeout_s: how long one Redis call may take before Redis counts as
            unavailable (a hung server must not stall every caller). Time spent
            queued for a connection (see ``max_connections``) does not count.
        max_connections: at most this many Redis calls in flight at once, each on
            one pooled connection; more callers queue for a connection, however
            many there are. With a client passed in, the smaller of this and its
            pool's ``max_connections``.
        max_outage_wait_s: with ``on_unavailable="fail"``, how long an acquire (or
            the recording of a completion) that finds Redis unavailable waits for
            it to answer again before ``BudgetBackendError``; ``0`` fails at once.
            A try already under way when the wait ends may add up to
            ``op_timeout_s``.
        learn_limits: adopt a higher limit MoEngage reports in
            ``x-ratelimit-limit`` (see ``observe``), in this process; off,
            nothing ever loosens.
    """

    def __init__(
        self,
        redis: str | Redis,
        *,
        budgets: BudgetOverrides | Mapping[str, Budget] | None = None,
        bulk_share: float | None = None,
        bulk_policy: BulkPolicy | None = None,
        clock: Clock | None = None,
        key_prefix: str = "moengage",
        on_unavailable: Literal["fail", "local"] = "fail",
        local_fraction: float = 0.5,
        max_request_s: float = 300.0,
        use_server_time: bool = True,
        jitter_s: float = 0.002,
        poll_s: float = 0.05,
        backend_retry_s: float = 5.0,
        op_timeout_s: float = 5.0,
        max_connections: int = 50,
        max_outage_wait_s: float = 30.0,
        learn_limits: bool = False,
    ) -> None:
        aioredis, errors = import_redis()
        self._policy = policy_for(bulk_share, bulk_policy)
        wc = self._policy
        if not isinstance(wc, WorkConserving):
            wc = WorkConserving()
        #: the work-conserving policy's floor, horizon and bucket (us), for Lua
        self._demand = (wc.floor, us(wc.horizon_s), us(wc.demand_s))
        if not 0 < local_fraction <= 1:
            raise ValueError("local_fraction must be in (0, 1]")
        if on_unavailable not in ("fail", "local"):
            raise ValueError("on_unavailable must be 'fail' or 'local'")
        if not key_prefix or "{" in key_prefix or "}" in key_prefix:
            raise ValueError("key_prefix must be non-empty and free of braces")
        if min(max_request_s, poll_s, op_timeout_s) <= 0:
            raise ValueError("max_request_s, poll_s and op_timeout_s must be positive")
        if min(jitter_s, backend_retry_s, max_outage_wait_s) < 0:
            raise ValueError(
                "jitter_s, backend_retry_s and max_outage_wait_s must not be negative"
            )
        if type(max_connections) is not int or max_connections < 1:
            raise ValueError("max_connections must be a positive integer")
        if isinstance(redis, str):
            self._redis: Any = aioredis.Redis.from_url(
                redis,
                socket_connect_timeout=op_timeout_s,
                max_connections=max_connections,
            )
            self._owns_redis = True
        else:
            self._redis = redis
            self._owns_redis = False
        self._budgets = budget_table(budgets)
        self._clock: Clock = clock or MonotonicClock()
        self._now = self._clock.now
        self._prefix = key_prefix
        self._on_unavailable = on_unavailable
        self._local_fraction = local_fraction
        self._lease_us = us(max_request_s)
        self._server_time = use_server_time
        self._jitter_s = jitter_s
        self._poll_us = us(poll_s)
        self._grace_us = us(max(0.5, 4 * poll_s))
        # A waiter later than this (beyond its jitter) lets the next one in.
        self._tolerance_us = us(jitter_s + 0.002)
        self._backend_retry_s = backend_retry_s
        self._op_timeout_s = op_timeout_s
        self._specs = {
            name: encode_budget(b, self._lease_us) for name, b in self._budgets.items()
        }
        self._keys: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        self._plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}
        self._outage = Outage(self._clock, max_outage_wait_s)
        self._runner = ScriptRunner(
            self._redis,
            errors,
            op_timeout_s,
            _call_slots(self._redis, max_connections),
            self._outage,
        )
        self._seen: dict[str, Seen] = {}
        # Replies not yet decoded into ``_seen``, oldest first: decoding waits
        # for ``snapshot`` (acquire is hot, snapshots are rare).
        self._unread: dict[
            str, dict[tuple[str, ...], tuple[str | bytes, int, float]]
        ] = {}
        self._local: Limiter | None = None
        self._local_until = -math.inf
        self._server_limits = ServerLimits(self._budgets, learn=learn_limits)
        self._closed = False

    # -- the protocol -----------------------------------------------------------

    async def acquire(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
        deadline: float | None = None,
    ) -> Permit:
        """Wait for a slot in every named budget, in FIFO order across processes."""
        names = budgets if type(budgets) is tuple else tuple(budgets)
        plan = self._plans.get((workspace, names))
        if plan is None:  # validates the names and the workspace once
            names = self._names(budgets)
            plan = self._plan(workspace, names)
        if self._clock.now() < self._local_until:
            return await self._local_limiter().acquire(
                workspace, names, priority=priority, deadline=deadline
            )
        run, keys, options = self._runner.run, plan.acquire_keys, plan.options[priority]
        outage = self._outage
        pid = _ids.next()
        ticket = b""
        sent = False
        since: float | None = None  # when this call met a Redis outage
        failed: BudgetBackendError | None = None  # what its last try raised
        try:
            while True:
                if outage.down and self._on_unavailable == "fail":
                    since = await outage.wait(since, deadline, failed)
                # Trailing arguments are optional: none at all on the common path.
                extra: tuple[bytes, ...] = ()
                if ticket:
                    extra = (self._now_arg(), ticket)
                elif not self._server_time:
                    extra = (self._now_arg(),)
                sent = True
                try:
                    raw = await run(ACQUIRE, keys, pid, options, *extra)
                except BudgetBackendError as exc:
                    sent = False
                    if not exc.unavailable:
                        raise
                    if self._on_unavailable == "local":
                        return await self._fall_back(
                            workspace, names, priority, deadline
                        )
                    failed = exc  # the loop waits for Redis (if still down)
                    continue
                failed = None
                if raw[0] in _ADMITTED:
                    self._remember(workspace, names, raw, 2)
                    return _RedisPermit(self, plan, pid)
                self._remember(workspace, names, raw, 5)
                reply = [int(x) for x in raw.split()]
                ticket = b"%d" % reply[2]
                lower, wait = reply[3] / US, reply[4] / US
                now = self._clock.now()
                if deadline is not None and (now + lower > deadline or now >= deadline):
                    raise RateLimitError(
                        f"budget {'+'.join(names)} cannot admit this call "
                        "before its deadline",
                        retry_at=now + lower,
                        local=True,
                    )
                wait += random.uniform(0, self._jitter_s)
                if deadline is not None:
                    wait = min(wait, deadline - now)
                await self._clock.sleep(wait)
        except BaseException:
            if sent:
                await self._forget(plan, pid)
            raise

    async def acquire_nowait(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
    ) -> Permit:
        """Take the slots now, or raise ``BudgetExhausted`` with the seconds until
        the earliest one, without waiting in the queue.

        One call of the acquire script; when it refuses, it has queued a ticket,
        which ``FORGET`` drops at once (a second round trip, refusals only).
        """
        names = budgets if type(budgets) is tuple else tuple(budgets)
        plan = self._plans.get((workspace, names))
        if plan is None:
            names = self._names(budgets)
            plan = self._plan(workspace, names)
        if self._clock.now() < self._local_until:
            return await self._local_nowait(workspace, names, priority)
        pid = _ids.next()
        extra = () if self._server_time else (self._now_arg(),)
        try:
            raw = await self._runner.run(
                ACQUIRE, plan.acquire_keys, pid, plan.options[priority], *extra
            )
        except BudgetBackendError:
            if self._on_unavailable == "local":
                self._local_until = self._clock.now() + self._backend_retry_s
                return await self._local_nowait(workspace, names, priority)
            raise
        except BaseException:
            await self._forget(plan, pid)  # the script may have run
            raise
        if raw[0] in _ADMITTED:
            self._remember(workspace, names, raw, 2)
            return _RedisPermit(self, plan, pid)
        await self._forget(plan, pid)
        self._remember(workspace, names, raw, 5)
        reply = [int(x) for x in raw.split()[:5]]
        now = self._clock.now()
        return_in = max(reply[3], reply[4]) / US
        raise exhausted(names, now, now + return_in)

    async def _local_nowait(
        self, workspace: str, names: tuple[str, ...], priority: Priority
    ) -> Permit:
        from ._memory import MemoryLimiter

        local = self._local_limiter()
        assert isinstance(local, MemoryLimiter)
        return await local.acquire_nowait(workspace, names, priority=priority)

    async def block(
        self, workspace: str, budgets: Sequence[str], seconds: float
    ) -> None:
        """Close the gate of these budgets for every process, and count a phantom
        call: a 429 the ledger did not expect means someone else spends the budget."""
        names = self._names(budgets)
        if self._local is not None:
            await self._local.block(workspace, names, seconds)
        plan = self._plans.get((workspace, names)) or self._plan(workspace, names)
        ttls = [self._specs[n][1].split(",")[1] for n in names]
        try:
            await self._runner.run(
                BLOCK,
                plan.block_keys,
                self._now_arg(),
                max(0, us(seconds)),
                "phantom:" + secrets.token_hex(8),
                *ttls,
            )
        except BudgetBackendError:
            if self._on_unavailable == "fail":
                raise
            self._local_until = self._clock.now() + self._backend_retry_s
            await self._local_limiter().block(workspace, names, seconds)

    async def observe(
        self,
        workspace: str,
        budgets: Sequence[str],
        limit: int,
        remaining: int,
        reset_s: float,
        lag_s: float = 0.0,
    ) -> Observed | None:
        """Tighten the shared ledger to MoEngage's ``x-ratelimit-*`` headers.

        As ``MemoryLimiter.observe``, in one script call on Redis, so every
        process sees the usage. A budget's windows share one stamp log here, so
        the phantom usage counts in all of them (a shorter window is held back
        for at most its own length). A changed limit in force (a lower one, or
        with ``learn_limits`` a higher one) applies to this process's later
        requests. Redis errors are logged, not raised:
        the response has already arrived.
        """
        names = self._names(budgets)
        found = match_window(
            self._server_limits.candidates(workspace, names), limit, reset_s
        )
        if found is None:
            return None
        in_force = self._server_limits.note(workspace, found, limit)
        if in_force is not None:
            # Plans carry the limits in their options: rebuild this workspace's.
            for key in [k for k in self._plans if k[0] == workspace]:
                del self._plans[key]
            found = Candidate(found.budget, found.seconds, in_force)
        keys = self._keys_for(workspace, (found.budget,))
        ttl = self._specs[found.budget][1].split(",")[1]
        try:
            reply = await self._runner.run(
                OBSERVE,
                with_count(keys[:2]),
                self._now_arg(),
                us(found.seconds),
                found.limit,
                remaining,
                ttl,
                "phantom:" + secrets.token_hex(8),
                us(min(max(lag_s, 0.0), found.seconds)),
            )
        except BudgetBackendError as exc:
            log.warning("could not record MoEngage's rate-limit headers: %s", exc)
            return None
        added = int(reply.split()[1])
        if added:
            log.info(
                "budget %s/%s: the server has %d slot(s) left in the %gs window; "
                "counted %d unseen for every process",
                workspace,
                found.budget,
                remaining,
                found.seconds,
                added,
            )
        return Observed(found.budget, found.seconds, found.limit, added)

    def snapshot(self, workspace: str) -> list[WindowUsage]:
        """Usage as last seen from Redis by this process (see ``fetch_snapshot``)."""
        self._read(workspace)
        seen = self._seen.get(workspace, {})
        rows = usage_from_seen(self._budgets, self._policy, seen, self._clock.now())
        return self._server_limits.annotate(workspace, rows)

    async def fetch_snapshot(self, workspace: str) -> list[WindowUsage]:
        """Read the current usage of every budget of ``workspace`` from Redis."""
        names = tuple(sorted(n for n, b in self._budgets.items() if b.windows))
        keys = self._keys_for(workspace, names)
        reply = await self._runner.run(
            SNAPSHOT,
            with_count(keys),
            self._now_arg(),
            ",".join(str(x) for x in self._demand),
            *(self._specs[n][0] for n in names),
        )
        self._unread.pop(workspace, None)  # older than this reply
        seen = self._seen[workspace] = seen_from_reply(
            self._budgets, names, reply, self._clock.now()
        )
        rows = usage_from_seen(self._budgets, self._policy, seen, self._clock.now())
        return self._server_limits.annotate(workspace, rows)

    async def aclose(self) -> None:
        """Close the connection pool if this limiter created it."""
        if self._closed:
            return
        self._closed = True
        self._runner.close()
        if self._local is not None:
            await self._local.aclose()
        if self._owns_redis:
            await self._redis.aclose()

    @property
    def budgets(self) -> Mapping[str, Budget]:
        """The budget table this limiter enforces."""
        return self._budgets

    @property
    def bulk_share(self) -> float:
        """The static fraction of each window bulk callers may fill (1.0 under
        the work-conserving policy: bulk work alone may fill every window)."""
        return share_of(self._policy)

    @property
    def bulk_policy(self) -> BulkPolicy:
        """How bulk and interactive callers share the windows."""
        return self._policy

    def __repr__(self) -> str:
        return (
            f"RedisLimiter(key_prefix={self._prefix!r}, "
            f"on_unavailable={self._on_unavailable!r})"
        )

    # -- internals ------------------------------------------------------------------

    def _names(self, budgets: Sequence[str]) -> tuple[str, ...]:
        names = tuple(budgets)
        for name in names:
            if name not in self._budgets:
                known = ", ".join(sorted(self._budgets))
                raise ValueError(f"unknown budget {name!r}; known budgets: {known}")
        return names

    def _keys_for(self, workspace: str, names: tuple[str, ...]) -> list[str]:
        cached = self._keys.get((workspace, names))
        if cached is not None:
            return cached
        if not workspace or "{" in workspace or "}" in workspace:
            raise ValueError("workspace must be non-empty and free of braces")
        keys = [
            f"{self._prefix}:{{{workspace}}}:{name}:{part}"
            for name in names
            for part in ("stamps", "flight", "gate", "q0", "q1", "ql", "dem")
        ]
        self._keys[(workspace, names)] = keys
        return keys

    def _plan(self, workspace: str, names: tuple[str, ...]) -> _Plan:
        keys = self._keys_for(workspace, names)
        options = (
            self._options(names, Priority.INTERACTIVE, workspace),
            self._options(names, Priority.BULK, workspace),
        )
        plan = _Plan(
            workspace, names, keys, self._seq_key(workspace), self._specs, options
        )
        self._plans[(workspace, names)] = plan
        return plan

    def _options(
        self, names: tuple[str, ...], priority: Priority, workspace: str = ""
    ) -> bytes:
        """The acquire script's constant options (packed doubles), encoded once,
        with the limits ``workspace`` learned (``learn_limits``)."""
        nums: list[float] = [int(priority), self._lease_us]
        nums += [self._grace_us, self._poll_us, self._tolerance_us, len(names)]
        nums += [0 if isinstance(self._policy, StaticShare) else 1, *self._demand]
        for name in names:
            spec = [float(p) for p in self._specs[name][0].split(",")]
            windows = self._budgets[name].windows
            nums += [*spec[:4], len(windows)]
            for window, span in zip(windows, spec[5::2], strict=True):
                learned = self._server_limits.learned(workspace, name, window.seconds)
                limit = window.limit if learned is None else learned
                nums += [limit, static_cap(self._policy, limit), span]
        return struct.pack(f"<{len(nums)}d", *nums)

    def _seq_key(self, workspace: str) -> str:
        return f"{self._prefix}:{{{workspace}}}:tickets"

    def _now_arg(self) -> bytes:
        """The time to decide at: Redis's own, or the clock's rounded down (the
        call then sees every stamp as at least as recent as it is)."""
        if self._server_time:
            return b""
        return b"%d" % math.floor(self._clock.now() * _US)

    def _stamp_arg(self) -> bytes:
        """The time to stamp a completion at: rounded up, so a stamp never leaves
        its window before the completion it records."""
        if self._server_time:
            return b""
        return b"%d" % math.ceil(self._clock.now() * _US)

    async def _complete(
        self, plan: _Plan, pid: bytes, success: bool, unsent: bool = False
    ) -> None:
        """Stamp a completion; through an outage, once Redis answers again (a
        stamp recorded late counts longer, never shorter). A permit never sent
        leaves ``flight`` without a stamp."""
        if unsent:
            await self._forget(plan, pid)
            return
        since: float | None = None
        while True:
            try:
                await self._runner.run(
                    COMPLETE,
                    plan.complete_keys,
                    self._stamp_arg(),
                    pid,
                    b"1" if success else b"0",
                    *plan.complete_specs,
                )
                return
            except BudgetBackendError as exc:
                error = exc
                if exc.unavailable and self._on_unavailable == "fail":
                    try:
                        since = await self._outage.wait(since, None, exc)
                        continue
                    except BudgetBackendError as gave_up:
                        error = gave_up
            # The lease frees the slot (conservatively) when it lapses.
            log.warning("could not record a completion in Redis: %s", error)
            return

    async def _forget(self, plan: _Plan, pid: bytes) -> None:
        """Drop a waiter's tickets or an unsent permit (cancellation, deadline)."""
        with anyio.move_on_after(_FORGET_TIMEOUT_S, shield=True):
            try:
                await self._runner.run(FORGET, plan.forget_keys, pid)
            except BudgetBackendError as exc:
                log.warning("could not drop a waiter from Redis: %s", exc)

    async def _fall_back(
        self,
        workspace: str,
        names: tuple[str, ...],
        priority: Priority,
        deadline: float | None,
    ) -> Permit:
        log.warning(
            "Redis unreachable: budgets fall back to %.0f%% of the limits in-process",
            self._local_fraction * 100,
        )
        self._local_until = self._clock.now() + self._backend_retry_s
        return await self._local_limiter().acquire(
            workspace, names, priority=priority, deadline=deadline
        )

    def _local_limiter(self) -> Limiter:
        if self._local is None:
            from ._memory import MemoryLimiter

            self._local = MemoryLimiter(
                scaled_budgets(self._budgets, self._local_fraction),
                clock=self._clock,
                bulk_policy=self._policy,
            )
        return self._local

    def _remember(
        self, workspace: str, names: tuple[str, ...], reply: str | bytes, skip: int
    ) -> None:
        """Keep a reply whose stats start at field ``skip``, for ``snapshot``."""
        entry = (reply, skip, self._now())
        unread = self._unread.get(workspace)
        if unread is None:
            self._unread[workspace] = {names: entry}
        else:
            unread.pop(names, None)  # the newest goes last
            unread[names] = entry

    def _read(self, workspace: str) -> None:
        """Decode the replies kept by ``_remember`` into ``_seen``, oldest first."""
        unread = self._unread.pop(workspace, None)
        if not unread:
            return
        seen = self._seen.setdefault(workspace, {})
        for names, (reply, skip, at) in unread.items():
            stats = [int(x) for x in reply.split()[skip:]]
            pos = 0
            for name in names:
                k = len(self._budgets[name].windows)
                flying, queued, blocked, reserve = stats[pos : pos + 4]
                rows = stats[pos + 4 : pos + 4 + 2 * k]
                seen[name] = (
                    flying,
                    queued,
                    blocked,
                    reserve,
                    rows[0::2],
                    rows[1::2],
                    at,
                )
                pos += 4 + 2 * k


def _call_slots(redis: Any, wanted: int) -> int:
    """How many calls may be in flight: ``wanted``, or fewer if the pool is smaller."""
    pool_size = getattr(getattr(redis, "connection_pool", None), "max_connections", 0)
    if isinstance(pool_size, int) and pool_size > 0:
        return min(wanted, pool_size)
    return wanted


def limiter_from_env(
    url: str | None = None,
    *,
    budgets: BudgetOverrides | None = None,
    env: Mapping[str, str] | None = None,
    **options: Any,
) -> RedisLimiter | None:
    """Build a ``RedisLimiter`` from ``--redis-url`` or ``MOENGAGE_REDIS_URL``.

    Args:
        url: an explicit URL (the CLI's ``--redis-url``); wins over the environment.
        budgets: budget overrides for the limiter (default: ``MOENGAGE_BUDGETS``).
        env: the environment to read (defaults to ``os.environ``).
        **options: further ``RedisLimiter`` keyword arguments.

    Returns:
        The limiter, or ``None`` when no URL is configured (use the in-memory one).
    """
    environ = os.environ if env is None else env
    chosen = url or environ.get("MOENGAGE_REDIS_URL", "").strip() or None
    if chosen is None:
        return None
    if budgets is None:
        return RedisLimiter(chosen, budgets=budgets_from_env(environ), **options)
    return RedisLimiter(chosen, budgets=budgets, **options)
