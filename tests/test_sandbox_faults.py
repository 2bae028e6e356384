"""Faults on demand: seedable, documented shapes, never on control routes."""

from __future__ import annotations

import json

import aiohttp
import anyio
import pytest
from conftest import SandboxHTTP

from moengage_async import FakeClock
from moengage_async.sandbox import Fault, Faults, Sandbox, parse_faults
from moengage_async.sandbox._faults import FaultPlan

STATUS = "/core-services/v1/campaigns/status"


def _body(ids: list[str]) -> dict[str, object]:
    return {"request_id": "r", "action": "PAUSE", "campaign_ids": ids}


def test_the_string_syntax_sets_each_fault() -> None:
    """``parse_faults`` reads the CLI syntax into a ``Faults``."""
    faults = parse_faults("latency=0.005,jitter=0.02,error_rate=0.1,reset_rate=0.05")
    assert faults == Faults(latency=0.005, jitter=0.02, error_rate=0.1, reset_rate=0.05)


def test_error_statuses_are_written_with_slashes() -> None:
    """``error_statuses=500/503`` limits which 5xx an error fault answers."""
    assert parse_faults("error_statuses=500/503").error_statuses == (500, 503)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("latency=fast", "'latency=fast'"),
        ("explode_rate=0.1", "'explode_rate'"),
        ("error_rate", "'error_rate'"),
        ("error_rate=1.5", "error_rate"),
        ("error_rate=0.7,reset_rate=0.7", "add up"),
    ],
)
def test_a_bad_fault_spec_names_the_bad_part(text: str, named: str) -> None:
    """Parse errors are ValueErrors that quote the offending part."""
    with pytest.raises(ValueError, match=named):
        parse_faults(text)


def test_the_same_seed_draws_the_same_faults() -> None:
    """Two plans with one seed draw identical fault sequences."""
    faults = Faults(error_rate=0.3, reset_rate=0.3, jitter=0.1)
    one, two = FaultPlan(faults, 42), FaultPlan(faults, 42)
    draws = [(one.draw(), one.delay()) for _ in range(50)]
    assert draws == [(two.draw(), two.delay()) for _ in range(50)]
    assert {d for d, _ in draws} == {Fault.NONE, Fault.ERROR, Fault.RESET}


@pytest.mark.moengage_sandbox(faults="error_rate=1")
async def test_an_error_fault_answers_5xx_with_the_envelope_and_applies_nothing(
    sandbox_http: SandboxHTTP,
) -> None:
    """An error fault is a 500/502/503 with the V1 envelope; nothing changes."""
    ids = sandbox_http.sandbox.seed_campaigns(1)
    code, body, _ = await sandbox_http.call("POST", STATUS, _body(ids))
    assert code in (500, 502, 503)
    assert body["error"]["code"].startswith(str(code))
    assert sandbox_http.sandbox.ledger.actions() == []


@pytest.mark.moengage_sandbox(faults="reset_rate=1")
async def test_a_reset_drops_the_connection_before_arrival(
    moengage_sandbox: Sandbox,
) -> None:
    """A reset closes the connection unanswered; nothing is applied or counted."""
    ids = moengage_sandbox.seed_campaigns(1)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await session.post(
                moengage_sandbox.url + STATUS,
                json=_body(ids),
                headers=moengage_sandbox.auth_headers(),
            )
    assert moengage_sandbox.ledger.actions() == []
    assert moengage_sandbox.ledger.budget("status").accepted == []


@pytest.mark.moengage_sandbox(faults="lost_reply_rate=1")
async def test_a_lost_reply_applies_the_change_but_never_answers(
    moengage_sandbox: Sandbox,
) -> None:
    """A lost reply is the dangerous case: applied, yet the caller sees a drop."""
    ids = moengage_sandbox.seed_campaigns(1)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await session.post(
                moengage_sandbox.url + STATUS,
                json=_body(ids),
                headers=moengage_sandbox.auth_headers(),
            )
    assert moengage_sandbox.campaign(ids[0]).status == "PAUSED"


async def _post_raw(sandbox: Sandbox, ids: list[str]) -> tuple[int, str, bytes]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            sandbox.url + STATUS, json=_body(ids), headers=sandbox.auth_headers()
        ) as response,
    ):
        return response.status, response.content_type, await response.read()


@pytest.mark.moengage_sandbox(faults="html_rate=1")
async def test_an_html_fault_answers_a_proxy_error_page(
    moengage_sandbox: Sandbox,
) -> None:
    """An HTML fault is a 5xx ``text/html`` page, as a load balancer sends."""
    status, content_type, body = await _post_raw(
        moengage_sandbox, moengage_sandbox.seed_campaigns(1)
    )
    assert (status >= 500, content_type) == (True, "text/html")
    assert body.startswith(b"<html>")


@pytest.mark.moengage_sandbox(faults="truncate_rate=1")
async def test_a_truncated_answer_is_not_valid_json(moengage_sandbox: Sandbox) -> None:
    """A truncated answer keeps its status but its JSON body is cut short."""
    status, _, body = await _post_raw(moengage_sandbox, ["unknown-id"])
    assert status == 400
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


@pytest.mark.moengage_sandbox(faults="slow_rate=1,slow_s=0.005")
async def test_a_slow_answer_still_arrives_whole(moengage_sandbox: Sandbox) -> None:
    """A slow body dribbles out in pieces but is complete and valid."""
    status, _, body = await _post_raw(moengage_sandbox, ["unknown-id"])
    assert status == 400
    assert json.loads(body)["error"]["target"] == "campaign_ids"


@pytest.mark.moengage_sandbox(faults="latency=5", clock=FakeClock(10.0))
async def test_latency_delays_arrival_and_so_the_budget_count(
    moengage_sandbox: Sandbox,
) -> None:
    """The uplink delay passes before the request is counted: arrival = send + 5 s."""
    clock = moengage_sandbox.state.clock
    assert isinstance(clock, FakeClock)
    ids = moengage_sandbox.seed_campaigns(1)
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        await _post_raw(moengage_sandbox, ids)
        tg.cancel_scope.cancel()
    assert moengage_sandbox.ledger.budget("status").accepted == [15.0]


@pytest.mark.moengage_sandbox(faults="error_rate=0.5,reset_rate=0.5")
async def test_control_routes_are_never_faulted(moengage_sandbox: Sandbox) -> None:
    """``/_sandbox/ledger`` answers 200 even when every API call is faulted."""
    async with aiohttp.ClientSession() as session:
        for _ in range(5):
            async with session.get(moengage_sandbox.url + "/_sandbox/ledger") as r:
                assert r.status == 200
                assert set(await r.json()) == {"actions", "budgets", "requests"}


@pytest.mark.moengage_sandbox(faults="error_rate=1")
async def test_the_ledger_names_the_fault_of_each_request(
    sandbox_http: SandboxHTTP,
) -> None:
    """Each request record says which fault it met."""
    await sandbox_http.call("POST", STATUS, _body(["x"]))
    assert [r.fault for r in sandbox_http.sandbox.ledger.requests()] == ["error"]
