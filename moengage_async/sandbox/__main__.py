"""``python -m moengage_async.sandbox``: serve a sandbox until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The command line: where to listen, budgets, faults, seed, credentials."""
    p = argparse.ArgumentParser(
        prog="python -m moengage_async.sandbox",
        description="Serve a local MoEngage Campaigns API (V1 + V5) sandbox.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind")
    p.add_argument("--port", type=int, default=8080, help="port (0 = any free)")
    p.add_argument(
        "--budget",
        action="append",
        default=[],
        metavar="NAME=LIMIT/SECONDS[,...]",
        help="override a budget, e.g. status=5/1 or, replacing every window, "
        "status:=10/0.5 (repeatable)",
    )
    p.add_argument(
        "--faults",
        default=None,
        help="e.g. '5xx=0.1,reset=0.05' or 'latency=0.005,jitter=0.02,error_rate=0.1'",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for faults and ids")
    p.add_argument(
        "--campaigns",
        type=int,
        default=0,
        metavar="N",
        help="seed N ACTIVE campaigns and print a command that pauses them",
    )
    p.add_argument(
        "--ids-file",
        default=None,
        help="where to write the seeded ids (default: a temporary file)",
    )
    p.add_argument(
        "--no-rate-limit-headers",
        dest="rate_limit_headers",
        action="store_false",
        help="leave out the x-ratelimit-limit/-remaining/-reset headers",
    )
    p.add_argument(
        "--rate-limit-reset",
        choices=["seconds", "epoch"],
        default="seconds",
        help="x-ratelimit-reset as seconds from now or as a Unix time",
    )
    p.add_argument(
        "--rate-limit-body",
        choices=["native", "data_api"],
        default="native",
        help="429 body: the V1/V5 envelopes, or the Data API's status=fail shape",
    )
    p.add_argument("--workspace-id", default="SANDBOX_WS")
    p.add_argument("--api-key", default="sandbox-key")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments (bad budgets/faults exit 2 naming the part) and serve."""
    import anyio

    from ..budgets import parse_budgets
    from ._faults import parse_faults
    from ._server import SandboxStartError, serve

    p = parser()
    args = p.parse_args(argv)
    budgets = ";".join(args.budget) or None
    try:
        if budgets is not None:
            parse_budgets(budgets)
        if args.faults is not None:
            parse_faults(args.faults)
    except ValueError as exc:
        p.error(str(exc))
    if args.campaigns < 0:
        p.error(f"--campaigns must be >= 0, got {args.campaigns}")
    try:
        anyio.run(
            lambda: serve(
                host=args.host,
                port=args.port,
                budgets=budgets,
                faults=args.faults,
                seed=args.seed,
                workspace_id=args.workspace_id,
                api_key=args.api_key,
                campaigns=args.campaigns,
                ids_file=args.ids_file,
                rate_limit_headers=args.rate_limit_headers,
                rate_limit_reset=args.rate_limit_reset,
                rate_limit_body=args.rate_limit_body,
            )
        )
    except SandboxStartError as exc:
        sys.stderr.write(f"{p.prog}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess
    sys.exit(main())
