"""Every error body becomes the right ``APIError``: V1, V5, GCG, undocumented."""

from __future__ import annotations

import pytest

from moengage_async import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)
from moengage_async.api._envelope import error_from_response
from moengage_async.transport._aiohttp import Response

V1_400 = (
    b'{"error": {"code": "400 Bad Request", "message": "request_id key is mandatory'
    b' field", "target": "request_id", "details": [{"target": "request_id", '
    b'"message": "request_id key is mandatory field"}], "request_id": "11"}}'
)
V5_400 = (
    b'{"response_id": "abc-101", "error": {"code": "VALIDATION_FAILED", "message": '
    b'"One or more fields failed validation.", "target": "campaign", "request_id": '
    b'"req-push-001", "details": [{"target": "campaign_delivery_type", "message": '
    b'"campaign_delivery_type value is required."}]}}'
)


def _error(status: int, body: bytes) -> APIError:
    return error_from_response(Response(status, {}, body))


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        pytest.param(400, BadRequestError, id="400"),
        pytest.param(401, AuthenticationError, id="401"),
        pytest.param(403, PermissionDeniedError, id="403"),
        pytest.param(404, NotFoundError, id="404"),
        pytest.param(409, ConflictError, id="409"),
        pytest.param(422, UnprocessableEntityError, id="422"),
        pytest.param(429, RateLimitError, id="429"),
        pytest.param(500, ServerError, id="500"),
        pytest.param(503, ServerError, id="503"),
        pytest.param(418, APIError, id="418-other"),
    ],
)
def test_status_maps_to_exception_class(status: int, cls: type[APIError]) -> None:
    """The HTTP status alone picks the class, never the envelope's code text."""
    error = _error(status, V1_400)
    assert type(error) is cls
    assert error.status == status


def test_v1_envelope_fields() -> None:
    """A V1 envelope yields code, message, target, details and request_id."""
    error = _error(400, V1_400)
    assert error.code == "400 Bad Request"
    assert error.message == "request_id key is mandatory field"
    assert error.target == "request_id"
    assert error.details == [
        {"target": "request_id", "message": "request_id key is mandatory field"}
    ]
    assert error.request_id == "11"
    assert error.raw_body is None


def test_v5_envelope_fields() -> None:
    """A V5 envelope adds response_id beside the same error fields."""
    error = _error(400, V5_400)
    assert error.code == "VALIDATION_FAILED"
    assert error.response_id == "abc-101"
    assert error.request_id == "req-push-001"
    assert error.details[0]["target"] == "campaign_delivery_type"


def test_v1_401_details_message_as_array() -> None:
    """``details[].message`` may be an array of objects (V1 401): kept, as JSON text."""
    body = (
        b'{"error": {"code": "401 Authentication error", "message": "Authentication'
        b' required", "target": "APP_SECRET_KEY", "details": [{"code": "InvalidValue",'
        b' "target": "APP_SECRET_KEY", "message": [{"k": "v"}]}]}}'
    )
    error = _error(401, body)
    assert isinstance(error, AuthenticationError)
    assert error.details[0]["code"] == "InvalidValue"
    assert error.details[0]["message"] == [{"k": "v"}]


def test_gcg_500_shape() -> None:
    """The GCG 500 body ``{"error": {"title", "description"}}`` gives a message."""
    body = b'{"error": {"title": "Server Error", "description": "Something broke"}}'
    error = _error(500, body)
    assert isinstance(error, ServerError)
    assert error.message == "Something broke"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<html><body>502 Bad Gateway</body></html>", id="html-page"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"error": {"code": "500", "mess', id="truncated-json"),
        pytest.param(b'["not", "an", "envelope"]', id="wrong-shape"),
    ],
)
def test_undocumented_body_kept_raw(body: bytes) -> None:
    """A body that is not the envelope is kept verbatim in ``raw_body``."""
    error = _error(502, body)
    assert isinstance(error, ServerError)
    assert error.raw_body == body.decode()
    assert "502" in str(error)


def test_rate_limit_carries_retry_after() -> None:
    """A 429 keeps the parsed Retry-After seconds."""
    error = error_from_response(Response(429, {}, b""), retry_after=12.0)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 12.0
    assert error.local is False


@pytest.mark.parametrize(
    ("status", "body", "head"),
    [
        pytest.param(400, V1_400, "[400 Bad Request]", id="v1-code-has-status"),
        pytest.param(400, V5_400, "[400 VALIDATION_FAILED]", id="v5-code"),
        pytest.param(502, b"<html>bad gateway</html>", "[502]", id="no-code"),
    ],
)
def test_error_text_says_the_status_once(status: int, body: bytes, head: str) -> None:
    """The error's text names the status once, with the code when it adds to it."""
    text = str(_error(status, body))
    assert text.startswith(head + " ")
    assert text.count(str(status)) == 1, text
