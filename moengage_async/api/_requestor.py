"""The client's core: lifetime, headers, and the one request path every call takes."""

from __future__ import annotations

import base64
import logging
import os
import warnings
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import anyio
import msgspec

from .._clock import Clock, MonotonicClock
from .._constants import DEFAULT_TIMEOUT_S, USER_AGENT, base_url_for
from .._errors import (
    APIError,
    MoEngageError,
    PayloadValidationError,
    RateLimitError,
    RequestTimeoutError,
    TransportError,
)
from .._hooks import Hooks, RequestInfo, ThrottleInfo
from ..budgets._limiter import Limiter, Permit, fast_path
from ..budgets._spec import (
    BudgetOverrides,
    Priority,
    budgets_from_env,
    resolve_budgets,
)
from ..transport._aiohttp import (
    AiohttpTransport,
    Response,
    Transport,
    fixed_headers,
    header_map,
)
from ._envelope import error_from_response
from ._operations import OPERATIONS, Operation
from ._retry import RetryDetails, RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "BaseClient",
    "USE_CLIENT_DEFAULT",
    "new_request_id",
]

log = logging.getLogger("moengage_async")


class _UseClientDefault:
    __slots__ = ()

    def __repr__(self) -> str:
        return "USE_CLIENT_DEFAULT"


#: Sentinel: "use the client's setting" as opposed to an explicit ``None``.
USE_CLIENT_DEFAULT: Any = _UseClientDefault()

_encode = msgspec.json.Encoder().encode


#: Byte -> the byte with the UUID version (0100) in its high nibble.
_WITH_VERSION = bytes((b & 0x0F) | 0x40 for b in range(256))
#: Byte -> the byte with the RFC 4122 variant (10) in its two high bits.
_WITH_VARIANT = bytes((b & 0x3F) | 0x80 for b in range(256))

#: Ids made per ``os.urandom`` call (16 random bytes each).
_IDS_PER_BATCH = 64

#: Ids made ahead of use. ``list.pop`` is atomic, so threads never share one; a
#: forked child empties the pool first, so it never repeats its parent's ids.
_unused_ids: list[str] = []
if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_unused_ids.clear)


def _uuid4_texts(count: int, _urandom: Any = os.urandom) -> list[str]:
    """``count`` fresh UUID v4 texts from one read of the system's randomness.

    Every step works on the whole batch at C speed: the version and variant bits
    are set through translation tables, and the 8-4-4-4-12 dashes come from
    hex digits in groups of four with three of each id's seven dashes dropped.
    """
    raw = bytearray(_urandom(16 * count))
    raw[6::16] = raw[6::16].translate(_WITH_VERSION)
    raw[8::16] = raw[8::16].translate(_WITH_VARIANT)
    # 40 characters per id: "xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-". Mark
    # the dashes at 4, 29 and 34 for removal; the one at 39 separates ids.
    text = bytearray(raw.hex("-", 2), "ascii")
    dropped = b"*" * count
    text[4::40] = dropped
    text[29::40] = dropped
    text[34::40] = dropped
    text[39::40] = b" " * (count - 1)
    return text.translate(None, b"*").decode("ascii").split()


def new_request_id() -> str:
    """Return a fresh UUID v4, usable as ``request_id`` and ``Idempotency-Key``.

    Same text and randomness as ``str(uuid.uuid4())`` (122 random bits from
    ``os.urandom``, version nibble 4, variant 10xx). It runs once per call on the
    request path, so ids are made 64 at a time (``_uuid4_texts``): a pop from a
    list instead of a system call and a string format per call.
    """
    try:
        return _unused_ids.pop()
    except IndexError:
        fresh = _uuid4_texts(_IDS_PER_BATCH)
        request_id = fresh.pop()  # ours, whatever other threads take meanwhile
        _unused_ids.extend(fresh)
        return request_id


async def _complete_shielded(permit: Permit, success: bool) -> None:
    """``await permit.complete(...)`` that cancellation cannot interrupt.

    Completion must run to its end or budgets leak, so it runs in a shielded
    cancel scope. Permits with a synchronous ``complete_nowait`` (the in-memory
    ones) never get here: a plain call cannot be cancelled.
    """
    with anyio.CancelScope(shield=True):
        await permit.complete(success=success)


def check_request_id(request_id: str | None) -> str:
    """Return ``request_id``, or a new one when ``None``; refuse a blank one.

    Control characters are refused too: V5 sends the id as ``X-MOE-Request-Id``, and
    a header cannot carry them.
    """
    if request_id is None:
        return new_request_id()
    if not isinstance(request_id, str) or not request_id.strip():
        raise PayloadValidationError("request_id must be a non-blank string")
    if not request_id.isprintable():
        raise PayloadValidationError(
            "request_id must not contain control characters or line breaks"
        )
    return request_id


class BaseClient:
    """Configuration and lifetime; ``_call`` sends one logical call with retries."""

    def __init__(
        self,
        workspace_id: str,
        api_key: str,
        *,
        data_center: str = "01",
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        transport: Transport | None = None,
        limiter: Limiter | None = None,
        budgets: BudgetOverrides | None = None,
        bulk_share: float | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        hooks: Hooks | None = None,
    ) -> None:
        if not isinstance(workspace_id, str) or not workspace_id.strip():
            raise ValueError("workspace_id must be a non-blank string")
        if not isinstance(api_key, str) or not api_key.strip():
            raise ValueError("api_key must be a non-blank string")
        host = base_url_for(data_center) if base_url is None else base_url.rstrip("/")
        if session is not None and transport is not None:
            raise ValueError("pass either session= or transport=, not both")
        if limiter is not None and budgets is not None:
            raise ValueError(
                "budgets= configures the default limiter; with limiter= "
                "configure the budgets on the limiter itself"
            )
        self._workspace_id = workspace_id
        self._base_url = host
        self._clock: Clock = clock or MonotonicClock()
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._hooks = hooks or Hooks()
        self._transport: Transport = transport or AiohttpTransport(session)
        self._owns_limiter = limiter is None
        if limiter is None:
            from ..budgets._memory import MemoryLimiter

            table = budgets_from_env() if budgets is None else resolve_budgets(budgets)
            limiter = MemoryLimiter(table, clock=self._clock, bulk_share=bulk_share)
        self._limiter: Limiter = limiter
        # The limiter's synchronous fast path, if it has one (see ``Limiter``).
        self._try_acquire: Callable[..., Permit | None] | None = fast_path(limiter)
        token = base64.b64encode(f"{workspace_id}:{api_key}".encode()).decode("ascii")
        # Built once, in the form aiohttp sends without copying. Never logged,
        # never in a repr.
        fixed = {
            "Authorization": f"Basic {token}",
            "Content-Type": "application/json",
            "MOE-APPKEY": workspace_id,
            "User-Agent": USER_AGENT,
        }
        self._v1_headers = fixed_headers(fixed)  # read-only: shared by every call
        # Copied per V5 request, which adds its own ids.
        self._v5_headers = header_map({**fixed, "X-MOE-Tenant-ID": workspace_id})
        self._closed = False

    # -- lifetime -------------------------------------------------------------

    async def __aenter__(self) -> BaseClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session (only if this client created it) and owned backends."""
        if self._closed:
            return
        self._closed = True
        await self._transport.aclose()
        if self._owns_limiter:
            await self._limiter.aclose()

    def __del__(self, _warn: Any = warnings.warn) -> None:
        transport = getattr(self, "_transport", None)
        if isinstance(transport, AiohttpTransport) and transport.is_open:
            _warn(
                f"{self!r} was not closed; use 'async with' or 'await client.aclose()'",
                ResourceWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        name = type(self).__name__
        return (
            f"{name}(workspace_id={self._workspace_id!r}, base_url={self._base_url!r})"
        )

    @property
    def workspace_id(self) -> str:
        """The workspace (formerly app id) this client acts for."""
        return self._workspace_id

    @property
    def base_url(self) -> str:
        """The host requests go to, without a trailing slash."""
        return self._base_url

    @property
    def clock(self) -> Clock:
        """The clock used for deadlines, budgets and backoff."""
        return self._clock

    @property
    def limiter(self) -> Limiter:
        """The budget backend every request passes through."""
        return self._limiter

    # -- the request path -----------------------------------------------------

    async def _call(
        self,
        op_name: str,
        *,
        body: Any = None,
        path_params: Mapping[str, str] | None = None,
        request_id: str,
        idempotency_key: str | None = None,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> Response:
        """Send one logical call: budget, attempt, repeat until success or final error.

        The encoded body, ``request_id`` and ``Idempotency-Key`` are the same on every
        attempt, so a retried creation cannot create twice.
        """
        if self._closed:
            raise MoEngageError("client is closed")
        op = OPERATIONS[op_name]
        url = self._url(op, path_params) if path_params else self._base_url + op.path
        payload = None if body is None else _encode(body)
        headers = (
            self._v1_headers
            if op.version == 1
            else self._v5_headers_for(op, request_id, idempotency_key)
        )
        policy = retry or self._retry
        timeout_s = self._timeout if timeout is USE_CLIENT_DEFAULT else timeout
        clock = self._clock
        started = clock.now()
        deadline = None if timeout_s is None else started + timeout_s
        # The attempts run inline, not in a coroutine of their own: this loop is
        # the request path, and the common call takes it once without waiting.
        try_acquire = self._try_acquire
        attempt = 0
        while True:
            permit = (
                None
                if try_acquire is None
                else try_acquire(self._workspace_id, op.budgets, priority=priority)
            )
            if permit is None:
                permit, sent_at = await self._acquire(op, priority, deadline)
            else:
                # Admitted at once: the first attempt goes out as the call starts.
                sent_at = started if attempt == 0 else clock.now()
            error: MoEngageError
            success = False
            try:
                if deadline is not None and deadline <= sent_at:
                    error = RequestTimeoutError(f"{op.name}: deadline passed")
                else:
                    try:
                        response = await self._transport.send(
                            op.method,
                            url,
                            headers=headers,
                            body=payload,
                            timeout_s=None if deadline is None else deadline - sent_at,
                        )
                    except TransportError as exc:
                        self._report(op, None, sent_at, attempt, request_id, exc)
                        error = exc
                    else:
                        success = 200 <= response.status < 300
                        if self._hooks.on_request is not None:
                            self._report(
                                op, response.status, sent_at, attempt, request_id, None
                            )
                        if success:
                            return response
                        error = await self._refusal(
                            op, response, sent_at, attempt, request_id
                        )
            finally:
                complete_nowait = getattr(permit, "complete_nowait", None)
                if complete_nowait is not None:
                    complete_nowait(success=success)
                else:
                    await _complete_shielded(permit, success)
            if attempt == policy.max_retries or not _retryable(error):
                raise error
            attempt += 1
            await self._pause_before_retry(
                op, policy, attempt, error, deadline, request_id
            )

    async def _acquire(
        self, op: Operation, priority: Priority, deadline: float | None
    ) -> tuple[Permit, float]:
        """Wait for a slot of ``op``'s budgets; return the permit and when it came."""
        clock = self._clock
        on_throttle = self._hooks.on_throttle
        started = 0.0 if on_throttle is None else clock.now()
        permit = await self._limiter.acquire(
            self._workspace_id, op.budgets, priority=priority, deadline=deadline
        )
        sent_at = clock.now()
        if on_throttle is not None and sent_at > started:
            on_throttle(ThrottleInfo(op.name, op.budgets, sent_at - started))
        return permit, sent_at

    async def _refusal(
        self,
        op: Operation,
        response: Response,
        sent_at: float,
        attempt: int,
        request_id: str,
    ) -> MoEngageError:
        """The error a non-2xx answer means; a 429 also blocks the budgets."""
        retry_after = parse_retry_after(response.headers)
        error = error_from_response(response, retry_after=retry_after)
        if error.request_id is None:
            # Undocumented bodies (HTML 502, empty) echo nothing: keep ours.
            error.request_id = request_id
        if isinstance(error, RateLimitError):
            await self._on_rate_limited(op, error, sent_at, attempt, request_id)
        return error

    async def _pause_before_retry(
        self,
        op: Operation,
        policy: RetryPolicy,
        retry_number: int,
        error: MoEngageError,
        deadline: float | None,
        request_id: str,
    ) -> None:
        """Wait out the backoff before retry ``retry_number``, or raise ``error``
        when the wait would pass the deadline or the server's wait is too long."""
        delay = self._retry_delay(policy, retry_number, error, deadline)
        details = RetryDetails(
            op.name,
            retry_number,
            delay,
            type(error).__name__,
            getattr(error, "status", None),
            request_id,
        )
        log.debug(
            "%s attempt %d failed (%s); retrying in %.3fs [request_id=%s]",
            op.name,
            retry_number,
            details.reason,
            delay,
            request_id,
        )
        if self._hooks.on_retry is not None:
            self._hooks.on_retry(details)
        await self._clock.sleep(delay)

    async def _on_rate_limited(
        self,
        op: Operation,
        error: RateLimitError,
        sent_at: float,
        attempt: int,
        request_id: str,
    ) -> None:
        wait = error.retry_after
        log.debug("%s got 429; budget %s blocked for %s s", op.name, op.budgets, wait)
        if self._hooks.on_rate_limited is not None:
            self._hooks.on_rate_limited(
                RequestInfo(
                    op.name, 429, self._clock.now() - sent_at, attempt + 1, request_id
                )
            )
        # The server counts differently or someone else spends the budget: every
        # caller of these budgets pauses, not only this call.
        await self._limiter.block(self._workspace_id, op.budgets, wait or 0.0)
        if wait is not None:
            error.retry_at = self._clock.now() + wait

    def _retry_delay(
        self,
        policy: RetryPolicy,
        retry_number: int,
        error: MoEngageError,
        deadline: float | None,
    ) -> float:
        """Seconds to wait before retry ``retry_number``; raise ``error`` instead
        when no wait can end before the deadline or the server asks too much."""
        now = self._clock.now()
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            if error.retry_after > policy.max_retry_after_s or (
                deadline is not None and now + error.retry_after > deadline
            ):
                raise error  # a server-directed wait we cannot honour in time
            delay = 0.0  # the limiter's block already holds every caller back
        else:
            delay = policy.backoff(retry_number)
        if deadline is not None and now + delay >= deadline:
            raise error
        return delay

    def _report(
        self,
        op: Operation,
        status: int | None,
        sent_at: float,
        attempt: int,
        request_id: str,
        error: Exception | None,
    ) -> None:
        hook = self._hooks.on_request
        if hook is not None:
            hook(
                RequestInfo(
                    op.name,
                    status,
                    self._clock.now() - sent_at,
                    attempt + 1,
                    request_id,
                    None if error is None else type(error).__name__,
                )
            )

    def _url(self, op: Operation, path_params: Mapping[str, str]) -> str:
        """``op``'s URL with its placeholders filled (each value checked, quoted)."""
        path = op.path
        for key, value in path_params.items():
            if not isinstance(value, str) or not value.strip():
                raise PayloadValidationError(f"{key} must be a non-blank string")
            path = path.replace("{" + key + "}", quote(value, safe=""))
        return self._base_url + path

    def _v5_headers_for(
        self, op: Operation, request_id: str, idempotency_key: str | None
    ) -> Mapping[str, str]:
        """A V5 request's own headers: the fixed ones plus its ids."""
        headers = header_map(self._v5_headers)
        headers["X-MOE-Request-Id"] = request_id
        if op.idempotency_key:
            headers["Idempotency-Key"] = idempotency_key or request_id
        return headers


def _retryable(error: MoEngageError) -> bool:
    if isinstance(error, TransportError):
        return True
    if isinstance(error, APIError):
        return RetryPolicy.is_retryable_status(error.status)
    return False
