"""``client.v5.search``: every match exactly once, lazily, one page in memory."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from moengage_async import (
    BadRequestError,
    MemoryLimiter,
    MoEngageClient,
    PayloadValidationError,
    Permit,
    Priority,
    WindowUsage,
)
from moengage_async._clock import MonotonicClock
from moengage_async.budgets._spec import resolve_budgets
from moengage_async.models import v1, v5
from moengage_async.sandbox import Sandbox
from tests.recording_server import RecordingServer

#: Relaxed so 167 page requests pass without waiting; still counted per request.
FAST_SEARCH = "search:=1000/1"


@pytest.mark.moengage_sandbox(budgets=FAST_SEARCH)
async def test_2500_campaigns_are_each_yielded_once_one_page_at_a_time(
    moengage_sandbox: Sandbox,
) -> None:
    """2,500 matches: each seen once, one page held at most, pages fetched lazily."""
    seeded = moengage_sandbox.seed_campaigns(2500, api=5)
    seen: list[str] = []
    most_held = 0
    async with moengage_sandbox.client(budgets=FAST_SEARCH) as client:
        search = client.v5.search()
        async for campaign in search:
            assert campaign.id is not None
            seen.append(campaign.id)
            stats = search.statistics()
            most_held = max(most_held, stats.buffered)
            # Lazy: the page holding row k is the only one fetched so far.
            assert stats.pages_fetched == math.ceil(len(seen) / 15)
    assert sorted(seen) == sorted(seeded)
    assert len(set(seen)) == 2500
    assert most_held == 15
    assert search.statistics().buffered == 0
    assert len(moengage_sandbox.ledger.requests("v5.search")) == 167


@pytest.mark.parametrize(
    ("n", "requests"),
    [
        pytest.param(31, 3, id="short-last-page"),
        pytest.param(30, 3, id="exact-multiple-needs-an-empty-page"),
        pytest.param(0, 1, id="nothing-matches"),
    ],
)
async def test_iteration_stops_after_the_first_short_page(
    moengage_sandbox: Sandbox, n: int, requests: int
) -> None:
    """V5 has no total: the first page shorter than the limit is the last."""
    moengage_sandbox.seed_campaigns(n, api=5)
    async with moengage_sandbox.client() as client:
        rows = await client.v5.search().collect()
    assert len(rows) == n
    assert len(moengage_sandbox.ledger.requests("v5.search")) == requests


@pytest.mark.parametrize(
    ("max_items", "page_size", "requests"),
    [
        pytest.param(20, 15, 2, id="two-pages"),
        pytest.param(5, 15, 1, id="below-one-page"),
        pytest.param(0, 15, 0, id="zero-sends-nothing"),
        pytest.param(9, 4, 3, id="small-pages"),
    ],
)
async def test_max_items_stops_fetching(
    moengage_sandbox: Sandbox, max_items: int, page_size: int, requests: int
) -> None:
    """``max_items`` caps the rows and no page past it is requested."""
    moengage_sandbox.seed_campaigns(50, api=5)
    async with moengage_sandbox.client() as client:
        search = client.v5.search(max_items=max_items, page_size=page_size)
        rows = await search.collect()
    assert len(rows) == max_items
    assert len(moengage_sandbox.ledger.requests("v5.search")) == requests


@pytest.mark.parametrize("page_size", [0, 16, -1])
async def test_a_page_size_outside_1_to_15_is_refused(
    moengage_sandbox: Sandbox, page_size: int
) -> None:
    """The spec's ``limit`` is 1 to 15; anything else fails at call time."""
    async with moengage_sandbox.client() as client:
        with pytest.raises(PayloadValidationError, match="page_size"):
            client.v5.search(page_size=page_size)
    assert moengage_sandbox.ledger.requests() == []


@pytest.mark.parametrize(
    ("fields", "hint"),
    [
        pytest.param({"id": "x"}, "'ids'", id="v1-id"),
        pytest.param(
            {"delivery_type": ["PERIODIC"]},
            "campaign_delivery_type",
            id="v1-delivery-type",
        ),
        pytest.param({"statuses": ["ACTIVE"]}, "unknown", id="typo"),
        pytest.param({"ids": "one-id"}, "invalid search filter", id="ids-not-a-list"),
    ],
)
async def test_a_key_v5_would_ignore_is_refused(
    moengage_sandbox: Sandbox, fields: dict[str, object], hint: str
) -> None:
    """V1's keys silently match nothing on V5: refused before sending."""
    async with moengage_sandbox.client() as client:
        with pytest.raises(PayloadValidationError, match=hint):
            client.v5.search(fields)
    assert moengage_sandbox.ledger.requests() == []


async def test_typed_filters_narrow_the_rows(moengage_sandbox: Sandbox) -> None:
    """``ids`` and ``campaign_delivery_type`` filter together."""
    periodic = moengage_sandbox.seed_campaigns(2, api=5, delivery_type="PERIODIC")
    (one_time,) = moengage_sandbox.seed_campaigns(1, api=5, delivery_type="ONE_TIME")
    fields = v5.SearchFields(
        ids=[periodic[0], one_time], campaign_delivery_type=["PERIODIC"]
    )
    async with moengage_sandbox.client() as client:
        rows = await client.v5.search(fields).collect()
    assert [r.id for r in rows] == [periodic[0]]


async def test_a_converted_v1_filter_finds_what_v1_found(
    moengage_sandbox: Sandbox,
) -> None:
    """``SearchFields.from_v1`` of a V1 filter selects the same campaign on V5."""
    (wanted,) = moengage_sandbox.seed_campaigns(
        1, api=5, delivery_type="EVENT_TRIGGERED"
    )
    moengage_sandbox.seed_campaigns(3, api=5, delivery_type="PERIODIC")
    old = v1.CampaignSearchFields(id=wanted, delivery_type=["EVENT_TRIGGERED"])
    async with moengage_sandbox.client() as client:
        rows = await client.v5.search(v5.SearchFields.from_v1(old)).collect()
    assert [r.id for r in rows] == [wanted]


async def test_drafts_are_found_when_asked_for(moengage_sandbox: Sandbox) -> None:
    """``status=["DRAFT"]`` lists drafts, which plain searches leave out."""
    drafts = moengage_sandbox.seed_campaigns(2, api=5, status="DRAFT")
    moengage_sandbox.seed_campaigns(1, api=5)
    async with moengage_sandbox.client() as client:
        rows = await client.v5.search({"status": ["DRAFT"]}).collect()
    assert [r.id for r in rows] == drafts


async def test_a_page_error_is_raised_from_the_loop(moengage_sandbox: Sandbox) -> None:
    """A refused page request surfaces from ``async for`` as its APIError."""
    fields = {"created_date": {"from_date": "not-a-date", "to_date": "x"}}
    async with moengage_sandbox.client() as client:
        with pytest.raises(BadRequestError):
            async for _ in client.v5.search(fields):
                pass


class RecordingLimiter:
    """A real MemoryLimiter that also notes which priority each request asked for."""

    def __init__(self) -> None:
        self.inner = MemoryLimiter(resolve_budgets(None), clock=MonotonicClock())
        self.calls: list[tuple[tuple[str, ...], Priority]] = []

    async def acquire(
        self,
        workspace: str,
        budgets: Sequence[str],
        *,
        priority: Priority = Priority.INTERACTIVE,
        deadline: float | None = None,
    ) -> Permit:
        self.calls.append((tuple(budgets), priority))
        return await self.inner.acquire(
            workspace, budgets, priority=priority, deadline=deadline
        )

    async def block(
        self, workspace: str, budgets: Sequence[str], seconds: float
    ) -> None:
        await self.inner.block(workspace, budgets, seconds)

    def snapshot(self, workspace: str) -> list[WindowUsage]:
        return self.inner.snapshot(workspace)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_pages_use_the_callers_priority(moengage_sandbox: Sandbox) -> None:
    """Every page request acquires the search budget at the priority given."""
    moengage_sandbox.seed_campaigns(20, api=5)
    limiter = RecordingLimiter()
    async with moengage_sandbox.client(limiter=limiter) as client:
        await client.v5.search(priority=Priority.BULK).collect()
    assert limiter.calls == [(("search",), Priority.BULK)] * 2


async def test_every_page_is_counted_by_the_search_budget(
    moengage_sandbox: Sandbox,
) -> None:
    """Each page is one request through the search budget, on both sides."""
    moengage_sandbox.seed_campaigns(40, api=5)
    limiter = RecordingLimiter()
    async with moengage_sandbox.client(limiter=limiter) as client:
        rows = await client.v5.search().collect()
    assert len(rows) == 40
    assert [budgets for budgets, _ in limiter.calls] == [("search",)] * 3
    assert len(moengage_sandbox.ledger.budget("search").accepted) == 3


def test_from_v1_turns_dates_into_whole_day_datetimes() -> None:
    """V1's YYYY-MM-DD (or DD-MM-YYYY) range becomes ISO date-times over whole days."""
    old = {"created_date": {"from_date": "2024-01-01", "to_date": "31-01-2024"}}
    new = v5.SearchFields.from_v1(old)
    assert new.created_date == v5.DateTimeRange(
        from_date="2024-01-01T00:00:00", to_date="2024-01-31T23:59:59"
    )


def test_from_v1_keeps_the_shared_keys() -> None:
    """channels, created_by, name, status and tags carry over unchanged."""
    old = v1.CampaignSearchFields(
        channels=["PUSH"],
        created_by=["a@b.c"],
        name="Sale",
        status=["ACTIVE"],
        tags=["t"],
    )
    new = v5.SearchFields.from_v1(old)
    assert (new.channels, new.created_by, new.name, new.status, new.tags) == (
        ["PUSH"],
        ["a@b.c"],
        "Sale",
        ["ACTIVE"],
        ["t"],
    )


@pytest.mark.parametrize(
    "old",
    [
        pytest.param({"status": ["RETIRED"]}, id="retired"),
        pytest.param({"ids": ["x"]}, id="already-v5"),
    ],
)
def test_from_v1_refuses_what_has_no_v5_form(old: dict[str, object]) -> None:
    """RETIRED does not exist on V5, and a V5 key is not a V1 filter."""
    with pytest.raises(ValueError):
        v5.SearchFields.from_v1(old)


async def test_iterating_again_after_an_error_retries_that_page(
    v1_client: MoEngageClient, recorder: RecordingServer
) -> None:
    """A failed page is requested again on the next ``async for``; none is skipped."""
    path = "/v5/campaigns/search"
    rows = [{"id": f"c{i}"} for i in range(18)]
    recorder.reply("POST", path, 200, {"data": {"campaigns": rows[:15]}})
    recorder.reply("POST", path, 400, {"error": {"code": "BAD_REQUEST"}})
    recorder.reply("POST", path, 200, {"data": {"campaigns": rows[15:]}})
    search = v1_client.v5.search()
    seen = []
    with pytest.raises(BadRequestError):
        async for campaign in search:
            seen.append(campaign.id)  # noqa: PERF401 - keep rows seen before the error
    seen += [campaign.id async for campaign in search]
    assert seen == [r["id"] for r in rows]
    assert [r.json["page"] for r in recorder.requests] == [1, 2, 2]
