"""Shared fixtures. In CI (``CI=true``) a skipped test fails the run."""

from __future__ import annotations

import os

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


# -- V1 operation tests: a real recording aiohttp server and a client pointed at it --

from collections.abc import AsyncIterator  # noqa: E402

from moengage_async import MoEngageClient  # noqa: E402
from moengage_async._clock import FakeClock  # noqa: E402
from moengage_async._retry import RetryPolicy  # noqa: E402
from tests.recording_server import RecordingServer, recording_server  # noqa: E402

#: The API key every recorder-backed client uses; the secrets test hunts for it.
TEST_API_KEY = "sk-live-DO-NOT-LEAK-4242"


@pytest.fixture
async def recorder() -> AsyncIterator[RecordingServer]:
    """A real aiohttp server on 127.0.0.1 recording requests, answering canned ones."""
    async for server in recording_server():
        yield server


@pytest.fixture
def fake_clock() -> FakeClock:
    """Virtual time: backoff and Retry-After waits never sleep for real."""
    return FakeClock(start=1000.0)


@pytest.fixture
async def v1_client(
    recorder: RecordingServer, fake_clock: FakeClock
) -> AsyncIterator[MoEngageClient]:
    """A client aimed at the recorder, zero backoff, on the fake clock."""
    async with MoEngageClient(
        "ws-test",
        TEST_API_KEY,
        base_url=recorder.url,
        clock=fake_clock,
        retry=RetryPolicy(testing=True),
    ) as client:
        yield client
