"""``Resource``: the base of ``V1API`` and ``V5API``, which hold only a requestor."""

from __future__ import annotations

from ._requestor import Requestor

__all__ = ["Resource"]


class Resource:
    """A group of operations that all send through one ``Requestor``."""

    __slots__ = ("_request", "_requestor")

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor
        # Bound once: every operation sends through it.
        self._request = requestor.request

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._requestor!r})"
