"""Coalesced ``pause`` calls against the sandbox: few requests, one outcome each."""

from __future__ import annotations

import anyio

from moengage_async import BadRequestError, FakeClock, MoEngageError, RetryPolicy
from moengage_async.sandbox import Faults, Sandbox

FAST = "status:=100/0.05,1000/1"


async def test_thousand_concurrent_pauses_take_about_a_hundred_requests() -> None:
    """1,000 concurrent ``pause`` calls use ~100 requests and all succeed."""
    outcomes: dict[str, MoEngageError | None] = {}
    async with Sandbox(budgets=FAST) as sandbox:
        ids = sandbox.seed_campaigns(1000)
        async with sandbox.client(budgets=FAST) as client:

            async def pause(campaign_id: str) -> None:
                await client.pause(campaign_id)
                outcomes[campaign_id] = None

            async with anyio.create_task_group() as tg:
                for campaign_id in ids:
                    tg.start_soon(pause, campaign_id)
        requests = sandbox.ledger.requests("v1.change_status")
        paused = {a.campaign_id for a in sandbox.ledger.actions() if a.kind == "PAUSE"}
    assert len(requests) <= 105
    assert paused == set(ids) == set(outcomes)


async def test_a_bad_id_fails_only_its_own_caller() -> None:
    """Among concurrent pauses, only the unknown id's caller gets an error."""
    outcomes: dict[str, BaseException | None] = {}
    async with Sandbox(budgets=FAST) as sandbox:
        ids = [*sandbox.seed_campaigns(19), "no-such-campaign"]
        async with sandbox.client(
            budgets=FAST, retry=RetryPolicy(testing=True)
        ) as client:

            async def pause(campaign_id: str) -> None:
                try:
                    await client.pause(campaign_id)
                except MoEngageError as exc:
                    outcomes[campaign_id] = exc
                else:
                    outcomes[campaign_id] = None

            async with anyio.create_task_group() as tg:
                for campaign_id in ids:
                    tg.start_soon(pause, campaign_id)
    failed = {i for i, e in outcomes.items() if e is not None}
    assert failed == {"no-such-campaign"}
    assert isinstance(outcomes["no-such-campaign"], BadRequestError)
    assert len(outcomes) == 20


async def test_resume_and_stop_are_coalesced_too() -> None:
    """``resume`` and ``stop`` change their campaigns, one batch per action."""
    async with Sandbox(budgets=FAST) as sandbox:
        periodic = sandbox.seed_campaigns(3, status="PAUSED")
        one_time = sandbox.seed_campaigns(3, delivery_type="ONE_TIME")
        async with (
            sandbox.client(budgets=FAST) as client,
            anyio.create_task_group() as tg,
        ):
            for campaign_id in periodic:
                tg.start_soon(client.resume, campaign_id)
            for campaign_id in one_time:
                tg.start_soon(client.stop, campaign_id)
        kinds = sorted(a.kind for a in sandbox.ledger.actions())
        requests = sandbox.ledger.requests("v1.change_status")
    assert kinds == ["RESUME"] * 3 + ["STOP"] * 3
    assert len(requests) == 2


async def test_a_lone_pause_goes_out_at_once_when_the_budget_has_room(
    fake_clock: FakeClock,
) -> None:
    """No linger: with room in the budget a single pause is sent without the
    clock moving, in a batch of one."""
    async with Sandbox() as sandbox:
        ids = sandbox.seed_campaigns(1)
        async with sandbox.client(budgets=FAST, clock=fake_clock) as client:
            with anyio.fail_after(10):  # real seconds: only a hang would take them
                await client.pause(ids[0])
        requests = sandbox.ledger.requests("v1.change_status")
    assert fake_clock.now() == 1000.0
    assert len(requests) == 1


async def test_pauses_batch_while_the_budget_has_no_slot(
    fake_clock: FakeClock,
) -> None:
    """Once the budget is spent, pauses wait together and share the next slot."""
    async with Sandbox() as sandbox:
        ids = sandbox.seed_campaigns(8)
        async with sandbox.client(budgets="status:=1/20", clock=fake_clock) as client:
            await client.pause(ids[0])
            async with anyio.create_task_group() as tg:
                for campaign_id in ids[1:]:
                    tg.start_soon(client.pause, campaign_id)
                await fake_clock.settle()
                assert client.coalescing_statistics().waiting == 7
                fake_clock.advance(20.0)
        batches = sandbox.ledger.requests("v1.change_status")
        paused = {a.campaign_id for a in sandbox.ledger.actions() if a.kind == "PAUSE"}
    assert len(batches) == 2
    assert paused == set(ids)


async def test_cancelling_one_caller_mid_flight_never_fails_the_others() -> None:
    """Three pauses share a batch; the first caller is cancelled while the request
    is in flight: the other two succeed and the server applied all three."""
    slow = Faults(latency=0.3)  # requests take 0.3 s to arrive
    outcomes: dict[str, str] = {}
    async with Sandbox(faults=slow) as sandbox:
        ids = sandbox.seed_campaigns(3)
        async with sandbox.client(budgets=FAST) as client:

            async def pause(campaign_id: str) -> None:
                try:
                    await client.pause(campaign_id)
                except anyio.get_cancelled_exc_class():
                    outcomes[campaign_id] = "cancelled"
                    raise
                except MoEngageError as exc:
                    outcomes[campaign_id] = f"failed: {exc}"
                else:
                    outcomes[campaign_id] = "ok"

            async with (
                anyio.create_task_group() as others,
                anyio.create_task_group() as first,
            ):
                first.start_soon(pause, ids[0])
                others.start_soon(pause, ids[1])
                others.start_soon(pause, ids[2])
                with anyio.fail_after(10):
                    while not client.coalescing_statistics().requests:
                        await anyio.sleep(0.01)  # until the batch is sent
                assert not sandbox.ledger.actions()  # still on its way
                first.cancel_scope.cancel()
        paused = {a.campaign_id for a in sandbox.ledger.actions() if a.kind == "PAUSE"}
        requests = sandbox.ledger.requests("v1.change_status")
    assert outcomes == {ids[0]: "cancelled", ids[1]: "ok", ids[2]: "ok"}
    assert paused == set(ids)
    assert len(requests) == 1


async def test_closing_the_client_fails_batches_still_waiting_for_a_slot(
    fake_clock: FakeClock,
) -> None:
    """``aclose()`` leaves no batch task behind: a pause still waiting for a slot
    fails with ``MoEngageError`` and is never sent."""
    outcomes: list[MoEngageError] = []
    async with Sandbox() as sandbox:
        ids = sandbox.seed_campaigns(2)
        client = sandbox.client(budgets="status:=1/20", clock=fake_clock)
        await client.pause(ids[0])

        async def late() -> None:
            try:
                await client.pause(ids[1])
            except MoEngageError as exc:
                outcomes.append(exc)

        async with anyio.create_task_group() as tg:
            tg.start_soon(late)
            await fake_clock.settle()
            await client.aclose()
        requests = sandbox.ledger.requests("v1.change_status")
    assert [str(e) for e in outcomes] == ["client closed before the batch was sent"]
    assert len(requests) == 1
