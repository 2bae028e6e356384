"""Streaming: a bulk job over an async generator keeps memory flat.

Uses an in-process ``Transport`` that answers 200 at once (and no budget): 20,000
loopback HTTP requests would take too long for the suite, and memory, not HTTP,
is what this test measures. Every other bulk test runs against the sandbox.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator, Mapping

from moengage_async import MoEngageClient, Response, UnlimitedLimiter

N = 200_000


class InstantOK:
    """Answers every request with an empty 200, counting them."""

    def __init__(self) -> None:
        self.requests = 0

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout_s: float | None,
    ) -> Response:
        self.requests += 1
        return Response(200, {}, b"")

    async def aclose(self) -> None:
        return None


async def ids() -> AsyncIterator[str]:
    for i in range(N):
        yield f"campaign-{i:08d}"


def list_cost() -> int:
    """Peak bytes of merely holding the ids in a list (what a non-streaming job holds)."""
    tracemalloc.start()
    held = [f"campaign-{i:08d}" for i in range(N)]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del held
    return peak


async def test_two_hundred_thousand_streamed_ids_use_flat_memory() -> None:
    """Peak memory of the job stays under a tenth of a list of its ids."""
    baseline = list_cost()
    transport = InstantOK()
    async with MoEngageClient(
        "ws", "key", transport=transport, limiter=UnlimitedLimiter()
    ) as client:
        tracemalloc.start()
        report = await client.bulk_change_status("PAUSE", ids(), concurrency=16)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert report.applied == N and transport.requests == N // 10
    assert peak < baseline / 10, (peak, baseline)
