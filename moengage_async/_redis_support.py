"""Helpers of ``RedisLimiter``: lazy import, budget encoding, snapshot decoding."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import anyio

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
]

US = 1_000_000
_SLACK_MS = 1000


class BudgetBackendError(MoEngageError):
    """Raised when the shared budget store is unreachable; nothing was sent."""


class ScriptRunner:
    """Runs the limiter's scripts: EVALSHA, EVAL on NOSCRIPT, errors translated."""

    __slots__ = ("_no_script", "_redis", "_redis_error", "_timeout", "_unavailable")

    def __init__(self, redis: Any, errors: Any, timeout_s: float) -> None:
        self._redis = redis
        self._timeout = timeout_s
        self._no_script: type[Exception] = errors.NoScriptError
        self._unavailable: tuple[type[Exception], ...] = (
            errors.ConnectionError,
            errors.TimeoutError,
            OSError,  # TimeoutError (our own deadline) is an OSError too
        )
        self._redis_error: type[Exception] = errors.RedisError

    async def run(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        """One script call; ``BudgetBackendError`` when Redis fails or hangs."""
        redis = self._redis
        try:
            # One timer per call: far cheaper than redis-py's per-read timeout.
            with anyio.fail_after(self._timeout):
                try:
                    return await redis.execute_command(
                        "EVALSHA", script.sha, len(keys), *keys, *args
                    )
                except self._no_script:
                    return await redis.execute_command(
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
