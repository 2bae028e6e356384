"""What the crash-safe journal costs: bulk_create with a sqlite file vs in memory.

Runs the same job against a loopback sandbox (budgets lifted, so only the request
path and the journal count) with ``journal=None`` (in-memory sqlite, the baseline)
and with ``journal=<file>`` (WAL, synchronous=FULL: two fsynced commits per item),
and prints per-item cost and the ratio. MoEngage itself admits at most 5 creates/s
(200 ms apart), the scale the per-item figure should be read against.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from moengage_async import RetryPolicy
from moengage_async.sandbox import Sandbox

LIFTED = "create_requests:=1000000/1;create_success:=1000000/1;search:=1000000/1"


def _campaigns(n: int, template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**template, "basic_details": {**template["basic_details"], "name": f"b{i}"}}
        for i in range(n)
    ]


def _template() -> dict[str, Any]:
    from moengage_async.sandbox._schemas import load_spec

    op = load_spec(1)["paths"]["/campaigns"]["post"]
    examples = op["requestBody"]["content"]["application/json"]["examples"]
    body = dict(examples["push_one_time_android_ios"]["value"])
    body["advanced"] = {}
    body.pop("request_id", None)
    return body


async def _run(n: int, concurrency: int, journal: Path | None, job: str) -> float:
    async with (
        Sandbox(budgets=LIFTED, validate=False) as sandbox,
        sandbox.client(budgets=LIFTED, retry=RetryPolicy(testing=True)) as client,
    ):
        items = _campaigns(n, _template())
        start = time.perf_counter()
        report = await client.bulk_create(
            items, job_id=job, journal=journal, concurrency=concurrency
        )
        elapsed = time.perf_counter() - start
    assert report.counts["created"] == n, report.counts
    return elapsed


async def _main(n: int, concurrency: int, repeats: int) -> None:
    best_mem = best_file = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(repeats):
            best_mem = min(best_mem, await _run(n, concurrency, None, f"m{r}"))
            path = Path(tmp) / f"job{r}.sqlite"
            best_file = min(best_file, await _run(n, concurrency, path, f"f{r}"))
    rows = [
        ("in-memory journal (baseline)", best_mem),
        ("sqlite file, WAL + FULL", best_file),
    ]
    print(f"bulk_create of {n} items, concurrency {concurrency}, best of {repeats}")
    print(f"{'journal':32} {'total s':>9} {'ms/item':>9} {'items/s':>9}")
    for name, seconds in rows:
        print(f"{name:32} {seconds:9.3f} {seconds / n * 1e3:9.2f} {n / seconds:9.0f}")
    print(f"ratio file/baseline: {best_file / best_mem:.2f}x")
    print(
        f"journal overhead per item: {(best_file - best_mem) / n * 1e3:.2f} ms "
        "(MoEngage spaces creates >= 200 ms apart)"
    )


def main() -> None:
    """Parse arguments and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(_main(args.items, args.concurrency, args.repeats))


if __name__ == "__main__":
    main()
