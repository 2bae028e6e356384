"""Defaults in one place: hosts per data center, timeouts, retry and pool settings."""

from __future__ import annotations

__all__ = [
    "DATA_CENTERS",
    "DEFAULT_CONNECTION_LIMIT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT_S",
    "DNS_CACHE_TTL_S",
    "KEEPALIVE_TIMEOUT_S",
    "MAX_ID_LENGTH",
    "MAX_STATUS_BATCH",
    "MAX_TEST_RECIPIENTS",
    "MAX_TIMEOUT_S",
    "USER_AGENT",
    "V1_PREFIX",
    "base_url_for",
]

#: Every documented data center; the host is ``api-{dc}`` with the full string (never
#: ``api-0{X}``, which breaks for ``101``).
DATA_CENTERS: frozenset[str] = frozenset({"01", "02", "03", "04", "05", "06", "101"})

#: V1 paths are relative to this prefix; V5 paths start with ``/v5`` at the host root.
V1_PREFIX = "/core-services/v1"

DEFAULT_TIMEOUT_S = 30.0
#: The longest per-call deadline accepted (one day): budget waits are included.
MAX_TIMEOUT_S = 86400.0
#: The longest campaign id, request id or workspace id accepted (characters).
MAX_ID_LENGTH = 128
DEFAULT_MAX_RETRIES = 3
DEFAULT_CONNECTION_LIMIT = 100
KEEPALIVE_TIMEOUT_S = 30.0
DNS_CACHE_TTL_S = 300

#: V1 ``POST /campaigns/status`` accepts 1 to 10 ids per request.
MAX_STATUS_BATCH = 10
#: Test sends reach at most 10 recipients, on every channel (docs/api-notes.md C10).
MAX_TEST_RECIPIENTS = 10

USER_AGENT = "moengage-async"


def base_url_for(data_center: str) -> str:
    """Return the API host of a data center; ``ValueError`` for an unknown one."""
    if data_center not in DATA_CENTERS:
        known = ", ".join(sorted(DATA_CENTERS))
        raise ValueError(
            f"unknown data_center {data_center!r}; expected one of {known}"
        )
    return f"https://api-{data_center}.moengage.com"
