"""The bulk policy: work-conserving headroom vs today's static 80 % reservation.

Every scenario runs twice in the same process, side by side: ``bulk_share=0.8``
(static: bulk may fill 80 % of each window, always) and the default
``WorkConserving()`` (bulk takes every slot interactive calls are not observed to
need; its horizon and demand buckets scaled as the windows are). The server is
the sandbox: it counts each arrival after a random uplink delay
(``--latency-ms`` + uniform ``--jitter-ms``) in every rolling window and answers
429 past any limit. Windows are MoEngage's, scaled by ``--scale``
("API seconds" below are real seconds / scale).

1. alone: a bulk status job of ``--ids`` ids (V1 batches of ten) with nobody
   else; time vs the earliest schedule of its requests (the last send at full
   windows, plus the median round trip). Also with the client's own defaults
   (no limiter or policy given), and through the command
   (``moengage-async status pause --ids-file``, its defaults against
   ``--bulk-share 0.8``), first-to-last arrival vs the earliest schedule.
2. fleet: four processes share one Redis budget, each pausing a quarter of the
   ids as one bulk job; first-to-last arrival vs the earliest schedule.
3. create: ``--creates`` creations by ``bulk_create`` under create_success
   (5/min, 25/h, 100/day) alone; time vs the earliest schedule.
4. mixed: steady interactive pauses (3 % and 10 % of the status budget, evenly
   spaced with ±50 % jitter) run for a minute (API) before the bulk job and
   through it;
   interactive p99 wait (in API seconds) and the bulk job's time vs the earliest
   schedule of all requests sent while it ran.

    python benchmarks/bench_policy.py [--ids 5000] [--scale 0.05] [--creates 100]
        [--redis URL] [--only alone,command,fleet,create,mixed]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _util import print_table
from bench_bulk_create import _template

from moengage_async import (
    Hooks,
    MemoryLimiter,
    MoEngageClient,
    RetryPolicy,
    StaticShare,
    WorkConserving,
)
from moengage_async.budgets._policy import BulkPolicy
from moengage_async.budgets._schedule import earliest_finish
from moengage_async.budgets._spec import resolve_budgets
from moengage_async.sandbox import Sandbox

POLICIES = (("static 80 %", 0.8), ("work-conserving", None))


def policy(share: float | None, scale: float) -> BulkPolicy:
    """The policy under test; the work-conserving one's clock scaled as the windows."""
    if share is not None:
        return StaticShare(share)
    defaults = WorkConserving()
    return WorkConserving(
        floor=defaults.floor,
        horizon_s=defaults.horizon_s * scale,
        demand_s=defaults.demand_s * scale,
    )


def limiter(text: str, share: float | None, scale: float) -> MemoryLimiter:
    return MemoryLimiter(resolve_budgets(text), bulk_policy=policy(share, scale))


SCRIPT = str(Path(__file__).resolve())


def scaled(name: str, windows: list[tuple[int, float]], scale: float) -> str:
    """An exact override of ``name``: MoEngage's windows, ``scale`` times as long."""
    return f"{name}:=" + ",".join(f"{lim}/{sec * scale:g}" for lim, sec in windows)


STATUS = [(10, 1.0), (100, 60.0), (6000, 3600.0)]
CREATE_SUCCESS = [(5, 60.0), (25, 3600.0), (100, 86400.0)]
CREATE_REQUESTS = [(5, 1.0), (25, 60.0), (100, 3600.0)]


def faults(args: argparse.Namespace) -> str:
    return f"latency={args.latency_ms / 1000},jitter={args.jitter_ms / 1000}"


def earliest(text: str, budget: str, n: int) -> float:
    windows = resolve_budgets(text)[budget].windows
    return earliest_finish(list(windows), n)


def rejected(sandbox: Sandbox, operation: str) -> int:
    return sum(1 for r in sandbox.ledger.requests(operation) if r.status == 429)


async def alone(
    args: argparse.Namespace, share: float | None, defaults: bool = False
) -> list[object]:
    """``defaults``: the client makes its own limiter (its default policy)."""
    text = scaled("status", STATUS, args.scale)
    rtts: list[float] = []
    hooks = Hooks(on_request=lambda info: rtts.append(info.elapsed_s))
    async with Sandbox(budgets=text, faults=faults(args), validate=False) as sandbox:
        ids = sandbox.seed_campaigns(args.ids)
        own = {"budgets": text} if defaults else {}
        lim = None if defaults else limiter(text, share, args.scale)
        async with sandbox.client(limiter=lim, hooks=hooks, **own) as c:
            started = time.monotonic()
            report = await c.bulk_change_status("PAUSE", ids)
            wall = time.monotonic() - started
        assert report.ok
        records = sandbox.ledger.requests("v1.change_status")
    floor = earliest(text, "status", len(records)) + statistics.median(rtts)
    return [len(records), rejected(sandbox, "v1.change_status"), wall, floor]


async def command(args: argparse.Namespace, share: float | None) -> list[object]:
    """``moengage-async status pause --ids-file`` in its own process, defaults
    but for ``--bulk-share`` when ``share`` is given."""
    text = scaled("status", STATUS, args.scale)
    async with Sandbox(budgets=text, faults=faults(args), validate=False) as sandbox:
        ids = sandbox.seed_campaigns(args.ids)
        with tempfile.NamedTemporaryFile("w", suffix=".ids", delete=False) as f:
            f.write("".join(f"{i}\n" for i in ids))
        flags = [] if share is None else ["--bulk-share", str(share)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOENGAGE_")}
        env.update(
            MOENGAGE_WORKSPACE_ID=sandbox.workspace_id,
            MOENGAGE_API_KEY=sandbox.api_key,
        )
        proc = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "moengage_async", "status", "pause"),
            *("--ids-file", f.name, "--base-url", sandbox.url, "--budget", text),
            *("--quiet", *flags),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await proc.communicate()
        os.unlink(f.name)
        assert proc.returncode == 0, err.decode()
        arrivals = sorted(r.at for r in sandbox.ledger.requests("v1.change_status"))
    floor = earliest(text, "status", len(arrivals))
    wall = arrivals[-1] - arrivals[0]
    return [len(arrivals), rejected(sandbox, "v1.change_status"), wall, floor]


async def worker(args: argparse.Namespace) -> None:
    """One process of the fleet scenario (run by ``fleet``)."""
    from moengage_async import RedisLimiter, new_session

    share = None if args.share < 0 else args.share
    text = scaled("status", STATUS, args.scale)
    limiter = RedisLimiter(
        args.redis,
        budgets=text,
        bulk_policy=policy(share, args.scale),
        key_prefix=args.prefix,
    )
    ids = args.ids_list.split(",")
    session = new_session()
    async with MoEngageClient(
        "SANDBOX_WS", "sandbox-key", base_url=args.url, limiter=limiter, session=session
    ) as client:
        await limiter.fetch_snapshot("SANDBOX_WS")  # connected and scripts loaded
        print("ready", flush=True)
        line = await asyncio.get_running_loop().run_in_executor(
            None, sys.stdin.readline
        )
        await asyncio.sleep(max(0.0, float(line) - time.time()))
        report = await client.bulk_change_status("PAUSE", ids)
        assert report.ok
    await limiter.aclose()
    await session.close()
    print("done", flush=True)


async def fleet(args: argparse.Namespace, share: float | None) -> list[object]:
    text = scaled("status", STATUS, args.scale)
    async with Sandbox(budgets=text, faults=faults(args), validate=False) as sandbox:
        ids = sandbox.seed_campaigns(args.ids)
        quarter = len(ids) // 4
        # A fresh budget: the stamps of an earlier run (the other policy's, a
        # minute ago) must not hold this one back.
        prefix = f"bench-policy-{os.getpid()}-{time.time_ns()}"

        async def spawn(i: int) -> asyncio.subprocess.Process:
            return await asyncio.create_subprocess_exec(
                sys.executable,
                SCRIPT,
                "--worker",
                "--redis",
                args.redis,
                "--url",
                sandbox.url,
                "--share",
                str(-1.0 if share is None else share),
                "--scale",
                str(args.scale),
                "--prefix",
                prefix,
                "--ids-list",
                ",".join(ids[i * quarter : (i + 1) * quarter]),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )

        procs = [await spawn(i) for i in range(4)]
        for proc in procs:
            assert proc.stdout is not None
            assert (await proc.stdout.readline()).startswith(b"ready")
        start_at = f"{time.time() + 0.3}\n".encode()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(start_at)
            await proc.stdin.drain()
        for proc in procs:
            await proc.wait()
        arrivals = sorted(r.at for r in sandbox.ledger.requests("v1.change_status"))
    floor = earliest(text, "status", len(arrivals))
    wall = arrivals[-1] - arrivals[0]
    return [len(arrivals), rejected(sandbox, "v1.change_status"), wall, floor]


async def create(args: argparse.Namespace, share: float | None) -> list[object]:
    text = ";".join(
        (
            scaled("create_success", CREATE_SUCCESS, args.create_scale),
            scaled("create_requests", CREATE_REQUESTS, args.create_scale),
            "search:=1000000/1",
        )
    )
    body = _template()
    items = [
        {**body, "basic_details": {**body["basic_details"], "name": f"b{i}"}}
        for i in range(args.creates)
    ]
    async with Sandbox(budgets=text, faults=faults(args), validate=False) as sandbox:
        async with sandbox.client(
            limiter=limiter(text, share, args.create_scale),
            retry=RetryPolicy(testing=True),
        ) as client:
            started = time.monotonic()
            report = await client.bulk_create(items, job_id=f"bench-{share}")
            wall = time.monotonic() - started
        created = report.counts["created"]
    table = resolve_budgets(text)
    windows = [*table["create_success"].windows, *table["create_requests"].windows]
    floor = earliest_finish(windows, args.creates)
    return [created, rejected(sandbox, "v1.create_campaign"), wall, floor]


async def mixed(
    args: argparse.Namespace, share: float | None, fraction: float
) -> list[object]:
    """Interactive pauses at ``fraction`` of the minute window, through a bulk job."""
    text = scaled("status", STATUS, args.scale)
    period = 60.0 * args.scale / (100 * fraction)  # real seconds between calls
    rng = random.Random(args.seed)
    waits: list[float] = []
    async with Sandbox(budgets=text, faults=faults(args), validate=False) as sandbox:
        ids = sandbox.seed_campaigns(args.ids + 2000)
        bulk_ids, spare = ids[: args.ids], ids[args.ids :]
        lim = limiter(text, share, args.scale)
        async with sandbox.client(limiter=lim) as client:
            stop = asyncio.Event()

            async def interactive() -> None:
                while not stop.is_set() and spare:
                    t0 = time.monotonic()
                    await client.change_status("PAUSE", [spare.pop()])
                    waits.append((time.monotonic() - t0, t0))
                    gap = period * rng.uniform(0.5, 1.5)
                    await asyncio.sleep(max(0.0, gap - (time.monotonic() - t0)))

            task = asyncio.create_task(interactive())
            await asyncio.sleep(60.0 * args.scale)  # steady for a minute (API) first
            started = time.monotonic()
            report = await client.bulk_change_status("PAUSE", bulk_ids)
            ended = time.monotonic()
            stop.set()
            await task
        assert report.ok
        records = sandbox.ledger.requests("v1.change_status")
    during = [w for w, t0 in waits if started <= t0 <= ended]  # type: ignore[misc]
    sent = sum(1 for r in records if started <= r.at <= ended)
    floor = earliest(text, "status", sent)
    p99 = statistics.quantiles(during, n=100)[98] if len(during) > 1 else 0.0
    return [
        f"{fraction:.0%}",
        len(during),
        f"{p99 / args.scale:.3f}",
        rejected(sandbox, "v1.change_status"),
        ended - started,
        floor,
    ]


def ratio_rows(rows: list[tuple[str, list[object]]]) -> list[list[object]]:
    out = []
    for name, row in rows:
        *head, wall, floor = row
        out.append(
            [name, *head, f"{wall:.3f}", f"{floor:.3f}", f"{wall / floor:.3f}"]  # type: ignore[operator]
        )
    return out


async def main(args: argparse.Namespace) -> None:
    print(
        f"scale {args.scale} (status), {args.create_scale} (create); uplink "
        f"{args.latency_ms} ms + U(0, {args.jitter_ms}) ms"
    )
    if "alone" in args.only:
        reference = ("no reservation (share 1.0)", 1.0)
        rows = [
            (name, await alone(args, share)) for name, share in (*POLICIES, reference)
        ]
        rows.append(("client defaults", await alone(args, None, defaults=True)))
        print_table(
            f"1. bulk status job alone, {args.ids} ids",
            ["policy", "requests", "429s", "seconds", "earliest", "ratio"],
            ratio_rows(rows),
        )
    if "command" in args.only:
        rows = [
            ("--bulk-share 0.8", await command(args, 0.8)),
            ("command defaults", await command(args, None)),
        ]
        print_table(
            f"1b. the command alone, {args.ids} ids",
            ["policy", "requests", "429s", "first-to-last s", "earliest", "ratio"],
            ratio_rows(rows),
        )
    if "fleet" in args.only and args.redis:
        rows = [(name, await fleet(args, share)) for name, share in POLICIES]
        print_table(
            f"2. four processes, one Redis budget, {args.ids} ids",
            ["policy", "requests", "429s", "first-to-last s", "earliest", "ratio"],
            ratio_rows(rows),
        )
    if "create" in args.only:
        rows = [(name, await create(args, share)) for name, share in POLICIES]
        print_table(
            f"3. {args.creates} creations alone (bulk_create, its defaults)",
            ["policy", "created", "429s", "seconds", "earliest", "ratio"],
            ratio_rows(rows),
        )
    if "mixed" in args.only:
        rows = [
            (name, await mixed(args, share, fraction))
            for fraction in (0.03, 0.10)
            for name, share in POLICIES
        ]
        print_table(
            f"4. steady interactive traffic through a bulk job of {args.ids} ids",
            [
                "policy",
                "interactive",
                "calls",
                "p99 wait (API s)",
                "429s",
                "bulk seconds",
                "earliest (all sent)",
                "ratio",
            ],
            ratio_rows(rows),
        )


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=5000)
    parser.add_argument("--creates", type=int, default=100)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--create-scale", type=float, default=0.002)
    parser.add_argument("--latency-ms", type=float, default=1.0)
    parser.add_argument("--jitter-ms", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redis", default="", help="redis URL for the fleet run")
    parser.add_argument(
        "--only",
        default="alone,command,fleet,create,mixed",
        help="comma-separated scenarios",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--share", type=float, default=-1.0, help=argparse.SUPPRESS)
    parser.add_argument("--ids-list", default="", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default="moengage", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.only = set(args.only.split(","))
    asyncio.run(worker(args) if args.worker else main(args))


if __name__ == "__main__":
    cli()
