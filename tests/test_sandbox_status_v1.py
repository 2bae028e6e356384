"""V1 ``POST /campaigns/status``: transitions, auth and body checks, strictly."""

from __future__ import annotations

import pytest
from conftest import SandboxHTTP

from moengage_async import AuthenticationError, BadRequestError
from moengage_async.sandbox import Sandbox

STATUS = "/core-services/v1/campaigns/status"


def _body(action: str, ids: list[str]) -> dict[str, object]:
    return {"request_id": "r-1", "action": action, "campaign_ids": ids}


async def test_pause_moves_active_periodic_campaigns_to_paused(
    moengage_sandbox: Sandbox,
) -> None:
    """PAUSE on ACTIVE Periodic campaigns leaves them PAUSED."""
    ids = moengage_sandbox.seed_campaigns(3, delivery_type="PERIODIC")
    async with moengage_sandbox.client() as client:
        await client.change_status("PAUSE", ids)
    assert [moengage_sandbox.campaign(i).status for i in ids] == ["PAUSED"] * 3


async def test_each_applied_change_is_in_the_ledger_once(
    moengage_sandbox: Sandbox,
) -> None:
    """The ledger holds one PAUSE per campaign with the request's request_id."""
    ids = moengage_sandbox.seed_campaigns(2)
    async with moengage_sandbox.client() as client:
        await client.change_status("PAUSE", ids, request_id="rid-7")
    for campaign_id in ids:
        actions = moengage_sandbox.ledger.actions(campaign_id)
        assert [
            (a.kind, a.request_id, a.status_before, a.status_after) for a in actions
        ] == [("PAUSE", "rid-7", "ACTIVE", "PAUSED")]


async def test_resume_returns_a_paused_campaign_to_where_it_was(
    moengage_sandbox: Sandbox,
) -> None:
    """RESUME takes a campaign paused while SCHEDULED back to SCHEDULED."""
    (cid,) = moengage_sandbox.seed_campaigns(1, status="SCHEDULED")
    async with moengage_sandbox.client() as client:
        await client.change_status("PAUSE", [cid])
        await client.change_status("RESUME", [cid])
    assert moengage_sandbox.campaign(cid).status == "SCHEDULED"


async def test_stop_ends_a_scheduled_one_time_campaign(
    moengage_sandbox: Sandbox,
) -> None:
    """STOP on a SCHEDULED One-time campaign leaves it STOPPED."""
    (cid,) = moengage_sandbox.seed_campaigns(1, delivery_type="ONE_TIME")
    async with moengage_sandbox.client() as client:
        await client.change_status("STOP", [cid])
    assert moengage_sandbox.campaign(cid).status == "STOPPED"


@pytest.mark.parametrize(
    ("delivery_type", "status", "action"),
    [
        ("PERIODIC", "ACTIVE", "STOP"),
        ("ONE_TIME", "ACTIVE", "STOP"),
        ("ONE_TIME", "SCHEDULED", "PAUSE"),
        ("EVENT_TRIGGERED", "ACTIVE", "RESUME"),
        ("PERIODIC", "STOPPED", "PAUSE"),
        ("BUSINESS_EVENT_TRIGGERED", "ACTIVE", "PAUSE"),
    ],
)
async def test_an_invalid_transition_is_a_400_naming_the_campaign(
    sandbox_http: SandboxHTTP, delivery_type: str, status: str, action: str
) -> None:
    """A transition the V1 table forbids is refused with 400 and changes nothing."""
    sandbox = sandbox_http.sandbox
    (cid,) = sandbox.seed_campaigns(1, delivery_type=delivery_type, status=status)
    code, body, _ = await sandbox_http.call("POST", STATUS, _body(action, [cid]))
    assert code == 400
    assert cid in body["error"]["message"]
    assert sandbox.campaign(cid).status == status


async def test_a_batch_with_one_bad_transition_applies_nothing(
    moengage_sandbox: Sandbox,
) -> None:
    """The batch is all or nothing: one forbidden id means no campaign changes."""
    good = moengage_sandbox.seed_campaigns(2, delivery_type="PERIODIC")
    (bad,) = moengage_sandbox.seed_campaigns(1, delivery_type="ONE_TIME")
    async with moengage_sandbox.client() as client:
        with pytest.raises(BadRequestError):
            await client.change_status("PAUSE", [*good, bad])
    assert moengage_sandbox.ledger.actions() == []


async def test_an_unknown_campaign_id_is_a_400_naming_it(
    moengage_sandbox: Sandbox,
) -> None:
    """An id the workspace does not have is refused with 400 naming that id."""
    async with moengage_sandbox.client() as client:
        with pytest.raises(BadRequestError, match="no-such-id"):
            await client.change_status("PAUSE", ["no-such-id"])


async def test_wrong_api_key_is_a_401_authentication_error(
    moengage_sandbox: Sandbox,
) -> None:
    """A wrong API key is answered 401 and the client raises AuthenticationError."""
    ids = moengage_sandbox.seed_campaigns(1)
    async with moengage_sandbox.client(api_key="wrong") as client:
        with pytest.raises(AuthenticationError):
            await client.change_status("PAUSE", ids)
    assert moengage_sandbox.campaign(ids[0]).status == "ACTIVE"


async def test_a_missing_moe_appkey_header_is_a_401(sandbox_http: SandboxHTTP) -> None:
    """Basic credentials alone are not enough: MOE-APPKEY must name the workspace."""
    ids = sandbox_http.sandbox.seed_campaigns(1)
    code, body, _ = await sandbox_http.call(
        "POST", STATUS, _body("PAUSE", ids), headers={"MOE-APPKEY": "OTHER"}
    )
    assert (code, body["error"]["code"]) == (401, "401 Authentication error")


@pytest.mark.parametrize("field", ["request_id", "action", "campaign_ids"])
async def test_a_missing_required_field_is_a_400_naming_it(
    sandbox_http: SandboxHTTP, field: str
) -> None:
    """A body without a required field is refused with the V1 envelope naming it."""
    body = _body("PAUSE", sandbox_http.sandbox.seed_campaigns(1))
    del body[field]
    code, answer, _ = await sandbox_http.call("POST", STATUS, body)
    assert code == 400
    assert answer["error"]["target"] == field
    assert answer["error"]["message"] == f"{field} key is mandatory field"


async def test_an_unknown_action_is_a_400_naming_the_field(
    sandbox_http: SandboxHTTP,
) -> None:
    """``action`` outside STOP/PAUSE/RESUME is refused naming ``action``."""
    ids = sandbox_http.sandbox.seed_campaigns(1)
    code, answer, _ = await sandbox_http.call("POST", STATUS, _body("ARCHIVE", ids))
    assert (code, answer["error"]["target"]) == (400, "action")


async def test_eleven_ids_are_refused(sandbox_http: SandboxHTTP) -> None:
    """More than 10 ids in one request is a 400 naming ``campaign_ids``."""
    ids = sandbox_http.sandbox.seed_campaigns(11)
    code, answer, _ = await sandbox_http.call("POST", STATUS, _body("PAUSE", ids))
    assert (code, answer["error"]["target"]) == (400, "campaign_ids")


async def test_a_body_that_is_not_json_is_a_400(sandbox_http: SandboxHTTP) -> None:
    """Malformed JSON is a documented 400, never a 500."""
    code, answer, _ = await sandbox_http.call("POST", STATUS, raw=b'{"action": ')
    assert (code, answer["error"]["target"]) == (400, "body")


async def test_success_is_200_with_no_body(sandbox_http: SandboxHTTP) -> None:
    """The documented success answer: 200 and an empty body."""
    ids = sandbox_http.sandbox.seed_campaigns(1)
    code, answer, _ = await sandbox_http.call("POST", STATUS, _body("PAUSE", ids))
    assert (code, answer) == (200, None)
