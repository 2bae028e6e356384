"""A bulk pause through ``sandbox.client()`` on a scaled-down sandbox.

``sandbox.client()`` budgets with the sandbox's own table; the baseline is the same
client given the documented table (``budgets=None``), so it waits out windows the
sandbox does not have. The ratio is the baseline's seconds over the figure's.

    python benchmarks/bench_sandbox_client.py --budget status:=100/0.05,1000/1
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from moengage_async.sandbox import Sandbox


async def _run(campaigns: int, budget: str, **client_kwargs: Any) -> float:
    """Seconds to pause ``campaigns`` seeded campaigns with one bulk call."""
    async with Sandbox(budgets=budget) as sandbox:
        ids = sandbox.seed_campaigns(campaigns)
        async with sandbox.client(**client_kwargs) as client:
            started = time.perf_counter()
            report = await client.bulk_change_status("PAUSE", ids)
            elapsed = time.perf_counter() - started
        if report.applied != campaigns:
            raise RuntimeError(f"applied {report.applied} of {campaigns}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=1000)
    parser.add_argument("--budget", default="status:=100/0.05,1000/1")
    args = parser.parse_args()
    own = asyncio.run(_run(args.campaigns, args.budget))
    documented = asyncio.run(_run(args.campaigns, args.budget, budgets=None))
    print(f"{args.campaigns} campaigns, sandbox budget {args.budget}")
    print(f"{'client budgets':<34}{'seconds':>10}")
    print(f"{'the sandbox table (default)':<34}{own:>10.2f}")
    print(f"{'the documented table':<34}{documented:>10.2f}")
    print(f"{'ratio documented / sandbox':<34}{documented / own:>10.0f}")


if __name__ == "__main__":
    main()
