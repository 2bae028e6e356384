"""Helpers of ``RedisLimiter``: lazy import, budget encoding, snapshot decoding."""

from __future__ import annotations

import asyncio
import itertools
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ._budget_spec import Budget, BudgetOverrides, Window, resolve_budgets
from ._errors import MoEngageError
from ._limiter import WindowUsage
from ._redis_scripts import Script

__all__ = [
    "BudgetBackendError",
    "ScriptRunner",
    "Seen",
    "US",
    "budget_table",
    "encode_budget",
    "import_redis",
    "scaled_budgets",
    "us",
    "usage_from_reply",
    "usage_from_seen",
    "with_count",
]

US = 1_000_000
_SLACK_MS = 1000


class BudgetBackendError(MoEngageError):
    """Raised when the shared budget store is unreachable; nothing was sent."""


class _Watchdog:
    """One timer bounds every call in flight, instead of one timer per call.

    All calls get the same timeout, so deadlines come due in start order: the
    oldest call in flight expires first, and a single timer armed for it suffices
    (a per-call cancel scope cost more than the rest of the Python side of a call).
    A call whose timer fires is cancelled, as ``asyncio.timeout`` would.
    """

    __slots__ = ("_calls", "_expired", "_loop", "_seq", "_timeout", "_timer")

    def __init__(self, timeout_s: float) -> None:
        self._timeout = timeout_s
        # token -> (task, deadline, the task's cancel count on entry); start order.
        self._calls: dict[int, tuple[asyncio.Task[Any], float, int]] = {}
        self._expired: dict[int, tuple[asyncio.Task[Any], int]] = {}
        self._seq = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None

    def start(self) -> int:
        """Watch the current task's call; returns the token for ``stop``."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        assert task is not None
        if self._loop is not loop:  # a new event loop: the old one's calls are gone
            self.close()
            self._loop = loop
        deadline = loop.time() + self._timeout
        token = next(self._seq)
        self._calls[token] = (task, deadline, _cancelling(task))
        if self._timer is None:
            self._timer = loop.call_at(deadline, self._fire)
        return token

    def stop(self, token: int) -> bool:
        """Stop watching; True when the timer cancelled this call (and no one else)."""
        if self._calls.pop(token, None) is not None:
            return False
        expired = self._expired.pop(token, None)
        if expired is None:
            return False
        task, entered = expired
        return _uncancel(task) <= entered

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._calls.clear()
        self._expired.clear()

    def _fire(self) -> None:
        self._timer = None
        loop, calls = self._loop, self._calls
        assert loop is not None
        now = loop.time()
        while calls:
            token = next(iter(calls))
            task, deadline, entered = calls[token]
            if deadline > now:
                self._timer = loop.call_at(deadline, self._fire)
                return
            del calls[token]
            self._expired[token] = (task, entered)
            task.cancel()


if sys.version_info >= (3, 11):

    def _cancelling(task: asyncio.Task[Any]) -> int:
        return task.cancelling()

    def _uncancel(task: asyncio.Task[Any]) -> int:
        return task.uncancel()

else:  # pragma: no cover - Python 3.10 counts no cancellations

    def _cancelling(task: asyncio.Task[Any]) -> int:
        return 0

    def _uncancel(task: asyncio.Task[Any]) -> int:
        return 0


class ScriptRunner:
    """Runs the limiter's scripts: EVALSHA, EVAL on NOSCRIPT, errors translated."""

    __slots__ = ("_no_script", "_redis", "_redis_error", "_unavailable", "_watchdog")

    def __init__(self, redis: Any, errors: Any, timeout_s: float) -> None:
        self._redis = redis
        self._watchdog = _Watchdog(timeout_s)
        self._no_script: type[Exception] = errors.NoScriptError
        self._unavailable: tuple[type[Exception], ...] = (
            errors.ConnectionError,
            errors.TimeoutError,
            OSError,
        )
        self._redis_error: type[Exception] = errors.RedisError

    async def run(self, script: Script, keys: Sequence[bytes], *args: Any) -> Any:
        """One script call; ``BudgetBackendError`` when Redis fails or hangs.

        ``keys`` starts with their count (see ``with_count``); arguments already
        in bytes go out as they are, anything else redis-py encodes on each call.
        """
        redis = self._redis
        watchdog = self._watchdog
        token = watchdog.start()
        try:
            try:
                reply = await redis.execute_command(
                    "EVALSHA", script.digest, *keys, *args
                )
            except self._no_script:
                reply = await redis.execute_command("EVAL", script.source, *keys, *args)
        except BaseException as exc:
            if watchdog.stop(token):
                raise BudgetBackendError(
                    f"Redis budget backend unavailable (no answer within "
                    f"{watchdog._timeout:g} s); nothing was sent"
                ) from None
            if isinstance(exc, self._unavailable):
                raise BudgetBackendError(
                    f"Redis budget backend unavailable ({type(exc).__name__}: {exc}); "
                    "nothing was sent"
                ) from exc
            if isinstance(exc, self._redis_error):
                raise BudgetBackendError(
                    f"Redis budget backend failed the {script.name} script: {exc}"
                ) from exc
            raise
        watchdog.stop(token)  # a late answer that beat its cancellation still counts
        return reply

    def close(self) -> None:
        """Disarm the timer (the limiter is closing)."""
        self._watchdog.close()


def with_count(keys: Sequence[str]) -> tuple[bytes, ...]:
    """Script keys encoded once, after their count: the head of ``ScriptRunner.run``."""
    return (b"%d" % len(keys), *(k.encode() for k in keys))


#: Per budget, as last seen: in flight, queued, blocked (us), used per window.
Seen = dict[str, tuple[int, int, int, list[int]]]


def import_redis() -> tuple[Any, Any]:
    """The redis-py asyncio module and its exceptions, imported only when used."""
    try:
        import redis.asyncio as aioredis
        import redis.exceptions as errors
    except ImportError as exc:  # pragma: no cover - the test extra installs redis
        raise ImportError(
            "RedisLimiter needs the redis client: pip install 'moengage-async[redis]'"
        ) from exc
    return aioredis, errors


def us(seconds: float) -> int:
    return math.ceil(seconds * US)


def encode_budget(budget: Budget, lease_us: int) -> tuple[str, str]:
    """Encode a budget for the acquire and complete scripts (quota, caps, windows)."""
    horizon = max((us(w.seconds) for w in budget.windows), default=0)
    ttl_ms = math.ceil(horizon / 1000) + _SLACK_MS
    parts = [
        int(budget.successes_only),
        budget.concurrency or 0,
        horizon,
        ttl_ms,
    ]
    for w in budget.windows:
        parts += [w.limit, us(w.seconds)]
    acquire = ",".join(str(p) for p in parts)
    lease_ms = math.ceil(lease_us / 1000)
    complete = f"{int(budget.successes_only)},{ttl_ms + lease_ms},{horizon}"
    return acquire, complete


def scaled_budgets(budgets: Mapping[str, Budget], fraction: float) -> dict[str, Budget]:
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


def budget_table(
    budgets: BudgetOverrides | Mapping[str, Budget] | None,
) -> dict[str, Budget]:
    if isinstance(budgets, Mapping) and all(
        isinstance(b, Budget) for b in budgets.values()
    ):
        return dict(resolve_budgets(None), **budgets)
    return resolve_budgets(budgets)  # type: ignore[arg-type]


def usage_from_seen(budgets: Mapping[str, Budget], seen: Seen) -> list[WindowUsage]:
    """Window usage from the counts the last script replies carried."""
    out: list[WindowUsage] = []
    for name, (flying, queued, blocked_us, used) in sorted(seen.items()):
        for window, n in zip(budgets[name].windows, used, strict=True):
            full = n + flying >= window.limit
            out.append(
                WindowUsage(
                    name,
                    window.limit,
                    window.seconds,
                    n,
                    flying,
                    queued,
                    window.seconds if full else 0.0,
                    blocked_us / US,
                )
            )
    return out


def usage_from_reply(
    budgets: Mapping[str, Budget], names: Sequence[str], reply: Sequence[Any]
) -> tuple[list[WindowUsage], Seen]:
    """Decode the snapshot script's reply (see ``_redis_scripts.SNAPSHOT``)."""
    out: list[WindowUsage] = []
    seen: Seen = {}
    pos = 1
    for name in names:
        flying, queued, blocked = (int(x) for x in reply[pos : pos + 3])
        pos += 3
        used: list[int] = []
        for window in budgets[name].windows:
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
                    next_free / US,
                    blocked / US,
                )
            )
        seen[name] = (flying, queued, blocked, used)
    return out, seen
