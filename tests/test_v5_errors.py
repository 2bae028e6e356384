"""Every V5 operation's documented errors, from the sandbox, as our exceptions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import msgspec
import pytest

from moengage_async import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FakeClock,
    MoEngageClient,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    UnlimitedLimiter,
    UnprocessableEntityError,
)
from moengage_async.models import v5
from moengage_async.sandbox import Sandbox
from tests.v5_support import inline_test, preview_request, publishable_patch, push_draft

UNKNOWN = "0" * 24
Call = Callable[[MoEngageClient, str], Awaitable[Any]]


@pytest.fixture
async def client(moengage_sandbox: Sandbox) -> AsyncIterator[MoEngageClient]:
    """A sandbox client that gives up at once: errors surface as raised."""
    async with moengage_sandbox.client(retry=RetryPolicy(max_retries=0)) as c:
        yield c


async def _search(client: MoEngageClient, _: str) -> Any:
    return await client.v5.search().collect()


#: One call per operation; the ``str`` is an existing draft's id.
EVERY_OPERATION: dict[str, Call] = {
    "create_draft": lambda c, _: c.v5.create_draft(push_draft()),
    "get_campaign": lambda c, cid: c.v5.get_campaign(cid),
    "update_draft": lambda c, cid: c.v5.update_draft(cid, publishable_patch()),
    "publish": lambda c, cid: c.v5.publish(cid),
    "validate": lambda c, cid: c.v5.validate(cid),
    "change_status": lambda c, cid: c.v5.change_status(cid, "PAUSE"),
    "search": _search,
    "meta": lambda c, _: c.v5.meta(),
    "test": lambda c, _: c.v5.test(inline_test()),
    "personalized_preview": lambda c, _: c.v5.personalized_preview(preview_request()),
}


@pytest.mark.parametrize("call", list(EVERY_OPERATION.values()), ids=EVERY_OPERATION)
async def test_a_wrong_api_key_is_an_authentication_error(
    moengage_sandbox: Sandbox, call: Call
) -> None:
    """401 UNAUTHORIZED on any operation raises AuthenticationError."""
    (cid,) = moengage_sandbox.seed_campaigns(1, api=5, status="DRAFT")
    async with moengage_sandbox.client(api_key="wrong") as client:
        with pytest.raises(AuthenticationError) as caught:
            await call(client, cid)
    assert (caught.value.status, caught.value.code) == (401, "UNAUTHORIZED")


async def test_a_schema_violation_is_a_validation_failed_bad_request(
    client: MoEngageClient,
) -> None:
    """A create body the spec refuses is 400 VALIDATION_FAILED naming the field."""
    draft = {
        "channel": "PUSH",
        "campaign_delivery_type": "ONE_TIME",
        "created_by": "owner@example.com",
        "basic_details": {"name": 7},
    }
    with pytest.raises(BadRequestError) as caught:
        await client.v5.create_draft(draft)
    assert caught.value.code == "VALIDATION_FAILED"
    assert caught.value.target is not None
    assert "basic_details" in caught.value.target


_BAD_DATES = {"created_date": {"from_date": "x", "to_date": "y"}}


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c, _: c.v5.get_campaign("nope"), id="get"),
        pytest.param(lambda c, _: c.v5.validate("nope"), id="validate"),
        pytest.param(lambda c, _: c.v5.change_status("nope", "STOP"), id="status"),
        pytest.param(
            lambda c, cid: c.v5.update_draft(
                cid, {"advanced": {"expiration_settings": 5}}
            ),
            id="update-bad-component",
        ),
        pytest.param(
            lambda c, _: c.v5.search(_BAD_DATES).collect(), id="search-bad-date"
        ),
        pytest.param(lambda c, _: c.v5.meta(_BAD_DATES), id="meta-bad-date"),
        pytest.param(
            lambda c, _: c.v5.test(
                inline_test(campaign_content=None, draft_id=UNKNOWN)
            ),
            id="test-unknown-draft",
        ),
        pytest.param(
            lambda c, _: c.v5.personalized_preview(
                msgspec.structs.replace(
                    preview_request(),
                    user_identification=v5.UserIdentification(
                        type="NICKNAME", value="x"
                    ),
                )
            ),
            id="preview-unknown-identifier",
        ),
    ],
)
async def test_a_refused_request_is_a_bad_request_error(
    moengage_sandbox: Sandbox, client: MoEngageClient, call: Call
) -> None:
    """A 400 from the server raises BadRequestError (nothing is retried)."""
    (draft,) = moengage_sandbox.seed_campaigns(1, api=5, status="DRAFT")
    with pytest.raises(BadRequestError) as caught:
        await call(client, draft)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: c.v5.get_campaign(UNKNOWN), id="get"),
        pytest.param(lambda c: c.v5.validate(UNKNOWN), id="validate"),
        pytest.param(
            lambda c: c.v5.update_draft(UNKNOWN, publishable_patch()), id="update"
        ),
        pytest.param(lambda c: c.v5.publish(UNKNOWN), id="publish"),
        pytest.param(lambda c: c.v5.change_status(UNKNOWN, "STOP"), id="status"),
    ],
)
async def test_an_unknown_campaign_is_not_found(
    client: MoEngageClient, call: Callable[[MoEngageClient], Awaitable[Any]]
) -> None:
    """404 NOT_FOUND raises NotFoundError."""
    with pytest.raises(NotFoundError) as caught:
        await call(client)
    assert caught.value.code == "NOT_FOUND"


@pytest.mark.parametrize(
    ("scopes", "call"),
    [
        pytest.param(
            "campaigns:create_manage",
            lambda c, cid: c.v5.publish(cid),
            id="publish-needs-publish-scope",
        ),
        pytest.param(
            "campaigns:view",
            lambda c, cid: c.v5.update_draft(cid, publishable_patch()),
            id="patch-needs-manage-scope",
        ),
    ],
)
async def test_a_missing_permission_is_permission_denied(
    moengage_sandbox: Sandbox, scopes: str, call: Call
) -> None:
    """403 FORBIDDEN (the gateway's X-MOE-Scopes lacks it) raises PermissionDenied."""
    async with moengage_sandbox.client() as plain:
        cid = (await plain.v5.create_draft(push_draft())).id
        await plain.v5.update_draft(cid, publishable_patch())
    # The gateway injects X-MOE-Scopes; a session default header plays its part.
    async with (
        aiohttp.ClientSession(headers={"X-MOE-Scopes": scopes}) as session,
        moengage_sandbox.client(session=session) as client,
    ):
        with pytest.raises(PermissionDeniedError) as caught:
            await call(client, cid)
    assert caught.value.code == "FORBIDDEN"
    assert moengage_sandbox.campaign(cid).status == "DRAFT"


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda c, cid: c.v5.update_draft(cid, publishable_patch()), id="update"
        ),
        pytest.param(lambda c, cid: c.v5.publish(cid), id="publish"),
    ],
)
async def test_patching_a_live_campaign_is_a_conflict(
    moengage_sandbox: Sandbox, client: MoEngageClient, call: Call
) -> None:
    """409 on a non-DRAFT campaign raises ConflictError (docs/api-notes.md C5)."""
    (cid,) = moengage_sandbox.seed_campaigns(1, api=5)
    with pytest.raises(ConflictError) as caught:
        await call(client, cid)
    assert caught.value.status == 409


async def test_a_test_key_reused_for_another_body_is_a_conflict(
    client: MoEngageClient,
) -> None:
    """On the test endpoint a reused key with a new body is 409 ConflictError."""
    key = "8c0a4c1e-6c43-4d55-9d43-2f1b9e0a7f11"
    await client.v5.test(inline_test(), idempotency_key=key)
    other = inline_test(
        test_campaign_meta=v5.TestCampaignMeta(
            identifier="USER_ATTRIBUTE_UNIQUE_ID", identifier_values=["other"]
        )
    )
    with pytest.raises(ConflictError):
        await client.v5.test(other, idempotency_key=key)


async def test_an_invalid_transition_is_unprocessable(
    moengage_sandbox: Sandbox, client: MoEngageClient
) -> None:
    """STOP on a Periodic campaign is 422 UnprocessableEntityError, nothing changes."""
    (cid,) = moengage_sandbox.seed_campaigns(1, api=5, delivery_type="PERIODIC")
    with pytest.raises(UnprocessableEntityError) as caught:
        await client.v5.change_status(cid, "STOP")
    assert caught.value.code == "UNPROCESSABLE_ENTITY"
    assert moengage_sandbox.campaign(cid).status == "ACTIVE"


async def test_publishing_an_incomplete_draft_is_unprocessable(
    client: MoEngageClient,
) -> None:
    """A draft that fails publish validation raises UnprocessableEntityError."""
    cid = (await client.v5.create_draft(push_draft())).id
    with pytest.raises(UnprocessableEntityError) as caught:
        await client.v5.publish(cid)
    assert caught.value.target == "segmentation_details"


@pytest.mark.parametrize(
    ("budgets", "call"),
    [
        pytest.param(
            "status:=1/60",
            lambda c, cid: c.v5.change_status(cid, "PAUSE"),
            id="status",
        ),
        pytest.param(
            "create_requests:=1/60",
            lambda c, _: c.v5.create_draft(push_draft()),
            id="create",
        ),
        pytest.param(
            "preview:=1/60",
            lambda c, _: c.v5.personalized_preview(preview_request()),
            id="preview",
        ),
    ],
)
async def test_a_429_carries_retry_after(budgets: str, call: Call) -> None:
    """429 RATE_LIMITED raises RateLimitError with Retry-After in seconds."""
    async with Sandbox(budgets=budgets, clock=FakeClock()) as sandbox:
        ids = sandbox.seed_campaigns(2, api=5, delivery_type="PERIODIC")
        async with sandbox.client(
            limiter=UnlimitedLimiter(), retry=RetryPolicy(max_retries=0)
        ) as client:
            await call(client, ids[0])
            with pytest.raises(RateLimitError) as caught:
                await call(client, ids[1])
    assert (caught.value.code, caught.value.retry_after) == ("RATE_LIMITED", 60.0)
    assert caught.value.local is False
