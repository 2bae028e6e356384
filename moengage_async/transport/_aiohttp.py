"""Transport: one HTTP exchange. aiohttp errors are translated here and nowhere else.

What an answer cannot make the client do: follow a redirect (a 3xx is
``RedirectError``, so the body and the credentials reach no other host), or hold
more than ``max_response_bytes`` of body, counted after decompression (the body is
read in chunks and reading stops at the cap: ``ResponseTooLargeError``).

Proxies: an explicit ``proxy=`` URL carries every request; otherwise, with
``trust_env`` (the default), ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` and
``NO_PROXY`` as ``requests`` and ``httpx`` read them, looked up once per origin.
TLS: the session this transport makes verifies against ``ssl=`` (a context) or
``ca_bundle=`` (a PEM file) instead of the system's CAs.
"""

from __future__ import annotations

import asyncio
import base64
import os
import ssl as _ssl
import urllib.request
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

import aiohttp
import msgspec

from .._constants import DEFAULT_CONNECTION_LIMIT, DNS_CACHE_TTL_S, KEEPALIVE_TIMEOUT_S
from .._errors import (
    ConnectError,
    RedirectError,
    RequestTimeoutError,
    ResponseTooLargeError,
)
from ._deadlines import WHEEL_MIN_TIMEOUT_S, DeadlineWheel, current_task

__all__ = [
    "AiohttpTransport",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "Response",
    "Transport",
    "fixed_headers",
    "header_map",
    "new_session",
    "ssl_context",
]


#: The default cap on a response body, decompressed: MoEngage's largest answers
#: (search pages, campaign details) are far below it.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024


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


def header_map(headers: Mapping[str, str]) -> dict[str, str]:
    """A request's own copy of ``headers``, to add to."""
    return dict(headers)


def fixed_headers(headers: Mapping[str, str]) -> Mapping[str, str]:
    """``headers`` as one mapping that goes with every request (never mutated).

    A plain ``dict``: aiohttp copies it into its own multidict on every request.
    Handing it a multidict it takes as is saves 1.8 % of a request
    (``benchmarks/bench_request_instructions.py``, 2026-12-06), under the 2 % a
    trick must save to stay.
    """
    return dict(headers)


def ssl_context(
    ssl: _ssl.SSLContext | None = None,
    ca_bundle: str | os.PathLike[str] | None = None,
) -> _ssl.SSLContext | None:
    """The TLS context for ``ssl`` or ``ca_bundle`` (a PEM file of trusted CAs);
    ``None`` when neither is given (the system's CAs). Raise ``ValueError`` for
    both, or for a bundle that cannot be loaded."""
    if ca_bundle is None:
        return ssl
    if ssl is not None:
        raise ValueError("pass either ssl= or ca_bundle=, not both")
    try:
        return _ssl.create_default_context(cafile=os.fspath(ca_bundle))
    except (OSError, _ssl.SSLError) as exc:
        raise ValueError(f"ca_bundle {os.fspath(ca_bundle)!r}: {exc}") from None


def new_session(
    *,
    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
    ssl: _ssl.SSLContext | None = None,
    ca_bundle: str | os.PathLike[str] | None = None,
) -> aiohttp.ClientSession:
    """Create a session on a tuned connector: keep-alive, a connection cap, DNS cache.

    Share one among many clients (one per workspace) to keep one pool per process.
    ``ssl`` (a context) or ``ca_bundle`` (a PEM file) replaces the system's CAs for
    TLS verification. Call inside a running event loop.
    """
    context = ssl_context(ssl, ca_bundle)
    connector = aiohttp.TCPConnector(
        limit=connection_limit,
        ttl_dns_cache=DNS_CACHE_TTL_S,
        keepalive_timeout=KEEPALIVE_TIMEOUT_S,
        enable_cleanup_closed=False,
        ssl=True if context is None else context,
    )
    # The session's own timeout is off: every call carries its own deadline. Its
    # trust_env is off too: the transport resolves proxies itself, once per origin
    # (aiohttp's would look each request up in a thread, and add .netrc logins).
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None),
        raise_for_status=False,
        auto_decompress=True,
        skip_auto_headers=("User-Agent",),
        trust_env=False,
    )


#: Whether ``NO_PROXY`` (in ``proxies["no"]``) exempts a ``host[:port]``: the
#: standard library's matching (exact host, or a domain suffix; ``*`` for all).
_no_proxy: Callable[[str, Mapping[str, str]], bool] = (
    urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
)

#: How one origin is reached: the proxy URL without its credentials, and the
#: ``Proxy-Authorization`` value that carries them; ``(None, None)``: directly.
Route = tuple[str | None, str | None]
_DIRECT: Route = (None, None)


def _via(proxy: str) -> Route:
    parts = urlsplit(proxy)
    if parts.username is None:
        return proxy, None
    login = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    bare = proxy.replace(parts.netloc, parts.netloc.rpartition("@")[2], 1)
    return bare, "Basic " + base64.b64encode(login.encode()).decode("ascii")


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL, by string search."""
    end = url.find("/", url.find("//") + 2)
    return url if end < 0 else url[:end]


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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        proxy: str | None = None,
        trust_env: bool = True,
        ssl: _ssl.SSLContext | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
    ) -> None:
        if session is not None and (ssl is not None or ca_bundle is not None):
            raise ValueError(
                "ssl= and ca_bundle= configure the session the transport makes; "
                "for a session of your own, pass them to new_session()"
            )
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be at least 1")
        self._session = session
        self._owns_session = session is None
        self._connection_limit = connection_limit
        self._ssl = ssl_context(ssl, ca_bundle)
        self._max_response_bytes = max_response_bytes
        # Proxy settings are read now; each origin's route on its first request.
        self._proxy = proxy
        self._env_proxies = urllib.request.getproxies_environment() if trust_env else {}
        self._routes: dict[str, Route] | None = (
            {} if proxy is not None or self._env_proxies else None
        )
        self._given_wheel = deadlines
        # The wheel of the loop last seen: sessions, and so transports, are used
        # from one loop, so this is a single identity check per request.
        self._wheel: DeadlineWheel | None = None
        self._wheel_loop: asyncio.AbstractEventLoop | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session in use, created on first use inside the running loop."""
        if self._session is None or (self._owns_session and self._session.closed):
            self._session = new_session(
                connection_limit=self._connection_limit, ssl=self._ssl
            )
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
            session = self.session
            proxy = proxy_headers = None
            if self._routes is not None:
                headers, proxy, proxy_headers = self._proxied(url, headers)
            # Awaited, not ``async with``: the same release as aiohttp's context
            # manager, without its two coroutines: 2.5 % of a request
            # (bench_request_instructions.py, 2026-12-06).
            resp = await session.request(
                method,
                url,
                headers=headers,
                data=body,
                timeout=timeout,
                allow_redirects=False,
                proxy=proxy,
                proxy_headers=proxy_headers,
            )
            try:
                status = resp.status
                if 300 <= status < 400:
                    location = resp.headers.get("Location")
                    raise RedirectError(
                        f"{method} {url}: HTTP {status} redirect to {location!r} "
                        "not followed",
                        status=status,
                        location=location,
                    )
                # aiohttp decompresses as it reads, a chunk at a time: counting
                # the chunks bounds the memory a compressed body can take.
                limit = self._max_response_bytes
                content = resp.content
                chunks = []
                size = 0
                while chunk := await content.readany():
                    size += len(chunk)
                    if size > limit:
                        raise ResponseTooLargeError(
                            f"{method} {url}: response body over {limit} bytes",
                            status=status,
                            limit=limit,
                        )
                    chunks.append(chunk)
            except BaseException:
                resp.close()  # unread data left: the connection is not reused
                raise
            resp.release()
            return Response(status, resp.headers, b"".join(chunks))
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

    def _proxied(
        self, url: str, headers: Mapping[str, str]
    ) -> tuple[Mapping[str, str], str | None, Mapping[str, str] | None]:
        """The request headers, proxy and proxy headers for ``url`` (its origin's
        route is resolved on its first request). Proxy credentials go in the
        ``CONNECT`` of an HTTPS request, in the request itself for plain HTTP."""
        assert self._routes is not None
        origin = _origin(url)
        route = self._routes.get(origin)
        if route is None:
            route = self._routes[origin] = self._resolve(origin)
        proxy, login = route
        if login is None:
            return headers, proxy, None
        if origin.startswith("https:"):
            return headers, proxy, {"Proxy-Authorization": login}
        return {**headers, "Proxy-Authorization": login}, proxy, None

    def _resolve(self, origin: str) -> Route:
        if self._proxy is not None:
            return _via(self._proxy)
        proxies = self._env_proxies
        parts = urlsplit(origin)
        if _no_proxy(parts.netloc, proxies):
            return _DIRECT
        proxy = proxies.get(parts.scheme) or proxies.get("all")
        return _DIRECT if proxy is None else _via(proxy)

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
