"""End to end: the client against a strict rolling-window server over real HTTP."""

from __future__ import annotations

import anyio
import pytest
from strict_server import StrictServer, serve

from moengage_async import (
    FakeClock,
    MoEngageClient,
    Priority,
    RateLimitError,
    RetryPolicy,
)

WINDOWS = [(10, 1.0), (30, 6.0)]
BUDGETS = "status:=10/1,30/6"


async def run_bulk(clock: FakeClock, url: str, calls: int) -> list[str]:
    errors: list[str] = []
    async with MoEngageClient(
        "ws",
        "key",
        base_url=url,
        clock=clock,
        budgets=BUDGETS,
        retry=RetryPolicy(max_retries=0),
    ) as client:

        async def pause(i: int) -> None:
            try:
                await client.change_status(
                    "PAUSE",
                    [f"c{i}-{j}" for j in range(10)],
                    priority=Priority.BULK,
                    timeout=None,  # the queue outlasts a per-call timeout
                )
            except RateLimitError as exc:
                errors.append(repr(exc))

        async with anyio.create_task_group() as tg:
            for i in range(calls):
                tg.start_soon(pause, i)
    return errors


async def test_bulk_run_over_several_windows_draws_no_429() -> None:
    """1,500 ids (150 V1 calls) over many windows, with jitter: zero rejections."""
    clock = FakeClock()
    server = StrictServer(clock, WINDOWS, jitter_s=0.004, seed=7)
    async with serve(server) as url, anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        errors = await run_bulk(clock, url, 150)
        tg.cancel_scope.cancel()
    assert errors == []
    assert (len(server.accepted), len(server.rejected)) == (150, 0)
    assert clock.now() > 5 * 6.0  # it really spanned several windows


async def test_retry_after_blocks_the_budget_for_every_caller() -> None:
    """After a 429 with Retry-After: 2, nobody sends on that budget for 2 s."""
    clock = FakeClock()
    server = StrictServer(clock, WINDOWS, jitter_s=0.0, retry_after=["2"])
    async with serve(server) as url, anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        async with MoEngageClient(
            "ws",
            "key",
            base_url=url,
            clock=clock,
            retry=RetryPolicy(max_retries=1, testing=True),
        ) as client:
            await client.change_status("PAUSE", ["a"])
            await client.change_status("PAUSE", ["b"])
        tg.cancel_scope.cancel()
    assert server.rejected == [0.0]
    assert server.accepted == pytest.approx([2.0, 2.0])


async def test_429_without_retry_after_leaves_it_to_windows_and_backoff() -> None:
    """V1's bare 429 blocks nothing; the retry goes after its backoff."""
    clock = FakeClock()
    server = StrictServer(clock, WINDOWS, jitter_s=0.0, retry_after=[""])
    async with serve(server) as url, anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        policy = RetryPolicy(max_retries=1, base_delay_s=0.5, rng=lambda: 1.0)
        async with MoEngageClient(
            "ws", "key", base_url=url, clock=clock, retry=policy
        ) as client:
            await client.change_status("PAUSE", ["a"])
            assert all(u.blocked_for == 0 for u in client.budgets.snapshot())
        tg.cancel_scope.cancel()
    assert server.accepted == pytest.approx([0.5])


async def test_bulk_pause_against_the_sandbox_draws_no_429() -> None:
    """The sandbox (arrival-counted windows, uplink jitter) rejects none of 150."""
    from moengage_async.sandbox import Faults, Sandbox

    clock = FakeClock()
    sandbox = Sandbox(budgets=BUDGETS, faults=Faults(jitter=0.004), clock=clock, seed=3)
    async with sandbox, anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        ids = sandbox.seed_campaigns(1500)
        async with sandbox.client(
            clock=clock, budgets=BUDGETS, retry=RetryPolicy(max_retries=0)
        ) as client:

            async def pause(batch: list[str]) -> None:
                await client.change_status(
                    "PAUSE", batch, priority=Priority.BULK, timeout=None
                )

            async with anyio.create_task_group() as callers:
                for i in range(0, len(ids), 10):
                    callers.start_soon(pause, ids[i : i + 10])
        tg.cancel_scope.cancel()
    record = sandbox.ledger.budget("status")
    assert (len(record.accepted), record.rejected) == (150, [])
    assert sandbox.ledger.max_in_window("status", 6.0) <= 30
    assert clock.now() > 5 * 6.0
