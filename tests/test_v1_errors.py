"""V1 failures over real HTTP: errors, retries, Retry-After, deadlines, secrets."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

from moengage_async import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ConnectError,
    MoEngageClient,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    RetryPolicy,
    ServerError,
    UnprocessableEntityError,
)
from moengage_async._clock import FakeClock
from tests.recording_server import TEST_API_KEY, RecordingServer
from tests.test_bulk_create_fake import push

STATUS = "/core-services/v1/campaigns/status"
GCG = "/core-services/v1/global-control-group/users"

V1_400 = {
    "error": {
        "code": "400 Bad Request",
        "message": "request_id key is mandatory field",
        "target": "request_id",
        "details": [{"target": "request_id", "message": "mandatory"}],
        "request_id": "11",
    }
}
V1_401 = {
    "error": {
        "code": "401 Authentication error",
        "message": "Authentication required",
        "details": [
            {
                "code": "InvalidValue",
                "target": "APP_SECRET_KEY",
                "message": [{"code": "InvalidValue", "message": "Invalid key"}],
            }
        ],
        "request_id": "",
    }
}
V1_429 = {
    "error": {
        "code": "429 conflict",
        "message": "rate_limit",
        "target": "",
        "details": [{"target": "rate_limit", "message": "Rate limiting breached"}],
        "request_id": "3UXNNGsqV",
    }
}
V1_500 = {
    "error": {
        "code": "500 Internal Server Error",
        "message": "Something went wrong. Please contact Moengage team",
        "target": "string",
        "details": [{"message": "Expecting value", "target": ""}],
    }
}


@asynccontextmanager
async def autojump(clock: FakeClock) -> AsyncIterator[None]:
    """Let virtual time jump whenever every task waits (backoff, Retry-After)."""
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        yield
        tg.cancel_scope.cancel()


async def pause(client: MoEngageClient, **kwargs: Any) -> None:
    await client.change_status("PAUSE", ["c-1"], **kwargs)


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "message", "target", "request_id"),
    [
        pytest.param(
            400,
            V1_400,
            BadRequestError,
            "400 Bad Request",
            "request_id key is mandatory field",
            "request_id",
            "11",
            id="v1-400",
        ),
        pytest.param(
            401,
            V1_401,
            AuthenticationError,
            "401 Authentication error",
            "Authentication required",
            None,
            "",
            id="v1-401-nested-details",
        ),
        pytest.param(
            500,
            V1_500,
            ServerError,
            "500 Internal Server Error",
            "Something went wrong. Please contact Moengage team",
            "string",
            "rid-1",  # the 500 envelope echoes none: the call's own id is kept
            id="v1-500",
        ),
    ],
)
async def test_v1_error_envelope_maps_to_its_exception(
    v1_client: MoEngageClient,
    recorder: RecordingServer,
    status: int,
    body: dict[str, Any],
    cls: type[APIError],
    code: str,
    message: str,
    target: str | None,
    request_id: str | None,
) -> None:
    """A V1 error envelope becomes the status's exception with every field parsed."""
    recorder.reply("POST", STATUS, status, body)
    with pytest.raises(cls) as info:
        await pause(v1_client, request_id="rid-1", retry=RetryPolicy(max_retries=0))
    err = info.value
    assert (err.status, err.code, err.message, err.target, err.request_id) == (
        status,
        code,
        message,
        target,
        request_id,
    )
    assert err.details and err.raw_body is None


async def test_v1_429_envelope_maps_to_rate_limit_error(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A V1 429 body becomes RateLimitError carrying its details."""
    recorder.reply("POST", STATUS, 429, V1_429)
    with pytest.raises(RateLimitError) as info:
        await pause(v1_client, retry=RetryPolicy(max_retries=0))
    assert info.value.details == [
        {"target": "rate_limit", "message": "Rate limiting breached"}
    ]
    assert info.value.request_id == "3UXNNGsqV" and not info.value.local


async def test_gcg_500_title_description_shape(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """The GCG 500 ``{error:{title,description}}`` shape yields its description."""
    recorder.reply(
        "PUT",
        GCG,
        500,
        {"error": {"title": "Server Error", "description": "GCG not initialised"}},
    )
    with pytest.raises(ServerError) as info:
        await v1_client.update_global_control_group(
            "https://x/u.csv", "add", "a@b.c", retry=RetryPolicy(max_retries=0)
        )
    assert info.value.message == "GCG not initialised"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(
            b"<html><h1>502 Bad Gateway</h1></html>", "undocumented", id="html"
        ),
        pytest.param(b"", "empty body", id="empty"),
        pytest.param(
            b'{"error": {"code": "500", "mess', "undocumented", id="truncated"
        ),
    ],
)
async def test_undocumented_bodies_keep_the_raw_text(
    v1_client: MoEngageClient, recorder: RecordingServer, raw: bytes, reason: str
) -> None:
    """HTML, empty and truncated answers raise ServerError with ``raw_body`` kept."""
    recorder.reply("POST", STATUS, 502, raw=raw)
    with pytest.raises(ServerError) as info:
        await pause(v1_client, retry=RetryPolicy(max_retries=0))
    assert info.value.status == 502
    assert info.value.raw_body == raw.decode()
    assert reason in info.value.message


async def test_undocumented_bodies_carry_the_calls_request_id(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """An HTML 502 echoes no request_id, so the error carries the one we sent."""
    recorder.reply("POST", STATUS, 502, raw=b"<html>Bad Gateway</html>")
    with pytest.raises(ServerError) as info:
        await pause(v1_client, request_id="rid-77", retry=RetryPolicy(max_retries=0))
    assert info.value.request_id == "rid-77"
    assert "rid-77" in str(info.value)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        pytest.param(400, BadRequestError, id="400"),
        pytest.param(401, AuthenticationError, id="401"),
        pytest.param(403, PermissionDeniedError, id="403"),
        pytest.param(404, NotFoundError, id="404"),
        pytest.param(409, ConflictError, id="409"),
        pytest.param(422, UnprocessableEntityError, id="422"),
    ],
)
async def test_client_errors_are_never_retried(
    v1_client: MoEngageClient,
    recorder: RecordingServer,
    status: int,
    cls: type[APIError],
) -> None:
    """4xx answers other than 408/429 fail after exactly one request."""
    recorder.reply("POST", STATUS, status, V1_400)
    with pytest.raises(cls):
        await pause(v1_client)
    assert len(recorder.requests) == 1


async def test_server_errors_are_retried_with_the_same_request_id(
    v1_client: MoEngageClient, recorder: RecordingServer, fake_clock: FakeClock
) -> None:
    """A 500 then success: two requests, byte-identical bodies, one request_id."""
    recorder.reply("POST", "/core-services/v1/campaigns", 500, V1_500)
    recorder.reply("POST", "/core-services/v1/campaigns", 201, {"campaign_id": "c"})
    async with autojump(fake_clock):
        assert await v1_client.create_campaign(push("n")) == "c"
    first, second = recorder.requests
    assert first.body == second.body
    assert first.json["request_id"]


async def test_retries_stop_after_max_retries(
    v1_client: MoEngageClient, recorder: RecordingServer, fake_clock: FakeClock
) -> None:
    """Persistent 503s are attempted ``max_retries + 1`` times, then raised."""
    recorder.reply("POST", STATUS, 503, raw=b"busy")
    async with autojump(fake_clock):
        with pytest.raises(ServerError):
            await pause(v1_client, retry=RetryPolicy(max_retries=2, testing=True))
    assert len(recorder.requests) == 3


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [
        pytest.param(lambda: "7", 7.0, 7.0, id="seconds"),
        pytest.param(
            # HTTP dates have whole seconds: 8 s ahead leaves between 7 and 8 s.
            lambda: email.utils.formatdate(time.time() + 8, usegmt=True),
            6.5,
            8.0,
            id="http-date",
        ),
    ],
)
async def test_retry_after_is_honoured_on_the_clock(
    v1_client: MoEngageClient,
    recorder: RecordingServer,
    fake_clock: FakeClock,
    header: Callable[[], str],
    low: float,
    high: float,
) -> None:
    """After a 429 with Retry-After the retry waits that long in (virtual) time."""
    recorder.reply("POST", STATUS, 429, V1_429, headers={"Retry-After": header()})
    recorder.reply("POST", STATUS, 200)
    started = fake_clock.now()
    async with autojump(fake_clock):
        await pause(v1_client)
    assert len(recorder.requests) == 2
    assert low <= fake_clock.now() - started <= high


async def test_retry_after_beyond_the_deadline_fails_at_once(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A Retry-After longer than the call's timeout raises instead of waiting."""
    recorder.reply("POST", STATUS, 429, V1_429, headers={"Retry-After": "60"})
    with pytest.raises(RateLimitError) as info:
        await pause(v1_client, timeout=5)
    assert info.value.retry_after == 60 and len(recorder.requests) == 1


async def test_deadline_expiry_raises_request_timeout(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A server that never answers hits the per-call deadline (50 ms)."""
    recorder.reply("POST", STATUS, hang=True)
    with pytest.raises(RequestTimeoutError):
        await pause(v1_client, timeout=0.05, retry=RetryPolicy(max_retries=0))
    assert len(recorder.requests) == 1


async def test_secrets_never_reach_logs_reprs_or_errors(
    recorder: RecordingServer,
    fake_clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """API key and Authorization value appear in no log, repr or exception text."""
    caplog.set_level(logging.DEBUG)
    recorder.reply("POST", STATUS, 500, V1_500)
    recorder.reply("POST", STATUS, 401, V1_401)
    recorder.reply("POST", "/core-services/v1/campaigns/search", 429, V1_429)
    recorder.reply("POST", "/core-services/v1/campaigns/search", 200, [])
    texts: list[str] = []
    async with (
        MoEngageClient(
            "ws-test",
            TEST_API_KEY,
            base_url=recorder.url,
            clock=fake_clock,
            retry=RetryPolicy(testing=True),
        ) as client,
        autojump(fake_clock),
    ):
        texts.append(repr(client))
        with pytest.raises(AuthenticationError) as info:
            await pause(client)
        texts += [str(info.value), repr(info.value), repr(info.value.__dict__)]
        await client.search_campaigns({"limit": 1, "page": 1})
    async with MoEngageClient(
        "ws-test",
        TEST_API_KEY,
        base_url="http://127.0.0.1:9",  # discard port: nothing listens
        clock=fake_clock,
        retry=RetryPolicy(max_retries=1, testing=True),
    ) as offline:
        with pytest.raises(ConnectError) as refused:
            await pause(offline)
        texts += [str(refused.value), repr(refused.value), repr(offline)]
    auth = recorder.requests[0].headers["Authorization"]
    texts += [r.getMessage() for r in caplog.records]
    texts += [repr(r.args) for r in caplog.records]
    assert len(caplog.records) >= 2  # the retries were logged
    for secret in (TEST_API_KEY, auth, auth.removeprefix("Basic ")):
        leaked = [t for t in texts if secret in t]
        assert leaked == []


@pytest.mark.parametrize("retry_after", ["1000000000", "3600"])
async def test_an_absurd_retry_after_blocks_the_budget_only_up_to_the_cap(
    recorder: RecordingServer,
    fake_clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    retry_after: str,
) -> None:
    """A 429's Retry-After beyond max_retry_after_s holds the shared budget for the
    cap at most (and says so); the refused call itself fails at once."""
    recorder.reply("POST", STATUS, 429, V1_429, headers={"Retry-After": retry_after})
    recorder.reply("POST", STATUS, 200)
    policy = RetryPolicy(testing=True, max_retry_after_s=5.0)
    async with MoEngageClient(
        "ws-test", TEST_API_KEY, base_url=recorder.url, clock=fake_clock, retry=policy
    ) as client:
        with pytest.raises(RateLimitError) as info:
            await pause(client)
        assert info.value.retry_after == float(retry_after)
        started = fake_clock.now()
        async with autojump(fake_clock):
            await pause(client)  # the next caller of the budget waits the cap only
        waited = fake_clock.now() - started
    assert 0.0 < waited <= 5.0 + 1e-6
    assert len(recorder.requests) == 2
    assert "exceeds max_retry_after_s" in caplog.text


async def test_a_first_attempt_refusal_left_nothing_unanswered(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A refusal of the first attempt says no earlier attempt went unanswered."""
    recorder.reply("POST", STATUS, 400, V1_400)
    with pytest.raises(BadRequestError) as info:
        await pause(v1_client)
    assert info.value.unanswered_attempts == 0


async def test_a_refusal_after_a_5xx_counts_the_unanswered_attempt(
    v1_client: MoEngageClient, recorder: RecordingServer, fake_clock: FakeClock
) -> None:
    """After a 5xx (which may have been applied), the final refusal says one earlier
    attempt went unanswered: the call may have taken effect."""
    recorder.reply("POST", STATUS, 500, V1_500)
    recorder.reply("POST", STATUS, 400, V1_400)
    async with autojump(fake_clock):
        with pytest.raises(BadRequestError) as info:
            await pause(v1_client)
    assert info.value.unanswered_attempts == 1
    assert len(recorder.requests) == 2
