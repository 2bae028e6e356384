"""Helpers of ``RedisLimiter``: lazy import, budget encoding, snapshot decoding."""

from __future__ import annotations

import asyncio
import collections
import itertools
import math
import sys
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._errors import MoEngageError
from ._limiter import WindowUsage
from ._policy import BulkPolicy, held_back
from ._redis_scripts import Script
from ._spec import Budget, BudgetOverrides, Window, resolve_budgets

if TYPE_CHECKING:
    from ._redis_outage import Outage

__all__ = [
    "BudgetBackendError",
    "ScriptRunner",
    "Seen",
    "US",
    "budget_table",
    "encode_budget",
    "import_redis",
    "scaled_budgets",
    "seen_from_reply",
    "us",
    "usage_from_seen",
    "with_count",
]

US = 1_000_000
_SLACK_MS = 1000


class BudgetBackendError(MoEngageError):
    """Raised when the shared budget store is unreachable; nothing was sent."""

    #: True when Redis did not answer (refused, reset, no answer in time): an
    #: outage. False when it answered with an error, or no pooled connection
    #: came free in time (a pool shared with other code).
    unavailable: bool = False


#: How long a call waits before asking again for a connection of a pool that had
#: none free (a pool the limiter shares with other code; its own calls queue).
_BUSY_RETRY_S = 0.001
#: What redis-py before 6 says when a pool has no connection left to give.
_POOL_FULL = "Too many connections"


if sys.version_info >= (3, 11):

    def _uncancel(task: asyncio.Task[Any]) -> int:
        return task.uncancel()

else:  # pragma: no cover - Python 3.10 counts no cancellations

    def _uncancel(task: asyncio.Task[Any]) -> int:
        return 0


class _Slots:
    """At most ``size`` holders at once; the others wait in arrival order.

    ``asyncio.Semaphore`` scans its waiters on some paths (``locked``); this is
    O(1) per call whatever the queue: a released slot goes straight to the
    oldest live waiter.
    """

    __slots__ = ("_free", "_waiters")

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def take(self) -> bool:
        """Take a slot; True when the caller had to queue for it."""
        if self._free > 0:
            self._free -= 1
            return False
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut
        except BaseException:
            if fut.done() and not fut.cancelled():
                self.give()  # handed over just as we were cancelled: pass it on
            raise
        return True

    def give(self) -> None:
        """Hand the slot to the oldest live waiter, or free it."""
        waiters = self._waiters
        while waiters:
            fut = waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                return
        self._free += 1


class ScriptRunner:
    """Runs the limiter's scripts: EVALSHA, EVAL on NOSCRIPT, errors translated.

    At most ``max_calls`` calls are in flight at once, one pooled connection
    each; the others queue here in arrival order, and a call's timeout starts
    only when it leaves the queue: waiting for a connection is not Redis failing
    to answer. A call that queued while another found Redis unavailable fails the
    same way without trying (a hung server would otherwise hold the queue for one
    timeout per ``max_calls`` calls). When a pool shared with other code has no
    connection free, the call asks again until it gets one or its timeout ends.

    One timer bounds every call in flight, instead of a timer (or cancel scope)
    per call, which cost more than the rest of the Python side of a call. All
    calls get the same timeout, so deadlines come due in start order: the oldest
    call expires first, and one timer armed for it suffices. A call whose timer
    fires is cancelled, as ``asyncio.timeout`` would, and fails closed.
    """

    __slots__ = (
        "_busy",
        "_calls",
        "_connection_error",
        "_expired",
        "_failures",
        "_last_failure",
        "_loop",
        "_max_calls",
        "_no_script",
        "_outage",
        "_redis",
        "_redis_error",
        "_seq",
        "_slots",
        "_timeout",
        "_timer",
        "_unavailable",
    )

    def __init__(
        self,
        redis: Any,
        errors: Any,
        timeout_s: float,
        max_calls: int,
        outage: Outage,
    ) -> None:
        self._redis = redis
        self._timeout = timeout_s
        self._max_calls = max_calls
        self._outage = outage
        self._no_script: type[Exception] = errors.NoScriptError
        # A replica promoted or demoted under us answers READONLY: an outage too.
        self._unavailable: tuple[type[Exception], ...] = (
            errors.ConnectionError,
            errors.TimeoutError,
            errors.ReadOnlyError,
            OSError,
        )
        self._busy: tuple[type[Exception], ...] = tuple(
            e for e in (getattr(errors, "MaxConnectionsError", None),) if e
        )
        self._redis_error: type[Exception] = errors.RedisError
        self._connection_error: type[Exception] = errors.ConnectionError
        # token -> (task, deadline, the task's cancel count on entry); start order.
        self._calls: dict[int, tuple[asyncio.Task[Any], float, int]] = {}
        self._expired: dict[int, tuple[asyncio.Task[Any], int]] = {}
        self._seq = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._slots = _Slots(max_calls)
        #: calls that found Redis unavailable, and the last one's error
        self._failures = 0
        self._last_failure: BudgetBackendError | None = None

    @property
    def max_calls(self) -> int:
        """How many calls (and pooled connections) may be in flight at once."""
        return self._max_calls

    async def run(self, script: Script, keys: Sequence[bytes], *args: Any) -> Any:
        """One script call; ``BudgetBackendError`` when Redis fails or hangs.

        ``keys`` starts with their count (see ``with_count``); arguments already
        in bytes go out as they are, anything else redis-py encodes on each call.
        """
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        assert task is not None
        if loop is not self._loop:  # a new event loop: the old one's calls are gone
            self.close()
            self._loop = loop
            self._slots = _Slots(self._max_calls)
        slots = self._slots
        failures = self._failures
        if await slots.take() and self._failures != failures and self._outage.down:
            slots.give()
            raise self._still_down()
        token = next(self._seq)
        if sys.version_info >= (3, 11):
            entered = task.cancelling()
        else:  # pragma: no cover - Python 3.10 counts no cancellations
            entered = 0
        self._calls[token] = (task, time.monotonic() + self._timeout, entered)
        if self._timer is None:
            self._timer = loop.call_later(self._timeout, self._fire)
        busy = False
        try:
            while True:
                try:
                    try:
                        reply = await self._redis.execute_command(
                            "EVALSHA", script.digest, *keys, *args
                        )
                    except self._no_script:
                        reply = await self._redis.execute_command(
                            "EVAL", script.source, *keys, *args
                        )
                    break
                except (*self._unavailable, *self._busy) as exc:
                    if not self._pool_full(exc):
                        raise
                    busy = True  # a shared pool had no connection free
                    await asyncio.sleep(_BUSY_RETRY_S)
        except BaseException as exc:
            error = self._failure(token, script, exc, busy)
            if error is None:
                raise
            raise error from error.__cause__
        finally:
            slots.give()
        if self._calls.pop(token, None) is None:
            self._stop_expired(token)  # a late answer that beat its cancellation
        if self._outage.down:
            self._outage.answered()
        return reply

    def _pool_full(self, exc: BaseException) -> bool:
        """Whether ``exc`` says the pool had no free connection (not an outage).

        redis-py 6 raises ``MaxConnectionsError``; before it, a plain
        ``ConnectionError("Too many connections")``.
        """
        if self._busy and isinstance(exc, self._busy):
            return True
        return type(exc) is self._connection_error and str(exc) == _POOL_FULL

    def close(self) -> None:
        """Disarm the timer and forget the calls (the limiter or its loop is gone)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._calls.clear()
        self._expired.clear()

    def _failure(
        self, token: int, script: Script, exc: BaseException, busy: bool
    ) -> BudgetBackendError | None:
        """What a failed call raises: ``None`` re-raises ``exc`` itself."""
        ours = self._calls.pop(token, None) is None and self._stop_expired(token)
        error: BudgetBackendError
        if ours and busy:  # our timer ended a wait for a connection, not a call
            return BudgetBackendError(
                f"no free connection in the Redis connection pool within "
                f"{self._timeout:g} s (a pool shared with other code?); "
                "nothing was sent"
            )
        if ours:  # our timer cancelled the call, and no one else did
            error = BudgetBackendError(
                f"Redis budget backend unavailable (no answer within "
                f"{self._timeout:g} s); nothing was sent"
            )
            return self._down(error)
        if isinstance(exc, self._unavailable):
            error = BudgetBackendError(
                f"Redis budget backend unavailable ({type(exc).__name__}: {exc}); "
                "nothing was sent"
            )
            error.__cause__ = exc
            return self._down(error)
        if isinstance(exc, self._redis_error):
            error = BudgetBackendError(
                f"Redis budget backend failed the {script.name} script: {exc}"
            )
            error.__cause__ = exc
            return error
        return None

    def _down(self, error: BudgetBackendError) -> BudgetBackendError:
        """Record that Redis did not answer this call."""
        error.unavailable = True
        self._failures += 1
        self._last_failure = error
        self._outage.failed()
        return error

    def _still_down(self) -> BudgetBackendError:
        """The error of a call that queued while another found Redis unavailable."""
        last = self._last_failure
        error = BudgetBackendError(
            str(last) if last else "Redis budget backend unavailable; nothing was sent"
        )
        error.unavailable = True
        error.__cause__ = last
        return error

    def _stop_expired(self, token: int) -> bool:
        """True when the timer cancelled this call and no one else did."""
        expired = self._expired.pop(token, None)
        if expired is None:
            return False
        task, entered = expired
        return _uncancel(task) <= entered

    def _fire(self) -> None:
        self._timer = None
        loop, calls = self._loop, self._calls
        assert loop is not None
        now = time.monotonic()
        while calls:
            token = next(iter(calls))
            task, deadline, entered = calls[token]
            if deadline > now:
                self._timer = loop.call_later(deadline - now, self._fire)
                return
            del calls[token]
            self._expired[token] = (task, entered)
            task.cancel()


def with_count(keys: Sequence[str]) -> tuple[bytes, ...]:
    """Script keys encoded once, after their count: the head of ``ScriptRunner.run``."""
    return (b"%d" % len(keys), *(k.encode() for k in keys))


#: Per budget, as last seen: in flight, queued, blocked (us), the interactive
#: demand level the bulk policy follows, then per window used and next free
#: (us), and the clock time of the reply that said so.
Seen = dict[str, tuple[int, int, int, int, list[int], list[int], float]]


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


def usage_from_seen(
    budgets: Mapping[str, Budget], policy: BulkPolicy, seen: Seen, now: float
) -> list[WindowUsage]:
    """Window usage from the last script replies, their waits aged to ``now``.

    Each wait was a lower bound when Redis computed it; the time passed since
    comes off it, so it stays one (``WindowUsage.next_free_in``).
    """
    out: list[WindowUsage] = []
    for name, row in sorted(seen.items()):
        flying, queued, blocked_us, reserve, used, free, at = row
        gone = max(0.0, now - at)
        blocked = max(0.0, blocked_us / US - gone)
        for window, n, free_us in zip(budgets[name].windows, used, free, strict=True):
            out.append(
                WindowUsage(
                    name,
                    window.limit,
                    window.seconds,
                    n,
                    flying,
                    queued,
                    max(0.0, free_us / US - gone),
                    blocked,
                    reserved=held_back(policy, window.limit, window.seconds, reserve),
                )
            )
    return out


def seen_from_reply(
    budgets: Mapping[str, Budget],
    names: Sequence[str],
    reply: Sequence[Any],
    at: float,
) -> Seen:
    """Decode the snapshot script's reply (see ``_redis_scripts.SNAPSHOT``)."""
    seen: Seen = {}
    pos = 1
    for name in names:
        flying, queued, blocked, reserve = (int(x) for x in reply[pos : pos + 4])
        pos += 4
        k = len(budgets[name].windows)
        rows = [int(x) for x in reply[pos : pos + 2 * k]]
        pos += 2 * k
        seen[name] = (flying, queued, blocked, reserve, rows[0::2], rows[1::2], at)
    return seen
