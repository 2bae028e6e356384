"""Streaming: a bulk job over an async generator keeps memory flat.

Uses an in-process ``Transport`` that answers 200 at once (and no budget): 20,000
loopback HTTP requests would take too long for the suite, and memory, not HTTP,
is what this test measures. Every other bulk test runs against the sandbox.

Memory is sampled with ``sys.getallocatedblocks()`` (live Python allocator blocks)
after every batch rather than with tracemalloc, whose per-allocation hook made
this one test take 15-45 s; both count the same thing that would grow here: one
or more blocks per id kept.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Mapping

from moengage_async import MoEngageClient, Progress, Response, UnlimitedLimiter

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
    """Blocks it takes merely to hold the ids in a list (a non-streaming floor)."""
    before = sys.getallocatedblocks()
    held = [f"campaign-{i:08d}" for i in range(N)]
    cost = sys.getallocatedblocks() - before
    del held
    return cost


async def test_two_hundred_thousand_streamed_ids_use_flat_memory() -> None:
    """Without de-duplication, live memory never grows by a tenth of a list of
    its ids."""
    baseline = list_cost()
    transport = InstantOK()
    peak = 0

    async with MoEngageClient(
        "ws", "key", transport=transport, limiter=UnlimitedLimiter()
    ) as client:
        start = sys.getallocatedblocks()

        def sample(progress: Progress) -> None:
            nonlocal peak
            peak = max(peak, sys.getallocatedblocks() - start)

        report = await client.bulk_change_status(
            "PAUSE", ids(), concurrency=16, progress=sample, deduplicate=False
        )
    assert report.applied == N and transport.requests == N // 10
    assert baseline >= N
    assert peak < baseline / 10, (peak, baseline)


async def test_deduplication_keeps_no_more_than_the_distinct_ids() -> None:
    """De-duplicating a stream holds each distinct id once, nothing more per id."""
    baseline = list_cost()
    transport = InstantOK()
    peak = 0

    async with MoEngageClient(
        "ws", "key", transport=transport, limiter=UnlimitedLimiter()
    ) as client:
        start = sys.getallocatedblocks()

        def sample(progress: Progress) -> None:
            nonlocal peak
            peak = max(peak, sys.getallocatedblocks() - start)

        report = await client.bulk_change_status(
            "PAUSE", ids(), concurrency=16, progress=sample
        )
    assert report.applied == N and report.duplicates == 0
    assert peak < baseline * 1.2, (peak, baseline)
