"""Everything one sandbox remembers: campaigns, budgets, ledger, idempotency."""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .._clock import Clock
from ..budgets import Budget
from ._calls import Reply
from ._counting import WindowCounter
from ._faults import FaultPlan
from ._ledger import Ledger
from ._store import Campaign, Store, published_status, utc_date

__all__ = [
    "CreateRecord",
    "RateLimitBody",
    "RateLimitReset",
    "SandboxState",
    "StoredReply",
]

#: The 429 body: each API's own (V1 envelope, V5 ``RATE_LIMITED``) or the Data
#: API's ``{"status": "fail", "error": {"type": "Rate Limits Exceeded"}}``.
RateLimitBody = Literal["native", "data_api"]
#: ``x-ratelimit-reset`` as seconds from now, or as a Unix time.
RateLimitReset = Literal["seconds", "epoch"]

#: How long a successful creation's request_id stays "used" (docs/api-notes.md §6).
REQUEST_ID_REUSE_S: Mapping[str, float] = {"PUSH": 3600.0, "EMAIL": 86400.0}


@dataclass(frozen=True, slots=True)
class StoredReply:
    """The first answer given to an ``Idempotency-Key``, replayed verbatim."""

    fingerprint: tuple[str, bytes]
    reply: Reply


@dataclass(frozen=True, slots=True)
class CreateRecord:
    """A successful creation, remembered by its ``request_id``."""

    campaign_id: str
    at: float
    channel: str


@dataclass
class SandboxState:
    """The mutable world behind the HTTP surface."""

    budgets: Mapping[str, Budget]
    plan: FaultPlan
    clock: Clock
    credentials: dict[str, str]
    default_workspace: str
    seed: int
    validate: bool = True
    #: Seconds a GCG file job stays in flight (the concurrency gate of 1).
    gcg_job_s: float = 1.0
    reuse_s: Mapping[str, float] = field(default_factory=lambda: REQUEST_ID_REUSE_S)
    #: Send ``x-ratelimit-limit/-remaining/-reset`` on budgeted operations.
    rate_limit_headers: bool = True
    rate_limit_reset: RateLimitReset = "seconds"
    rate_limit_body: RateLimitBody = "native"

    def __post_init__(self) -> None:
        self.counter = WindowCounter(self.budgets)
        self.ledger = Ledger(self.default_workspace)
        self.store = Store(self.seed)
        self.idempotency: dict[tuple[str, str], StoredReply] = {}
        self.created: dict[tuple[str, str], CreateRecord] = {}
        self.gcg_busy_until: dict[str, float] = {}
        self.gcg_jobs: list[dict[str, Any]] = []
        self._response_ids = itertools.count(1)
        self._auth_cache: dict[str, str | None] = {}

    def foreign_usage(
        self, budget: str, count: int, workspace_id: str | None = None
    ) -> None:
        """Spend ``count`` slots of ``budget`` now, as another integration would."""
        if budget not in self.budgets:
            known = ", ".join(sorted(self.budgets))
            raise ValueError(f"unknown budget {budget!r}; known budgets: {known}")
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        workspace = workspace_id or self.default_workspace
        self.counter.consume(workspace, budget, self.clock.now(), count)

    def next_response_id(self) -> str:
        """A response id for calls that carried no request id."""
        return f"sandbox-{next(self._response_ids)}"

    def authenticate(self, authorization: str | None, appkey: str | None) -> str | None:
        """The workspace of valid credentials, else None (wrong or missing)."""
        if authorization is None:
            return None
        workspace = self._auth_cache.get(authorization, "")
        if workspace == "":
            workspace = self._decode(authorization)
            if len(self._auth_cache) < 1024:
                self._auth_cache[authorization] = workspace
        if workspace is None or appkey != workspace:
            return None
        return workspace

    def _decode(self, authorization: str) -> str | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, sep, password = (
                base64.b64decode(token.strip(), validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            return None
        if not sep or self.credentials.get(user) != password:
            return None
        return user

    def new_campaign(
        self,
        *,
        channel: str,
        delivery_type: str,
        status: str,
        api: int,
        created_by: str,
        body: dict[str, Any],
        created_date: str | None = None,
    ) -> Campaign:
        """Create and store a campaign with a fresh id."""
        return self.store.add(
            Campaign(
                id=self.store.new_id(),
                channel=channel,
                delivery_type=delivery_type,
                status=status,
                api=api,
                created_by=created_by,
                created_at=self.clock.now(),
                created_date=created_date or utc_date(),
                body=body,
            )
        )

    def seed_campaigns(
        self,
        n: int,
        *,
        channel: str = "PUSH",
        delivery_type: str = "PERIODIC",
        status: str | None = None,
        api: int = 1,
        name: str = "seeded",
        created_by: str = "sandbox@example.com",
        tags: list[str] | None = None,
    ) -> list[str]:
        """Insert ``n`` campaigns directly (no HTTP, no budgets); return their ids."""
        if n < 0:
            raise ValueError("n must be >= 0")
        final = status or published_status(delivery_type)
        date = utc_date()
        ids = []
        for i in range(n):
            basic: dict[str, Any] = {"name": f"{name}-{i}"}
            if tags:
                basic["tags"] = list(tags)
            campaign = self.new_campaign(
                channel=channel,
                delivery_type=delivery_type,
                status=final,
                api=api,
                created_by=created_by,
                body={"basic_details": basic},
                created_date=date,
            )
            ids.append(campaign.id)
        return ids
