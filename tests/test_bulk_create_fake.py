"""A small recording MoEngage V1 create/search server for the bulk-create tests.

It keeps a ledger of every campaign it creates, replays a create whose request_id
it saw within ``replay_window_s`` (docs/api-notes.md §6), answers V1 search by tag
or name, and can run a hook on the n-th create request (the crash test kills its
worker there).
The tests at the bottom pin that behaviour, since the crash test relies on it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

PREFIX = "/core-services/v1"


@dataclass
class Created:
    """One ledger row: a campaign the server created."""

    campaign_id: str
    request_id: str
    name: str | None
    tags: list[str]
    body: dict[str, Any]
    at: float


def _error(status: int, message: str, target: str, request_id: Any) -> web.Response:
    code = {400: "400 Bad Request", 429: "429 conflict"}.get(status, str(status))
    body = {
        "error": {
            "code": code,
            "message": message,
            "target": target,
            "details": [{"target": target, "message": message}],
            "request_id": request_id,
        }
    }
    return web.json_response(body, status=status)


@dataclass
class FakeMoEngage:
    """In-memory V1 create + search with request_id replay and a create hook."""

    replay_window_s: float = 3600.0
    now: Callable[[], float] = time.monotonic
    ledger: list[Created] = field(default_factory=list)
    create_requests: int = 0
    #: Called with the 1-based create request number before it is handled; may
    #: return "drop" (answer 500 without creating), "lose" (create, answer 500) or
    #: "truncate" (create, answer a 201 whose body is cut short).
    on_create: Callable[[int], str | None] | None = None
    #: Statuses to answer, in order, before handling creates normally.
    fail_next: list[int] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(PREFIX + "/campaigns", self._create)
        app.router.add_post(PREFIX + "/campaigns/search", self._search)
        return app

    def names(self) -> list[str | None]:
        """Names of every created campaign, duplicates included."""
        return [c.name for c in self.ledger]

    async def _create(self, request: web.Request) -> web.Response:
        self.create_requests += 1
        body = await request.json()
        rid = body.get("request_id")
        action = self.on_create(self.create_requests) if self.on_create else None
        if self.fail_next:
            return _error(self.fail_next.pop(0), "injected", "", rid)
        if action == "drop":
            return _error(500, "dropped", "", rid)
        if not isinstance(rid, str) or not rid:
            return _error(400, "request_id key is mandatory field", "request_id", rid)
        basics = body.get("basic_details")
        if "campaign_delivery_type" not in body or not isinstance(basics, dict):
            return _error(400, "invalid campaign", "campaign_delivery_type", rid)
        now = self.now()
        for old in reversed(self.ledger):
            if old.request_id == rid and now - old.at < self.replay_window_s:
                return web.json_response({"campaign_id": old.campaign_id}, status=201)
        created = Created(
            campaign_id=f"cmp{next(self._ids):05d}",
            request_id=rid,
            name=basics.get("name"),
            tags=list(basics.get("tags", [])),
            body=body,
            at=now,
        )
        self.ledger.append(created)
        if action == "lose":
            return _error(500, "response lost", "", rid)
        if action == "truncate":  # created; the 201's body breaks off
            return web.Response(status=201, body=b'{"campaign_id": "cmp')
        return web.json_response({"campaign_id": created.campaign_id}, status=201)

    async def _search(self, request: web.Request) -> web.Response:
        body = await request.json()
        fields = body.get("campaign_fields", {})
        limit, page = int(body["limit"]), int(body["page"])
        rows = [
            c
            for c in self.ledger
            if all(t in c.tags for t in fields.get("tags", []))
            and ("name" not in fields or fields["name"] == c.name)
        ]
        chunk = rows[(page - 1) * limit : page * limit]
        return web.json_response(
            [
                {
                    "campaign_id": c.campaign_id,
                    "basic_details": {"name": c.name, "tags": c.tags},
                }
                for c in chunk
            ]
        )


@asynccontextmanager
async def serve(fake: FakeMoEngage) -> AsyncIterator[str]:
    """Run the fake on 127.0.0.1 and yield its base URL."""
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def push(name: str) -> dict[str, Any]:
    """A minimal Push create payload named ``name`` (the spec's required fields)."""
    return {
        "channel": "PUSH",
        "campaign_delivery_type": "ONE_TIME",
        "created_by": "bulk@example.com",
        "basic_details": {"name": name, "platforms": ["ANDROID"], "tags": ["bulk"]},
        "campaign_content": {"content": {}},
        "segmentation_details": {"is_all_user_campaign": True},
        "scheduling_details": {"delivery_type": "ASAP"},
    }


async def _post(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as r:
        return r.status, await r.json()


async def test_fake_replays_a_request_id_within_its_window() -> None:
    """A resent request_id within the window answers the original campaign."""
    fake = FakeMoEngage()
    async with serve(fake) as url:
        first = await _post(
            url + PREFIX + "/campaigns", {**push("a"), "request_id": "r"}
        )
        again = await _post(
            url + PREFIX + "/campaigns", {**push("a"), "request_id": "r"}
        )
    assert first == again == (201, {"campaign_id": "cmp00000"})
    assert len(fake.ledger) == 1


async def test_fake_creates_again_past_its_window() -> None:
    """Past the window the same request_id creates a second campaign."""
    fake = FakeMoEngage(replay_window_s=0.0)
    async with serve(fake) as url:
        await _post(url + PREFIX + "/campaigns", {**push("a"), "request_id": "r"})
        await _post(url + PREFIX + "/campaigns", {**push("a"), "request_id": "r"})
    assert fake.names() == ["a", "a"]
