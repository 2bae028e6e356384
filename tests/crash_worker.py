"""Run one journaled bulk creation against a server; the crash test SIGKILLs it.

Usage: ``python tests/crash_worker.py URL JOURNAL --count 30 [--reuse-window S]``.
Prints the report as one JSON line when the job ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from moengage_async import MoEngageClient, RetryPolicy

FAST = "create_requests:=1000/1;create_success:=1000/1"


def campaign(index: int, template: dict[str, Any] | None) -> dict[str, Any]:
    """The deterministic Push payload of item ``index`` (named ``c<index>``)."""
    if template is None:
        return {
            "channel": "PUSH",
            "campaign_delivery_type": "ONE_TIME",
            "created_by": "crash@example.com",
            "basic_details": {"name": f"c{index}", "platforms": ["ANDROID"]},
            "campaign_content": {"content": {}},
            "segmentation_details": {"is_all_user_campaign": True},
            "scheduling_details": {"delivery_type": "ASAP"},
        }
    body = json.loads(json.dumps(template))
    body["basic_details"] = {**body["basic_details"], "name": f"c{index}"}
    return dict(body)


async def run(args: argparse.Namespace) -> dict[str, object]:
    """Create ``args.count`` campaigns through the journal and describe the report."""
    windows = None if args.reuse_window is None else {"PUSH": args.reuse_window}
    template = None if args.template is None else json.loads(args.template.read_text())
    async with MoEngageClient(
        args.workspace,
        args.api_key,
        base_url=args.url,
        budgets=FAST,
        retry=RetryPolicy(max_retries=2, testing=True),
    ) as client:
        report = await client.bulk_create(
            [campaign(i, template) for i in range(args.count)],
            job_id=args.job_id,
            journal=args.journal,
            concurrency=args.concurrency,
            reuse_windows_s=windows,
        )
    return {
        "counts": report.counts,
        "items": [
            [r.index, r.status.value, r.campaign_id, r.via] for r in report.items
        ],
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the job, print its report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("journal")
    parser.add_argument("--job-id", default="crash-job")
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--reuse-window", type=float, default=None)
    parser.add_argument(
        "--template", type=Path, default=None, help="JSON create body to copy"
    )
    parser.add_argument("--workspace", default="ws")
    parser.add_argument("--api-key", default="secret-key")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
