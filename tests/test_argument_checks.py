"""Bad input never leaves the process: every case raises ``PayloadValidationError``
(a ``ValueError`` in the library's tree) naming the argument, and the recording
server on 127.0.0.1 saw nothing. The limits are in docs/design.md."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from moengage_async import MoEngageClient, MoEngageError, PayloadValidationError
from tests.recording_server import TEST_API_KEY, RecordingServer
from tests.test_bulk_create_fake import push
from tests.v5_support import CID, push_draft

Call = Callable[[MoEngageClient], Awaitable[Any]]

LONG = "x" * 1_000_000
BAD_IDS = [
    pytest.param("c\n1", id="newline"),
    pytest.param("c\x001", id="nul"),
    pytest.param(LONG, id="1MB"),
    pytest.param("x" * 129, id="129-chars"),
    pytest.param("   ", id="whitespace"),
    pytest.param("", id="empty"),
    pytest.param(None, id="None"),
    pytest.param(7, id="int"),
]
BAD_TIMEOUTS = [
    pytest.param(-1, id="negative"),
    pytest.param(0, id="zero"),
    pytest.param("5", id="string"),
    pytest.param(math.nan, id="nan"),
    pytest.param(math.inf, id="inf"),
    pytest.param(10**9, id="over-a-day"),
    pytest.param(True, id="bool"),
]
BAD_REQUEST_IDS = [p for p in BAD_IDS if p.id not in ("None",)]


def _without(body: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in names}


def _draft_mapping(**changes: Any) -> dict[str, Any]:
    import msgspec

    body: dict[str, Any] = msgspec.to_builtins(push_draft())
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _calls_with_id(campaign_id: Any) -> list[Any]:
    return [
        pytest.param(lambda c: c.v5.get_campaign(campaign_id), id="v5.get_campaign"),
        pytest.param(lambda c: c.v5.validate(campaign_id), id="v5.validate"),
        pytest.param(
            lambda c: c.v5.change_status(campaign_id, "PAUSE"), id="v5.change_status"
        ),
        pytest.param(
            lambda c: c.v5.update_draft(campaign_id, {"basic_details": {"name": "n"}}),
            id="v5.update_draft",
        ),
        pytest.param(lambda c: c.v5.publish(campaign_id), id="v5.publish"),
        pytest.param(
            lambda c: c.update_campaign(campaign_id, {"updated_by": "a@b.c"}),
            id="v1.update_campaign",
        ),
        pytest.param(lambda c: c.child_campaigns(campaign_id), id="v1.child_campaigns"),
        pytest.param(lambda c: c.change_status("PAUSE", [campaign_id]), id="v1.status"),
        pytest.param(lambda c: c.pause(campaign_id), id="client.pause"),
    ]


CASES: list[Any] = []
CASES += [
    pytest.param(call.values[0], id=f"{call.id}-id-{bad_id.id}")
    for bad_id in BAD_IDS
    for call in _calls_with_id(bad_id.values[0])
]
for bad in BAD_TIMEOUTS:
    value = bad.values[0]
    CASES += [
        pytest.param(
            lambda c, t=value: c.search_campaigns({"limit": 1, "page": 1}, timeout=t),
            id=f"v1.search-timeout-{bad.id}",
        ),
        pytest.param(
            lambda c, t=value: c.v5.get_campaign(CID, timeout=t),
            id=f"v5.get_campaign-timeout-{bad.id}",
        ),
        pytest.param(
            lambda c, t=value: c.bulk_change_status("PAUSE", ["a"], timeout=t),
            id=f"bulk_change_status-timeout-{bad.id}",
        ),
    ]
for bad in BAD_REQUEST_IDS:
    value = bad.values[0]
    CASES += [
        pytest.param(
            lambda c, r=value: c.create_campaign(push("n"), request_id=r),
            id=f"v1.create-request_id-{bad.id}",
        ),
        pytest.param(
            lambda c, r=value: c.create_campaign({**push("n"), "request_id": r}),
            id=f"v1.create-embedded-request_id-{bad.id}",
        ),
        pytest.param(
            lambda c, r=value: c.change_status("PAUSE", ["a"], request_id=r),
            id=f"v1.status-request_id-{bad.id}",
        ),
        pytest.param(
            lambda c, r=value: c.v5.get_campaign(CID, request_id=r),
            id=f"v5.get_campaign-request_id-{bad.id}",
        ),
    ]
CASES += [
    pytest.param(lambda c: c.change_status("PAUSE", None), id="v1.status-ids-None"),
    pytest.param(lambda c: c.change_status("PAUSE", 5), id="v1.status-ids-int"),
    pytest.param(
        lambda c: c.bulk_change_status("PAUSE", None), id="bulk_status-ids-None"
    ),
    pytest.param(lambda c: c.bulk_change_status("PAUSE", "abc"), id="bulk_status-str"),
    pytest.param(lambda c: c.bulk_create(None, job_id="j"), id="bulk_create-None"),
    pytest.param(lambda c: c.bulk_create(5, job_id="j"), id="bulk_create-int"),
    pytest.param(
        lambda c: c.search_campaigns({"limit": 1, "page": 1}, priority="x"),
        id="priority-str",
    ),
    pytest.param(lambda c: c.v5.get_campaign(CID, priority=1), id="priority-int"),
    pytest.param(
        lambda c: c.bulk_change_status("PAUSE", ["a"], priority="x"),
        id="bulk_status-priority-str",
    ),
    pytest.param(
        lambda c: c.create_campaign(_without(push("n"), "scheduling_details")),
        id="v1.create-missing-scheduling_details",
    ),
    pytest.param(
        lambda c: c.create_campaign(_without(push("n"), "created_by")),
        id="v1.create-missing-created_by",
    ),
    pytest.param(
        lambda c: c.create_campaign(
            {**_without(push("n"), "campaign_content"), "channel": "EMAIL"}
        ),
        id="v1.create-email-missing-content-and-connector",
    ),
    pytest.param(
        lambda c: c.v5.create_draft(_draft_mapping(created_by=None)),
        id="v5.create-missing-created_by",
    ),
    pytest.param(
        lambda c: c.v5.create_draft(_draft_mapping(campaign_delivery_type=None)),
        id="v5.create-missing-delivery-type",
    ),
]


@pytest.mark.parametrize("call", CASES)
async def test_bad_input_is_refused_and_nothing_is_sent(
    v1_client: MoEngageClient, recorder: RecordingServer, call: Call
) -> None:
    """Refused with a ``PayloadValidationError``; the server saw no request."""
    with pytest.raises(PayloadValidationError) as caught:
        await call(v1_client)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, MoEngageError)
    assert len(str(caught.value)) < 400  # never echoes a 1 MB value
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        pytest.param({"workspace_id": "ws{x}"}, "workspace_id", id="ws-brace"),
        pytest.param({"workspace_id": "ws/x"}, "workspace_id", id="ws-slash"),
        pytest.param({"workspace_id": "ws x"}, "workspace_id", id="ws-space"),
        pytest.param({"workspace_id": "ws\n"}, "workspace_id", id="ws-newline"),
        pytest.param({"workspace_id": "  "}, "workspace_id", id="ws-blank"),
        pytest.param({"workspace_id": "w" * 129}, "workspace_id", id="ws-long"),
        pytest.param({"data_center": "99"}, "data_center", id="dc-99"),
        pytest.param({"data_center": 1}, "data_center", id="dc-int"),
        pytest.param({"base_url": "notaurl"}, "base_url", id="url-no-scheme"),
        pytest.param({"base_url": "ftp://h"}, "base_url", id="url-ftp"),
        pytest.param({"base_url": "http://"}, "base_url", id="url-no-host"),
        pytest.param({"base_url": "http://h:99999"}, "base_url", id="url-bad-port"),
        pytest.param({"timeout": -1}, "timeout", id="timeout-negative"),
        pytest.param({"timeout": math.nan}, "timeout", id="timeout-nan"),
        pytest.param({"timeout": "5"}, "timeout", id="timeout-str"),
    ],
)
def test_the_client_refuses_bad_settings(kwargs: dict[str, Any], named: str) -> None:
    """The constructor names the bad setting; no client, so nothing can be sent."""
    settings: dict[str, Any] = {"workspace_id": "ws", "api_key": TEST_API_KEY}
    settings.update(kwargs)
    with pytest.raises(PayloadValidationError, match=named) as caught:
        MoEngageClient(**settings)
    assert TEST_API_KEY not in str(caught.value)


@pytest.mark.parametrize(
    "campaign_id",
    [
        pytest.param(CID, id="24-hex"),
        pytest.param("campaign-with_odd.chars~1", id="any-printable"),
        pytest.param("x" * 128, id="128-chars"),
    ],
)
async def test_ids_within_the_limits_are_sent(
    v1_client: MoEngageClient, recorder: RecordingServer, campaign_id: str
) -> None:
    """The checks refuse only what the limits say: these ids go out, quoted."""
    recorder.reply("POST", "/core-services/v1/campaigns/status", 200, {})
    await v1_client.change_status("PAUSE", [campaign_id], timeout=5)
    assert recorder.requests[0].json["campaign_ids"] == [campaign_id]
