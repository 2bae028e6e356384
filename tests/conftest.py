"""Shared fixtures. In CI (``CI=true``) a skipped test fails the run."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run in CI when any test was skipped."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not IN_CI or reporter is None:
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped:
        reporter.write_line(
            f"CI=true: {len(skipped)} test(s) skipped; every test must run in CI",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def anyio_backend() -> str:
    """Run async tests on asyncio: the client is asyncio-native (aiohttp)."""
    return "asyncio"


# -- Redis budgets (tests/redis_server.py) ------------------------------------

_redis_prefixes = iter(range(1, 1_000_000))


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A private redis-server for the session (or REDIS_URL); fails in CI if absent."""
    from redis_server import find_redis, private_redis

    found = find_redis()
    if found is None:
        reason = "no redis-server on PATH and REDIS_URL unset"
        if IN_CI:
            pytest.fail(f"CI=true: {reason}; Redis tests must run")
        pytest.skip(reason)
    if found:
        yield found
        return
    with private_redis() as url:
        yield url


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of its own for each test, so tests never see each other's keys."""
    return f"t{os.getpid()}-{next(_redis_prefixes)}"
