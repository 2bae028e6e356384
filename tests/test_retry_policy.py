"""Retry maths: which statuses retry, backoff bounds, and ``Retry-After`` parsing."""

from __future__ import annotations

import email.utils

import pytest

from moengage_async import RetryPolicy
from moengage_async.api._retry import parse_retry_after

NOW = 1_700_000_000.0
IN_30S = email.utils.formatdate(NOW + 30, usegmt=True)
AGO_30S = email.utils.formatdate(NOW - 30, usegmt=True)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        pytest.param(400, False, id="400-bad-request"),
        pytest.param(401, False, id="401-auth"),
        pytest.param(403, False, id="403-forbidden"),
        pytest.param(404, False, id="404-not-found"),
        pytest.param(408, True, id="408-timeout"),
        pytest.param(409, False, id="409-conflict"),
        pytest.param(422, False, id="422-transition"),
        pytest.param(429, True, id="429-rate-limited"),
        pytest.param(500, True, id="500"),
        pytest.param(502, True, id="502"),
        pytest.param(503, True, id="503"),
    ],
)
def test_status_retryability(status: int, retryable: bool) -> None:
    """Only 408, 429 and 5xx are retried; MoEngage's 409 is a state conflict."""
    assert RetryPolicy.is_retryable_status(status) is retryable


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("7", 7.0, id="delta-seconds"),
        pytest.param("0.25", 0.25, id="fractional-seconds"),
        pytest.param(
            email.utils.formatdate(NOW + 30, usegmt=True), 30.0, id="http-date"
        ),
        pytest.param(
            email.utils.formatdate(NOW - 30, usegmt=True), 0.0, id="past-date"
        ),
        pytest.param("soon", None, id="garbage"),
        pytest.param("-3", None, id="negative"),
        pytest.param("nan", None, id="nan"),
    ],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    """Retry-After is read as delta seconds or an HTTP date; nonsense is ignored."""
    assert parse_retry_after({"Retry-After": value}, now_wall=NOW) == expected


def test_missing_retry_after_is_none() -> None:
    """No header means no server-directed wait."""
    assert parse_retry_after({}, now_wall=NOW) is None


def test_backoff_is_capped_full_jitter() -> None:
    """Backoff doubles per retry up to the cap, scaled by a jitter draw in [0, 1)."""
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=4.0, rng=lambda: 0.999)
    delays = [policy.backoff(n) for n in range(1, 7)]
    assert delays == pytest.approx([0.4995, 0.999, 1.998, 3.996, 3.996, 3.996])
    assert RetryPolicy(rng=lambda: 0.0).backoff(3) == 0.0


def test_testing_policy_has_no_backoff() -> None:
    """``testing=True`` removes backoff so suites never wait."""
    assert RetryPolicy(testing=True).backoff(5) == 0.0


def test_negative_retries_refused() -> None:
    """A negative retry count is a configuration error."""
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
