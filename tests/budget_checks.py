"""Shared helpers for budget tests: what a strict rolling-window server could see."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["earliest_schedule", "worst_window_count"]


def worst_window_count(spans: Iterable[tuple[float, float]], seconds: float) -> int:
    """Return the most requests a server could count in one window of ``seconds``.

    Each request reaches the server somewhere in ``[sent, completed]``, and the
    server counts arrivals in ``(t - seconds, t]``. An adversarial network can put
    request ``i`` into the window ending at ``t`` iff ``sent_i <= t`` and
    ``completed_i > t - seconds``: the maximum over ``t`` of how many intervals
    ``[sent, completed + seconds)`` cover ``t``.
    """
    events: list[tuple[float, int]] = []
    for sent, completed in spans:
        events.append((sent, 1))
        events.append((completed + seconds, -1))
    events.sort()  # at equal times the -1 (a window end) comes first
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best


def earliest_schedule(
    n: int, windows: Iterable[tuple[int, float]], latency: float = 0.0
) -> list[float]:
    """Return the earliest send times for ``n`` requests that no strict server
    window rejects, when each takes ``latency`` to complete.

    Request ``i`` may be sent once request ``i - limit`` completed ``seconds``
    ago, for every window.
    """
    wins = list(windows)
    sends: list[float] = []
    for i in range(n):
        t = 0.0
        for limit, seconds in wins:
            if i >= limit:
                t = max(t, sends[i - limit] + latency + seconds)
        sends.append(t)
    return sends
