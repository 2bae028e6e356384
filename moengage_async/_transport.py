"""Transport: one HTTP exchange. aiohttp errors are translated here and nowhere else."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import aiohttp
import msgspec

from ._constants import DEFAULT_CONNECTION_LIMIT, DNS_CACHE_TTL_S, KEEPALIVE_TIMEOUT_S
from ._errors import ConnectError, RequestTimeoutError

__all__ = ["AiohttpTransport", "Response", "Transport", "new_session"]


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

    A session passed in is shared and never closed here.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        connection_limit: int = DEFAULT_CONNECTION_LIMIT,
    ) -> None:
        self._session = session
        self._owns_session = session is None
        self._connection_limit = connection_limit

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
        timeout = (
            _NO_TIMEOUT if timeout_s is None else aiohttp.ClientTimeout(total=timeout_s)
        )
        try:
            async with self.session.request(
                method, url, headers=headers, data=body, timeout=timeout
            ) as resp:
                payload = await resp.read()
                return Response(resp.status, resp.headers, payload)
        except asyncio.TimeoutError as exc:
            raise RequestTimeoutError(f"{method} {url}: no response in time") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise ConnectError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def __repr__(self) -> str:
        state = "own session" if self._owns_session else "shared session"
        return f"AiohttpTransport({state})"
