"""The exception tree. Every error the client raises derives from ``MoEngageError``.

::

    MoEngageError
    ├── PayloadValidationError      bad arguments, raised before anything is sent
    ├── TransportError              the request did not get an HTTP answer
    │   ├── ConnectError
    │   └── RequestTimeoutError
    ├── ResponseTooLargeError       the answer's body passed the size cap
    └── APIError                    MoEngage answered with a non-2xx status
        ├── RedirectError               3xx: never followed
        ├── BadRequestError             400
        ├── AuthenticationError         401
        ├── PermissionDeniedError       403
        ├── NotFoundError               404
        ├── ConflictError               409
        ├── UnprocessableEntityError    422
        ├── RateLimitError              429, or a budget that cannot be met in time
        ├── ServerError                 5xx
        └── MalformedResponseError      a 2xx whose body is not what was documented
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ConnectError",
    "MalformedResponseError",
    "MoEngageError",
    "NotFoundError",
    "PayloadValidationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "ServerError",
    "TransportError",
    "UnprocessableEntityError",
    "error_class_for_status",
]


class MoEngageError(Exception):
    """Base of every error raised by this package.

    ``unanswered_attempts`` counts the earlier attempts of the same call that may
    have reached MoEngage without a definite answer (a timeout, a broken
    connection, a 5xx): when it is not 0, the call may have taken effect even
    though this error ended it.
    """

    unanswered_attempts: int = 0


class PayloadValidationError(MoEngageError, ValueError):
    """Raised when arguments are invalid; nothing was sent."""


class TransportError(MoEngageError):
    """Raised when a request got no HTTP response (connection reset, DNS, timeout)."""


class ConnectError(TransportError):
    """Raised when the connection failed or broke before a response arrived."""


class RequestTimeoutError(TransportError):
    """Raised when a call's deadline passed before a response arrived."""


class ResponseTooLargeError(MoEngageError):
    """Raised when a response body, decompressed, passes the transport's size cap.

    Reading stops at the cap (``limit``, bytes); the call is not retried.
    """

    def __init__(self, message: str, *, status: int, limit: int) -> None:
        super().__init__(message)
        self.status = status
        self.limit = limit


class APIError(MoEngageError):
    """Raised when MoEngage answers with a non-2xx status.

    ``raw_body`` holds the body text when it was not the documented envelope
    (an HTML error page, an empty or truncated body), else ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
        response_id: str | None = None,
        retry_after: float | None = None,
        raw_body: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.target = target
        self.details = details or []
        self.request_id = request_id
        self.response_id = response_id
        self.retry_after = retry_after
        self.raw_body = raw_body

    def __str__(self) -> str:
        # V1 codes repeat the status ("400 Bad Request"): say it once.
        code = self.code or ""
        if code.startswith(str(self.status)):
            head = code
        else:
            head = f"{self.status} {code}".rstrip()
        text = f"[{head}] {self.message}"
        if self.target:
            text += f" (target: {self.target})"
        if self.request_id:
            text += f" [request_id={self.request_id}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class RedirectError(APIError):
    """Raised on a 3xx answer: redirects are never followed, so the body and the
    credentials go nowhere but the configured host. ``location`` is where the
    server pointed (``None`` without a ``Location`` header). Not retried."""

    def __init__(
        self, message: str, *, status: int, location: str | None, **kwargs: Any
    ) -> None:
        super().__init__(message, status=status, **kwargs)
        self.location = location


class BadRequestError(APIError):
    """Raised on 400: a malformed request, or one the campaign's state forbids."""


class AuthenticationError(APIError):
    """Raised on 401: the workspace id or API key was rejected."""


class PermissionDeniedError(APIError):
    """Raised on 403: the API key lacks the permission (scope) for the operation."""


class NotFoundError(APIError):
    """Raised on 404: the campaign does not exist in this workspace."""


class ConflictError(APIError):
    """Raised on 409: a state conflict, or an idempotency key reused elsewhere."""


class UnprocessableEntityError(APIError):
    """Raised on 422: an invalid status transition or a failed publish validation."""


class RateLimitError(APIError):
    """Raised on 429, or before sending when a budget cannot be met by the deadline.

    ``retry_at`` is the clock time at which a slot frees (when known); ``local`` is
    true when the client refused the call itself and nothing was sent.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 429,
        retry_at: float | None = None,
        local: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, status=status, **kwargs)
        self.retry_at = retry_at
        self.local = local


class ServerError(APIError):
    """Raised on 5xx once retries are exhausted."""


class MalformedResponseError(APIError):
    """Raised when a 2xx answer's body is not the documented one (empty, truncated,
    not JSON, wrong types); ``raw_body`` holds its text. The call may have taken
    effect: the status said it did."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for_status(status: int) -> type[APIError]:
    """Return the exception class for an HTTP status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIError)
