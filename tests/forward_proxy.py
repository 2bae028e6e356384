"""A small HTTP forward proxy on 127.0.0.1 that records what passed through it.

It handles the two ways a client uses a proxy: an absolute-URI request
(``POST http://host:port/path HTTP/1.1``), forwarded to its origin one request per
connection, and ``CONNECT host:port``, answered with a tunnel (what HTTPS takes).
Each request is recorded as ``Passed(method, target, proxy_authorization)``.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["ForwardProxy", "Passed"]


@dataclass(frozen=True)
class Passed:
    """One request the proxy carried."""

    method: str
    target: str  # the absolute URI, or ``host:port`` for CONNECT
    proxy_authorization: str | None


@dataclass
class ForwardProxy:
    url: str = ""
    passed: list[Passed] = field(default_factory=list)
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._writers.append(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers = [line.split(":", 1) for line in lines[1:] if line]
        by_name = {name.strip().lower(): value.strip() for name, value in headers}
        self.passed.append(Passed(method, target, by_name.get("proxy-authorization")))
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream_reader, upstream_writer = await asyncio.open_connection(
                host, int(port)
            )
            self._writers.append(upstream_writer)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
        else:
            parts = urlsplit(target)
            upstream_reader, upstream_writer = await asyncio.open_connection(
                parts.hostname, parts.port or 80
            )
            self._writers.append(upstream_writer)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            kept = [
                f"{name}:{value}"
                for name, value in headers
                if name.strip().lower()
                not in ("proxy-authorization", "proxy-connection", "connection")
            ]
            out = [f"{method} {path} {version}", *kept, "Connection: close", "", ""]
            upstream_writer.write("\r\n".join(out).encode("latin-1"))
            length = int(by_name.get("content-length", "0"))
            if length:
                upstream_writer.write(await reader.readexactly(length))
        await asyncio.gather(
            _pipe(reader, upstream_writer),
            _pipe(upstream_reader, writer),
        )

    async def __aenter__(self) -> ForwardProxy:
        self._server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for writer in self._writers:  # tunnels a client left open end here
            writer.close()
        await self._server.wait_closed()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy ``reader`` to ``writer`` until either side closes."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(ConnectionError, RuntimeError):
            writer.close()
