"""Telemetry overhead: the client's requests/s with OpenTelemetry hooks versus
without, same run, same server, same session.

Every side sends ``client.change_status`` to a local server that answers at once
(its own process), through ``UnlimitedLimiter``. The baseline has no hooks (the
path every call takes when nothing observes it); the other sides add one plain
``on_request`` counter, then ``moengage_async.otel.Telemetry`` on the real
OpenTelemetry SDK: spans dropped by a sampler, and spans recorded to an in-memory
exporter (metrics to an in-memory reader in both). Rounds alternate the sides,
every other round reversed; rates are on CPU time of this process. Needs the
``otel`` extra and ``opentelemetry-sdk``.

Run: ``python benchmarks/bench_telemetry.py`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable

from _util import instant_server, print_table, run_workers
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from moengage_async import (
    Hooks,
    MoEngageClient,
    RequestInfo,
    UnlimitedLimiter,
    new_session,
)
from moengage_async.otel import Telemetry

WORKSPACE, KEY = "BENCHWS", "bench-key"
IDS = ["c1", "c2", "c3", "c4", "c5"]


async def _drive(
    n: int, concurrency: int, one: Callable[[], Awaitable[object]]
) -> float:
    cpu = time.process_time()
    await run_workers(n, concurrency, one)
    return n / (time.process_time() - cpu)


def _telemetry(sampled: bool) -> tuple[Telemetry, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider(sampler=None if sampled else ALWAYS_OFF)
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    telemetry = Telemetry(
        tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    return telemetry, exporter


async def _run(args: argparse.Namespace, base_url: str) -> list[list[object]]:
    session = new_session(connection_limit=args.concurrency)
    counted = [0]

    def count(info: RequestInfo) -> None:
        counted[0] += 1

    unsampled, _ = _telemetry(sampled=False)
    recorded, exporter = _telemetry(sampled=True)
    hooks = {
        "no hooks": None,
        "Hooks(on_request=counter)": Hooks(on_request=count),
        "Telemetry, spans not sampled": unsampled.hooks,
        "Telemetry, spans recorded in memory": recorded.hooks,
    }
    clients = {
        name: MoEngageClient(
            WORKSPACE,
            KEY,
            base_url=base_url,
            session=session,
            limiter=UnlimitedLimiter(),
            hooks=side_hooks,
        )
        for name, side_hooks in hooks.items()
    }

    def side(client: MoEngageClient) -> Callable[[], Awaitable[object]]:
        async def one() -> None:
            await client.change_status("PAUSE", IDS)
            if len(exporter.get_finished_spans()) > 10_000:
                exporter.clear()

        return one

    sides = {name: side(client) for name, client in clients.items()}
    results: dict[str, list[float]] = {name: [] for name in sides}
    for one in sides.values():
        await _drive(min(args.requests, 500), args.concurrency, one)
    gc.collect()
    order = list(sides.items())
    for round_number in range(args.rounds):
        for name, one in order if round_number % 2 == 0 else order[::-1]:
            results[name].append(await _drive(args.requests, args.concurrency, one))
    for client in clients.values():
        await client.aclose()
    await session.close()
    base = results["no hooks"]
    rows: list[list[object]] = []
    for name, rates in results.items():
        best = max(rates)
        paired = statistics.median(r / b for r, b in zip(rates, base, strict=True))
        rows.append(
            [
                name,
                f"{best:,.0f}",
                f"**{paired:.3f}**",
                f"{1e6 / best - 1e6 / max(base):+.1f}",
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="per round and side")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    with instant_server("raw") as base_url:
        rows = asyncio.run(_run(args, base_url))
    print_table(
        f"Telemetry: requests/s, {args.concurrency} concurrent, "
        f"best of {args.rounds} rounds x {args.requests}",
        ["hooks", "req/CPU-s (best)", "median paired ratio", "extra µs CPU/req"],
        rows,
    )


if __name__ == "__main__":
    main()
