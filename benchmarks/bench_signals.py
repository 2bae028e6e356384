"""The cost of reading MoEngage's x-ratelimit-* headers, per response.

Side by side in one process, on one ``MemoryLimiter``: the baseline is what every
request already costs the limiter (``try_acquire`` and ``complete_nowait``); the
measured side adds what the client does for a response that carries the headers
(``RateLimitSignals.observe``: parse the three headers, match the window, compare
with the ledger, record the stamp). A third row is a response without them: the
one header lookup the request path makes. Rounds alternate the sides; the ratio
is of the medians.

Run: ``python benchmarks/bench_signals.py`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from _util import median, print_table
from multidict import CIMultiDict, CIMultiDictProxy

from moengage_async import MemoryLimiter
from moengage_async.api._signals import REMAINING, RateLimitSignals
from moengage_async.budgets import resolve_budgets
from moengage_async.transport import Response

WORKSPACE = "BENCHWS"
BUDGETS = ("status",)


def _response(with_signals: bool) -> Response:
    headers = CIMultiDict({"Content-Type": "application/json"})
    if with_signals:
        headers.update(
            {
                "x-ratelimit-limit": "1000000000",
                "x-ratelimit-remaining": "1000000000",
                "x-ratelimit-reset": "12",
            }
        )
    return Response(200, CIMultiDictProxy(headers), b"{}")


async def _round(n: int, side: str) -> float:
    """Seconds per request of one side over ``n`` requests."""
    limiter = MemoryLimiter(resolve_budgets({"status": "1000000000/60"}))
    signals = RateLimitSignals(WORKSPACE, limiter, max_wait_s=300.0)
    response = _response(side != "absent")
    read = side != "baseline"
    start = time.perf_counter()
    for _ in range(n):
        permit = limiter.try_acquire(WORKSPACE, BUDGETS)
        assert permit is not None
        if read and REMAINING in response.headers:
            await signals.observe(BUDGETS, response, 0.001)
        permit.complete_nowait(success=True)  # type: ignore[attr-defined]
    return (time.perf_counter() - start) / n


async def _run(args: argparse.Namespace) -> list[list[object]]:
    sides = ("baseline", "absent", "present")
    results: dict[str, list[float]] = {side: [] for side in sides}
    for round_number in range(args.rounds):
        order = sides if round_number % 2 == 0 else sides[::-1]
        for side in order:
            results[side].append(await _round(args.requests, side))
    base = median(results["baseline"])
    names = {
        "baseline": "limiter only (try_acquire + complete)",
        "absent": "+ one header lookup (no x-ratelimit headers)",
        "present": "+ RateLimitSignals.observe (headers present)",
    }
    return [
        [
            names[side],
            f"{median(results[side]) * 1e6:.2f}",
            f"**{median(results[side]) / base:.2f}**",
            f"{(median(results[side]) - base) * 1e6:+.2f}",
        ]
        for side in sides
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20000, help="per round")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    rows = asyncio.run(_run(args))
    print_table(
        f"x-ratelimit headers: µs per request, median of {args.rounds} rounds "
        f"x {args.requests}",
        ["side", "µs/request", "ratio", "extra µs"],
        rows,
    )


if __name__ == "__main__":
    main()
