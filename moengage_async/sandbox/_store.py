"""In-memory campaigns and their lifecycle (docs/api-notes.md §7).

One ``Store`` per sandbox. Campaigns carry the request body they were created
with, merged with later updates, so GET/search can answer with it.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Campaign",
    "PAUSABLE",
    "RUNNING",
    "STOPPABLE",
    "Store",
    "TransitionError",
    "published_status",
    "transition",
]

#: Delivery types PAUSE/RESUME apply to (the V1 action enum text and V5 table).
PAUSABLE = frozenset({"PERIODIC", "EVENT_TRIGGERED"})
#: Delivery types STOP applies to.
STOPPABLE = frozenset({"ONE_TIME"})
#: States a campaign can be paused or (V5) stopped from.
RUNNING = frozenset({"ACTIVE", "SCHEDULED", "SENDING"})


class TransitionError(Exception):
    """A status action that the campaign's type or state does not allow."""


@dataclass(slots=True)
class Campaign:
    """One campaign as the sandbox keeps it."""

    id: str
    channel: str
    delivery_type: str
    status: str
    #: 1 when created through V1 (or seeded as such), 5 for V5 drafts.
    api: int
    created_by: str
    created_at: float
    created_date: str
    body: dict[str, Any] = field(default_factory=dict)
    version_number: int = 1
    #: Child runs of a Periodic / Business-Event-triggered parent (V1 executions).
    executions: list[dict[str, str]] = field(default_factory=list)
    #: Where RESUME returns to.
    paused_from: str | None = None
    updated_by: str | None = None

    @property
    def name(self) -> str:
        """The campaign name from ``basic_details.name`` (``""`` when unset)."""
        basic = self.body.get("basic_details")
        name = basic.get("name") if isinstance(basic, dict) else None
        return name if isinstance(name, str) else ""

    @property
    def tags(self) -> list[str]:
        """The campaign tags from ``basic_details.tags``."""
        basic = self.body.get("basic_details")
        tags = basic.get("tags") if isinstance(basic, dict) else None
        return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def published_status(delivery_type: str) -> str:
    """Where a campaign lands once live: one-time sends wait, the rest run."""
    return "SCHEDULED" if delivery_type == "ONE_TIME" else "ACTIVE"


def transition(campaign: Campaign, action: str, *, api: int) -> str:
    """Return the status ``action`` leads to, or raise ``TransitionError`` why not.

    V1 stops a One-time campaign only while it is SCHEDULED (the V1 page: "after a
    One-time campaign moves to Active state, it cannot be stopped"); V5 also from
    ACTIVE, PAUSED and SENDING. PAUSE/RESUME: Periodic and Event-triggered only.
    """
    status, dtype = campaign.status, campaign.delivery_type
    if action == "STOP":
        if dtype not in STOPPABLE:
            raise TransitionError(f"Action STOP is not valid for a {dtype} campaign.")
        allowed = {"SCHEDULED"} if api == 1 else {*RUNNING, "PAUSED"}
        if status not in allowed:
            raise TransitionError(
                f"Action STOP is not valid for a campaign in {status} state."
            )
        return "STOPPED"
    if dtype not in PAUSABLE:
        raise TransitionError(f"Action {action} is not valid for a {dtype} campaign.")
    if action == "PAUSE":
        if status not in RUNNING:
            raise TransitionError(
                f"Action PAUSE is not valid for a campaign in {status} state."
            )
        return "PAUSED"
    if action == "RESUME":
        if status != "PAUSED":
            raise TransitionError(
                f"Action RESUME is not valid for a campaign in {status} state."
            )
        return campaign.paused_from or "ACTIVE"
    raise TransitionError(f"Unknown action {action!r}.")


class Store:
    """Campaigns by id, with deterministic ObjectId-style ids."""

    def __init__(self, seed: int) -> None:
        self._campaigns: dict[str, Campaign] = {}
        self._rng = random.Random(seed ^ 0x5EED)
        self._counter = itertools.count(1)

    def new_id(self) -> str:
        """A fresh 24-hex-digit id, like MoEngage's ObjectIds."""
        return (
            f"{0x6650_0000 + next(self._counter):08x}{self._rng.getrandbits(64):016x}"
        )

    def add(self, campaign: Campaign) -> Campaign:
        """Insert a campaign (its id must be new)."""
        self._campaigns[campaign.id] = campaign
        return campaign

    def get(self, campaign_id: str) -> Campaign | None:
        """The campaign, or None."""
        return self._campaigns.get(campaign_id)

    def __len__(self) -> int:
        return len(self._campaigns)

    def __iter__(self) -> Iterator[Campaign]:
        return iter(list(self._campaigns.values()))

    def apply_status(self, campaign: Campaign, action: str, *, api: int) -> str:
        """Move ``campaign`` by ``action``; return its previous status."""
        before = campaign.status
        after = transition(campaign, action, api=api)
        if action == "PAUSE":
            campaign.paused_from = "ACTIVE" if before == "SENDING" else before
        elif action == "RESUME":
            campaign.paused_from = None
        campaign.status = after
        return before


def utc_date(now_wall: float | None = None) -> str:
    """Today's UTC date as ``YYYY-MM-DD`` (creation dates in search filters)."""
    moment = (
        _dt.datetime.now(_dt.timezone.utc)
        if now_wall is None
        else _dt.datetime.fromtimestamp(now_wall, _dt.timezone.utc)
    )
    return moment.strftime("%Y-%m-%d")
