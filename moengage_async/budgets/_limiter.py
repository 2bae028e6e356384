"""The budget backend interface every request passes through, and a no-limit backend.

A backend keys its state by workspace: MoEngage counts budgets per workspace, and
one backend may serve many clients (a connector service holds thousands).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ._spec import Priority

__all__ = [
    "Limiter",
    "Permit",
    "SignalObserver",
    "UnlimitedLimiter",
    "WindowUsage",
    "fast_path",
]


@runtime_checkable
class Permit(Protocol):
    """The right to send one request, held until its response completes."""

    async def complete(self, *, success: bool) -> None:
        """Stamp the slots at the response's arrival (or failure), once.

        ``success`` matters only for success quotas: a failed call releases its
        reservation there, while request budgets keep the slot either way (the
        server may have counted the attempt). Calling it again does nothing.
        """
        ...


@dataclass(frozen=True)
class WindowUsage:
    """One window of one budget at the time of the snapshot.

    ``used`` counts completed requests still inside the window, ``in_flight`` the
    requests sent and not yet answered (they hold a slot too), ``queued`` the
    callers waiting on the budget. ``next_free_in`` is the seconds until this
    window could admit one more interactive call (a lower bound while in-flight
    requests hold it: their slots free ``seconds`` after they complete), and
    ``blocked_for`` the seconds left of a server-imposed block. ``server_limit``
    is the limit MoEngage's ``x-ratelimit-limit`` reported for this window when it
    differs from the configured one (``None`` otherwise). ``reserved`` is how many
    slots of the window bulk callers leave free for interactive ones now (the bulk
    policy's headroom; 0 when bulk work may use it all).
    """

    budget: str
    limit: int
    seconds: float
    used: int
    in_flight: int
    queued: int
    next_free_in: float
    blocked_for: float
    server_limit: int | None = None
    reserved: int = 0


@runtime_checkable
class Limiter(Protocol):
    """Admits requests so that no rolling window of any budget is ever exceeded.

    An in-process backend may also offer a synchronous fast path, which the
    client uses when present: ``try_acquire(workspace, budgets, *, priority)``
    returns a permit when the slots are free and nobody queues first, else
    ``None`` (the client then awaits ``acquire``); and its permits'
    ``complete_nowait(*, success)`` does what ``complete`` does without a
    coroutine. Two coroutines fewer per request (``MemoryLimiter``,
    ``UnlimitedLimiter``); a remote backend simply leaves both out.

    The non-blocking question (``client.budgets.try_reserve``) needs
    ``acquire_nowait(workspace, budgets, *, priority)``: a permit now, or
    ``BudgetExhausted`` with the seconds until the earliest slot, never a wait.
    A permit's optional ``release()`` gives back a slot whose request was never
    sent (every backend here has both).
    """

    async def acquire(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
        deadline: float | None = None,
    ) -> Permit:
        """Wait for a slot in every named budget and take them all at once.

        Callers are served first come, first served within their priority lane;
        interactive callers never wait behind bulk ones. ``deadline`` is in the
        limiter's clock time: when the earliest possible slot lies beyond it,
        raise ``RateLimitError(local=True, retry_at=...)`` at once without
        waiting. Cancellation while waiting leaks nothing.
        """
        ...

    async def block(
        self, workspace: str, budgets: Sequence[str], seconds: float
    ) -> None:
        """Admit nothing to these budgets for ``seconds`` (a 429's Retry-After)."""
        ...

    def snapshot(self, workspace: str) -> list[WindowUsage]:
        """Report usage per budget and window (best effort for remote backends)."""
        ...

    async def aclose(self) -> None:
        """Release connections or background tasks the backend owns."""
        ...


@runtime_checkable
class SignalObserver(Protocol):
    """A limiter that reads MoEngage's ``x-ratelimit-*`` headers (optional).

    ``MemoryLimiter`` and ``RedisLimiter`` have it; the client calls it whenever a
    response carries the headers, and skips it for limiters without one.
    """

    async def observe(
        self,
        workspace: str,
        budgets: Sequence[str],
        limit: int,
        remaining: int,
        reset_s: float,
        lag_s: float = 0.0,
    ) -> tuple[str, float, int, int] | None:
        """Match the header triple to one window of ``budgets`` and tighten it:
        usage the server counts and the ledger does not becomes phantom usage.
        ``lag_s`` is how long before this answer the request was sent (the
        server counted then; what left the ledger's window since is not unseen).

        Returns ``(budget, seconds, limit in force, phantoms added)`` (an
        ``Observed``), or ``None`` when no window matched. A reported limit that
        differs from the configured one is logged once and shown in
        ``snapshot()``; a lower one is adopted at once, a higher one only with
        ``learn_limits=True``.
        """
        ...


def fast_path(limiter: object) -> Callable[..., Permit | None] | None:
    """``limiter.try_acquire`` if it may stand in for ``acquire``, else ``None``.

    Only when one class defines both: a subclass that overrides ``acquire`` alone
    (to log, to count, to wait differently) keeps every call going through it.
    """
    for klass in type(limiter).__mro__:
        own = vars(klass)
        if "acquire" in own or "try_acquire" in own:
            if "acquire" in own and "try_acquire" in own:
                return limiter.try_acquire  # type: ignore[attr-defined,no-any-return]
            return None
    return None


class _NoopPermit:
    __slots__ = ()

    async def complete(self, *, success: bool) -> None:
        return None

    def complete_nowait(self, *, success: bool) -> None:
        """``complete`` without a coroutine (see ``Limiter``'s sync fast path)."""
        return None

    async def release(self) -> None:
        return None


_NOOP_PERMIT = _NoopPermit()


class UnlimitedLimiter:
    """Admits everything at once: for benchmarks of the request path and for proxies
    that enforce budgets themselves. Never use it against MoEngage directly."""

    async def acquire(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
        deadline: float | None = None,
    ) -> Permit:
        return _NOOP_PERMIT

    def try_acquire(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
    ) -> Permit | None:
        return _NOOP_PERMIT

    async def acquire_nowait(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
    ) -> Permit:
        return _NOOP_PERMIT

    async def block(
        self, workspace: str, budgets: Sequence[str], seconds: float
    ) -> None:
        return None

    def snapshot(self, workspace: str) -> list[WindowUsage]:
        return []

    async def aclose(self) -> None:
        return None

    def __repr__(self) -> str:
        return "UnlimitedLimiter()"
