"""``moengage-async``: bulk status changes, creation, lookups, the sandbox and the demo.

Exit codes: 0 every item succeeded, 1 some failed, 2 a usage error (printed as one
line on stderr, never a traceback, never the API key).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, NoReturn

import anyio
import msgspec

from ._budget_spec import BudgetOverrides, parse_budgets, resolve_budgets
from ._bulk_status import BulkStatusReport
from ._errors import MoEngageError
from ._plan import format_duration, plan_requests, status_change_requests
from ._progress import Progress

__all__ = ["UsageError", "main", "read_ids_file"]

PROG = "moengage-async"
_json = msgspec.json.Encoder()


class UsageError(Exception):
    """Bad flags, credentials or input files: exit 2 with one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


# -- input --------------------------------------------------------------------------


def _check_id(text: str, where: str) -> str:
    if any(ch.isspace() for ch in text) or not text.isprintable():
        raise UsageError(f"{where}: malformed campaign id {text[:40]!r}")
    return text


def read_ids_file(path: str) -> int:
    """Validate an ids file (one id a line, blank lines and ``#`` comments skipped).

    Returns the number of ids; reads in one streaming pass.
    """
    return sum(1 for _ in _iter_ids_file(path))


def _iter_ids_file(path: str) -> Iterator[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                text = line.strip()
                if text and not text.startswith("#"):
                    yield _check_id(text, f"{path} line {number}")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _ids_from_stream(stream: IO[str]) -> list[str]:
    ids = []
    for number, line in enumerate(stream, 1):
        text = line.strip()
        if text and not text.startswith("#"):
            ids.append(_check_id(text, f"stdin line {number}"))
    return ids


def _read_jsonl(path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    try:
        with open(path, "rb") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    item = msgspec.json.decode(line)
                except msgspec.DecodeError:
                    raise UsageError(f"{path} line {number}: not valid JSON") from None
                if not isinstance(item, dict):
                    raise UsageError(f"{path} line {number}: not a JSON object")
                items.append(item)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not items:
        raise UsageError(f"{path}: no campaigns in the file")
    return items


# -- settings -----------------------------------------------------------------------


def _budgets(args: argparse.Namespace) -> BudgetOverrides | None:
    text = (
        args.budget if args.budget is not None else os.environ.get("MOENGAGE_BUDGETS")
    )
    if not text:
        return None
    try:
        parse_budgets(text)
    except ValueError as exc:
        raise UsageError(f"bad --budget: {exc}") from None
    return text


def _client(args: argparse.Namespace) -> Any:
    from ._client import MoEngageClient

    workspace = args.workspace_id or os.environ.get("MOENGAGE_WORKSPACE_ID")
    api_key = args.api_key or os.environ.get("MOENGAGE_API_KEY")
    if not workspace:
        raise UsageError(
            "missing workspace id: pass --workspace-id or set MOENGAGE_WORKSPACE_ID"
        )
    if not api_key:
        raise UsageError("missing API key: pass --api-key or set MOENGAGE_API_KEY")
    data_center = args.data_center or os.environ.get("MOENGAGE_DATA_CENTER", "01")
    try:
        return MoEngageClient(
            workspace,
            api_key,
            data_center=data_center,
            base_url=args.base_url,
            budgets=_budgets(args),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


class ProgressLine:
    """Progress on stderr: a rich bar on a terminal, plain lines otherwise."""

    def __init__(self, label: str, *, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stderr
        self._label = label
        self._bar: Any = None
        self._task: Any = None
        self._last_pct = -1
        if self._stream.isatty():
            try:
                from rich.progress import Progress as RichProgress
            except ImportError:  # the `progress` extra is optional
                pass
            else:
                self._bar = RichProgress(transient=False)
                self._bar.start()
                self._task = self._bar.add_task(label, total=None)

    def __call__(self, p: Progress) -> None:
        eta = "?" if p.eta_s is None else format_duration(p.eta_s)
        if self._bar is not None:
            self._bar.update(self._task, completed=p.finished, total=p.total)
            return
        pct = -1 if not p.total else p.finished * 100 // p.total
        if p.total and pct // 10 == self._last_pct // 10 and p.finished < p.total:
            return
        self._last_pct = pct
        of = f"/{p.total}" if p.total else ""
        self._stream.write(
            f"{self._label}: {p.finished}{of} ({p.done} ok, {p.failed} failed) "
            f"{p.rate_per_s:.1f}/s eta {eta}\n"
        )
        self._stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


# -- commands -----------------------------------------------------------------------


def _print_status_report(report: BulkStatusReport, as_json: bool) -> None:
    if as_json:
        failures = [
            {
                "campaign_id": f.campaign_id,
                "error": str(f.error),
                "status": getattr(f.error, "status", None),
            }
            for f in report.failures
        ]
        doc = {
            "action": report.action.value,
            "applied": report.applied,
            "failed": report.failed,
            "failures": failures,
            "requests": report.requests,
            "elapsed_s": round(report.elapsed_s, 3),
        }
        sys.stdout.write(_json.encode(doc).decode() + "\n")
        return
    sys.stdout.write(
        f"{report.action.value}: {report.applied} applied, {report.failed} failed, "
        f"{report.requests} request(s) in {format_duration(report.elapsed_s)}\n"
    )
    for failure in report.failures:
        sys.stdout.write(f"  {failure.campaign_id}: {failure.error}\n")


def _cmd_status(args: argparse.Namespace) -> int:
    ids: Sequence[str] | Iterator[str]
    if args.ids and args.ids_file:
        raise UsageError("give ids as arguments or with --ids-file, not both")
    if args.ids_file:
        total = read_ids_file(args.ids_file)
        ids = _iter_ids_file(args.ids_file)
    elif args.ids:
        ids = [_check_id(i, "argument") for i in args.ids]
        total = len(ids)
    else:
        ids = _ids_from_stream(sys.stdin)
        total = len(ids)
    if total == 0:
        raise UsageError("no campaign ids given (arguments, --ids-file or stdin)")
    if args.dry_run:
        budgets = resolve_budgets(_budgets(args))
        requests = status_change_requests(total, api_version=args.api_version)
        op = f"v{args.api_version}.change_status"
        _print_plan(plan_requests(op, total, requests, budgets).describe(), args)
        return 0
    client = _client(args)
    action = args.action.upper()

    async def run() -> BulkStatusReport:
        bar = ProgressLine(action.lower()) if not args.quiet else None
        async with client:
            try:
                return await client.bulk_change_status(  # type: ignore[no-any-return]
                    action,
                    _Counted(ids, total),
                    concurrency=args.concurrency,
                    progress=bar,
                    api_version=args.api_version,
                )
            finally:
                if bar is not None:
                    bar.close()

    report = anyio.run(run)
    _print_status_report(report, args.json)
    return 0 if report.ok else 1


class _Counted:
    """An iterable of known length over a lazy source (so progress knows the total)."""

    def __init__(self, source: Sequence[str] | Iterator[str], total: int) -> None:
        self._source = source
        self._total = total

    def __len__(self) -> int:
        return self._total

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)


def _print_plan(text: str, args: argparse.Namespace) -> None:
    if args.json:
        sys.stdout.write(_json.encode({"plan": text}).decode() + "\n")
    else:
        sys.stdout.write(text + "\n")


def _cmd_create(args: argparse.Namespace) -> int:
    items = _read_jsonl(args.file)
    if args.dry_run:
        budgets = resolve_budgets(_budgets(args))
        plan = plan_requests("v1.create_campaign", len(items), len(items), budgets)
        _print_plan(plan.describe(), args)
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
                    job_id=args.job_id,
                    journal=args.journal,
                    on_quota=args.on_quota,
                    progress=bar,
                )
            finally:
                if bar is not None:
                    bar.close()

    report = anyio.run(run)
    return _print_generic_report(report, args.json)


def _print_generic_report(report: Any, as_json: bool) -> int:
    """Print a report object of another module (msgspec/dataclass) and judge it."""
    doc = msgspec.to_builtins(report, str_keys=True, enc_hook=str)
    failed = getattr(report, "failed", 0)
    failed = len(failed) if isinstance(failed, Sequence) else int(failed or 0)
    if as_json:
        sys.stdout.write(_json.encode(doc).decode() + "\n")
    else:
        sys.stdout.write(f"{report}\n")
    return 0 if failed == 0 else 1


def _cmd_get(args: argparse.Namespace) -> int:
    from ._core import new_request_id

    client = _client(args)

    async def run() -> bytes:
        async with client:
            rid = new_request_id()
            response = await client._call(
                "v5.get_campaign",
                path_params={"campaign_id": args.campaign_id},
                request_id=rid,
            )
            return response.body  # type: ignore[no-any-return]

    sys.stdout.write(anyio.run(run).decode() + "\n")
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from ._core import new_request_id

    if not 1 <= args.limit <= 15:
        raise UsageError("--limit must be 1 to 15")
    fields: dict[str, Any] = {}
    if args.name:
        fields["name"] = args.name
    if args.status:
        fields["status"] = [s.upper() for s in args.status]
    client = _client(args)

    async def run() -> bytes:
        async with client:
            rid = new_request_id()
            body: dict[str, Any] = {
                "request_id": rid,
                "limit": args.limit,
                "page": args.page,
            }
            if fields:
                body["campaign_fields"] = fields
            response = await client._call(
                "v1.search_campaigns", body=body, request_id=rid
            )
            return response.body  # type: ignore[no-any-return]

    sys.stdout.write(anyio.run(run).decode() + "\n")
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    try:
        from .sandbox import serve
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
        )

    try:
        anyio.run(run)
    except ValueError as exc:
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
        "--budget",
        help="budget overrides, e.g. 'status=10/1,100/60' (or MOENGAGE_BUDGETS)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="MoEngage Campaigns from the shell.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    status = sub.add_parser("status", help="pause, resume or stop many campaigns")
    status.add_argument("action", choices=["pause", "resume", "stop"])
    status.add_argument(
        "ids", nargs="*", help="campaign ids (else --ids-file or stdin)"
    )
    status.add_argument("--ids-file", help="one id a line")
    status.add_argument("--concurrency", type=int, default=16)
    status.add_argument("--api-version", type=int, choices=[1, 5], default=1)
    status.add_argument("--dry-run", action="store_true", help="print the plan only")
    _common(status)
    status.set_defaults(run=_cmd_status)

    create = sub.add_parser("create", help="create campaigns from a JSONL file")
    create.add_argument("--file", required=True, help="one campaign JSON a line")
    create.add_argument("--job-id", help="names the job in the journal (resume)")
    create.add_argument("--journal", help="journal file for crash-safe resume")
    create.add_argument("--on-quota", choices=["wait", "stop"], default="wait")
    create.add_argument("--dry-run", action="store_true", help="print the plan only")
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
    _common(sandbox, credentials=False)
    sandbox.set_defaults(run=_cmd_sandbox)

    demo = sub.add_parser("demo", help="a bulk pause against the embedded sandbox")
    demo.add_argument("--ids", type=int, default=3000, help="campaigns to pause")
    demo.add_argument("--plot", help="write a PNG timeline (needs the plot extra)")
    _common(demo, credentials=False)
    demo.set_defaults(run=_cmd_demo)
    return parser


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
    except MoEngageError as exc:
        sys.stderr.write(f"{PROG}: {type(exc).__name__}: {exc}\n")
        code = 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        code = 130
    return code


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
