"""The hooks of one call: their order, and no cost when no call hook is set."""

from __future__ import annotations

import anyio
import pytest

from moengage_async import (
    FakeClock,
    Hooks,
    MoEngageClient,
    RetryPolicy,
    ServerError,
)
from moengage_async.api import Requestor
from moengage_async.sandbox import Sandbox


def _recording() -> tuple[list[tuple[str, object]], Hooks]:
    events: list[tuple[str, object]] = []

    def record(name: str) -> object:
        return lambda info: events.append((name, info))

    hooks = Hooks(
        on_call_start=record("call_start"),  # type: ignore[arg-type]
        on_throttle=record("throttle"),  # type: ignore[arg-type]
        on_attempt_start=record("attempt_start"),  # type: ignore[arg-type]
        on_request=record("request"),  # type: ignore[arg-type]
        on_rate_limited=record("rate_limited"),  # type: ignore[arg-type]
        on_retry=record("retry"),  # type: ignore[arg-type]
        on_call_end=record("call_end"),  # type: ignore[arg-type]
    )
    return events, hooks


async def test_a_retried_call_reports_in_the_documented_order() -> None:
    """call_start, then per attempt attempt_start and request, retry between
    attempts, call_end last; the ids and statuses are the call's."""
    events, hooks = _recording()
    async with Sandbox(faults="5xx=1") as sandbox:
        ids = sandbox.seed_campaigns(1)
        async with sandbox.client(
            hooks=hooks, retry=RetryPolicy(max_retries=2, testing=True)
        ) as client:
            with pytest.raises(ServerError):
                await client.change_status("PAUSE", ids, request_id="rid-7")
    assert [name for name, _ in events] == [
        "call_start",
        "attempt_start",
        "request",
        "retry",
        "attempt_start",
        "request",
        "retry",
        "attempt_start",
        "request",
        "call_end",
    ]
    start, end = events[0][1], events[-1][1]
    assert start.operation == "v1.change_status"  # type: ignore[attr-defined]
    assert start.path == "/core-services/v1/campaigns/status"  # type: ignore[attr-defined]
    assert start.budgets == ("status",)  # type: ignore[attr-defined]
    assert start.workspace_id == sandbox.workspace_id  # type: ignore[attr-defined]
    assert start.request_id == "rid-7"  # type: ignore[attr-defined]
    assert [e[1].attempt for e in events if e[0] == "attempt_start"] == [1, 2, 3]  # type: ignore[attr-defined]
    assert end.error == "ServerError"  # type: ignore[attr-defined]
    assert end.status in (500, 502, 503)  # type: ignore[attr-defined]


async def test_a_budget_wait_comes_before_its_attempt() -> None:
    """A call the budgets delay: throttle between call_start and attempt_start."""
    events, hooks = _recording()
    clock = FakeClock()
    async with Sandbox(budgets="status:=1/10", clock=clock) as sandbox:
        ids = sandbox.seed_campaigns(2)
        async with sandbox.client(hooks=hooks, clock=clock) as client:
            await client.change_status("PAUSE", ids[:1])
            events.clear()
            async with anyio.create_task_group() as tg:
                tg.start_soon(clock.autojump)
                await client.change_status("PAUSE", ids[1:])
                tg.cancel_scope.cancel()
    names = [name for name, _ in events]
    assert names == ["call_start", "throttle", "attempt_start", "request", "call_end"]
    assert events[1][1].waited_s == pytest.approx(10.0)  # type: ignore[attr-defined]


async def test_without_call_hooks_a_call_takes_the_bare_request_path() -> None:
    """The choice is made once: no call hook, no wrapper around ``request``."""
    async with (
        MoEngageClient("ws", "key", hooks=Hooks(on_request=print)) as plain,
        MoEngageClient("ws", "key", hooks=Hooks(on_call_end=print)) as observed,
    ):
        bare = plain.v1.requestor.request
        wrapped = observed.v1.requestor.request
    assert bare.__func__ is Requestor.request  # type: ignore[attr-defined]
    assert wrapped.__func__ is not Requestor.request  # type: ignore[attr-defined]
