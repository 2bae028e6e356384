"""``BodyDecoder``: the one place a 2xx body becomes a model.

Every operation that reads its answer decodes it through a ``BodyDecoder`` built
once at import. A body that is empty, truncated, not JSON, ``null`` or of the wrong
types raises ``MalformedResponseError`` (an ``APIError`` with the 2xx status and
the body's text in ``raw_body``), never msgspec's own errors: the call may have
taken effect, and the caller sees it in the library's error tree.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

from .._errors import MalformedResponseError
from ..transport import Response

__all__ = ["BodyDecoder", "RAW_BODY_LIMIT", "malformed"]

T = TypeVar("T")

#: Characters of an unexpected body kept in ``raw_body`` (and never more).
RAW_BODY_LIMIT = 2000


class BodyDecoder(Generic[T]):
    """Decodes one operation's 2xx answer into ``T``, or raises
    ``MalformedResponseError``."""

    __slots__ = ("_decode", "_op")

    def __init__(self, op_name: str, kind: type[T]) -> None:
        self._op = op_name
        self._decode = msgspec.json.Decoder(kind).decode

    def __repr__(self) -> str:
        return f"BodyDecoder({self._op!r})"

    def __call__(self, response: Response, request_id: str) -> T:
        """The decoded body; ``MalformedResponseError`` when it is not one."""
        try:
            value: T = self._decode(response.body)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise malformed(self._op, response, request_id, str(exc)) from None
        return value


def malformed(
    op_name: str, response: Response, request_id: str, reason: str
) -> MalformedResponseError:
    """The error for a 2xx ``response`` whose body could not be read."""
    body = response.body
    what = "an empty body" if not body else f"an undocumented body ({reason})"
    return MalformedResponseError(
        f"{op_name}: {response.status} with {what}; the call may have taken effect",
        status=response.status,
        request_id=request_id,
        raw_body=body[:RAW_BODY_LIMIT].decode("utf-8", "replace"),
    )
