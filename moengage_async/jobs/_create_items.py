"""The items of a bulk creation: payload identity, request ids, results, the plan.

Pure helpers (no I/O): canonical hashing and UUID v5 request ids make a rerun send
the same ids; the report types say how each item ended.
"""

from __future__ import annotations

import enum
import hashlib
import uuid
from collections.abc import AsyncIterable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from .._errors import PayloadValidationError
from ..budgets import earliest_finish_s
from ..models.v1 import CampaignDetails
from ._journal import ItemState, JournalItem

__all__ = [
    "BULK_TAG_PREFIX",
    "BulkCreateReport",
    "CreateItemResult",
    "CreateItemStatus",
    "PreparedItem",
    "REUSE_WINDOWS_S",
    "bulk_request_id",
    "collect_items",
    "earliest_finish_s",  # from budgets._schedule, for the ETA
    "finished_result",
    "matches_campaign",
    "payload_hash",
    "pending_result",
    "prepare_item",
]

#: docs/api-notes.md §6: a V1 create request_id replays the original campaign for
#: 1 h (Push) or 1 day (Email) after a successful creation.
REUSE_WINDOWS_S: Mapping[str, float] = {"PUSH": 3600.0, "EMAIL": 86400.0}
#: Each item carries the tag ``BULK_TAG_PREFIX + request_id`` so it can be found.
BULK_TAG_PREFIX = "moengage-async:"
_NAMESPACE = uuid.UUID("6f3c2f0e-9b1d-4c55-8a5e-2b8d1e4a7c10")
_canonical = msgspec.json.Encoder(order="sorted").encode


class CreateItemStatus(str, enum.Enum):
    """How one item of a bulk creation ended (for now)."""

    CREATED = "created"
    FAILED = "failed"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class CreateItemResult:
    """One item's outcome.

    ``retryable`` marks a failure whose outcome is open (5xx, transport): the journal
    keeps the item unresolved and a rerun reconciles it. ``via`` says how a created
    item was settled: ``"create"``, ``"journal"`` (an earlier run) or ``"lookup"``.
    """

    index: int
    request_id: str
    name: str | None
    status: CreateItemStatus
    campaign_id: str | None = None
    error: str | None = None
    retryable: bool = False
    via: str | None = None


@dataclass(frozen=True, slots=True)
class BulkCreateReport:
    """Every item's outcome, in input order, and why the job ended.

    ``resume_at`` (client clock time) is set when the job stopped on a spent quota:
    the earliest moment a rerun with the same journal can make progress.
    """

    job_id: str
    items: tuple[CreateItemResult, ...]
    stopped_on_quota: bool = False
    resume_at: float | None = None

    def _select(self, status: CreateItemStatus) -> list[CreateItemResult]:
        return [item for item in self.items if item.status is status]

    @property
    def created(self) -> list[CreateItemResult]:
        """Items whose campaign exists (created now, earlier, or found)."""
        return self._select(CreateItemStatus.CREATED)

    @property
    def failed(self) -> list[CreateItemResult]:
        """Items MoEngage refused, or whose call failed after retries."""
        return self._select(CreateItemStatus.FAILED)

    @property
    def pending(self) -> list[CreateItemResult]:
        """Items not attempted because the job stopped on quota."""
        return self._select(CreateItemStatus.PENDING)

    @property
    def counts(self) -> dict[str, int]:
        """Items per status, e.g. ``{"created": 5, "failed": 0, "pending": 7}``."""
        return {s.value: len(self._select(s)) for s in CreateItemStatus}

    @property
    def complete(self) -> bool:
        """True when no item is pending and no failure is left open."""
        return all(
            i.status is CreateItemStatus.CREATED
            or (i.status is CreateItemStatus.FAILED and not i.retryable)
            for i in self.items
        )


def payload_hash(payload: Mapping[str, Any]) -> str:
    """SHA-256 of the payload's canonical JSON (sorted keys), ``request_id`` aside."""
    body = {k: v for k, v in payload.items() if k != "request_id"}
    return hashlib.sha256(_canonical(body)).hexdigest()


def bulk_request_id(job_id: str, index: int, digest: str) -> str:
    """The deterministic request_id of item ``index`` of a job (a UUID v5)."""
    return str(uuid.uuid5(_NAMESPACE, f"{job_id}\x00{index}\x00{digest}"))


@dataclass
class PreparedItem:
    index: int
    payload: dict[str, Any]
    digest: str
    request_id: str
    name: str | None
    channel: str | None
    tag: str | None


def prepare_item(index: int, campaign: Any, job_id: str, tag: bool) -> PreparedItem:
    if isinstance(campaign, msgspec.Struct):
        campaign = msgspec.to_builtins(campaign)
    if not isinstance(campaign, Mapping):
        raise PayloadValidationError(
            f"item {index}: expected a create payload (dict or model), "
            f"got {type(campaign).__name__}"
        )
    payload = {k: v for k, v in campaign.items() if k != "request_id"}
    digest = payload_hash(payload)
    rid = bulk_request_id(job_id, index, digest)
    basics = payload.get("basic_details")
    name = basics.get("name") if isinstance(basics, Mapping) else None
    channel = payload.get("channel")
    label = None
    if tag and isinstance(basics, Mapping):
        tags = basics.get("tags", [])
        if isinstance(tags, list):
            label = BULK_TAG_PREFIX + rid
            payload["basic_details"] = {**basics, "tags": [*tags, label]}
    return PreparedItem(
        index,
        payload,
        digest,
        rid,
        name if isinstance(name, str) else None,
        channel if isinstance(channel, str) else None,
        label,
    )


async def collect_items(campaigns: Any) -> list[Any]:
    if isinstance(campaigns, (str, bytes, Mapping)):
        raise PayloadValidationError(
            "campaigns must be an iterable of create payloads, not a single value"
        )
    if isinstance(campaigns, AsyncIterable):
        return [c async for c in campaigns]
    if not isinstance(campaigns, Iterable):
        raise PayloadValidationError(
            "campaigns must be an iterable of create payloads, got "
            f"{type(campaigns).__name__}"
        )
    return list(campaigns)


def finished_result(item: PreparedItem, row: JournalItem) -> CreateItemResult:
    if row.state is ItemState.CREATED:
        return CreateItemResult(
            item.index,
            item.request_id,
            item.name,
            CreateItemStatus.CREATED,
            campaign_id=row.campaign_id,
            via="journal",
        )
    return CreateItemResult(
        item.index,
        item.request_id,
        item.name,
        CreateItemStatus.FAILED,
        error=row.error,
    )


def pending_result(item: PreparedItem) -> CreateItemResult:
    return CreateItemResult(
        item.index, item.request_id, item.name, CreateItemStatus.PENDING
    )


def matches_campaign(found: CampaignDetails, item: PreparedItem) -> bool:
    basics = found.basic_details or {}
    if item.tag is not None:
        tags = basics.get("tags", [])
        return isinstance(tags, list) and item.tag in tags
    return item.name is not None and item.name == basics.get("name")
