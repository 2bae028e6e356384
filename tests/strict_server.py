"""A strict MoEngage stand-in for budget tests: counts rolling windows on arrival.

Each request first crosses a jittery uplink (a sleep on the shared clock), is
counted at its arrival, is answered 429 when any window already holds ``limit``
accepted arrivals, then crosses the downlink back.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from moengage_async import Clock

__all__ = ["StrictServer", "serve"]


@dataclass
class StrictServer:
    clock: Clock
    windows: Sequence[tuple[int, float]]
    jitter_s: float = 0.005
    seed: int = 0
    retry_after: list[str | None] = field(default_factory=list)
    accepted: list[float] = field(default_factory=list)
    rejected: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._logs = [deque[float]() for _ in self.windows]

    def _over(self, now: float) -> bool:
        for (limit, seconds), log in zip(self.windows, self._logs, strict=True):
            while log and log[0] <= now - seconds:
                log.popleft()
            if len(log) >= limit:
                return True
        return False

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        await self.clock.sleep(self._rng.uniform(0, self.jitter_s))
        now = self.clock.now()
        forced = self.retry_after.pop(0) if self.retry_after else None
        if forced is not None or self._over(now):
            self.rejected.append(now)
            headers = {} if not forced else {"Retry-After": forced}
            response = web.json_response(
                {"error": {"code": "429", "message": "Rate limit exceeded"}},
                status=429,
                headers=headers,
            )
        else:
            for log in self._logs:
                log.append(now)
            self.accepted.append(now)
            response = web.json_response({"status": "success"})
        await self.clock.sleep(self._rng.uniform(0, self.jitter_s))
        return response


@asynccontextmanager
async def serve(server: StrictServer) -> AsyncIterator[str]:
    """Run the server on 127.0.0.1 and yield its base URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
