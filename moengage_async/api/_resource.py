"""``Resource``: the base of ``V1API`` and ``V5API``, which hold only a requestor."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from ..budgets import Priority
from ..transport import Response
from ._arguments import check_priority, check_timeout
from ._requestor import USE_CLIENT_DEFAULT, Requestor

__all__ = ["Resource"]


class Resource:
    """A group of operations that all send through one ``Requestor``."""

    __slots__ = ("_requestor", "_send_request")

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor
        self._send_request = requestor.request

    def _request(
        self,
        op_name: str,
        *,
        timeout: Any = USE_CLIENT_DEFAULT,
        priority: Any = Priority.INTERACTIVE,
        **kwargs: Any,
    ) -> Awaitable[Response]:
        """``Requestor.request`` after the checks every operation shares
        (``timeout``, ``priority``); a plain function, so no extra coroutine."""
        if timeout is not USE_CLIENT_DEFAULT:
            check_timeout(timeout)
        if type(priority) is not Priority:
            check_priority(priority)
        return self._send_request(op_name, timeout=timeout, priority=priority, **kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._requestor!r})"
