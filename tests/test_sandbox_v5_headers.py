"""V5 headers and idempotency: keys, request ids, 429s, content type, auth."""

from __future__ import annotations

import pytest
from conftest import SandboxHTTP, spec_example
from test_sandbox_v5_ops import draft_body, v5

from moengage_async import FakeClock


async def test_a_missing_idempotency_key_is_400(sandbox_http: SandboxHTTP) -> None:
    """Create without Idempotency-Key is refused naming the header."""
    code, body, _ = await v5(
        sandbox_http, "POST", "/v5/campaigns", draft_body(), key=None
    )
    assert (code, body["error"]["target"]) == (400, "Idempotency-Key")


async def test_a_replayed_key_returns_the_first_answer(
    sandbox_http: SandboxHTTP,
) -> None:
    """The same key and body answer the first status and body; nothing new is made."""
    first = await v5(sandbox_http, "POST", "/v5/campaigns", draft_body(), key="k-1")
    again = await v5(sandbox_http, "POST", "/v5/campaigns", draft_body(), key="k-1")
    assert again[:2] == first[:2]
    assert len(sandbox_http.sandbox.state.store) == 1


async def test_a_reused_key_with_another_body_is_400_bad_request(
    sandbox_http: SandboxHTTP,
) -> None:
    """Reusing a key for a different body is a 400 BAD_REQUEST."""
    await v5(sandbox_http, "POST", "/v5/campaigns", draft_body(), key="k-2")
    other = draft_body(campaign_delivery_type="PERIODIC")
    code, body, _ = await v5(sandbox_http, "POST", "/v5/campaigns", other, key="k-2")
    assert (code, body["error"]["code"]) == (400, "BAD_REQUEST")


async def test_a_reused_test_key_with_another_body_is_409(
    sandbox_http: SandboxHTTP,
) -> None:
    """On the test endpoint the same misuse is a 409."""
    body = spec_example(5, "POST", "/v5/campaigns/test", "push_inline")
    await v5(sandbox_http, "POST", "/v5/campaigns/test", body, key="k-3")
    body["test_campaign_meta"]["identifier_values"] = ["someone-else"]
    code, _, _ = await v5(sandbox_http, "POST", "/v5/campaigns/test", body, key="k-3")
    assert code == 409


async def test_the_ledger_records_every_key_seen(sandbox_http: SandboxHTTP) -> None:
    """Each request's Idempotency-Key is in the ledger, retries included."""
    (cid,) = sandbox_http.sandbox.seed_campaigns(1, api=5)
    for _ in range(2):
        await v5(
            sandbox_http,
            "PATCH",
            f"/v5/campaigns/{cid}/status",
            {"action": "PAUSE"},
            key="same",
        )
    assert sandbox_http.sandbox.ledger.idempotency_keys("v5.change_status") == [
        "same",
        "same",
    ]
    assert [a.kind for a in sandbox_http.sandbox.ledger.actions(cid)] == ["PAUSE"]


async def test_request_id_header_and_body_must_agree(sandbox_http: SandboxHTTP) -> None:
    """X-MOE-Request-Id that differs from body ``request_id`` is a 400."""
    code, body, _ = await v5(
        sandbox_http,
        "POST",
        "/v5/campaigns",
        draft_body(request_id="body-id"),
        headers={"X-MOE-Request-Id": "header-id"},
    )
    assert (code, body["error"]["target"]) == (400, "request_id")


async def test_the_response_id_echoes_the_request_id(sandbox_http: SandboxHTTP) -> None:
    """``response_id`` carries X-MOE-Request-Id back."""
    _, body, _ = await v5(
        sandbox_http,
        "POST",
        "/v5/campaigns",
        draft_body(),
        headers={"X-MOE-Request-Id": "corr-1"},
    )
    assert body["response_id"] == "corr-1"


@pytest.mark.moengage_sandbox(clock=FakeClock())
async def test_a_v5_create_request_id_replays_within_the_hour(
    sandbox_http: SandboxHTTP,
) -> None:
    """V5 create keeps V1's request_id rule: a resend (new key) replays the draft."""
    first = await v5(sandbox_http, "POST", "/v5/campaigns", draft_body(request_id="r"))
    again = await v5(sandbox_http, "POST", "/v5/campaigns", draft_body(request_id="r"))
    assert again[1]["data"]["id"] == first[1]["data"]["id"]


@pytest.mark.moengage_sandbox(budgets="status:=1/0.05", clock=FakeClock())
async def test_a_v5_429_carries_retry_after_in_seconds(
    sandbox_http: SandboxHTTP,
) -> None:
    """V5's 429 is RATE_LIMITED with the wait in ``Retry-After``."""
    ids = sandbox_http.sandbox.seed_campaigns(2, api=5)
    for cid in ids:
        code, body, headers = await v5(
            sandbox_http, "PATCH", f"/v5/campaigns/{cid}/status", {"action": "PAUSE"}
        )
    assert (code, body["error"]["code"]) == (429, "RATE_LIMITED")
    assert float(headers["Retry-After"]) == pytest.approx(0.05)


@pytest.mark.moengage_sandbox(budgets="status:=1/90", clock=FakeClock())
async def test_a_long_wait_is_whole_seconds(sandbox_http: SandboxHTTP) -> None:
    """A wait of a second or more is sent as whole seconds, rounded up."""
    clock = sandbox_http.sandbox.state.clock
    assert isinstance(clock, FakeClock)
    ids = sandbox_http.sandbox.seed_campaigns(2, api=5)
    await v5(
        sandbox_http, "PATCH", f"/v5/campaigns/{ids[0]}/status", {"action": "PAUSE"}
    )
    clock.advance(0.5)
    _, _, headers = await v5(
        sandbox_http, "PATCH", f"/v5/campaigns/{ids[1]}/status", {"action": "PAUSE"}
    )
    assert headers["Retry-After"] == "90"


@pytest.mark.moengage_sandbox(budgets="create_success:=1/60", clock=FakeClock())
async def test_a_rate_limited_key_is_not_remembered(sandbox_http: SandboxHTTP) -> None:
    """A 429'd create retried with its key after the window creates, not replays."""
    clock = sandbox_http.sandbox.state.clock
    assert isinstance(clock, FakeClock)
    await v5(sandbox_http, "POST", "/v5/campaigns", draft_body(), key="first")
    refused = await v5(sandbox_http, "POST", "/v5/campaigns", draft_body(), key="k")
    clock.advance(60.0)
    retried = await v5(sandbox_http, "POST", "/v5/campaigns", draft_body(), key="k")
    assert (refused[0], retried[0]) == (429, 201)


async def test_get_ignores_idempotency_keys(sandbox_http: SandboxHTTP) -> None:
    """GET is not keyed: the same key twice still shows the current status."""
    (cid,) = sandbox_http.sandbox.seed_campaigns(1, api=5)
    path = f"/v5/campaigns/{cid}"
    _, before, _ = await v5(sandbox_http, "GET", path, key="same")
    await v5(sandbox_http, "PATCH", f"{path}/status", {"action": "PAUSE"})
    _, after, _ = await v5(sandbox_http, "GET", path, key="same")
    assert (before["data"]["status"], after["data"]["status"]) == ("ACTIVE", "PAUSED")


async def test_a_get_without_any_request_id_is_400(sandbox_http: SandboxHTTP) -> None:
    """V5 needs X-MOE-Request-Id when no body carries ``request_id``."""
    (cid,) = sandbox_http.sandbox.seed_campaigns(1, api=5)
    headers = sandbox_http.sandbox.auth_headers(version=5)
    async with sandbox_http.session.get(
        f"{sandbox_http.sandbox.url}/v5/campaigns/{cid}", headers=headers
    ) as response:
        body = await response.json()
    assert (response.status, body["error"]["target"]) == (400, "X-MOE-Request-Id")


async def test_a_body_that_is_not_declared_json_is_400(
    sandbox_http: SandboxHTTP,
) -> None:
    """A body sent as text/plain is refused naming ``Content-Type``."""
    code, body, _ = await v5(
        sandbox_http,
        "POST",
        "/v5/campaigns",
        draft_body(),
        headers={"Content-Type": "text/plain"},
    )
    assert (code, body["error"]["target"]) == (400, "Content-Type")


async def test_v5_without_moe_appkey_is_401_unauthorized(
    sandbox_http: SandboxHTTP,
) -> None:
    """V5 also requires MOE-APPKEY (C2): without it the answer is 401."""
    headers = sandbox_http.sandbox.auth_headers(version=5)
    del headers["MOE-APPKEY"]
    headers["Idempotency-Key"] = "k"
    headers["X-MOE-Request-Id"] = "r"
    async with sandbox_http.session.post(
        f"{sandbox_http.sandbox.url}/v5/campaigns",
        json=draft_body(),
        headers=headers,
    ) as response:
        body = await response.json()
    assert (response.status, body["error"]["code"]) == (401, "UNAUTHORIZED")


async def test_one_key_on_two_campaigns_is_refused(sandbox_http: SandboxHTTP) -> None:
    """The same key and body sent to another campaign's path is not a replay."""
    first, second = sandbox_http.sandbox.seed_campaigns(2, api=5)
    body = {"action": "PAUSE"}
    await v5(sandbox_http, "PATCH", f"/v5/campaigns/{first}/status", body, key="k")
    code, answer, _ = await v5(
        sandbox_http, "PATCH", f"/v5/campaigns/{second}/status", body, key="k"
    )
    assert (code, answer["error"]["code"]) == (400, "BAD_REQUEST")
    assert sandbox_http.sandbox.campaign(second).status == "ACTIVE"
