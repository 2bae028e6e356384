"""Outcomes of a bulk status change: one per id, and how a refusal is read.

Every id of a job ends in exactly one outcome: ``applied`` (this job changed it),
``already`` (it was in the requested state), ``failed`` (with the error) or
``unknown`` (an attempt may have reached MoEngage and no answer says whether it
applied). A refused batch is read for the ids it names, so the rest is resent
without them instead of bisecting the batch.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MoEngageError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    TransportError,
    UnprocessableEntityError,
)
from ..models.v1 import StatusAction

__all__ = [
    "BulkStatusReport",
    "FATAL_ERRORS",
    "ID_ERRORS",
    "StatusFailure",
    "StatusOutcome",
    "StatusResult",
    "named_ids",
    "outcome_of_error",
    "outcome_of_refusal",
]

#: Answers that blame the ids: the ids they name are settled, the rest resent.
ID_ERRORS = (BadRequestError, NotFoundError, UnprocessableEntityError, ConflictError)
#: Answers that blame the credentials: every later batch would fail the same way.
FATAL_ERRORS = (AuthenticationError, PermissionDeniedError)


class StatusOutcome(str, enum.Enum):
    """How one id of a bulk status change ended."""

    APPLIED = "applied"
    ALREADY = "already"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class StatusResult:
    """The outcome of one id, passed to ``on_result`` and kept in reports.

    ``error`` is the answer behind a ``failed`` or ``unknown`` outcome (and the
    refusal that showed an ``already``); ``resumed`` is true when the outcome was
    read from the journal of an earlier run and nothing was sent for the id.
    """

    campaign_id: str
    outcome: StatusOutcome
    error: MoEngageError | None = None
    resumed: bool = False


@dataclass(frozen=True, slots=True)
class StatusFailure:
    """One id that was not changed (or whose change is unknown), and why."""

    campaign_id: str
    error: MoEngageError


@dataclass
class BulkStatusReport:
    """How a bulk status change ended: every distinct id in exactly one outcome.

    ``duplicates`` counts input ids dropped because they came again; ``resumed``
    counts ids whose outcome came from the journal of an earlier run (they are
    included in the outcome counts, and nothing was sent for them).
    ``earliest_s`` is the least time the full windows of the budgets allow for
    ``requests`` requests (from an unused budget, responses not included): the
    yardstick for ``elapsed_s``.
    """

    action: StatusAction
    applied: int = 0
    already: int = 0
    failures: list[StatusFailure] = field(default_factory=list)
    unknown: list[StatusFailure] = field(default_factory=list)
    duplicates: int = 0
    resumed: int = 0
    requests: int = 0
    elapsed_s: float = 0.0
    earliest_s: float = 0.0
    applied_ids: list[str] | None = None
    interrupted: bool = False

    @property
    def failed(self) -> int:
        """How many ids failed."""
        return len(self.failures)

    @property
    def total(self) -> int:
        """How many distinct ids have an outcome."""
        return self.applied + self.already + self.failed + len(self.unknown)

    @property
    def ok(self) -> bool:
        """Whether every id is in the requested state (applied or already)."""
        return not self.failures and not self.unknown and not self.interrupted

    def add(self, result: StatusResult) -> None:
        """Count one id's outcome."""
        outcome = result.outcome
        if result.resumed:
            self.resumed += 1
        if outcome is StatusOutcome.APPLIED:
            self.applied += 1
            if self.applied_ids is not None:
                self.applied_ids.append(result.campaign_id)
        elif outcome is StatusOutcome.ALREADY:
            self.already += 1
        else:
            error = result.error or MoEngageError("no answer")
            failure = StatusFailure(result.campaign_id, error)
            if outcome is StatusOutcome.FAILED:
                self.failures.append(failure)
            else:
                self.unknown.append(failure)


#: The state each action leads to; a refusal that finds the campaign there means
#: the action is already done.
_DONE_STATES: dict[StatusAction, frozenset[str]] = {
    StatusAction.PAUSE: frozenset({"PAUSED"}),
    StatusAction.STOP: frozenset({"STOPPED"}),
    StatusAction.RESUME: frozenset({"ACTIVE", "SCHEDULED", "SENDING"}),
}
_STATE_IN_TEXT = re.compile(r"\bin ([A-Z_]+) state\b")


def _texts_for(error: APIError, campaign_id: str) -> list[str]:
    """The messages of ``error`` that speak of ``campaign_id`` (else the message)."""
    texts = [
        str(d.get("message", ""))
        for d in error.details
        if str(d.get("target", "")) == campaign_id
    ]
    return texts or [error.message]


def outcome_of_refusal(
    action: StatusAction, error: APIError, campaign_id: str
) -> StatusOutcome:
    """Read a refusal for one id: ``already`` when it says the campaign is done.

    MoEngage refuses an action on a campaign already in its target state as an
    invalid transition ("... not valid for a campaign in PAUSED state"). That is
    ``already`` whoever moved it there: someone else, an earlier run, or an earlier
    attempt of this call whose answer was lost (``error.unanswered_attempts``
    then says so). Any other refusal is ``failed``.
    """
    done = _DONE_STATES[action]
    for text in _texts_for(error, campaign_id):
        match = _STATE_IN_TEXT.search(text)
        if match is not None and match.group(1) in done:
            return StatusOutcome.ALREADY
    return StatusOutcome.FAILED


def outcome_of_error(error: MoEngageError, *, maybe_sent: bool) -> StatusOutcome:
    """The outcome of ids whose request ended in ``error`` (not an id refusal).

    A 5xx, a timeout or a broken connection after the request left may have been
    applied; a refusal before sending (budget, credentials, validation) was not.
    """
    if isinstance(error, (ServerError, TransportError)):
        return StatusOutcome.UNKNOWN
    return StatusOutcome.UNKNOWN if maybe_sent else StatusOutcome.FAILED


def named_ids(error: APIError, batch: Sequence[str]) -> list[str]:
    """The ids of ``batch`` that a refusal names in its ``details`` targets."""
    wanted = set(batch)
    named: list[str] = []
    for detail in error.details:
        target = str(detail.get("target", ""))
        if target in wanted:
            named.append(target)
            wanted.discard(target)
    return named
