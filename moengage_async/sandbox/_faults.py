"""Faults on demand: what a flaky network and a struggling MoEngage look like.

Every draw comes from one ``random.Random(seed)``, so a run with the same seed and
the same request order sees the same faults. Faults never touch ``/_sandbox/*``.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import random
from dataclasses import dataclass

__all__ = ["Fault", "FaultPlan", "Faults", "parse_faults"]


class Fault(enum.Enum):
    """What goes wrong with one request (``NONE``: nothing)."""

    NONE = "none"
    #: 500/502/503 with the documented error envelope; the request is not applied.
    ERROR = "error"
    #: Connection closed without an answer; the request is not applied.
    RESET = "reset"
    #: The request IS applied, then the connection closes without an answer.
    LOST_REPLY = "lost_reply"
    #: An HTML error page (502/503) from a "proxy"; the request is not applied.
    HTML = "html"
    #: The request is applied; the JSON answer is cut short.
    TRUNCATE = "truncate"
    #: The request is applied; the answer body dribbles out over ``slow_s``.
    SLOW = "slow"


@dataclass(frozen=True)
class Faults:
    """Fault rates (probabilities per request) and the simulated uplink delay.

    ``latency`` + uniform(0, ``jitter``) seconds pass before a request *arrives*,
    i.e. before it is counted against a budget. The rates are mutually exclusive
    slices of one draw, so their sum must not exceed 1.
    """

    latency: float = 0.0
    jitter: float = 0.0
    error_rate: float = 0.0
    reset_rate: float = 0.0
    lost_reply_rate: float = 0.0
    html_rate: float = 0.0
    truncate_rate: float = 0.0
    slow_rate: float = 0.0
    #: How long a slow body takes to arrive, in seconds.
    slow_s: float = 0.05
    #: Statuses an ``error`` fault picks from.
    error_statuses: tuple[int, ...] = (500, 502, 503)

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name == "error_statuses":
                if not value or any(s not in (500, 502, 503, 504) for s in value):
                    raise ValueError("error_statuses must be a subset of 500-504")
                continue
            if not (isinstance(value, (int, float)) and math.isfinite(value)):
                raise ValueError(f"faults: {field.name} must be a finite number")
            if value < 0:
                raise ValueError(f"faults: {field.name} must be >= 0, got {value}")
            if field.name.endswith("_rate") and value > 1:
                raise ValueError(f"faults: {field.name} must be <= 1, got {value}")
        if sum(self._rates()) > 1 + 1e-9:
            raise ValueError("faults: the *_rate values add up to more than 1")

    def _rates(self) -> tuple[float, ...]:
        return (
            self.error_rate,
            self.reset_rate,
            self.lost_reply_rate,
            self.html_rate,
            self.truncate_rate,
            self.slow_rate,
        )

    @property
    def active(self) -> bool:
        """True when any fault or delay can happen."""
        return bool(self.latency or self.jitter or any(self._rates()))


_NUMERIC = {f.name for f in dataclasses.fields(Faults) if f.name != "error_statuses"}
#: Short names: each ``<kind>_rate`` may be written ``<kind>``, and ``5xx`` is the
#: error rate (``--faults '5xx=0.1,reset=0.05'``).
ALIASES = {
    "5xx": "error_rate",
    **{name.removesuffix("_rate"): name for name in _NUMERIC if name.endswith("_rate")},
}


def parse_faults(text: str) -> Faults:
    """Parse ``"latency=0.005,jitter=0.02,error_rate=0.1"`` into ``Faults``.

    Rates may use their short names (``5xx=0.1,reset=0.05``, see ``ALIASES``);
    ``error_statuses`` is written ``error_statuses=500/503``. Raises ``ValueError``
    naming the bad part.
    """
    values: dict[str, object] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, raw = (s.strip() for s in part.partition("="))
        if not sep:
            raise ValueError(f"faults: {part!r} is not NAME=VALUE")
        name = ALIASES.get(name, name)
        if name in values:
            raise ValueError(f"faults: {part!r} sets {name} a second time")
        if name == "error_statuses":
            try:
                values[name] = tuple(int(s) for s in raw.split("/"))
            except ValueError:
                raise ValueError(
                    f"faults: {part!r}: statuses are written like 500/503"
                ) from None
            continue
        if name not in _NUMERIC:
            known = ", ".join(sorted([*_NUMERIC, *ALIASES, "error_statuses"]))
            raise ValueError(f"faults: unknown fault {name!r} in {part!r}; {known}")
        try:
            values[name] = float(raw)
        except ValueError:
            raise ValueError(f"faults: {part!r}: {raw!r} is not a number") from None
    try:
        return Faults(**values)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValueError(f"{exc} (in {text!r})") from None


class FaultPlan:
    """Draws, per request, the uplink delay and which fault (if any) applies."""

    __slots__ = ("_cuts", "_faults", "_rng")

    _ORDER = (
        Fault.ERROR,
        Fault.RESET,
        Fault.LOST_REPLY,
        Fault.HTML,
        Fault.TRUNCATE,
        Fault.SLOW,
    )

    def __init__(self, faults: Faults, seed: int) -> None:
        self._faults = faults
        self._rng = random.Random(seed)
        cuts: list[tuple[float, Fault]] = []
        total = 0.0
        for rate, fault in zip(faults._rates(), self._ORDER, strict=True):
            if rate:
                total += rate
                cuts.append((total, fault))
        self._cuts = tuple(cuts)

    @property
    def faults(self) -> Faults:
        """The configuration being drawn from."""
        return self._faults

    def delay(self) -> float:
        """Seconds of simulated uplink before this request arrives."""
        f = self._faults
        if not f.jitter:
            return f.latency
        return f.latency + self._rng.uniform(0.0, f.jitter)

    def draw(self) -> Fault:
        """Which fault hits this request."""
        if not self._cuts:
            return Fault.NONE
        x = self._rng.random()
        for cut, fault in self._cuts:
            if x < cut:
                return fault
        return Fault.NONE

    def error_status(self) -> int:
        """Which 5xx an ``ERROR`` or ``HTML`` fault answers with."""
        return self._rng.choice(self._faults.error_statuses)
