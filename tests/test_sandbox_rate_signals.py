"""Sandbox rate-limit signals: x-ratelimit-* headers, 429 bodies, foreign usage."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from moengage_async import FakeClock, RateLimitError, RetryPolicy
from moengage_async.sandbox import Sandbox

V1_SEARCH = "/core-services/v1/campaigns/search"
V5_SEARCH = "/v5/campaigns/search"
NO_RETRY = RetryPolicy(max_retries=0)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


async def _search(
    http: aiohttp.ClientSession, sandbox: Sandbox, version: int = 1
) -> tuple[int, dict[str, str], Any]:
    path = V1_SEARCH if version == 1 else V5_SEARCH
    body: dict[str, Any] = {"request_id": "r1", "limit": 1, "page": 1}
    headers = sandbox.auth_headers(version=version)
    if version == 5:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    async with http.post(sandbox.url + path, json=body, headers=headers) as answer:
        signals = {
            k.lower(): v
            for k, v in answer.headers.items()
            if k.lower().startswith(("x-ratelimit", "retry-after"))
        }
        return answer.status, signals, await answer.json()


def _limits(signals: dict[str, str]) -> tuple[str, str, str]:
    return (
        signals["x-ratelimit-limit"],
        signals["x-ratelimit-remaining"],
        signals["x-ratelimit-reset"],
    )


async def test_headers_follow_the_tightest_window(
    session: aiohttp.ClientSession,
) -> None:
    """Limit/remaining are the fullest window's; reset is when it frees a slot."""
    clock = FakeClock()
    async with Sandbox(clock=clock, budgets="search:=3/10,5/60") as sandbox:
        seen = [_limits((await _search(session, sandbox))[1]) for _ in range(3)]
        assert seen == [("3", "2", "10"), ("3", "1", "10"), ("3", "0", "10")]
        clock.advance(4.0)
        status, signals, _ = await _search(session, sandbox)
        assert (status, _limits(signals)) == (429, ("3", "0", "6"))
        clock.advance(6.0)  # the three arrivals at t=0 leave the 10 s window
        status, signals, _ = await _search(session, sandbox)
        assert (status, _limits(signals)) == (200, ("5", "1", "50"))


async def test_headers_come_with_v5_answers_and_retry_after(
    session: aiohttp.ClientSession,
) -> None:
    """A V5 429 carries the headers next to its ``Retry-After``."""
    clock = FakeClock()
    async with Sandbox(clock=clock, budgets="search:=1/0.25") as sandbox:
        status, signals, _ = await _search(session, sandbox, version=5)
        assert (status, _limits(signals)) == (200, ("1", "0", "0.250"))
        clock.advance(0.125)
        status, signals, body = await _search(session, sandbox, version=5)
        assert status == 429 and body["error"]["code"] == "RATE_LIMITED"
        assert _limits(signals) == ("1", "0", "0.125")
        assert signals["retry-after"] == "0.125"


async def test_headers_can_be_turned_off(session: aiohttp.ClientSession) -> None:
    """``rate_limit_headers=False`` sends none of them."""
    async with Sandbox(rate_limit_headers=False) as sandbox:
        status, signals, _ = await _search(session, sandbox)
    assert status == 200 and signals == {}


async def test_reset_can_be_a_unix_time(session: aiohttp.ClientSession) -> None:
    """``rate_limit_reset="epoch"``: reset is the wall-clock second a slot frees."""
    clock = FakeClock()
    async with Sandbox(
        clock=clock, budgets="search:=2/30", rate_limit_reset="epoch"
    ) as sandbox:
        before = time.time()
        _, signals, _ = await _search(session, sandbox)
        after = time.time()
    reset = int(signals["x-ratelimit-reset"])
    assert math.ceil(before + 30) <= reset <= math.ceil(after + 30)
    assert _limits(signals)[:2] == ("2", "1")


@pytest.mark.parametrize("version", [1, 5])
async def test_a_429_in_the_data_api_shape(
    session: aiohttp.ClientSession, version: int
) -> None:
    """``rate_limit_body="data_api"``: ``status: fail`` with the Data API's type."""
    async with Sandbox(budgets="search:=1/60", rate_limit_body="data_api") as sandbox:
        await _search(session, sandbox, version)
        status, signals, body = await _search(session, sandbox, version)
    assert status == 429
    assert body["status"] == "fail"
    assert body["error"]["type"] == "Rate Limits Exceeded"
    assert body["error"]["message"]
    assert signals["x-ratelimit-remaining"] == "0"


async def test_the_client_raises_rate_limit_error_on_a_data_api_429() -> None:
    """A real client meeting the Data API 429 shape raises ``RateLimitError``."""
    async with (
        Sandbox(budgets="search:=1/60", rate_limit_body="data_api") as sandbox,
        sandbox.client(budgets="search:=10/1", retry=NO_RETRY) as client,
    ):
        await client.search_campaigns({"limit": 1, "page": 1})
        with pytest.raises(RateLimitError):
            await client.search_campaigns({"limit": 1, "page": 1})
    assert [r.status for r in sandbox.ledger.requests()] == [200, 429]


async def test_foreign_usage_spends_slots_the_client_never_saw(
    session: aiohttp.ClientSession,
) -> None:
    """Slots spent by "another integration" lower remaining, then refuse the client."""
    clock = FakeClock()
    async with Sandbox(clock=clock, budgets="status:=10/1") as sandbox:
        (campaign_id,) = sandbox.seed_campaigns(1)
        sandbox.foreign_usage("status", 9)
        async with session.post(
            f"{sandbox.url}/core-services/v1/campaigns/status",
            json={"request_id": "r1", "action": "PAUSE", "campaign_ids": [campaign_id]},
            headers=sandbox.auth_headers(),
        ) as answer:
            assert answer.status == 200
            assert answer.headers["x-ratelimit-remaining"] == "0"
        async with sandbox.client(clock=clock, retry=NO_RETRY) as client:
            with pytest.raises(RateLimitError):
                await client.change_status("RESUME", [campaign_id])
            clock.advance(1.0)
            await client.change_status("RESUME", [campaign_id])
        assert sandbox.campaign(campaign_id).status == "ACTIVE"
        accepted = sandbox.ledger.budget("status").accepted
        assert len(accepted) == 2  # foreign slots are not the client's requests


async def test_foreign_usage_over_http_and_its_errors(
    session: aiohttp.ClientSession,
) -> None:
    """``POST /_sandbox/foreign_usage`` spends slots; a bad budget is a 400."""
    async with Sandbox(budgets="search:=4/60") as sandbox:
        route = f"{sandbox.url}/_sandbox/foreign_usage"
        async with session.post(route, json={"budget": "search", "count": 3}) as ok:
            assert ok.status == 200
        _, signals, _ = await _search(session, sandbox)
        assert _limits(signals)[:2] == ("4", "0")
        async with session.post(route, json={"budget": "nope"}) as bad:
            assert bad.status == 400
            assert "unknown budget" in (await bad.json())["error"]
    with pytest.raises(ValueError, match="count must be >= 0"):
        sandbox.foreign_usage("search", -1)


def test_unknown_signal_options_are_refused() -> None:
    """A reset form or 429 body the sandbox does not know is a ValueError."""
    with pytest.raises(ValueError, match="rate_limit_reset"):
        Sandbox(rate_limit_reset="hours")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rate_limit_body"):
        Sandbox(rate_limit_body="xml")  # type: ignore[arg-type]
