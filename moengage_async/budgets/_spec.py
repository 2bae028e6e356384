"""Budgets as data: MoEngage's documented rate-limit table and the override syntax."""

from __future__ import annotations

import enum
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "BUDGETS_ENV",
    "Budget",
    "BudgetOverrides",
    "DEFAULT_BUDGETS",
    "Priority",
    "Window",
    "budgets_from_env",
    "format_budgets",
    "parse_budgets",
    "resolve_budgets",
]


class Window(NamedTuple):
    """At most ``limit`` requests in any interval of ``seconds`` (a rolling window)."""

    limit: int
    seconds: float


class Priority(enum.IntEnum):
    """Who waits first: interactive calls are never queued behind bulk work."""

    INTERACTIVE = 0
    BULK = 1


@dataclass(frozen=True)
class Budget:
    """A named set of rolling windows that a request must clear, all at once.

    ``successes_only`` marks a quota (``create_success``): a slot is reserved before
    sending, kept on a 2xx answer and released on failure. ``concurrency`` caps how
    many requests may be in flight at once (the GCG file job).
    """

    name: str
    windows: tuple[Window, ...]
    successes_only: bool = False
    concurrency: int | None = None

    def __post_init__(self) -> None:
        if not self.windows and self.concurrency is None:
            raise ValueError(f"budget {self.name!r} has no windows")
        for window in self.windows:
            if window.limit < 1 or not (
                window.seconds > 0 and math.isfinite(window.seconds)
            ):
                raise ValueError(
                    f"budget {self.name!r}: window {window.limit}/{window.seconds} "
                    "needs a limit >= 1 and a positive, finite length"
                )


def _rate(*pairs: tuple[int, float]) -> tuple[Window, ...]:
    return tuple(Window(limit, seconds) for limit, seconds in pairs)


_STANDARD = _rate((10, 1.0), (100, 60.0), (6000, 3600.0))

#: docs/api-notes.md §4.2, one budget per bucket. V1 and V5 of the same operation
#: share one.
DEFAULT_BUDGETS: Mapping[str, Budget] = {
    b.name: b
    for b in (
        Budget("create_requests", _rate((5, 1.0), (25, 60.0), (100, 3600.0))),
        Budget(
            "create_success",
            _rate((5, 60.0), (25, 3600.0), (100, 86400.0)),
            successes_only=True,
        ),
        Budget("update", _STANDARD),
        Budget("status", _STANDARD),
        Budget("search", _STANDARD),
        Budget("get", _STANDARD),
        Budget("meta", _STANDARD),
        Budget("validate", _STANDARD),
        Budget("test", _STANDARD),
        Budget("executions", _STANDARD),
        Budget("preview", _rate((10000, 60.0))),
        Budget("gcg", _rate((10, 60.0)), concurrency=1),
    )
}

WindowsLike = Iterable[tuple[int, float]] | str
BudgetOverrides = Mapping[str, WindowsLike] | str


def parse_budgets(text: str) -> dict[str, tuple[Window, ...]]:
    """Parse ``"status=10/1,100/60;create_requests=5/1"`` into windows per budget.

    Raises ``ValueError`` naming the malformed part.
    """
    result: dict[str, tuple[Window, ...]] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, sep, spec = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"budget {part!r}: expected NAME=LIMIT/SECONDS[,...]")
        if name not in DEFAULT_BUDGETS:
            raise ValueError(f"budget {part!r}: unknown budget {name!r}")
        result[name] = _parse_windows(name, spec)
    return result


def _parse_windows(name: str, spec: str) -> tuple[Window, ...]:
    windows: list[Window] = []
    for item in (i.strip() for i in spec.split(",")):
        limit_text, sep, seconds_text = item.partition("/")
        try:
            if not sep:
                raise ValueError
            window = Window(int(limit_text), float(seconds_text))
        except ValueError:
            raise ValueError(
                f"budget {name!r}: window {item!r} is not LIMIT/SECONDS (e.g. 10/1)"
            ) from None
        if window.limit < 1 or not (
            window.seconds > 0 and math.isfinite(window.seconds)
        ):
            raise ValueError(
                f"budget {name!r}: window {item!r} needs a limit >= 1 and seconds > 0"
            )
        windows.append(window)
    if not windows:
        raise ValueError(f"budget {name!r}: no windows given")
    return tuple(windows)


def resolve_budgets(overrides: BudgetOverrides | None = None) -> dict[str, Budget]:
    """Merge overrides (a mapping or the string syntax) onto the documented table."""
    budgets = dict(DEFAULT_BUDGETS)
    if overrides is None:
        return budgets
    parsed = parse_budgets(overrides) if isinstance(overrides, str) else None
    items = parsed.items() if parsed is not None else _normalise(overrides).items()
    for name, windows in items:
        base = budgets[name]
        budgets[name] = Budget(name, windows, base.successes_only, base.concurrency)
    return budgets


def _normalise(overrides: BudgetOverrides) -> dict[str, tuple[Window, ...]]:
    assert not isinstance(overrides, str)
    result: dict[str, tuple[Window, ...]] = {}
    for name, windows in overrides.items():
        if name not in DEFAULT_BUDGETS:
            known = ", ".join(sorted(DEFAULT_BUDGETS))
            raise ValueError(f"unknown budget {name!r}; known budgets: {known}")
        if isinstance(windows, str):
            result[name] = _parse_windows(name, windows)
        else:
            result[name] = _windows_from_pairs(name, windows)
    return result


def _windows_from_pairs(
    name: str, pairs: Iterable[tuple[int, float]]
) -> tuple[Window, ...]:
    windows: list[Window] = []
    try:
        for limit, seconds in pairs:
            if isinstance(limit, bool) or not isinstance(limit, int):
                raise TypeError
            windows.append(Window(limit, float(seconds)))
    except (TypeError, ValueError):
        raise ValueError(
            f"budget {name!r}: windows must be (limit, seconds) pairs with an "
            f"integer limit, got {pairs!r}"
        ) from None
    for window in windows:
        if window.limit < 1 or not (
            window.seconds > 0 and math.isfinite(window.seconds)
        ):
            raise ValueError(
                f"budget {name!r}: window {window.limit}/{window.seconds:g} needs a "
                "limit >= 1 and seconds > 0"
            )
    if not windows:
        raise ValueError(f"budget {name!r}: no windows given")
    return tuple(windows)


#: Environment variable read by ``budgets_from_env`` (and the client's default).
BUDGETS_ENV = "MOENGAGE_BUDGETS"


def budgets_from_env(
    environ: Mapping[str, str] | None = None,
) -> dict[str, Budget]:
    """Return the documented table with ``MOENGAGE_BUDGETS`` overrides applied.

    Operators tune budgets without a deploy (``status=5/1,50/60`` for a workspace
    that shares its budget with another integration). Malformed text raises
    ``ValueError`` naming the bad part.
    """
    env = os.environ if environ is None else environ
    text = env.get(BUDGETS_ENV, "").strip()
    return resolve_budgets(text or None)


def format_budgets(budgets: Mapping[str, Budget]) -> str:
    """Render budgets in the string syntax (the inverse of ``parse_budgets``)."""
    return ";".join(
        f"{name}=" + ",".join(f"{w.limit}/{w.seconds:g}" for w in b.windows)
        for name, b in budgets.items()
        if b.windows
    )
