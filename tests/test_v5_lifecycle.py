"""The V5 draft lifecycle end to end on the sandbox, and refusals before sending."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec
import pytest

from moengage_async import MoEngageClient, PayloadValidationError
from moengage_async.models import v5
from moengage_async.sandbox import Sandbox
from tests.v5_support import (
    email_draft,
    inline_test,
    preview_request,
    publishable_patch,
    push_draft,
)


@pytest.fixture
async def client(moengage_sandbox: Sandbox) -> AsyncIterator[MoEngageClient]:
    """A client pointed at the sandbox."""
    async with moengage_sandbox.client() as c:
        yield c


async def test_draft_validate_publish_stop(
    moengage_sandbox: Sandbox, client: MoEngageClient
) -> None:
    """Create, find it incomplete, complete it, publish, stop: each step once."""
    created = await client.v5.create_draft(push_draft())
    assert created.status == "DRAFT"
    cid = created.id
    first = await client.v5.validate(cid)
    assert not first.valid
    assert {e.field for e in first.errors} >= {"segmentation_details"}
    assert (await client.v5.update_draft(cid, publishable_patch())).id == cid
    assert (await client.v5.validate(cid)).valid
    assert (await client.v5.publish(cid)).id == cid
    live = await client.v5.get_campaign(cid)
    assert (live.status, live.canonical_id) == ("SCHEDULED", cid)
    stopped = await client.v5.change_status(cid, "stop")
    assert (stopped.id, stopped.action) == (cid, "STOP")
    assert (await client.v5.get_campaign(cid)).status == "STOPPED"
    kinds = [a.kind for a in moengage_sandbox.ledger.actions(cid)]
    assert kinds == ["create", "update", "publish", "STOP"]


async def test_a_repeated_create_request_id_returns_the_same_draft(
    moengage_sandbox: Sandbox, client: MoEngageClient
) -> None:
    """V5 create keeps V1's request_id rule: a resend names the first draft."""
    first = await client.v5.create_draft(push_draft(), request_id="order-42")
    again = await client.v5.create_draft(push_draft(), request_id="order-42")
    assert again.id == first.id
    assert len(moengage_sandbox.state.store) == 1


async def test_an_email_draft_is_created(client: MoEngageClient) -> None:
    """The spec's Email draft is accepted as a DRAFT."""
    created = await client.v5.create_draft(email_draft())
    assert (await client.v5.get_campaign(created.id)).channel == "EMAIL"


async def test_the_client_has_one_v5_namespace(client: MoEngageClient) -> None:
    """``client.v5`` is created once and reused."""
    assert client.v5 is client.v5


async def test_a_draft_mode_test_reports_per_platform(client: MoEngageClient) -> None:
    """Draft mode sends channel + draft_id and gets one result per platform."""
    cid = (await client.v5.create_draft(push_draft())).id
    meta = v5.TestCampaignMeta(
        identifier="USER_ATTRIBUTE_UNIQUE_ID", identifier_values=["u1"]
    )
    result = await client.v5.test(
        v5.PushTestRequest(draft_id=cid, test_campaign_meta=meta)
    )
    assert {k: v.status for k, v in result.data.items()} == {
        "ANDROID_default_1": "SENT"
    }


async def test_an_inline_test_is_sent(client: MoEngageClient) -> None:
    """Inline mode answers a result and a message."""
    result = await client.v5.test(inline_test())
    assert result.message
    assert all(r.status == "SENT" for r in result.data.values())


async def test_a_preview_renders_the_content_sent(client: MoEngageClient) -> None:
    """Preview returns the content (the sandbox renders by echoing it)."""
    request = preview_request()
    result = await client.v5.personalized_preview(request)
    assert result.content == msgspec.to_builtins(request.campaign_content)


async def test_meta_answers_rows_with_versions(
    moengage_sandbox: Sandbox, client: MoEngageClient
) -> None:
    """Meta filters by V1's ``id`` key and answers ``version_number``."""
    (cid,) = moengage_sandbox.seed_campaigns(1, api=5)
    moengage_sandbox.seed_campaigns(2, api=5)
    (row,) = await client.v5.meta(v5.MetaFields(id=cid))
    assert (row.campaign_id, row.version_number) == (cid, 1)


Call = Callable[[MoEngageClient], Awaitable[Any]]
_META = v5.TestCampaignMeta(
    identifier="USER_ATTRIBUTE_UNIQUE_ID", identifier_values=["u"]
)
_DRAFT_ID = "64a1b2c3d4e5f6a7b8c9d0e1"

REFUSED: dict[str, tuple[Call, str]] = {
    "publish-mixed-mapping": (
        lambda c: c.v5.publish(_DRAFT_ID, {"status": "PUBLISH", "advanced": {}}),
        "only change",
    ),
    "publish-mixed-extra": (
        lambda c: c.v5.publish(_DRAFT_ID, v5.PublishRequest(extra={"advanced": {}})),
        "only change",
    ),
    "publish-other-status": (
        lambda c: c.v5.publish(_DRAFT_ID, {"status": "ACTIVE"}),
        "PUBLISH",
    ),
    "patch-sets-status": (
        lambda c: c.v5.update_draft(_DRAFT_ID, {"status": "PUBLISH"}),
        "publish",
    ),
    "patch-empty": (lambda c: c.v5.update_draft(_DRAFT_ID, {}), "at least one"),
    "request-id-with-control-character": (
        lambda c: c.v5.create_draft(push_draft(), request_id="a\x1fb"),
        "control characters",
    ),
    "live-activity-draft": (
        lambda c: c.v5.create_draft(
            push_draft(campaign_delivery_type="BROADCAST_LIVE_ACTIVITY")
        ),
        "BROADCAST_LIVE_ACTIVITY",
    ),
    "email-device-triggered": (
        lambda c: c.v5.create_draft(
            msgspec.structs.replace(
                email_draft(),
                campaign_delivery_type=v5.CampaignDeliveryType.DEVICE_TRIGGERED,
            )
        ),
        "Email",
    ),
    "draft-without-creator": (
        lambda c: c.v5.create_draft(
            {"channel": "PUSH", "campaign_delivery_type": "ONE_TIME"}
        ),
        "created_by",
    ),
    "test-eleven-recipients": (
        lambda c: c.v5.test(
            inline_test(
                test_campaign_meta=v5.TestCampaignMeta(
                    identifier="EMAIL", identifier_values=[f"u{i}" for i in range(11)]
                )
            )
        ),
        "1 to 10",
    ),
    "test-draft-with-content": (
        lambda c: c.v5.test(inline_test(draft_id=_DRAFT_ID)),
        "campaign_content",
    ),
    "test-draft-without-channel": (
        lambda c: c.v5.test(
            {"draft_id": _DRAFT_ID, "test_campaign_meta": msgspec.to_builtins(_META)}
        ),
        "channel",
    ),
    "test-inline-without-content": (
        lambda c: c.v5.test(inline_test(campaign_content=None)),
        "campaign_content",
    ),
    "meta-search-key": (
        lambda c: c.v5.meta({"campaign_delivery_type": ["PERIODIC"]}),
        "C19",
    ),
    "meta-bad-limit": (lambda c: c.v5.meta(limit=16), "limit"),
    "status-unknown-action": (
        lambda c: c.v5.change_status(_DRAFT_ID, "PUBLISH"),
        "STOP, PAUSE or RESUME",
    ),
    "preview-without-user": (
        lambda c: c.v5.personalized_preview(
            {"channel": "PUSH", "campaign_content": {}}
        ),
        "user_identification",
    ),
    "wrong-model": (lambda c: c.v5.create_draft(publishable_patch()), "expects"),
}


@pytest.mark.parametrize("name", list(REFUSED))
async def test_bad_input_is_refused_before_sending(
    moengage_sandbox: Sandbox, client: MoEngageClient, name: str
) -> None:
    """PayloadValidationError names the problem; the sandbox sees no request."""
    call, message = REFUSED[name]
    with pytest.raises(PayloadValidationError, match=message):
        await call(client)
    assert moengage_sandbox.ledger.requests() == []
