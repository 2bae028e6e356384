"""Typed request and response models: ``models.v1`` and ``models.v5``.

Shapes identical in both generations live in ``models._common`` and are re-exported
by both version modules' imports; the helpers below are shared by both.

Escape hatch: every request model has ``extra: dict[str, Any]`` merged (deeply) into
the encoded body, and every client method also accepts a plain mapping instead of a
model, for fields these models do not know.
"""

from __future__ import annotations

from . import v1 as v1
from . import v5 as v5
from ._common import UNSET as UNSET
from ._common import CampaignDeliveryType as CampaignDeliveryType
from ._common import Channel as Channel
from ._common import ContentType as ContentType
from ._common import Model as Model
from ._common import Platform as Platform
from ._common import SchedulingType as SchedulingType
from ._common import StatusAction as StatusAction
from ._common import parse_enum as parse_enum
from ._common import to_wire as to_wire

__all__ = [
    "CampaignDeliveryType",
    "Channel",
    "ContentType",
    "Model",
    "Platform",
    "SchedulingType",
    "StatusAction",
    "UNSET",
    "parse_enum",
    "to_wire",
    "v1",
    "v5",
]
