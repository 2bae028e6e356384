"""An HTTP server that answers every request at once, run in its own process.

``--kind raw`` is a bare asyncio protocol (far faster than any client, so the client
under test is the bottleneck); ``--kind aiohttp`` is an ``aiohttp.web`` app. Both
keep connections alive. The chosen port is printed on the first stdout line.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

__all__ = ["main"]

BODY = b'{"status":"success"}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
)


class _Instant(asyncio.Protocol):
    """Parses just enough HTTP/1.1 (headers + Content-Length) to answer each request."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        out = []
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = bytes(buf[:end]).lower()
            length = 0
            at = head.find(b"content-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at)
                length = int(head[at + 15 : stop if stop >= 0 else None])
            total = end + 4 + length
            if len(buf) < total:
                break
            del buf[:total]
            out.append(RESPONSE)
        if out and self._transport is not None:
            self._transport.write(b"".join(out))


async def _serve_raw() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Instant, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


async def _serve_aiohttp() -> None:
    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=BODY, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    server = site._server
    assert server is not None
    print(server.sockets[0].getsockname()[1], flush=True)  # type: ignore[attr-defined]
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=("raw", "aiohttp"), default="raw")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve_raw() if args.kind == "raw" else _serve_aiohttp())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
