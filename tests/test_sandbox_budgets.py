"""Budgets on the server side: counted on arrival, exactly, per workspace."""

from __future__ import annotations

import pytest
from conftest import SandboxHTTP

from moengage_async import FakeClock, Window, exactly
from moengage_async.budgets._spec import Budget
from moengage_async.sandbox import Sandbox
from moengage_async.sandbox._counting import WindowCounter

STATUS = "/core-services/v1/campaigns/status"


def _counter(*windows: tuple[int, float]) -> WindowCounter:
    budget = Budget("status", tuple(Window(n, s) for n, s in windows))
    return WindowCounter({"status": budget})


def test_an_arrival_is_forgotten_exactly_one_window_later() -> None:
    """With 1 per 10 s, a second arrival fits at t+10 and not a hair before."""
    counter = _counter((1, 10.0))
    assert counter.admit("ws", ("status",), 5.0) == 0.0
    assert counter.admit("ws", ("status",), 14.999) == pytest.approx(0.001)
    assert counter.admit("ws", ("status",), 15.0) == 0.0


def test_every_window_must_have_room() -> None:
    """A request is admitted only when all windows of the budget have room."""
    counter = _counter((2, 1.0), (3, 60.0))
    for t in (0.0, 0.1, 1.5):
        assert counter.admit("ws", ("status",), t) == 0.0
    assert counter.admit("ws", ("status",), 3.0) == pytest.approx(57.0)


def test_a_refused_request_is_not_counted() -> None:
    """Refusals leave no trace in the windows: the next window is full-sized."""
    counter = _counter((1, 1.0))
    counter.admit("ws", ("status",), 0.0)
    for t in (0.2, 0.4, 0.9):
        assert counter.admit("ws", ("status",), t) > 0
    assert counter.admit("ws", ("status",), 1.0) == 0.0


def test_workspaces_have_separate_budgets() -> None:
    """One workspace spending its budget leaves another's untouched."""
    counter = _counter((1, 1.0))
    counter.admit("a", ("status",), 0.0)
    assert counter.admit("b", ("status",), 0.0) == 0.0


def _body(ids: list[str]) -> dict[str, object]:
    return {"request_id": "r", "action": "PAUSE", "campaign_ids": ids}


@pytest.mark.moengage_sandbox(budgets="status:=3/0.05,5/10", clock=FakeClock(100.0))
async def test_the_request_past_the_limit_gets_the_documented_429(
    sandbox_http: SandboxHTTP,
) -> None:
    """The 4th status call inside 50 ms is a 429 with V1's RateLimitExceeded body."""
    ids = sandbox_http.sandbox.seed_campaigns(4)
    codes = []
    for cid in ids:
        code, body, _ = await sandbox_http.call("POST", STATUS, _body([cid]))
        codes.append(code)
    assert codes == [200, 200, 200, 429]
    assert body["error"]["code"] == "429 conflict"
    assert body["error"]["details"] == [
        {"target": "rate_limit", "message": "Rate limiting breached"}
    ]


@pytest.mark.moengage_sandbox(budgets="status:=2/0.05", clock=FakeClock())
async def test_a_rate_limited_request_is_not_applied(
    sandbox_http: SandboxHTTP,
) -> None:
    """A campaign named in a 429'd request keeps its status."""
    ids = sandbox_http.sandbox.seed_campaigns(3)
    for cid in ids:
        await sandbox_http.call("POST", STATUS, _body([cid]))
    assert sandbox_http.sandbox.campaign(ids[2]).status == "ACTIVE"


@pytest.mark.moengage_sandbox(budgets="status:=2/0.05")
async def test_the_window_frees_as_time_passes(sandbox_http: SandboxHTTP) -> None:
    """After the window's length passes, the budget admits requests again."""
    sandbox = sandbox_http.sandbox
    fake = FakeClock()
    sandbox.state.clock = fake
    ids = sandbox.seed_campaigns(4)
    statuses = [
        (await sandbox_http.call("POST", STATUS, _body([cid])))[0] for cid in ids[:3]
    ]
    fake.advance(0.05)
    statuses.append((await sandbox_http.call("POST", STATUS, _body([ids[3]])))[0])
    assert statuses == [200, 200, 429, 200]


@pytest.mark.moengage_sandbox(budgets="status:=2/1")
async def test_the_ledger_records_accepted_and_rejected_arrivals(
    sandbox_http: SandboxHTTP,
) -> None:
    """Per budget, the ledger holds every accepted and every rejected arrival."""
    sandbox = sandbox_http.sandbox
    fake = FakeClock(7.0)
    sandbox.state.clock = fake
    ids = sandbox.seed_campaigns(5)
    for cid in ids:
        await sandbox_http.call("POST", STATUS, _body([cid]))
    record = sandbox.ledger.budget("status")
    assert (record.accepted, record.rejected) == ([7.0, 7.0], [7.0, 7.0, 7.0])


@pytest.mark.moengage_sandbox(budgets="status:=1/1")
async def test_unauthenticated_requests_spend_no_budget(
    sandbox_http: SandboxHTTP,
) -> None:
    """A 401 is answered before budgets: the workspace's budget stays whole."""
    sandbox = sandbox_http.sandbox
    ids = sandbox.seed_campaigns(1)
    await sandbox_http.call("POST", STATUS, _body(ids), headers={"MOE-APPKEY": "x"})
    code, _, _ = await sandbox_http.call("POST", STATUS, _body(ids))
    assert code == 200


@pytest.mark.moengage_sandbox(budgets={"status": exactly([(1, 60.0)])})
async def test_a_second_workspace_has_its_own_budget(
    moengage_sandbox: Sandbox,
) -> None:
    """Budgets are per workspace: another workspace is not throttled by the first."""
    moengage_sandbox.add_workspace("OTHER_WS", "other-key")
    ids = moengage_sandbox.seed_campaigns(2)
    async with moengage_sandbox.client() as first:
        await first.change_status("PAUSE", ids[:1])
    async with moengage_sandbox.client(workspace_id="OTHER_WS") as second:
        await second.change_status("PAUSE", ids[1:])
    assert moengage_sandbox.ledger.budget("status", "OTHER_WS").accepted


def test_max_in_window_counts_the_busiest_interval() -> None:
    """``max_in_window`` is the most accepted arrivals in any half-open interval."""
    from moengage_async.sandbox import Ledger

    ledger = Ledger("ws")
    for t in (0.0, 0.5, 0.99, 1.0, 1.2, 5.0):
        ledger.record_budget("ws", "status", t, accepted=True)
    assert ledger.max_in_window("status", 1.0) == 4
    assert ledger.max_in_window("status", 0.5) == 3


@pytest.mark.moengage_sandbox(budgets="status:=5/0.05")
async def test_no_window_ever_admits_more_than_its_limit(
    sandbox_http: SandboxHTTP,
) -> None:
    """Hammering every 10 ms, any 50 ms holds at most 5 accepted arrivals."""
    sandbox = sandbox_http.sandbox
    fake = FakeClock()
    sandbox.state.clock = fake
    ids = sandbox.seed_campaigns(40)
    for cid in ids:
        for _ in range(2):  # two tries per tick: one of them may be refused
            await sandbox_http.call("POST", STATUS, _body([cid]))
        fake.advance(0.01)
    ledger = sandbox.ledger
    assert ledger.max_in_window("status", 0.05) == 5
    assert len(ledger.budget("status").rejected) > 0
