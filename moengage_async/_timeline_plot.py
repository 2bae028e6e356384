"""A PNG timeline of a run: requests in each rolling window against its limit.

Needs the ``plot`` extra (matplotlib), imported lazily.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from ._budget_spec import Window

__all__ = ["plot_timeline", "require_matplotlib", "rolling_counts"]


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


def plot_timeline(
    arrivals: Sequence[float], windows: Sequence[Window], path: str
) -> None:
    """Write one panel per window: the rolling count over time and the limit line."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    times = sorted(arrivals)
    origin = times[0] if times else 0.0
    xs = [t - origin for t in times]
    fig, axes = plt.subplots(
        len(windows), 1, figsize=(10, 2.6 * len(windows)), sharex=True, squeeze=False
    )
    for ax, window in zip(axes[:, 0], windows, strict=True):
        ax.step(xs, rolling_counts(times, window), where="post", label="requests")
        ax.axhline(window.limit, color="red", linestyle="--", label="limit")
        ax.set_ylim(0, window.limit * 1.15)
        ax.set_ylabel("in window")
        ax.set_title(f"requests in any {window.seconds:g} s (limit {window.limit})")
        ax.legend(loc="lower right")
    axes[-1, 0].set_xlabel("seconds since the first request")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
