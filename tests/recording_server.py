"""A real aiohttp server on 127.0.0.1 that records requests and plays canned answers.

Used by the V1 operation tests until ``moengage_async.sandbox`` lands on main. It is
a real HTTP server (the client's whole transport runs), not a mock::

    server.reply("POST", "/core-services/v1/campaigns", 201, {"campaign_id": "c1"})
    ...
    assert server.requests[0].json["request_id"] == "..."

Answers queue per (method, path) and are consumed in order; the last one repeats.
An unqueued route answers 200 with an empty body. ``hang=True`` answers only when
the server shuts down (for deadline tests).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import anyio
from aiohttp import web

__all__ = [
    "TEST_API_KEY",
    "Canned",
    "RecordedRequest",
    "RecordingServer",
    "recording_server",
]

#: The API key every recorder-backed client uses; the secrets test hunts for it.
TEST_API_KEY = "sk-live-DO-NOT-LEAK-4242"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Canned:
    """One answer: status, raw body and headers; ``hang`` never answers."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


class RecordingServer:
    """Records every request; answers from per-route queues."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._answers: dict[tuple[str, str], list[Canned]] = defaultdict(list)
        self.url = ""
        self._release = anyio.Event()

    def reply(
        self,
        method: str,
        path: str,
        status: int = 200,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        hang: bool = False,
    ) -> None:
        """Queue an answer for ``method path``; ``body`` is JSON unless ``raw``."""
        payload = (
            raw
            if raw is not None
            else b""
            if body is None
            else json.dumps(body).encode()
        )
        hdrs = dict(headers or {})
        if raw is None and body is not None:
            hdrs.setdefault("Content-Type", "application/json")
        self._answers[(method, path)].append(Canned(status, payload, hdrs, hang))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(
            RecordedRequest(request.method, request.path, dict(request.headers), body)
        )
        queue = self._answers.get((request.method, request.path))
        canned = Canned() if not queue else queue.pop(0) if len(queue) > 1 else queue[0]
        if canned.hang:
            await self._release.wait()  # set at shutdown, so cleanup never stalls
            return web.Response(status=503)
        return web.Response(
            status=canned.status, body=canned.body, headers=canned.headers
        )


async def recording_server() -> AsyncIterator[RecordingServer]:
    """Run a ``RecordingServer`` on an ephemeral port for the duration of a test."""
    server = RecordingServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server._handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    server.url = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        server._release.set()
        await runner.cleanup()
