"""A PNG timeline of a run: requests in each rolling window against its limit.

Needs the ``plot`` extra (matplotlib), imported lazily.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from ..budgets import Window
from ..jobs import bulk_windows

__all__ = ["plot_timeline", "require_matplotlib", "rolling_counts", "rolling_series"]


def require_matplotlib() -> None:
    """Fail early, with what to install, when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(
            "--plot needs matplotlib: pip install 'moengage-async[plot]'"
        ) from None


def rolling_counts(arrivals: Sequence[float], window: Window) -> list[int]:
    """For each arrival, how many arrivals lie in ``(t - seconds, t]``."""
    times = sorted(arrivals)
    return [
        i + 1 - bisect.bisect_right(times, t - window.seconds)
        for i, t in enumerate(times)
    ]


def rolling_series(
    arrivals: Sequence[float], window: Window
) -> tuple[list[float], list[int]]:
    """The window's count as a step function of time: ``(times, counts)``.

    Each arrival adds one at ``t`` and leaves at ``t + seconds`` (the window is
    ``(t - seconds, t]``, so a departure at the same instant counts first).
    """
    events = sorted(
        [(t, 1) for t in arrivals] + [(t + window.seconds, -1) for t in arrivals]
    )
    xs: list[float] = []
    ys: list[int] = []
    count = 0
    for t, delta in events:
        count += delta
        if xs and xs[-1] == t:
            ys[-1] = count
        else:
            xs.append(t)
            ys.append(count)
    return xs, ys


def plot_timeline(
    arrivals: Sequence[float],
    windows: Sequence[Window],
    path: str,
    *,
    bulk_share: float = 1.0,
) -> None:
    """Write one panel per window: the rolling count over time and the limit line."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    origin = min(arrivals, default=0.0)
    span = max(arrivals, default=0.0) - origin
    fig, axes = plt.subplots(
        len(windows), 1, figsize=(11, 2.6 * len(windows)), sharex=True, squeeze=False
    )
    for ax, window in zip(axes[:, 0], windows, strict=True):
        xs, ys = rolling_series(arrivals, window)
        ax.step([x - origin for x in xs], ys, where="post", label="requests in window")
        ax.axhline(window.limit, color="red", linestyle="--", label="limit")
        if bulk_share < 1.0:
            (bulk,) = bulk_windows([window], bulk_share)
            ax.axhline(bulk.limit, color="orange", linestyle=":", label="bulk share")
        ax.set_ylim(0, window.limit * 1.15)
        ax.set_ylabel("requests")
        ax.set_title(f"requests in any {window.seconds:g} s (limit {window.limit})")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    axes[-1, 0].set_xlim(-0.01 * span, span * 1.02 or 1.0)  # the run, not the tails
    axes[-1, 0].set_xlabel("seconds since the first request")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
