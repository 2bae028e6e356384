"""Progress of a bulk job, as reported to a caller's callback."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Progress"]


@dataclass(frozen=True, slots=True)
class Progress:
    """A bulk job's counters at one moment.

    ``total`` is ``None`` while the input is a stream of unknown length. Rates are
    items per second over the job so far; ``eta_s`` is the earliest finish the
    budgets allow for what remains (``None`` when unknown).
    """

    done: int
    failed: int
    total: int | None
    elapsed_s: float
    rate_per_s: float
    eta_s: float | None = None

    @property
    def finished(self) -> int:
        """Items that ended, applied or failed."""
        return self.done + self.failed
