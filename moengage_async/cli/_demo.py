"""``moengage-async demo``: a bulk pause against the embedded sandbox, under a minute.

The windows are MoEngage's status budget scaled down five times (10 per 0.2 s,
100 per 12 s, 6000 per 12 min), so 3,000 ids (300 requests) end in about 26 s, the
earliest the full windows allow (the job runs alone: the work-conserving policy
lends it every slot), and show the shape a 20,000-id job has in real time:
bursts, then waits.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import anyio
import msgspec

from ..budgets import BudgetOverrides, Priority, Window, resolve_budgets
from ..jobs import earliest_finish, format_duration, status_change_requests

__all__ = ["DEMO_BUDGETS", "DemoResult", "demo", "run_demo"]

#: The documented status budget (10/s, 100/min, 6000/h) scaled down 5x.
DEMO_BUDGETS = "status:=10/0.2,100/12,6000/720"


@dataclass(frozen=True)
class DemoResult:
    """What the demo measured, from the sandbox's ledger."""

    ids: int
    applied: int
    failed: int
    requests: int
    rate_limited: int
    elapsed_s: float
    #: The earliest the full windows allow these requests to be sent.
    minimum_s: float
    #: The client's plan before the run (its bulk policy in force): the same
    #: schedule as ``--dry-run`` and the progress ETA.
    planned_s: float
    sustained_limit_per_s: float
    arrivals: tuple[float, ...]
    windows: tuple[Window, ...]
    #: The share of each window a bulk job may fill (the rest stays interactive).
    bulk_share: float = 1.0

    @property
    def best_per_s(self) -> float:
        """The rate of the earliest possible schedule of these requests."""
        return self.requests / self.minimum_s if self.minimum_s > 0 else 0.0

    @property
    def achieved_per_s(self) -> float:
        """Requests per second over the run."""
        return self.requests / self.elapsed_s if self.elapsed_s > 0 else 0.0


async def demo(
    n_ids: int = 3000,
    *,
    budgets: BudgetOverrides | None = None,
    progress: Any = None,
) -> DemoResult:
    """Seed ``n_ids`` campaigns in an in-process sandbox and pause them all."""
    try:
        from ..sandbox import Sandbox
    except ImportError as exc:  # the `demo` extra is optional
        raise ImportError(
            f"the demo needs the sandbox: pip install 'moengage-async[demo]' ({exc})"
        ) from None
    overrides = budgets if budgets is not None else DEMO_BUDGETS
    windows = resolve_budgets(overrides)["status"].windows
    async with Sandbox(budgets=overrides) as sandbox:
        ids = sandbox.seed_campaigns(n_ids, delivery_type="PERIODIC")
        async with sandbox.client(budgets=overrides) as client:
            share = client.bulk_share_for(Priority.BULK)
            planned = client.plan_status_change(n_ids).earliest_finish_s
            started = client.clock.now()
            report = await client.bulk_change_status("PAUSE", ids, progress=progress)
            elapsed = client.clock.now() - started
        records = sandbox.ledger.requests("v1.change_status")
    requests = status_change_requests(n_ids)
    return DemoResult(
        ids=n_ids,
        applied=report.applied,
        failed=report.failed,
        requests=len(records),
        rate_limited=sum(1 for r in records if r.status == 429),
        elapsed_s=elapsed,
        minimum_s=earliest_finish(windows, requests),
        planned_s=planned,
        sustained_limit_per_s=min(w.limit / w.seconds for w in windows),
        arrivals=tuple(r.at for r in records),
        windows=windows,
        bulk_share=share,
    )


def render_table(result: DemoResult) -> str:
    """The closing table, as plain text."""
    rows = [
        ("campaigns paused", f"{result.applied} of {result.ids}"),
        ("failed", str(result.failed)),
        ("requests", f"{result.requests} (batches of 10 ids)"),
        ("429 responses", str(result.rate_limited)),
        (
            "bulk share",
            f"{result.bulk_share:.0%} of each window (the rest is kept for "
            "interactive calls)"
            if result.bulk_share < 1.0
            else "every slot no interactive call needs (work-conserving)",
        ),
        (
            "achieved rate",
            f"{result.achieved_per_s:.2f} req/s; best possible for this job "
            f"{result.best_per_s:.2f} req/s (long-run budget "
            f"{result.sustained_limit_per_s:.2f} req/s)",
        ),
        (
            "time",
            f"{format_duration(result.elapsed_s)} vs theoretical minimum "
            f"{format_duration(result.minimum_s)} at full windows "
            f"(x{result.elapsed_s / result.minimum_s:.2f}); planned "
            f"{format_duration(result.planned_s)}"
            if result.minimum_s > 0
            else format_duration(result.elapsed_s),
        ),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k.ljust(width)}  {v}" for k, v in rows)


def run_demo(
    *,
    n_ids: int = 3000,
    budgets: BudgetOverrides | None = None,
    plot: str | None = None,
    as_json: bool = False,
) -> int:
    """The CLI entry: run, print the table (or JSON), optionally plot; exit code."""
    from ._io import ProgressLine, UsageError

    if n_ids < 1:
        raise UsageError("--ids must be >= 1")
    if plot is not None:
        from ._plot import require_matplotlib

        try:
            require_matplotlib()
        except ImportError as exc:
            raise UsageError(str(exc)) from None
    shown = budgets if budgets is not None else DEMO_BUDGETS
    sys.stderr.write(
        f"demo: pausing {n_ids} campaigns in an embedded sandbox under {shown}\n"
    )
    bar = ProgressLine("pause")
    try:
        result = anyio.run(_run, n_ids, budgets, bar)
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    finally:
        bar.close()
    if as_json:
        doc = msgspec.to_builtins(result)
        doc.pop("arrivals")
        sys.stdout.write(msgspec.json.encode(doc).decode() + "\n")
    else:
        sys.stdout.write(render_table(result) + "\n")
    if plot is not None:
        from ._plot import plot_timeline

        try:
            plot_timeline(
                result.arrivals, result.windows, plot, bulk_share=result.bulk_share
            )
        except OSError as exc:
            raise UsageError(f"cannot write {plot}: {exc.strerror or exc}") from None
        sys.stderr.write(f"demo: timeline written to {plot}\n")
    return 0 if result.failed == 0 and result.rate_limited == 0 else 1


async def _run(n_ids: int, budgets: BudgetOverrides | None, bar: Any) -> DemoResult:
    return await demo(n_ids, budgets=budgets, progress=bar)
