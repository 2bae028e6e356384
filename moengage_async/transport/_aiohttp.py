"""Transport: one HTTP exchange. aiohttp errors are translated here and nowhere else."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import aiohttp
import msgspec
from multidict import CIMultiDict, CIMultiDictProxy

from .._constants import DEFAULT_CONNECTION_LIMIT, DNS_CACHE_TTL_S, KEEPALIVE_TIMEOUT_S
from .._errors import ConnectError, RequestTimeoutError
from ._deadlines import WHEEL_MIN_TIMEOUT_S, DeadlineWheel, current_task

__all__ = [
    "AiohttpTransport",
    "Response",
    "Transport",
    "fixed_headers",
    "header_map",
    "new_session",
]


class Response(msgspec.Struct, frozen=True):
    """An HTTP answer, body read in full (immutable; built once per request)."""

    status: int
    headers: Mapping[str, str]
    body: bytes


@runtime_checkable
class Transport(Protocol):
    """Sends one request and returns its full response."""

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout_s: float | None,
    ) -> Response:
        """Send and read the whole response; raise ``TransportError`` on failure."""
        ...

    async def aclose(self) -> None:
        """Close what this transport owns (never a session it was given)."""
        ...


def header_map(headers: Mapping[str, str]) -> CIMultiDict[str]:
    """``headers`` as the case-insensitive multidict aiohttp keeps headers in.

    aiohttp copies a plain ``dict`` of headers into one of these on every request;
    one it is given already (or a read-only view of one) it takes as is, so fixed
    headers are built this way once. (multidict comes with aiohttp.)
    """
    return CIMultiDict(headers)


def fixed_headers(headers: Mapping[str, str]) -> Mapping[str, str]:
    """A read-only ``header_map``: one instance can go with every request."""
    return CIMultiDictProxy(CIMultiDict(headers))


def new_session(
    *, connection_limit: int = DEFAULT_CONNECTION_LIMIT
) -> aiohttp.ClientSession:
    """Create a session on a tuned connector: keep-alive, a connection cap, DNS cache.

    Share one among many clients (one per workspace) to keep one pool per process.
    Call inside a running event loop.
    """
    connector = aiohttp.TCPConnector(
        limit=connection_limit,
        ttl_dns_cache=DNS_CACHE_TTL_S,
        keepalive_timeout=KEEPALIVE_TIMEOUT_S,
        enable_cleanup_closed=False,
    )
    # The session's own timeout is off: every call carries its own deadline.
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None),
        raise_for_status=False,
        auto_decompress=True,
        skip_auto_headers=("User-Agent",),
    )


#: Overrides any default timeout of a shared session; built once (it is immutable).
_NO_TIMEOUT = aiohttp.ClientTimeout(total=None)


class AiohttpTransport:
    """The default transport: an aiohttp session created lazily inside the loop.

    A session passed in is shared and never closed here. Deadlines of
    ``WHEEL_MIN_TIMEOUT_S`` or more run on a ``DeadlineWheel`` (one timer for all
    requests in flight); shorter ones on aiohttp's own per-request timeout.
    ``deadlines`` replaces the wheel (tests drive one on a fake timer).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        connection_limit: int = DEFAULT_CONNECTION_LIMIT,
        deadlines: DeadlineWheel | None = None,
    ) -> None:
        self._session = session
        self._owns_session = session is None
        self._connection_limit = connection_limit
        self._given_wheel = deadlines
        # The wheel of the loop last seen: sessions, and so transports, are used
        # from one loop, so this is a single identity check per request.
        self._wheel: DeadlineWheel | None = None
        self._wheel_loop: asyncio.AbstractEventLoop | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session in use, created on first use inside the running loop."""
        if self._session is None or (self._owns_session and self._session.closed):
            self._session = new_session(connection_limit=self._connection_limit)
        return self._session

    @property
    def is_open(self) -> bool:
        """Whether this transport owns a session that is still open."""
        return (
            self._owns_session
            and self._session is not None
            and not self._session.closed
        )

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout_s: float | None,
    ) -> Response:
        # Which timer bounds the exchange: none, aiohttp's own (short timeouts,
        # Python 3.10), or this loop's deadline wheel (see _deadlines).
        timeout = _NO_TIMEOUT
        bucket = task = None
        cancelling = 0
        if timeout_s is not None:
            loop = asyncio.get_running_loop()
            task = current_task(loop)
            if task is None or timeout_s < WHEEL_MIN_TIMEOUT_S:
                timeout = aiohttp.ClientTimeout(total=timeout_s)
            else:
                wheel = self._wheel
                if wheel is None or self._wheel_loop is not loop:
                    wheel = self._new_wheel(loop)
                bucket = wheel.file(task, timeout_s)
                cancelling = task.cancelling()
        try:
            session = self._session  # ``self.session`` when that needs work
            if session is None or (self._owns_session and session.closed):
                session = self.session
            # Awaited, not ``async with``: the same release as aiohttp's context
            # manager (the body is read in full), without its two coroutines.
            resp = await session.request(
                method, url, headers=headers, data=body, timeout=timeout
            )
            try:
                payload = await resp.read()
            finally:
                resp.release()
            return Response(resp.status, resp.headers, payload)
        except asyncio.CancelledError:
            if bucket is not None and task is not None:
                expired = bucket.pop(task, True)
                bucket = None  # taken out: nothing left for ``finally``
                if expired and task.uncancel() <= cancelling:
                    raise RequestTimeoutError(
                        f"{method} {url}: no response in time"
                    ) from None
            raise
        except asyncio.TimeoutError as exc:
            raise RequestTimeoutError(f"{method} {url}: no response in time") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise ConnectError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
        finally:
            if bucket is not None and task is not None and bucket.pop(task, True):
                # The timer fired as the exchange ended and the cancellation was
                # swallowed on the way: take it back before it hits a later await.
                task.uncancel()

    def _new_wheel(self, loop: asyncio.AbstractEventLoop) -> DeadlineWheel:
        """The wheel for ``loop`` (the one given at construction, if any)."""
        given = self._given_wheel  # not ``or``: an empty wheel is falsy (len 0)
        wheel = DeadlineWheel(loop) if given is None else given
        self._wheel, self._wheel_loop = wheel, loop
        return wheel

    async def aclose(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def __repr__(self) -> str:
        state = "own session" if self._owns_session else "shared session"
        return f"AiohttpTransport({state})"
