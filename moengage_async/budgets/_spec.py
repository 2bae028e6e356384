"""Budgets as data: MoEngage's documented rate-limit table and the override syntax."""

from __future__ import annotations

import enum
import logging
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
    "Exactly",
    "Priority",
    "Window",
    "budgets_from_env",
    "exactly",
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


@dataclass(frozen=True)
class Exactly:
    """An override that replaces a budget's whole set of windows (see ``exactly``).

    A plain override only changes the windows it names and adds new lengths; this
    one also drops the windows it does not name.
    """

    windows: tuple[Window, ...]


WindowsLike = Iterable[tuple[int, float]] | str | Exactly
BudgetOverrides = Mapping[str, WindowsLike] | str

#: ``name:=windows`` in the string syntax replaces the whole set.
_EXACT = ":"

log = logging.getLogger("moengage_async.budgets")
_raised_logged: set[tuple[str, float, int]] = set()


def exactly(windows: Iterable[tuple[int, float]] | str) -> Exactly:
    """Mark windows as the budget's complete set: ``{"status": exactly("5/1")}``
    keeps only a 1-second window of 5 (the string form is ``status:=5/1``)."""
    if isinstance(windows, str):
        return Exactly(_parse_windows("exactly", windows))
    return Exactly(_windows_from_pairs("exactly", windows))


def parse_budgets(text: str) -> dict[str, tuple[Window, ...]]:
    """Parse ``"status=5/1;create_requests=5/1,20/60"`` into the windows each named
    budget ends up with on MoEngage's documented table.

    ``name=LIMIT/SECONDS[,...]`` changes the windows of those lengths and adds
    new lengths; every other window of the budget stays. ``name:=...`` replaces
    the budget's whole set. Raises ``ValueError`` naming the malformed part.
    """
    return {
        name: _apply(name, DEFAULT_BUDGETS[name].windows, windows, exact)
        for name, (windows, exact) in _parse_overrides(text).items()
    }


def _parse_overrides(text: str) -> dict[str, tuple[tuple[Window, ...], bool]]:
    result: dict[str, tuple[tuple[Window, ...], bool]] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, sep, spec = part.partition("=")
        name = name.strip()
        exact = name.endswith(_EXACT)
        name = name.removesuffix(_EXACT).strip()
        if not sep or not name:
            raise ValueError(
                f"budget {part!r}: expected NAME=LIMIT/SECONDS[,...] "
                "(or NAME:=... to replace every window)"
            )
        if name not in DEFAULT_BUDGETS:
            raise ValueError(f"budget {part!r}: unknown budget {name!r}")
        result[name] = (_parse_windows(name, spec), exact)
    return result


def _apply(
    name: str,
    base: tuple[Window, ...],
    given: tuple[Window, ...],
    exact: bool,
) -> tuple[Window, ...]:
    """``given`` merged onto ``base`` (same length: new limit; new length: added),
    or ``given`` alone when ``exact``."""
    by_length: dict[float, Window] = {}
    for window in given:
        if window.seconds in by_length:
            raise ValueError(
                f"budget {name!r}: two windows of {window.seconds:g} s given"
            )
        by_length[window.seconds] = window
    if exact:
        merged = tuple(given)
    else:
        lengths = {w.seconds for w in base}
        merged = tuple(by_length.get(w.seconds, w) for w in base) + tuple(
            w for w in given if w.seconds not in lengths
        )
    _log_raised(name, merged)
    return merged


def _log_raised(name: str, windows: tuple[Window, ...]) -> None:
    """Log, once per process, a limit above MoEngage's documented table."""
    documented = DEFAULT_BUDGETS.get(name)
    if documented is None:
        return
    table = {w.seconds: w.limit for w in documented.windows}
    for window in windows:
        key = (name, window.seconds, window.limit)
        allowed = table.get(window.seconds)
        if allowed is None or window.limit <= allowed or key in _raised_logged:
            continue
        _raised_logged.add(key)
        log.info(
            "budget %s: %d per %g s is above MoEngage's documented %d; using it "
            "(a workspace with raised limits)",
            name,
            window.limit,
            window.seconds,
            allowed,
        )


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
    """Apply overrides (a mapping or the string syntax) to the documented table.

    An override changes the windows of the lengths it names and adds new
    lengths; it never drops a window unless it says so (``exactly(...)``, or
    ``name:=...`` in the string syntax). A limit above the documented table is
    accepted and logged once.
    """
    budgets = dict(DEFAULT_BUDGETS)
    if overrides is None:
        return budgets
    if isinstance(overrides, str):
        items = _parse_overrides(overrides)
    else:
        items = _normalise(overrides)
    for name, (windows, exact) in items.items():
        base = budgets[name]
        merged = _apply(name, base.windows, windows, exact)
        budgets[name] = Budget(name, merged, base.successes_only, base.concurrency)
    return budgets


def _normalise(
    overrides: Mapping[str, WindowsLike],
) -> dict[str, tuple[tuple[Window, ...], bool]]:
    result: dict[str, tuple[tuple[Window, ...], bool]] = {}
    for name, windows in overrides.items():
        if name not in DEFAULT_BUDGETS:
            known = ", ".join(sorted(DEFAULT_BUDGETS))
            raise ValueError(f"unknown budget {name!r}; known budgets: {known}")
        if isinstance(windows, Exactly):
            result[name] = (windows.windows, True)
        elif isinstance(windows, str):
            result[name] = (_parse_windows(name, windows), False)
        else:
            result[name] = (_windows_from_pairs(name, windows), False)
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
    that shares its budget with another integration: the hour window stays).
    Same syntax as ``parse_budgets``. Malformed text raises ``ValueError``
    naming the bad part.
    """
    env = os.environ if environ is None else environ
    text = env.get(BUDGETS_ENV, "").strip()
    return resolve_budgets(text or None)


def format_budgets(budgets: Mapping[str, Budget]) -> str:
    """Render budgets in the string syntax (``resolve_budgets`` reads it back):
    ``name:=`` where a documented window length is missing, else ``name=``."""
    parts = []
    for name, b in budgets.items():
        if not b.windows:
            continue
        documented = DEFAULT_BUDGETS.get(name)
        lengths = {w.seconds for w in b.windows}
        keeps = documented is not None and all(
            w.seconds in lengths for w in documented.windows
        )
        op = "=" if keeps else ":="
        parts.append(
            name + op + ",".join(f"{w.limit}/{w.seconds:g}" for w in b.windows)
        )
    return ";".join(parts)
