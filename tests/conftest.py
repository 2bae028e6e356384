"""Shared fixtures, and the CI guard: with ``CI=true`` a skipped test fails the run,
bar the ``requires_task_uncancel`` tests on Python 3.10 (see tests/ci_guard.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# The CI guard's hooks (tests/ci_guard.py), registered here for the whole suite.
from ci_guard import (  # noqa: E402, F401
    pytest_collection_modifyitems,
    pytest_sessionfinish,
)


@pytest.fixture
def anyio_backend() -> str:
    """Run async tests on asyncio: the client is asyncio-native (aiohttp)."""
    return "asyncio"


# -- sandbox: raw HTTP whose every answer is checked against the specs ---------


def new_rid() -> str:
    """A fresh request id (UUID v4)."""
    return str(uuid.uuid4())


class SandboxHTTP:
    """Raw HTTP calls to a sandbox; every answer must match the documented schema."""

    def __init__(self, sandbox: Any, session: Any) -> None:
        self.sandbox = sandbox
        self.session = session

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        key: str | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        """Send one request; return status, decoded JSON (or None) and headers."""
        import json

        version = 5 if path.startswith("/v5") else 1
        sent = self.sandbox.auth_headers(version=version) if auth else {}
        if key is not None:
            sent["Idempotency-Key"] = key
        if version == 5:  # as the client does: header = body request_id, or fresh
            rid = body.get("request_id") if isinstance(body, dict) else None
            # A header cannot carry control characters (the client refuses such ids).
            usable = isinstance(rid, str) and rid.isprintable()
            sent["X-MOE-Request-Id"] = rid if usable else new_rid()
        sent.update(headers or {})
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        async with self.session.request(
            method, self.sandbox.url + path, data=data, headers=sent
        ) as response:
            content = await response.read()
            status = response.status
            got_headers = dict(response.headers)
        decoded = json.loads(content) if content else None
        problems = spec_problems(version, method, path, status, decoded)
        assert not problems, f"{method} {path} -> {status}: {problems}"
        return status, decoded, got_headers


def spec_problems(
    version: int, method: str, path: str, status: int, body: Any
) -> list[str]:
    """Why an answer does not match the spec (``[]`` when it does)."""
    from moengage_async._constants import V1_PREFIX
    from moengage_async.sandbox._schemas import (
        OperationSchemas,
        iter_operations,
        load_spec,
        to_json_schema,
    )

    relative = path[len(V1_PREFIX) :] if version == 1 else path
    relative = relative.split("?", 1)[0]
    for schemas in iter_operations(version):
        if schemas.method == method and _matches(schemas.path, relative):
            break
    else:
        return [f"no documented operation for {method} {path}"]
    # V5 404 uses the observed NOT_FOUND code, outside the documented enum
    # (docs/api-notes.md C14): it is checked by the relaxed envelope below.
    if not (version == 5 and status == 404):
        try:
            return schemas.response_errors(status, body)
        except KeyError:
            pass
    # Undocumented for this operation (429 anywhere, V5 404 NOT_FOUND, 5xx
    # faults): it must still be the generation's error envelope.
    name = "ErrorResponse" if version == 1 else "V5ErrorEnvelope"
    schema = to_json_schema(
        load_spec(version)["components"]["schemas"][name], lenient_one_of=True
    )
    if version == 5 and status == 404:
        schema["properties"]["error"]["properties"]["code"] = {"const": "NOT_FOUND"}
    checker = OperationSchemas(version, method, path, {"responses": {}})
    validator = checker._validator(schema, lenient=True)
    problems = [e.message for e in validator.iter_errors(body)]
    if not isinstance(body, dict) or "error" not in body:
        problems.append("not an error envelope")
    return problems


def _matches(template: str, path: str) -> bool:
    import re

    pattern = re.sub(r"\{[^/]+\}", "[^/]+", template)
    return re.fullmatch(pattern, path) is not None


@pytest.fixture
async def sandbox_http(moengage_sandbox: Any) -> AsyncIterator[SandboxHTTP]:
    """Raw, spec-checked HTTP access to the ``moengage_sandbox`` fixture."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        yield SandboxHTTP(moengage_sandbox, session)


def spec_example(version: int, method: str, path: str, name: str) -> Any:
    """A request example from the bundled spec, deep-copied, placeholders filled."""
    import copy
    import json

    from moengage_async.sandbox._schemas import load_spec

    op = load_spec(version)["paths"][path][method.lower()]
    value = op["requestBody"]["content"]["application/json"]["examples"][name]["value"]
    text = json.dumps(copy.deepcopy(value))
    for placeholder, real in (
        ("{{created_by}}", "owner@example.com"),
        ("{{user_email}}", "owner@example.com"),
        ("{{creator_email}}", "owner@example.com"),
    ):
        text = text.replace(placeholder, real)
    return json.loads(text)


# -- V1 operation tests: a real recording aiohttp server and a client pointed at it --

from moengage_async import MoEngageClient  # noqa: E402
from moengage_async._clock import FakeClock  # noqa: E402
from moengage_async.api._retry import RetryPolicy  # noqa: E402
from tests.recording_server import (  # noqa: E402
    TEST_API_KEY,
    RecordingServer,
    recording_server,
)


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


@pytest.fixture
async def make_limiter(
    redis_url: str, redis_prefix: str, fake_clock: Any
) -> AsyncIterator[Any]:
    """Build ``RedisLimiter``s on this test's namespace and ``fake_clock``.

    No Redis ``TIME`` (exact stamps) and no jitter unless a test asks; ``redis=``
    gives a client of the test's own. All are closed when the test ends.
    """
    from moengage_async.budgets._redis import RedisLimiter

    made: list[RedisLimiter] = []

    def build(budgets: object, **kw: Any) -> RedisLimiter:
        kw.setdefault("clock", fake_clock)
        kw.setdefault("key_prefix", redis_prefix)
        kw.setdefault("use_server_time", False)
        limiter = RedisLimiter(
            kw.pop("redis", redis_url), budgets=budgets, jitter_s=0.0, **kw
        )
        made.append(limiter)
        return limiter

    yield build
    for limiter in made:
        await limiter.aclose()
