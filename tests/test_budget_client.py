"""Budget wiring on the client: the env variable, bulk_share, client.budgets."""

from __future__ import annotations

import anyio
import pytest

from moengage_async import (
    FakeClock,
    Hooks,
    MemoryLimiter,
    MoEngageClient,
    StaticShare,
    ThrottleInfo,
    WindowUsage,
    WorkConserving,
)


async def test_client_reads_moengage_budgets_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without budgets=, the default limiter applies MOENGAGE_BUDGETS."""
    monkeypatch.setenv("MOENGAGE_BUDGETS", "status:=3/1")
    async with MoEngageClient("ws", "key", clock=FakeClock()) as client:
        assert isinstance(client.limiter, MemoryLimiter)
        assert client.limiter.budgets["status"].windows == ((3, 1.0),)


async def test_explicit_budgets_win_over_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """budgets= overrides MOENGAGE_BUDGETS."""
    monkeypatch.setenv("MOENGAGE_BUDGETS", "status:=3/1")
    async with MoEngageClient(
        "ws", "key", clock=FakeClock(), budgets="status:=4/1"
    ) as client:
        assert isinstance(client.limiter, MemoryLimiter)
        assert client.limiter.budgets["status"].windows == ((4, 1.0),)


async def test_client_passes_bulk_share_to_its_limiter() -> None:
    """bulk_share= reaches the default limiter."""
    async with MoEngageClient("ws", "key", bulk_share=0.5) as client:
        assert isinstance(client.limiter, MemoryLimiter)
        assert client.limiter.bulk_share == 0.5


async def test_the_default_client_lends_bulk_work_the_whole_budget() -> None:
    """With no policy given, the client's limiter is work-conserving: a bulk job
    alone may fill every window (no static 80 %)."""
    async with MoEngageClient("ws", "key", clock=FakeClock()) as client:
        assert isinstance(client.limiter, MemoryLimiter)
        assert client.limiter.bulk_policy == WorkConserving()
        assert client.limiter.bulk_share == 1.0
        plan = client.plan_status_change(1000)
    # 100 requests under 10/s, 100/min at full windows: the 100th at 9 s.
    assert plan.earliest_finish_s == 9.0


async def test_client_passes_bulk_policy_to_its_limiter() -> None:
    """bulk_policy= reaches the default limiter."""
    policy = WorkConserving(floor=3, horizon_s=60.0)
    async with MoEngageClient("ws", "key", bulk_policy=policy) as client:
        assert isinstance(client.limiter, MemoryLimiter)
        assert client.limiter.bulk_policy == policy


@pytest.mark.parametrize(
    "option", [{"bulk_share": 0.5}, {"bulk_policy": StaticShare(0.5)}]
)
def test_a_policy_with_a_given_limiter_is_refused(option: dict[str, object]) -> None:
    """The policy configures the default limiter; with limiter= it would be
    silently ignored, so it is a ValueError."""
    with pytest.raises(ValueError, match="configure the policy on the limiter"):
        MoEngageClient("ws", "key", limiter=MemoryLimiter(), **option)  # type: ignore[arg-type]


async def test_budgets_snapshot_reports_the_clients_workspace() -> None:
    """client.budgets.snapshot() shows this workspace's usage, not another's."""
    clock = FakeClock()
    limiter = MemoryLimiter(clock=clock)
    permit = await limiter.acquire("ws", ("status",))
    await limiter.acquire("other", ("status",))
    await permit.complete(success=True)
    async with MoEngageClient("ws", "key", limiter=limiter, clock=clock) as client:
        rows = client.budgets.snapshot()
    status = [r for r in rows if r.budget == "status"]
    # An interactive call was just made: bulk work leaves the floor (one) plus
    # that demand (one) free.
    assert status[0] == WindowUsage("status", 10, 1.0, 1, 0, 0, 0.0, 0.0, reserved=2)
    assert sum(r.in_flight for r in rows) == 0


async def test_throttle_hook_reports_the_budget_wait() -> None:
    """A call held back by its budget reports the wait through Hooks.on_throttle."""
    from moengage_async.sandbox import Sandbox

    seen: list[ThrottleInfo] = []
    clock = FakeClock()
    sandbox = Sandbox(budgets="status:=1/1", clock=clock)
    async with sandbox, anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        ids = sandbox.seed_campaigns(2)
        async with sandbox.client(
            clock=clock, budgets="status:=1/1", hooks=Hooks(on_throttle=seen.append)
        ) as client:
            await client.change_status("PAUSE", [ids[0]])
            await client.change_status("PAUSE", [ids[1]])
        tg.cancel_scope.cancel()
    assert [(t.operation, t.budgets) for t in seen] == [
        ("v1.change_status", ("status",))
    ]
    assert seen[0].waited_s == pytest.approx(1.0)
