"""Shared model base and the closed sets common to V1 and V5."""

from __future__ import annotations

import enum

import msgspec

__all__ = ["Model", "StatusAction"]


class Model(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """Base of every wire model: keyword-only, optional fields left out when unset."""


class StatusAction(str, enum.Enum):
    """The status transitions MoEngage accepts (publish is separate, V5 only)."""

    STOP = "STOP"
    PAUSE = "PAUSE"
    RESUME = "RESUME"
