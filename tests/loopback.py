"""Small servers on 127.0.0.1 and a client aimed at one, for the transport tests."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from moengage_async import MoEngageClient, UnlimitedLimiter
from tests.recording_server import TEST_API_KEY

__all__ = ["Handler", "client_for", "serving"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@contextlib.asynccontextmanager
async def serving(
    handler: Handler, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[str]:
    """Serve ``handler`` for every path (over TLS with ``ssl_context``); yield the
    base URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    scheme = "http" if ssl_context is None else "https"
    try:
        yield f"{scheme}://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def client_for(base_url: str, **kwargs: object) -> MoEngageClient:
    """A client for ``base_url`` without budgets; ``kwargs`` go to the client."""
    return MoEngageClient(
        "ws-transport",
        TEST_API_KEY,
        base_url=base_url,
        limiter=UnlimitedLimiter(),
        **kwargs,  # type: ignore[arg-type]
    )
