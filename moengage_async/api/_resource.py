"""``Resource``: the base of ``V1API`` and ``V5API``, which hold only a requestor.

``resource.with_raw_response`` is the same operations returning a ``RawResponse``
(status, headers, body, request id) besides the parsed result. It is a copy of the
resource whose request function keeps the answer it returns, made per raw call:
the ordinary methods never pay for it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from .._errors import MoEngageError
from ._decode import malformed
from ._requestor import Requestor

if TYPE_CHECKING:
    from ..transport import Response

__all__ = ["RawResource", "RawResponse", "Resource"]

T = TypeVar("T")

_decode_json = msgspec.json.Decoder().decode


class Resource:
    """A group of operations that all send through one ``Requestor``."""

    __slots__ = ("_request", "_requestor")

    def __init__(
        self,
        requestor: Requestor,
        *,
        request: Callable[..., Awaitable[Response]] | None = None,
    ) -> None:
        self._requestor = requestor
        # Bound once: every operation sends through it.
        self._request = requestor.request if request is None else request

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._requestor!r})"

    @property
    def requestor(self) -> Requestor:
        """The requestor every operation of this resource sends through."""
        return self._requestor

    @property
    def with_raw_response(self) -> RawResource:
        """These operations, each returning a ``RawResponse`` of its answer.

        ``await client.v1.with_raw_response.change_status("PAUSE", ids)`` gives
        the status, headers (``x-ratelimit-*`` among them) and body of the
        successful answer, and ``.parse()`` the usual result. Errors are raised as
        by the ordinary method.
        """
        return RawResource(self)


class RawResponse(Generic[T]):
    """The successful HTTP answer of one call, and its parsed result.

    ``headers`` are case-insensitive. ``request_id`` is the id the call sent (V1
    body ``request_id``, V5 ``X-MOE-Request-Id`` too). ``parse()`` returns what the
    ordinary method returns, or raises what it would have raised when the body
    is not the documented one (``MalformedResponseError``): the raw answer stays
    readable either way.
    """

    __slots__ = ("_error", "_parsed", "_response", "operation", "request_id")

    def __init__(
        self,
        operation: str,
        request_id: str,
        response: Response,
        parsed: T | None,
        error: MoEngageError | None,
    ) -> None:
        self.operation = operation
        self.request_id = request_id
        self._response = response
        self._parsed = parsed
        self._error = error

    @property
    def status(self) -> int:
        """The HTTP status (2xx: other answers raise)."""
        return self._response.status

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers, case-insensitive."""
        return self._response.headers

    @property
    def body(self) -> bytes:
        """The response body as received."""
        return self._response.body

    def json(self) -> Any:
        """The body decoded as JSON (``None`` for an empty body, as a 204's).

        Raises:
            MalformedResponseError: the body is not JSON.
        """
        body = self._response.body
        if not body:
            return None
        try:
            return _decode_json(body)
        except msgspec.DecodeError as exc:
            raise malformed(
                self.operation, self._response, self.request_id, str(exc)
            ) from None

    def parse(self) -> T:
        """The parsed result, as the ordinary method returns it."""
        if self._error is not None:
            raise self._error
        return self._parsed  # type: ignore[return-value]

    def __repr__(self) -> str:
        return (
            f"<RawResponse {self.operation} status={self.status} "
            f"request_id={self.request_id!r}>"
        )


class RawResource:
    """``resource.with_raw_response``: each operation returns a ``RawResponse``."""

    __slots__ = ("_resource",)

    def __init__(self, resource: Resource) -> None:
        self._resource = resource

    def __repr__(self) -> str:
        return f"{self._resource!r}.with_raw_response"

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]:
        resource = self._resource
        method = getattr(type(resource), name, None)
        if name.startswith("_") or not inspect.iscoroutinefunction(method):
            raise AttributeError(
                f"{type(resource).__name__}.with_raw_response has no operation "
                f"{name!r} (only calls that send one request have a raw response)"
            )
        requestor = resource.requestor

        async def raw_call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            answers: list[tuple[str, str, Response]] = []

            async def keep(op_name: str, **options: Any) -> Response:
                response = await requestor.request(op_name, **options)
                answers.append((op_name, options["request_id"], response))
                return response

            copy = type(resource)(requestor, request=keep)
            try:
                parsed = await getattr(copy, name)(*args, **kwargs)
            except MoEngageError as exc:
                if not answers:
                    raise
                # Answered, then not parsed: the raw answer is still readable.
                return RawResponse(*answers[-1], None, exc)
            return RawResponse(*answers[-1], parsed, None)

        raw_call.__name__ = name
        raw_call.__doc__ = method.__doc__
        return raw_call
