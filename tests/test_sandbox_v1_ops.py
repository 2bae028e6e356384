"""Every V1 operation: documented success shapes and the rules behind them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from conftest import SandboxHTTP, spec_example

from moengage_async import FakeClock

V1 = "/core-services/v1"


def push_create(request_id: str = "create-1") -> dict[str, Any]:
    """A complete V1 Push create body (the spec's example plus ``advanced``)."""
    body = spec_example(1, "POST", "/campaigns", "push_one_time_android_ios")
    body["advanced"] = {}
    body["request_id"] = request_id
    return dict(body)


def email_create(request_id: str = "create-e") -> dict[str, Any]:
    """A complete V1 Email create body (the spec's example)."""
    body = spec_example(1, "POST", "/campaigns", "email_one_time_promotional")
    body["request_id"] = request_id
    return dict(body)


def _paging(**extra: Any) -> dict[str, Any]:
    return {"request_id": "s", "limit": 15, "page": 1, **extra}


async def test_create_answers_201_with_a_live_campaign(
    sandbox_http: SandboxHTTP,
) -> None:
    """V1 create returns ``campaign_id``; a One-time campaign lands SCHEDULED."""
    code, body, _ = await sandbox_http.call("POST", f"{V1}/campaigns", push_create())
    assert code == 201
    assert sandbox_http.sandbox.campaign(body["campaign_id"]).status == "SCHEDULED"


async def test_an_email_create_is_accepted(sandbox_http: SandboxHTTP) -> None:
    """The Email variant of the discriminated create body is accepted too."""
    code, body, _ = await sandbox_http.call("POST", f"{V1}/campaigns", email_create())
    assert code == 201
    assert sandbox_http.sandbox.campaign(body["campaign_id"]).channel == "EMAIL"


async def test_a_create_missing_a_channel_component_is_a_400(
    sandbox_http: SandboxHTTP,
) -> None:
    """Push create without ``advanced`` (required by the Push schema) is refused."""
    body = push_create()
    del body["advanced"]
    code, answer, _ = await sandbox_http.call("POST", f"{V1}/campaigns", body)
    assert (code, answer["error"]["target"]) == (400, "advanced")


@pytest.mark.moengage_sandbox(clock=FakeClock())
async def test_a_resent_request_id_returns_the_first_campaign(
    sandbox_http: SandboxHTTP,
) -> None:
    """Inside the reuse window a resend answers 201 with the original id."""
    first = await sandbox_http.call("POST", f"{V1}/campaigns", push_create("dup"))
    again = await sandbox_http.call("POST", f"{V1}/campaigns", push_create("dup"))
    assert again[:2] == first[:2]
    assert len(sandbox_http.sandbox.state.store) == 1


@pytest.mark.moengage_sandbox(clock=FakeClock())
async def test_a_replayed_create_spends_requests_but_not_success_quota(
    sandbox_http: SandboxHTTP,
) -> None:
    """A replay counts against ``create_requests`` only, never ``create_success``."""
    for _ in range(3):
        await sandbox_http.call("POST", f"{V1}/campaigns", push_create("dup"))
    ledger = sandbox_http.sandbox.ledger
    assert len(ledger.budget("create_requests").accepted) == 3
    assert len(ledger.budget("create_success").accepted) == 1


@pytest.mark.moengage_sandbox(clock=FakeClock())
async def test_a_push_request_id_is_free_again_after_an_hour(
    sandbox_http: SandboxHTTP,
) -> None:
    """Past the 1 h Push window, the same request_id creates a second campaign."""
    clock = sandbox_http.sandbox.state.clock
    assert isinstance(clock, FakeClock)
    first = await sandbox_http.call("POST", f"{V1}/campaigns", push_create("dup"))
    clock.advance(3600.0)
    again = await sandbox_http.call("POST", f"{V1}/campaigns", push_create("dup"))
    assert again[1]["campaign_id"] != first[1]["campaign_id"]


@pytest.mark.moengage_sandbox(clock=FakeClock())
async def test_an_email_request_id_stays_taken_for_a_day(
    sandbox_http: SandboxHTTP,
) -> None:
    """An Email request_id still replays just before 24 h have passed."""
    clock = sandbox_http.sandbox.state.clock
    assert isinstance(clock, FakeClock)
    first = await sandbox_http.call("POST", f"{V1}/campaigns", email_create("e"))
    clock.advance(86399.0)
    again = await sandbox_http.call("POST", f"{V1}/campaigns", email_create("e"))
    assert again[1] == first[1]


async def test_after_a_failed_create_the_same_request_id_creates(
    sandbox_http: SandboxHTTP,
) -> None:
    """A 400'd creation leaves nothing behind: retrying its request_id creates."""
    bad = push_create("retry-me")
    del bad["advanced"]
    assert (await sandbox_http.call("POST", f"{V1}/campaigns", bad))[0] == 400
    code, _, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns", push_create("retry-me")
    )
    assert code == 201


@pytest.mark.moengage_sandbox(
    budgets="create_success:=2/60;create_requests:=100/1", clock=FakeClock()
)
async def test_the_success_quota_refuses_the_third_creation(
    sandbox_http: SandboxHTTP,
) -> None:
    """With 2 successes per minute, a third distinct creation is a 429."""
    codes = [
        (await sandbox_http.call("POST", f"{V1}/campaigns", push_create(f"c{i}")))[0]
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert len(sandbox_http.sandbox.state.store) == 2
    assert len(sandbox_http.sandbox.ledger.budget("create_success").rejected) == 1


async def test_update_replaces_whole_components_and_answers_204(
    sandbox_http: SandboxHTTP,
) -> None:
    """PATCH answers 204 and a sent component replaces the stored one."""
    (cid,) = sandbox_http.sandbox.seed_campaigns(1)
    body = {
        "request_id": "u",
        "updated_by": "ed@example.com",
        "utm_params": {"utm_source": "sandbox", "utm_medium": "push"},
    }
    code, answer, _ = await sandbox_http.call("PATCH", f"{V1}/campaigns/{cid}", body)
    assert (code, answer) == (204, None)
    assert sandbox_http.sandbox.campaign(cid).body["utm_params"] == body["utm_params"]


async def test_a_stopped_campaign_cannot_be_updated(sandbox_http: SandboxHTTP) -> None:
    """PATCH on a STOPPED campaign is a 400 naming the campaign."""
    (cid,) = sandbox_http.sandbox.seed_campaigns(1, status="STOPPED")
    body = {"request_id": "u", "updated_by": "ed@example.com"}
    code, answer, _ = await sandbox_http.call("PATCH", f"{V1}/campaigns/{cid}", body)
    assert (code, answer["error"]["target"]) == (400, "campaign_id")


async def test_an_active_campaign_keeps_its_segmentation(
    sandbox_http: SandboxHTTP,
) -> None:
    """ACTIVE campaigns refuse a new ``segmentation_details`` (docs/api-notes.md §7)."""
    (cid,) = sandbox_http.sandbox.seed_campaigns(1, status="ACTIVE")
    body = {
        "request_id": "u",
        "updated_by": "ed@example.com",
        "segmentation_details": push_create()["segmentation_details"],
    }
    code, answer, _ = await sandbox_http.call("PATCH", f"{V1}/campaigns/{cid}", body)
    assert (code, answer["error"]["target"]) == (400, "segmentation_details")


async def test_search_pages_a_bare_array_and_ends_with_a_short_page(
    sandbox_http: SandboxHTTP,
) -> None:
    """20 campaigns at limit 15: a full first page, then a page of 5."""
    sandbox_http.sandbox.seed_campaigns(20)
    first = await sandbox_http.call("POST", f"{V1}/campaigns/search", _paging())
    second = await sandbox_http.call("POST", f"{V1}/campaigns/search", _paging(page=2))
    assert (len(first[1]), len(second[1])) == (15, 5)


@pytest.mark.parametrize("version", [1, 5])
async def test_search_takes_a_whole_float_as_limit_and_page(
    sandbox_http: SandboxHTTP, version: int
) -> None:
    """``limit: 2.0, page: 2.0`` is valid JSON Schema integers: the second page of 2."""
    sandbox_http.sandbox.seed_campaigns(3, api=version)
    path = f"{V1}/campaigns/search" if version == 1 else "/v5/campaigns/search"
    body = {"request_id": "r-float", "limit": 2.0, "page": 2.0}
    key = str(uuid.uuid4()) if version == 5 else None
    code, answer, _ = await sandbox_http.call("POST", path, body, key=key)
    assert code == 200, answer
    rows = answer if version == 1 else answer["data"]["campaigns"]
    assert len(rows) == 1


async def test_search_filters_by_name_status_and_tags(
    sandbox_http: SandboxHTTP,
) -> None:
    """``campaign_fields`` narrow the rows: partial name, status list and tags."""
    sandbox = sandbox_http.sandbox
    sandbox.seed_campaigns(2, name="spring", tags=["sale"])
    (paused,) = sandbox.seed_campaigns(1, name="spring", status="PAUSED", tags=["sale"])
    sandbox.seed_campaigns(2, name="autumn", tags=["sale"])
    fields = {"name": "SPRI", "status": ["PAUSED"], "tags": ["sale"]}
    _, rows, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/search", _paging(campaign_fields=fields)
    )
    assert [r["campaign_id"] for r in rows] == [paused]


async def test_search_leaves_out_archived_campaigns_unless_asked(
    sandbox_http: SandboxHTTP,
) -> None:
    """Archived campaigns appear only with ``include_archive_campaigns: true``."""
    sandbox_http.sandbox.seed_campaigns(1, status="ARCHIVED")
    _, plain, _ = await sandbox_http.call("POST", f"{V1}/campaigns/search", _paging())
    _, wide, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/search", _paging(include_archive_campaigns=True)
    )
    assert (len(plain), len(wide)) == (0, 1)


async def test_v1_search_never_shows_v5_drafts(sandbox_http: SandboxHTTP) -> None:
    """Drafts are a V5 notion: V1 search leaves them out."""
    sandbox_http.sandbox.seed_campaigns(1, status="DRAFT", api=5)
    (live,) = sandbox_http.sandbox.seed_campaigns(1)
    _, rows, _ = await sandbox_http.call("POST", f"{V1}/campaigns/search", _paging())
    assert [r["campaign_id"] for r in rows] == [live]


async def test_v1_search_refuses_a_draft_status_filter(
    sandbox_http: SandboxHTTP,
) -> None:
    """``DRAFT`` is not in V1's status enum: filtering by it is a 400."""
    fields = {"status": ["DRAFT"]}
    code, answer, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/search", _paging(campaign_fields=fields)
    )
    assert (code, answer["error"]["target"]) == (400, "campaign_fields.status.0")


async def test_a_limit_of_16_is_refused(sandbox_http: SandboxHTTP) -> None:
    """``limit`` above 15 is a 400 naming ``limit``."""
    code, answer, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/search", _paging(limit=16)
    )
    assert (code, answer["error"]["target"]) == (400, "limit")


async def test_meta_rows_carry_status_and_reachability(
    sandbox_http: SandboxHTTP,
) -> None:
    """Meta rows hold ``campaign_status``; scheduled One-time rows hold reach."""
    (cid,) = sandbox_http.sandbox.seed_campaigns(1, delivery_type="ONE_TIME")
    fields = {"id": cid}
    _, rows, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/meta", _paging(campaign_fields=fields)
    )
    assert rows[0]["campaign_status"] == "SCHEDULED"
    assert set(rows[0]["reachability_details"]) == {"count", "last_updated_time"}


async def test_meta_accepts_day_first_dates(sandbox_http: SandboxHTTP) -> None:
    """Meta's ``created_date`` may be written DD-MM-YYYY."""
    sandbox_http.sandbox.seed_campaigns(1)
    fields = {"created_date": {"from_date": "01-01-2000", "to_date": "31-12-2999"}}
    _, rows, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/meta", _paging(campaign_fields=fields)
    )
    assert len(rows) == 1


def _push_test(values: list[str]) -> dict[str, Any]:
    body = spec_example(1, "POST", "/campaigns/test", "push_test_basic")
    body["test_campaign_meta"]["identifier_values"] = values
    return dict(body)


async def test_a_test_send_reports_each_recipient(sandbox_http: SandboxHTTP) -> None:
    """A test answers one ``success`` per identifier value."""
    code, answer, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/test", _push_test(["u1", "u2"])
    )
    assert code == 200
    assert answer["data"] == {"u1": {"status": "success"}, "u2": {"status": "success"}}


async def test_a_test_to_eleven_recipients_is_refused(
    sandbox_http: SandboxHTTP,
) -> None:
    """More than 10 test recipients is a 400, on Push too (C10)."""
    values = [f"u{i}" for i in range(11)]
    code, answer, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/test", _push_test(values)
    )
    assert code == 400
    assert answer["error"]["target"] == "test_campaign_meta.identifier_values"


async def test_preview_renders_the_payload(sandbox_http: SandboxHTTP) -> None:
    """Preview answers ``personalized_content.payload``."""
    body = spec_example(1, "POST", "/personalization/preview", "user_attribute_preview")
    code, answer, _ = await sandbox_http.call(
        "POST", f"{V1}/personalization/preview", body
    )
    assert code == 200
    assert answer["personalized_content"]["payload"]


async def test_preview_of_an_empty_payload_is_not_a_500(
    sandbox_http: SandboxHTTP,
) -> None:
    """An empty ``payload`` is still a payload: rendered, never a server error."""
    body = {
        "request_id": "preview_req_cb",
        "personalization_details": {
            "channel": "SMS",
            "user_attributes": {"First Name": "John Doe"},
        },
        "personalization_content": {"payload": {}},
        "user_details": {"identifier": "ID", "identifier_value": "JOHN012"},
    }
    code, answer, _ = await sandbox_http.call(
        "POST", f"{V1}/personalization/preview", body
    )
    assert (code, answer) == (200, {"personalized_content": {"payload": {}}})


async def test_executions_page_through_child_runs(sandbox_http: SandboxHTTP) -> None:
    """Executions list child runs with ``total_instances`` counting them all."""
    sandbox = sandbox_http.sandbox
    (parent,) = sandbox.seed_campaigns(1, delivery_type="PERIODIC")
    sandbox.seed_executions(parent, 4)
    body = {"request_id": "x", "limit": 3, "page": 2}
    code, answer, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/{parent}/executions", body
    )
    assert (code, len(answer["executions"]), answer["total_instances"]) == (200, 1, 4)


async def test_a_one_time_parent_has_no_executions(sandbox_http: SandboxHTTP) -> None:
    """Executions of a One-time campaign are a 400 naming the parent."""
    (parent,) = sandbox_http.sandbox.seed_campaigns(1, delivery_type="ONE_TIME")
    body = {"request_id": "x", "limit": 3, "page": 1}
    code, answer, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/{parent}/executions", body
    )
    assert (code, answer["error"]["target"]) == (400, "parent_campaign_id")


def _gcg() -> dict[str, Any]:
    return {
        "request_id": "g",
        "file_url": "https://bucket.s3.amazonaws.com/users.csv",
        "action_type": "add",
        "updated_by": "ops@example.com",
    }


@pytest.mark.moengage_sandbox(clock=FakeClock(), gcg_job_s=30.0)
async def test_only_one_gcg_file_job_runs_at_a_time(sandbox_http: SandboxHTTP) -> None:
    """A second GCG upload while one is in flight is a 429; later it is accepted."""
    clock = sandbox_http.sandbox.state.clock
    assert isinstance(clock, FakeClock)
    path = f"{V1}/global-control-group/users"
    first = (await sandbox_http.call("PUT", path, _gcg()))[0]
    busy = (await sandbox_http.call("PUT", path, _gcg()))[0]
    clock.advance(30.0)
    later = (await sandbox_http.call("PUT", path, _gcg()))[0]
    assert (first, busy, later) == (204, 429, 204)


async def test_search_rows_carry_the_created_components(
    sandbox_http: SandboxHTTP,
) -> None:
    """A created campaign's components come back in its search row."""
    created = email_create()
    _, made, _ = await sandbox_http.call("POST", f"{V1}/campaigns", created)
    fields = {"id": made["campaign_id"]}
    _, rows, _ = await sandbox_http.call(
        "POST", f"{V1}/campaigns/search", _paging(campaign_fields=fields)
    )
    assert rows[0]["campaign_content"] == created["campaign_content"]
    assert rows[0]["connector"] == created["connector"]
