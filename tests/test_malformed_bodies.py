"""A 2xx whose body is not the documented one: every decoding operation raises
``MalformedResponseError`` (with the status and the body's text), never msgspec's
own errors, against a real HTTP server answering each broken body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from moengage_async import MalformedResponseError, MoEngageClient
from moengage_async.api._decode import RAW_BODY_LIMIT
from moengage_async.models import v1
from tests.recording_server import RecordingServer
from tests.test_v1_operations import push_campaign
from tests.v5_support import CID, inline_test, preview_request, push_draft

P = "/core-services/v1"

Call = Callable[[MoEngageClient], Awaitable[Any]]


async def _first_search_row(client: MoEngageClient) -> Any:
    return [row async for row in client.v5.search(max_items=1)]


def _v1_preview() -> v1.PreviewRequest:
    return v1.PreviewRequest(
        personalization_content=v1.PersonalizationContent(payload={"title": "Hi"}),
        personalization_details=v1.PreviewPersonalizationDetails(channel="PUSH"),
    )


_V1_TEST = {
    "channel": "PUSH",
    "basic_details": {"name": "t"},
    "campaign_content": {"content": {}},
    "test_campaign_meta": {"identifier": "ID", "identifier_values": ["u1"]},
}

#: operation -> (method, path, status, call): every operation that reads its answer.
# fmt: off
_TABLE: dict[str, tuple[str, str, int, Call]] = {
    "v1.create_campaign": ("POST", f"{P}/campaigns", 201,
        lambda c: c.create_campaign(push_campaign())),
    "v1.search_campaigns": ("POST", f"{P}/campaigns/search", 200,
        lambda c: c.search_campaigns({"limit": 5, "page": 1})),
    "v1.test_campaign": ("POST", f"{P}/campaigns/test", 200,
        lambda c: c.test_campaign(_V1_TEST)),
    "v1.personalized_preview": ("POST", f"{P}/personalization/preview", 200,
        lambda c: c.personalized_preview(_v1_preview())),
    "v1.campaign_meta": ("POST", f"{P}/campaigns/meta", 200,
        lambda c: c.campaign_meta({"limit": 5, "page": 1})),
    "v1.child_campaigns": ("POST", f"{P}/campaigns/p-1/executions", 200,
        lambda c: c.child_campaigns("p-1")),
    "v5.create_draft": ("POST", "/v5/campaigns", 201,
        lambda c: c.v5.create_draft(push_draft())),
    "v5.get_campaign": ("GET", f"/v5/campaigns/{CID}", 200,
        lambda c: c.v5.get_campaign(CID)),
    "v5.update_draft": ("PATCH", f"/v5/campaigns/{CID}", 200,
        lambda c: c.v5.update_draft(CID, {"basic_details": {"name": "n"}})),
    "v5.publish": ("PATCH", f"/v5/campaigns/{CID}", 200,
        lambda c: c.v5.publish(CID)),
    "v5.validate": ("POST", f"/v5/campaigns/{CID}/validate", 200,
        lambda c: c.v5.validate(CID)),
    "v5.change_status": ("PATCH", f"/v5/campaigns/{CID}/status", 200,
        lambda c: c.v5.change_status(CID, "PAUSE")),
    "v5.search": ("POST", "/v5/campaigns/search", 200, _first_search_row),
    "v5.meta": ("POST", "/v5/campaigns/meta", 200, lambda c: c.v5.meta()),
    "v5.test": ("POST", "/v5/campaigns/test", 200,
        lambda c: c.v5.test(inline_test())),
    "v5.personalized_preview": ("POST", "/v5/personalization/preview", 200,
        lambda c: c.v5.personalized_preview(preview_request())),
}
# fmt: on
DECODING = [pytest.param(*row, id=op) for op, row in _TABLE.items()]

#: Bodies no operation documents; every key any answer has, with a wrong type.
_WRONG_TYPES = (
    b'{"campaign_id": 7, "data": 7, "personalized_content": 7, "campaigns": 7,'
    b' "results": 7, "executions": 7, "total_instances": "x", "id": 7}'
)
BODIES = [
    pytest.param(b"", id="empty"),
    pytest.param(b'{"campaign_id": "c-1", "data": {"id": "64a1', id="truncated"),
    pytest.param(b"<html><body>502 Bad Gateway</body></html>", id="not-json"),
    pytest.param(b"null", id="null"),
    pytest.param(_WRONG_TYPES, id="wrong-types"),
    pytest.param(b"[7, 8]", id="wrong-shape"),
]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize(("method", "path", "status", "call"), DECODING)
async def test_a_malformed_2xx_body_is_a_malformed_response_error(
    v1_client: MoEngageClient,
    recorder: RecordingServer,
    method: str,
    path: str,
    status: int,
    call: Call,
    body: bytes,
) -> None:
    """The caller gets ``MalformedResponseError`` with the 2xx status and the text."""
    recorder.reply(method, path, status, raw=body)
    with pytest.raises(MalformedResponseError) as caught:
        await call(v1_client)
    error = caught.value
    assert error.status == status
    assert error.raw_body == body.decode()
    assert error.request_id  # ours, to find the call in logs
    assert [(r.method, r.path) for r in recorder.requests] == [(method, path)]


async def test_raw_body_is_bounded(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A huge undocumented body is kept only up to ``RAW_BODY_LIMIT`` characters."""
    recorder.reply("POST", f"{P}/campaigns", 201, raw=b"x" * (RAW_BODY_LIMIT * 50))
    with pytest.raises(MalformedResponseError) as caught:
        await v1_client.create_campaign(push_campaign())
    assert caught.value.raw_body == "x" * RAW_BODY_LIMIT
    assert "may have taken effect" in str(caught.value)


async def test_a_raw_response_keeps_a_malformed_body_readable(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """``with_raw_response``: the body is there; ``parse()`` and ``json()`` raise
    ``MalformedResponseError``, never msgspec's errors."""
    body = b"<html>oops</html>"
    recorder.reply("GET", f"/v5/campaigns/{CID}", 200, raw=body)
    raw = await v1_client.v5.with_raw_response.get_campaign(CID)
    assert (raw.status, raw.body) == (200, body)
    with pytest.raises(MalformedResponseError):
        raw.parse()
    with pytest.raises(MalformedResponseError) as caught:
        raw.json()
    assert caught.value.raw_body == body.decode()
