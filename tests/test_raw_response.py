"""``with_raw_response``: status, headers and body of a call beside its result."""

from __future__ import annotations

import pytest

from moengage_async import (
    NotFoundError,
    PayloadValidationError,
    RawResponse,
    RetryPolicy,
)
from moengage_async.models.v5 import StatusChanged
from moengage_async.sandbox import Sandbox


async def test_v1_change_status_raw_gives_the_rate_limit_headers() -> None:
    """``change_status`` returns ``None``; its raw response has the status, the
    ``x-ratelimit-*`` headers (case-insensitive), the body and our request id."""
    async with Sandbox(budgets="status:=5/60") as sandbox:
        ids = sandbox.seed_campaigns(2)
        async with sandbox.client() as client:
            raw = await client.v1.with_raw_response.change_status(
                "PAUSE", ids, request_id="rid-1"
            )
            again = await client.with_raw_response.change_status("RESUME", ids)
    assert isinstance(raw, RawResponse)
    assert raw.status == 200
    assert raw.request_id == "rid-1"
    assert raw.operation == "v1.change_status"
    assert raw.parse() is None
    assert raw.headers["x-ratelimit-limit"] == "5"
    assert raw.headers["X-RateLimit-Remaining"] == "4"
    assert again.headers["x-ratelimit-remaining"] == "3"
    assert raw.body == b"" and raw.json() is None  # V1 answers 200 with no body
    assert sandbox.campaign(ids[0]).status == "ACTIVE"  # resumed by the second
    assert "rid-1" in repr(raw) and "200" in repr(raw)


async def test_v5_raw_response_has_the_response_id_and_the_parsed_result() -> None:
    """V5's envelope ``response_id`` is readable on success; ``parse()`` is what
    the ordinary method returns."""
    async with Sandbox() as sandbox:
        (cid,) = sandbox.seed_campaigns(1, api=5)
        async with sandbox.client() as client:
            raw = await client.v5.with_raw_response.change_status(
                cid, "PAUSE", request_id="rid-5"
            )
            plain = await client.v5.change_status(cid, "RESUME")
    parsed = raw.parse()
    assert isinstance(parsed, StatusChanged) and parsed.id == plain.id == cid
    document = raw.json()
    assert isinstance(document["response_id"], str) and document["response_id"]
    assert raw.request_id == "rid-5"
    assert raw.status == 200


async def test_raw_calls_spend_the_same_budgets() -> None:
    """A raw call is the same call: it goes through the client's limiter."""
    async with Sandbox(budgets="search:=2/60") as sandbox:
        sandbox.seed_campaigns(3)
        async with sandbox.client() as client:
            raw = await client.with_raw_response.search_campaigns(
                {"limit": 2, "page": 1}
            )
            rows = raw.parse()
            usage = {(w.budget, w.seconds): w.used for w in client.budgets.snapshot()}
    assert len(rows) == 2
    assert usage[("search", 60.0)] == 1
    assert len(sandbox.ledger.budget("search").accepted) == 1


async def test_errors_are_raised_as_by_the_ordinary_method() -> None:
    """A refusal raises its error (no raw response for it); a bad argument
    raises before anything is sent."""
    async with (
        Sandbox() as sandbox,
        sandbox.client(retry=RetryPolicy(max_retries=0)) as client,
    ):
        with pytest.raises(NotFoundError):
            await client.v5.with_raw_response.get_campaign("f" * 24)
        with pytest.raises(PayloadValidationError):
            await client.with_raw_response.change_status("PAUSE", [])
    assert len(sandbox.ledger.budget("status").accepted) == 0


async def test_only_single_request_operations_have_a_raw_form() -> None:
    """``search`` is a lazy iterator of many requests: no raw form; nor private
    or unknown names."""
    async with Sandbox() as sandbox, sandbox.client() as client:
        for name in ("search", "_send", "nope"):
            with pytest.raises(AttributeError, match="with_raw_response"):
                getattr(client.v5.with_raw_response, name)
        assert "with_raw_response" in repr(client.v5.with_raw_response)
        method = client.v1.with_raw_response.campaign_meta
        assert method.__name__ == "campaign_meta"
        assert method.__doc__ == client.v1.campaign_meta.__doc__
