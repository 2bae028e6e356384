"""``moengage-async``: bulk status changes, creation, lookups, the sandbox and the demo.

Exit codes (docs/cli.md): 0 every item succeeded, 1 some failed or MoEngage refused,
2 a usage error, 70 an unexpected internal error, 130 interrupted. Every error is
one line on stderr: never a traceback (unless ``MOENGAGE_DEBUG=1``), never the API
key.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import anyio
import msgspec

from .._errors import MoEngageError, PayloadValidationError
from ..budgets import BudgetOverrides, parse_budgets
from ..jobs import (
    DEFAULT_MAX_QUOTA_WAIT_S,
    BulkStatusReport,
    JournalMismatchError,
    Plan,
    StatusFailure,
    format_duration,
)
from ..models import v1 as models_v1
from ._io import (
    Counted,
    ProgressLine,
    UsageError,
    check_id,
    ids_from_stream,
    iter_ids_file,
    read_ids_file,
    read_jsonl,
)

__all__ = ["build_parser", "main"]

PROG = "moengage-async"
#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130
_json = msgspec.json.Encoder()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


# -- settings -----------------------------------------------------------------------


def _budgets(args: argparse.Namespace) -> BudgetOverrides | None:
    """The budgets of a plan or sandbox: ``--budget``, else ``MOENGAGE_BUDGETS``."""
    flag = _budget_flag(args)
    if flag is not None:
        return flag
    text = os.environ.get("MOENGAGE_BUDGETS", "").strip()
    if not text:
        return None
    try:
        parse_budgets(text)
    except ValueError as exc:
        raise UsageError(f"bad MOENGAGE_BUDGETS: {exc}") from None
    return text


def _client(args: argparse.Namespace) -> Any:
    """The client of a command: flags win over the ``MOENGAGE_*`` variables, which
    ``MoEngageClient.from_env`` reads (the one reading of the environment)."""
    from .._client import MoEngageClient

    redis_url = getattr(args, "redis_url", None)
    try:
        return MoEngageClient.from_env(
            workspace_id=args.workspace_id,
            api_key=args.api_key,
            data_center=args.data_center,
            base_url=args.base_url,
            budgets=_budget_flag(args),
            bulk_share=getattr(args, "bulk_share", None),
            redis_url=redis_url,
            proxy=args.proxy,
            ca_bundle=args.ca_bundle,
        )
    except ValueError as exc:
        if redis_url and "MOENGAGE_REDIS_URL" in str(exc):
            raise UsageError(f"bad --redis-url: {exc}") from None
        raise UsageError(str(exc)) from None
    except MoEngageError as exc:  # the redis extra is missing
        raise UsageError(str(exc)) from None


def _budget_flag(args: argparse.Namespace) -> BudgetOverrides | None:
    """``--budget``, checked; ``None`` leaves ``MOENGAGE_BUDGETS`` to the client."""
    if args.budget is None:
        return None
    try:
        parse_budgets(args.budget)
    except ValueError as exc:
        raise UsageError(f"bad --budget: {exc}") from None
    return args.budget  # type: ignore[no-any-return]


# -- commands -----------------------------------------------------------------------


def _failure_docs(failures: Sequence[StatusFailure]) -> list[dict[str, Any]]:
    return [
        {
            "campaign_id": f.campaign_id,
            "error": str(f.error),
            "status": getattr(f.error, "status", None),
        }
        for f in failures
    ]


def _print_status_report(report: BulkStatusReport, as_json: bool) -> None:
    if as_json:
        doc = {
            "action": report.action.value,
            "applied": report.applied,
            "already": report.already,
            "failed": report.failed,
            "unknown": len(report.unknown),
            "duplicates": report.duplicates,
            "resumed": report.resumed,
            "interrupted": report.interrupted,
            "failures": _failure_docs(report.failures),
            "unknowns": _failure_docs(report.unknown),
            "requests": report.requests,
            "elapsed_s": round(report.elapsed_s, 3),
            "earliest_s": round(report.earliest_s, 3),
        }
        sys.stdout.write(_json.encode(doc).decode() + "\n")
        return
    extras = []
    if report.duplicates:
        extras.append(f"{report.duplicates} duplicate(s) dropped")
    if report.resumed:
        extras.append(f"{report.resumed} from the journal")
    tail = f" ({', '.join(extras)})" if extras else ""
    took = format_duration(report.elapsed_s)
    if report.interrupted:
        head, cost = "interrupted: ", f"stopped after {took}"
    else:
        head, cost = "", f"{report.requests} request(s) in {took}"
        if report.earliest_s > 0:
            ratio = report.elapsed_s / report.earliest_s
            cost += (
                f" (earliest at full windows {format_duration(report.earliest_s)}, "
                f"x{ratio:.2f})"
            )
    sys.stdout.write(
        f"{head}{report.action.value}: {report.applied} applied, "
        f"{report.already} already, {report.failed} failed, "
        f"{len(report.unknown)} unknown{tail}; {cost}\n"
    )
    for failure in report.failures:
        sys.stdout.write(f"  failed {failure.campaign_id}: {failure.error}\n")
    for unknown in report.unknown:
        sys.stdout.write(f"  unknown {unknown.campaign_id}: {unknown.error}\n")
    if report.interrupted:
        sys.stdout.write(
            "  rerun the same command with the same --journal to finish the rest\n"
        )


def _cmd_status(args: argparse.Namespace) -> int:
    ids: Sequence[str] | Iterator[str]
    if args.ids and args.ids_file:
        raise UsageError("give ids as arguments or with --ids-file, not both")
    if args.ids_file:
        total = read_ids_file(args.ids_file)
        ids = iter_ids_file(args.ids_file)
    elif args.ids:
        ids = [check_id(i, "argument") for i in args.ids]
        total = len(ids)
    else:
        ids = ids_from_stream(sys.stdin)
        total = len(ids)
    if total == 0:
        raise UsageError("no campaign ids given (arguments, --ids-file or stdin)")
    if args.dry_run:
        _print_plan(_dry_run(args, "status", total), args)
        return 0
    client = _client(args)
    action = args.action.upper()
    # The outcomes so far, kept here so that Ctrl-C can still print them.
    tally = BulkStatusReport(models_v1.StatusAction(action))
    started = time.monotonic()

    async def run() -> BulkStatusReport:
        bar = ProgressLine(action.lower()) if not args.quiet else None
        async with client:
            try:
                return await client.bulk_change_status(  # type: ignore[no-any-return]
                    action,
                    Counted(ids, total),
                    concurrency=args.concurrency,
                    progress=bar,
                    api_version=args.api_version,
                    on_result=tally.add,
                    journal=args.journal,
                    job_id=args.job_id,
                )
            finally:
                if bar is not None:
                    bar.close()

    try:
        report = anyio.run(run)
    except KeyboardInterrupt:
        tally.interrupted = True
        tally.elapsed_s = time.monotonic() - started
        _print_status_report(tally, args.json)
        return EXIT_INTERRUPTED
    _print_status_report(report, args.json)
    return 0 if report.ok else 1


def _dry_run(args: argparse.Namespace, job: str, items: int) -> Plan:
    """``--dry-run``: the plan of the client the command would run (its budgets,
    bulk policy and, on a shared Redis budget, the fleet's current usage), from
    the same planner as the run's progress ETA. Nothing is sent to MoEngage."""

    async def plan() -> Plan:
        async with _plan_client(args) as client:
            fetch = getattr(client.limiter, "fetch_snapshot", None)
            if fetch is not None:  # a shared budget: start from its usage now
                await fetch(client.workspace_id)
            if job == "status":
                return client.plan_status_change(  # type: ignore[no-any-return]
                    items, api_version=args.api_version
                )
            return client.plan_creation(items)  # type: ignore[no-any-return]

    try:
        return anyio.run(plan)
    except MoEngageError as exc:  # Redis unreachable: the plan cannot read it
        raise UsageError(f"cannot plan: {exc}") from None


def _plan_client(args: argparse.Namespace) -> Any:
    """The command's client for a plan: no API key is needed (nothing is sent),
    nor a workspace id unless a shared Redis budget must be read."""
    args = argparse.Namespace(**vars(args))
    args.api_key = args.api_key or "dry-run (never sent)"
    try:
        return _client(args)
    except UsageError:
        if getattr(args, "redis_url", None) or os.environ.get("MOENGAGE_REDIS_URL"):
            raise  # the fleet's usage is per workspace
        args.workspace_id = "dry-run"
        return _client(args)


def _print_plan(plan: Plan, args: argparse.Namespace) -> None:
    text = plan.describe()
    if args.json:
        doc = {
            "plan": text,
            "operation": plan.operation,
            "items": plan.items,
            "requests": plan.requests,
            "budgets": list(plan.budgets),
            "earliest_finish_s": plan.earliest_finish_s,
        }
        sys.stdout.write(_json.encode(doc).decode() + "\n")
    else:
        sys.stdout.write(text + "\n")


def _cmd_create(args: argparse.Namespace) -> int:
    items = read_jsonl(args.file)
    if args.dry_run:
        _print_plan(_dry_run(args, "create", len(items)), args)
        return 0
    client = _client(args)
    bulk_create: Callable[..., Any] | None = getattr(client, "bulk_create", None)
    if bulk_create is None:
        raise UsageError("'create' needs bulk creation, which this build lacks")
    assert bulk_create is not None

    async def run() -> Any:
        bar = ProgressLine("create") if not args.quiet else None
        async with client:
            try:
                return await bulk_create(
                    items,
                    job_id=args.job_id or Path(args.file).stem,
                    journal=args.journal,
                    on_quota=args.on_quota,
                    max_quota_wait_s=args.max_quota_wait,
                    progress=bar,
                )
            finally:
                if bar is not None:
                    bar.close()

    try:
        report = anyio.run(run)
    except JournalMismatchError as exc:
        raise UsageError(
            f"{exc} (a changed file needs a new --job-id or another --journal)"
        ) from None
    except (OSError, sqlite3.Error) as exc:
        raise UsageError(f"cannot use the journal {args.journal}: {exc}") from None
    return _print_create_report(report, args.json)


def _print_create_report(report: Any, as_json: bool) -> int:
    """Print a ``BulkCreateReport``; exit 1 unless every item was created."""
    created = list(getattr(report, "created", ()))
    failed = list(getattr(report, "failed", ()))
    pending = list(getattr(report, "pending", ()))
    if as_json:
        doc = msgspec.to_builtins(report, str_keys=True, enc_hook=str)
        sys.stdout.write(_json.encode(doc).decode() + "\n")
    else:
        sys.stdout.write(
            f"create: {len(created)} created, {len(failed)} failed, "
            f"{len(pending)} pending\n"
        )
        for item in failed:
            sys.stdout.write(f"  item {item.index} ({item.name}): {item.error}\n")
        if pending and getattr(report, "stopped_on_quota", False):
            sys.stdout.write("  quota spent: rerun with the same --journal later\n")
    return 0 if not failed and not pending else 1


def _cmd_get(args: argparse.Namespace) -> int:
    client = _client(args)

    async def run() -> Any:
        async with client:
            return await client.v5.get_campaign(args.campaign_id)

    sys.stdout.write(_json.encode(anyio.run(run)).decode() + "\n")
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    fields: dict[str, Any] = {}
    if args.name:
        fields["name"] = args.name
    if args.status:
        fields["status"] = [s.upper() for s in args.status]
    search: dict[str, Any] = {"limit": args.limit, "page": args.page}
    if fields:
        search["campaign_fields"] = fields
    client = _client(args)

    async def run() -> Any:
        async with client:
            return await client.search_campaigns(search)

    sys.stdout.write(_json.encode(anyio.run(run)).decode() + "\n")
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    try:
        from ..sandbox import SandboxStartError, serve
    except ImportError as exc:
        raise UsageError(f"the sandbox is unavailable: {exc}") from None
    budgets = _budgets(args)

    async def run() -> None:
        await serve(
            host=args.host,
            port=args.port,
            budgets=budgets,
            faults=args.faults,
            seed=args.seed,
            campaigns=args.campaigns,
            ids_file=args.ids_file,
        )

    try:
        anyio.run(run)
    except (ValueError, SandboxStartError) as exc:
        raise UsageError(str(exc)) from None
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    return run_demo(
        n_ids=args.ids, budgets=_budgets(args), plot=args.plot, as_json=args.json
    )


# -- parser -------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser, *, credentials: bool = True) -> None:
    if credentials:
        parser.add_argument("--workspace-id", help="or MOENGAGE_WORKSPACE_ID")
        parser.add_argument("--api-key", help="or MOENGAGE_API_KEY (never printed)")
        parser.add_argument(
            "--data-center", help="01..06 or 101, or MOENGAGE_DATA_CENTER"
        )
        parser.add_argument("--base-url", help="another host, e.g. a sandbox")
        parser.add_argument(
            "--redis-url",
            help="share budgets with other processes via Redis (or MOENGAGE_REDIS_URL)",
        )
        parser.add_argument("--proxy", help="proxy URL (default: HTTPS_PROXY etc.)")
        parser.add_argument("--ca-bundle", help="PEM file of CAs to trust for TLS")
    parser.add_argument(
        "--budget",
        help="budget overrides, e.g. 'status=5/1' (changes the 1 s window, keeps "
        "the others; e.g. 'status:=5/1' replaces them all) (or MOENGAGE_BUDGETS)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _bulk_share_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bulk-share",
        type=float,
        metavar="FRACTION",
        help="fill at most FRACTION of each window, leaving the rest to a web app "
        "on the same workspace that does not share --redis-url (or "
        "MOENGAGE_BULK_SHARE); default: the whole budget, less what interactive "
        "calls on a shared Redis budget are seen to need",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="MoEngage Campaigns from the shell.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    status = sub.add_parser("status", help="pause, resume or stop many campaigns")
    status.add_argument("action", choices=["pause", "resume", "stop"])
    status.add_argument(
        "ids", nargs="*", help="campaign ids (else --ids-file or stdin)"
    )
    status.add_argument("--ids-file", help="one id a line")
    status.add_argument("--concurrency", type=int, default=16)
    status.add_argument("--api-version", type=int, choices=[1, 5], default=1)
    status.add_argument(
        "--journal",
        help="sqlite file recording each id's outcome; a rerun with it resumes",
    )
    status.add_argument(
        "--job-id", help="names the job in the journal (default: the action)"
    )
    status.add_argument("--dry-run", action="store_true", help="print the plan only")
    _bulk_share_option(status)
    _common(status)
    status.set_defaults(run=_cmd_status)

    create = sub.add_parser("create", help="create campaigns from a JSONL file")
    create.add_argument("--file", required=True, help="one campaign JSON a line")
    create.add_argument(
        "--job-id", help="names the job (default: the file name); same id = resume"
    )
    create.add_argument("--journal", help="journal file for crash-safe resume")
    create.add_argument("--on-quota", choices=["wait", "stop"], default="wait")
    create.add_argument(
        "--max-quota-wait",
        type=float,
        default=DEFAULT_MAX_QUOTA_WAIT_S,
        metavar="SECONDS",
        help="with --on-quota wait: stop (rest pending) after this long without "
        "a creation (default: %(default)g)",
    )
    create.add_argument("--dry-run", action="store_true", help="print the plan only")
    _bulk_share_option(create)
    _common(create)
    create.set_defaults(run=_cmd_create)

    get = sub.add_parser("get", help="one campaign (V5 GET)")
    get.add_argument("campaign_id")
    _common(get)
    get.set_defaults(run=_cmd_get)

    search = sub.add_parser("search", help="search campaigns (V1)")
    search.add_argument("--name")
    search.add_argument("--status", action="append", help="repeatable")
    search.add_argument("--limit", type=int, default=15)
    search.add_argument("--page", type=int, default=1)
    _common(search)
    search.set_defaults(run=_cmd_search)

    sandbox = sub.add_parser("sandbox", help="serve a local MoEngage sandbox")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    sandbox.add_argument("--faults", help="e.g. '5xx=0.1,reset=0.05'")
    sandbox.add_argument("--seed", type=int, default=0)
    sandbox.add_argument(
        "--campaigns",
        type=int,
        default=0,
        metavar="N",
        help="seed N ACTIVE campaigns and print a command that pauses them",
    )
    sandbox.add_argument("--ids-file", help="where to write the seeded ids")
    _common(sandbox, credentials=False)
    sandbox.set_defaults(run=_cmd_sandbox)

    demo = sub.add_parser("demo", help="a bulk pause against the embedded sandbox")
    demo.add_argument("--ids", type=int, default=3000, help="campaigns to pause")
    demo.add_argument("--plot", help="write a PNG timeline (needs the plot extra)")
    _common(demo, credentials=False)
    demo.set_defaults(run=_cmd_demo)
    return parser


def _version() -> str:
    try:
        return importlib.metadata.version("moengage-async")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        return "unknown"


def _shorten(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse; ids may also follow the options of ``status`` (``pause --json c1 c2``)."""
    args, extra = build_parser().parse_known_args(argv)
    if extra and args.command == "status" and not any(e.startswith("-") for e in extra):
        args.ids = [*args.ids, *extra]
    elif extra:
        unknown = [e for e in extra if e.startswith("-")] or extra
        raise UsageError(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    try:
        args = _parse(argv)
        code: int = args.run(args)
    except UsageError as exc:
        sys.stderr.write(f"{PROG}: error: {_shorten(str(exc))}\n")
        code = 2
    except PayloadValidationError as exc:  # refused before sending: a usage error
        sys.stderr.write(f"{PROG}: error: {_shorten(str(exc))}\n")
        code = 2
    except MoEngageError as exc:
        sys.stderr.write(f"{PROG}: {type(exc).__name__}: {exc}\n")
        code = 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        code = EXIT_INTERRUPTED
    except Exception as exc:  # a defect: still one line, the traceback on request
        if os.environ.get("MOENGAGE_DEBUG") == "1":
            raise
        sys.stderr.write(
            f"{PROG}: unexpected error: {type(exc).__name__}: {_shorten(str(exc))} "
            "(set MOENGAGE_DEBUG=1 for the traceback)\n"
        )
        code = 70
    return code


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
