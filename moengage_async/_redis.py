"""Budgets shared by every process and host through Redis, as exact as in memory.

MoEngage counts per workspace, not per process: ten replicas with local limiters
would send ten times the budget. Each decision is one Lua script call that checks
and records every window of every budget atomically on Redis's own clock.
"""

from __future__ import annotations

import logging
import math
import os
import random
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import anyio

from ._budget_spec import (
    Budget,
    BudgetOverrides,
    Priority,
    Window,
    budgets_from_env,
    resolve_budgets,
)
from ._clock import Clock, MonotonicClock
from ._errors import MoEngageError, RateLimitError
from ._limiter import Limiter, Permit, WindowUsage
from ._redis_scripts import ACQUIRE, BLOCK, COMPLETE, FORGET, SNAPSHOT, Script

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["BudgetBackendError", "RedisLimiter", "limiter_from_env"]

log = logging.getLogger("moengage_async.redis")

_US = 1_000_000
_SLACK_MS = 1000
_FORGET_TIMEOUT_S = 2.0


class BudgetBackendError(MoEngageError):
    """Raised when the shared budget store is unreachable; nothing was sent."""


def _import_redis() -> tuple[Any, Any]:
    """The redis-py asyncio module and its exceptions, imported only when used."""
    try:
        import redis.asyncio as aioredis
        import redis.exceptions as errors
    except ImportError as exc:  # pragma: no cover - the test extra installs redis
        raise ImportError(
            "RedisLimiter needs the redis client: pip install 'moengage-async[redis]'"
        ) from exc
    return aioredis, errors


def _us(seconds: float) -> int:
    return math.ceil(seconds * _US)


def _spec(budget: Budget, lease_us: int) -> tuple[str, str]:
    """Encode a budget for the acquire and complete scripts (quota, caps, windows)."""
    horizon = max((_us(w.seconds) for w in budget.windows), default=0)
    ttl_ms = math.ceil(horizon / 1000) + _SLACK_MS
    parts = [
        int(budget.successes_only),
        budget.concurrency or 0,
        horizon,
        ttl_ms,
    ]
    for w in budget.windows:
        parts += [w.limit, _us(w.seconds)]
    acquire = ",".join(str(p) for p in parts)
    complete = f"{int(budget.successes_only)},{ttl_ms + math.ceil(lease_us / 1000)}"
    return acquire, complete


def _scaled(budgets: Mapping[str, Budget], fraction: float) -> dict[str, Budget]:
    """The budgets at ``fraction`` of each limit (at least one): the local fallback."""
    return {
        name: Budget(
            name,
            tuple(
                Window(max(1, int(w.limit * fraction)), w.seconds) for w in b.windows
            ),
            b.successes_only,
            None if b.concurrency is None else max(1, int(b.concurrency * fraction)),
        )
        for name, b in budgets.items()
    }


class _RedisPermit:
    __slots__ = ("_done", "_id", "_limiter", "_names", "_workspace")

    def __init__(
        self, limiter: RedisLimiter, workspace: str, names: tuple[str, ...], pid: str
    ) -> None:
        self._limiter = limiter
        self._workspace = workspace
        self._names = names
        self._id = pid
        self._done = False

    async def complete(self, *, success: bool) -> None:
        if self._done:
            return
        self._done = True
        await self._limiter._complete(self._workspace, self._names, self._id, success)


class RedisLimiter:
    """Exact rolling-window budgets shared through Redis by every process and host.

    Args:
        redis: a ``redis://`` / ``rediss://`` / ``unix://`` URL (the limiter owns and
            closes that connection pool) or an existing ``redis.asyncio.Redis``.
        budgets: overrides of the documented table (mapping or string syntax), or
            a complete mapping of ``Budget`` objects.
        bulk_share: the part of each window ``Priority.BULK`` may fill.
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
            unavailable (a hung server must not stall every caller).
    """

    def __init__(
        self,
        redis: str | Redis,
        *,
        budgets: BudgetOverrides | Mapping[str, Budget] | None = None,
        bulk_share: float = 0.8,
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
    ) -> None:
        aioredis, errors = _import_redis()
        if not 0 < bulk_share <= 1:
            raise ValueError("bulk_share must be in (0, 1]")
        if not 0 < local_fraction <= 1:
            raise ValueError("local_fraction must be in (0, 1]")
        if on_unavailable not in ("fail", "local"):
            raise ValueError("on_unavailable must be 'fail' or 'local'")
        if not key_prefix or "{" in key_prefix or "}" in key_prefix:
            raise ValueError("key_prefix must be non-empty and free of braces")
        if min(max_request_s, poll_s, op_timeout_s) <= 0:
            raise ValueError("max_request_s, poll_s and op_timeout_s must be positive")
        if jitter_s < 0 or backend_retry_s < 0:
            raise ValueError("jitter_s and backend_retry_s must not be negative")
        if isinstance(redis, str):
            self._redis: Any = aioredis.Redis.from_url(
                redis, socket_connect_timeout=op_timeout_s
            )
            self._owns_redis = True
        else:
            self._redis = redis
            self._owns_redis = False
        self._budgets = _budget_table(budgets)
        self._clock: Clock = clock or MonotonicClock()
        self._bulk_share = bulk_share
        self._prefix = key_prefix
        self._on_unavailable = on_unavailable
        self._local_fraction = local_fraction
        self._lease_us = _us(max_request_s)
        self._server_time = use_server_time
        self._jitter_s = jitter_s
        self._poll_us = _us(poll_s)
        self._grace_us = _us(max(0.5, 4 * poll_s))
        # A waiter later than this (beyond its jitter) lets the next one in.
        self._tolerance_us = _us(jitter_s + 0.002)
        self._backend_retry_s = backend_retry_s
        self._op_timeout_s = op_timeout_s
        self._specs = {
            name: _spec(b, self._lease_us) for name, b in self._budgets.items()
        }
        self._keys: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        self._tails: dict[tuple[tuple[str, ...], Priority], tuple[bytes, ...]] = {}
        self._no_script: type[Exception] = errors.NoScriptError
        self._unavailable: tuple[type[Exception], ...] = (
            errors.ConnectionError,
            errors.TimeoutError,
            OSError,  # TimeoutError (our own deadline) is an OSError too
        )
        self._redis_error: type[Exception] = errors.RedisError
        self._seen: dict[str, dict[str, tuple[int, int, int, list[int]]]] = {}
        self._local: Limiter | None = None
        self._local_until = -math.inf
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
        names = self._names(budgets)
        if self._clock.now() < self._local_until:
            return await self._local_limiter().acquire(
                workspace, names, priority=priority, deadline=deadline
            )
        keys = [*self._keys_for(workspace, names), self._seq_key(workspace)]
        pid = secrets.token_hex(8)
        tail = self._acquire_args(names, priority)
        ticket = ""
        sent = False
        try:
            while True:
                sent = True
                try:
                    reply = await self._eval(
                        ACQUIRE,
                        keys,
                        [self._now_arg(), pid, ticket, *tail],
                    )
                except BudgetBackendError:
                    sent = False
                    if self._on_unavailable == "local":
                        return await self._fall_back(
                            workspace, names, priority, deadline
                        )
                    raise
                reply = [int(x) for x in reply.split()]
                if reply[0] == 1:
                    self._remember(workspace, names, reply[2:])
                    return _RedisPermit(self, workspace, names, pid)
                self._remember(workspace, names, reply[5:])
                ticket = str(reply[2])
                lower, wait = reply[3] / _US, reply[4] / _US
                now = self._clock.now()
                if deadline is not None and (now + lower > deadline or now >= deadline):
                    raise RateLimitError(
                        f"budget {'+'.join(names)} cannot admit this call "
                        "before its deadline",
                        retry_at=now + max(lower, wait),
                        local=True,
                    )
                wait += random.uniform(0, self._jitter_s)
                if deadline is not None:
                    wait = min(wait, deadline - now)
                await self._clock.sleep(wait)
        except BaseException:
            if sent:
                await self._forget(workspace, names, pid)
            raise

    async def block(
        self, workspace: str, budgets: Sequence[str], seconds: float
    ) -> None:
        """Close the gate of these budgets for every process, and count a phantom
        call: a 429 the ledger did not expect means someone else spends the budget."""
        names = self._names(budgets)
        if self._local is not None:
            await self._local.block(workspace, names, seconds)
        keys = self._keys_for(workspace, names)
        pairs = [k for i in range(len(names)) for k in (keys[6 * i + 2], keys[6 * i])]
        ttls = [self._specs[n][1].split(",")[1] for n in names]
        try:
            await self._eval(
                BLOCK,
                pairs,
                [
                    self._now_arg(),
                    max(0, _us(seconds)),
                    "phantom:" + secrets.token_hex(8),
                    *ttls,
                ],
            )
        except BudgetBackendError:
            if self._on_unavailable == "fail":
                raise
            self._local_until = self._clock.now() + self._backend_retry_s
            await self._local_limiter().block(workspace, names, seconds)

    def snapshot(self, workspace: str) -> list[WindowUsage]:
        """Usage as last seen from Redis by this process (see ``fetch_snapshot``)."""
        seen = self._seen.get(workspace, {})
        out: list[WindowUsage] = []
        for name, (flying, queued, blocked_us, used) in sorted(seen.items()):
            budget = self._budgets[name]
            for window, n in zip(budget.windows, used, strict=True):
                out.append(
                    WindowUsage(
                        name,
                        window.limit,
                        window.seconds,
                        n,
                        flying,
                        queued,
                        0.0 if n + flying < window.limit else window.seconds,
                        blocked_us / _US,
                    )
                )
        return out

    async def fetch_snapshot(self, workspace: str) -> list[WindowUsage]:
        """Read the current usage of every budget of ``workspace`` from Redis."""
        names = tuple(sorted(n for n, b in self._budgets.items() if b.windows))
        keys = self._keys_for(workspace, names)
        reply = await self._eval(
            SNAPSHOT, keys, [self._now_arg(), *(self._specs[n][0] for n in names)]
        )
        out: list[WindowUsage] = []
        pos = 1
        seen: dict[str, tuple[int, int, int, list[int]]] = {}
        for name in names:
            flying, queued, blocked = (int(x) for x in reply[pos : pos + 3])
            pos += 3
            used: list[int] = []
            for window in self._budgets[name].windows:
                n, next_free = int(reply[pos]), int(reply[pos + 1])
                pos += 2
                used.append(n)
                out.append(
                    WindowUsage(
                        name,
                        window.limit,
                        window.seconds,
                        n,
                        flying,
                        queued,
                        next_free / _US,
                        blocked / _US,
                    )
                )
            seen[name] = (flying, queued, blocked, used)
        self._seen[workspace] = seen
        return out

    async def aclose(self) -> None:
        """Close the connection pool if this limiter created it."""
        if self._closed:
            return
        self._closed = True
        if self._local is not None:
            await self._local.aclose()
        if self._owns_redis:
            await self._redis.aclose()

    @property
    def bulk_share(self) -> float:
        """The fraction of each window bulk callers may fill."""
        return self._bulk_share

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
            for part in ("stamps", "flight", "gate", "q0", "q1", "ql")
        ]
        self._keys[(workspace, names)] = keys
        return keys

    def _acquire_args(
        self, names: tuple[str, ...], priority: Priority
    ) -> tuple[bytes, ...]:
        """The constant tail of the acquire script's arguments, encoded once."""
        cached = self._tails.get((names, priority))
        if cached is None:
            lane = 1 if priority == Priority.BULK else 0
            parts: list[object] = [lane, self._lease_us, self._bulk_share]
            parts += [self._grace_us, self._poll_us, self._tolerance_us]
            parts += [self._specs[n][0] for n in names]
            cached = tuple(str(p).encode() for p in parts)
            self._tails[(names, priority)] = cached
        return cached

    def _seq_key(self, workspace: str) -> str:
        return f"{self._prefix}:{{{workspace}}}:tickets"

    def _now_arg(self) -> str:
        return "" if self._server_time else str(int(self._clock.now() * _US))

    async def _eval(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        """EVALSHA, loading the script once when the server does not know it."""
        try:
            # One timer per call: far cheaper than redis-py's per-read timeout.
            with anyio.fail_after(self._op_timeout_s):
                try:
                    return await self._redis.execute_command(
                        "EVALSHA", script.sha, len(keys), *keys, *args
                    )
                except self._no_script:
                    return await self._redis.execute_command(
                        "EVAL", script.source, len(keys), *keys, *args
                    )
        except self._unavailable as exc:
            raise BudgetBackendError(
                f"Redis budget backend unavailable ({type(exc).__name__}: {exc}); "
                "nothing was sent"
            ) from exc
        except self._redis_error as exc:
            raise BudgetBackendError(
                f"Redis budget backend failed the {script.name} script: {exc}"
            ) from exc

    async def _complete(
        self, workspace: str, names: tuple[str, ...], pid: str, success: bool
    ) -> None:
        keys = self._keys_for(workspace, names)
        pairs = [k for i in range(len(names)) for k in (keys[6 * i], keys[6 * i + 1])]
        try:
            await self._eval(
                COMPLETE,
                pairs,
                [
                    self._now_arg(),
                    pid,
                    int(success),
                    *(self._specs[n][1] for n in names),
                ],
            )
        except BudgetBackendError as exc:
            # The lease frees the slot (conservatively) when it lapses.
            log.warning("could not record a completion in Redis: %s", exc)

    async def _forget(self, workspace: str, names: tuple[str, ...], pid: str) -> None:
        """Drop a waiter's tickets or an unsent permit (cancellation, deadline)."""
        keys = [
            k
            for i, k in enumerate(self._keys_for(workspace, names))
            if i % 6 in (1, 3, 4, 5)
        ]
        with anyio.move_on_after(_FORGET_TIMEOUT_S, shield=True):
            try:
                await self._eval(FORGET, keys, [pid])
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
            from ._budgets import MemoryLimiter

            self._local = MemoryLimiter(
                _scaled(self._budgets, self._local_fraction),
                clock=self._clock,
                bulk_share=self._bulk_share,
            )
        return self._local

    def _remember(
        self, workspace: str, names: tuple[str, ...], stats: list[int]
    ) -> None:
        seen = self._seen.setdefault(workspace, {})
        pos = 0
        for name in names:
            k = len(self._budgets[name].windows)
            flying, queued, blocked = stats[pos : pos + 3]
            seen[name] = (flying, queued, blocked, stats[pos + 3 : pos + 3 + k])
            pos += 3 + k


def _budget_table(
    budgets: BudgetOverrides | Mapping[str, Budget] | None,
) -> dict[str, Budget]:
    if isinstance(budgets, Mapping) and all(
        isinstance(b, Budget) for b in budgets.values()
    ):
        return dict(resolve_budgets(None), **budgets)
    return resolve_budgets(budgets)  # type: ignore[arg-type]


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
