"""``MoEngageClient.from_env``: the ``MOENGAGE_*`` variables, overrides winning."""

from __future__ import annotations

import pytest

from moengage_async import (
    MemoryLimiter,
    MoEngageClient,
    PayloadValidationError,
    RedisLimiter,
    StaticShare,
    WorkConserving,
)
from moengage_async._client import ENVIRONMENT, settings_from_env
from moengage_async.sandbox import Sandbox

SECRET = "k3y-never-shown"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean ``MOENGAGE_*`` environment with a workspace and a key."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOENGAGE_WORKSPACE_ID", "WS_ENV")
    monkeypatch.setenv("MOENGAGE_API_KEY", SECRET)
    return monkeypatch


async def test_the_variables_configure_the_client(env: pytest.MonkeyPatch) -> None:
    """Workspace, key, data center and budgets come from the environment; the
    key shows in no repr."""
    env.setenv("MOENGAGE_DATA_CENTER", "03")
    env.setenv("MOENGAGE_BUDGETS", "status:=7/60")
    async with MoEngageClient.from_env() as client:
        assert client.workspace_id == "WS_ENV"
        assert client.base_url == "https://api-03.moengage.com"
        assert [
            (w.limit, w.seconds) for w in client.budgets_in_use()["status"].windows
        ] == [(7, 60.0)]
        assert isinstance(client.limiter, MemoryLimiter)
        shown = repr(client) + repr(client.v1) + repr(client.v5.with_raw_response)
    assert SECRET not in shown


async def test_explicit_arguments_win(env: pytest.MonkeyPatch) -> None:
    """An argument that is not ``None`` wins over its variable; ``None`` defers."""
    env.setenv("MOENGAGE_DATA_CENTER", "03")
    env.setenv("MOENGAGE_BUDGETS", "status:=7/60")
    async with MoEngageClient.from_env(
        workspace_id="WS_ARG",
        api_key=None,
        data_center="02",
        budgets="status:=3/1",
        timeout=5.0,
    ) as client:
        assert client.workspace_id == "WS_ARG"
        assert client.base_url == "https://api-02.moengage.com"
        windows = client.budgets_in_use()["status"].windows
        assert [(w.limit, w.seconds) for w in windows] == [(3, 1.0)]


async def test_a_client_from_env_talks_to_the_sandbox(env: pytest.MonkeyPatch) -> None:
    """End to end: credentials from the environment, the host as an override."""
    async with Sandbox() as sandbox:
        env.setenv("MOENGAGE_WORKSPACE_ID", sandbox.workspace_id)
        env.setenv("MOENGAGE_API_KEY", sandbox.api_key)
        ids = sandbox.seed_campaigns(2)
        async with MoEngageClient.from_env(base_url=sandbox.url) as client:
            await client.change_status("PAUSE", ids)
    assert [sandbox.campaign(i).status for i in ids] == ["PAUSED", "PAUSED"]


@pytest.mark.parametrize("missing", ["MOENGAGE_WORKSPACE_ID", "MOENGAGE_API_KEY"])
def test_a_missing_credential_names_its_variable(
    env: pytest.MonkeyPatch, missing: str
) -> None:
    """A clear ``PayloadValidationError`` (a ``ValueError``) naming the variable,
    without the key's value."""
    env.delenv(missing)
    with pytest.raises(PayloadValidationError, match=missing) as caught:
        MoEngageClient.from_env()
    assert isinstance(caught.value, ValueError)
    assert SECRET not in str(caught.value)


def test_blank_variables_count_as_missing(env: pytest.MonkeyPatch) -> None:
    env.setenv("MOENGAGE_API_KEY", "   ")
    with pytest.raises(PayloadValidationError, match="MOENGAGE_API_KEY"):
        MoEngageClient.from_env()


def test_malformed_budgets_name_the_variable(env: pytest.MonkeyPatch) -> None:
    env.setenv("MOENGAGE_BUDGETS", "status=ten/1")
    with pytest.raises(PayloadValidationError, match="MOENGAGE_BUDGETS"):
        MoEngageClient.from_env()


async def test_an_environ_mapping_replaces_os_environ(env: pytest.MonkeyPatch) -> None:
    """``environ=`` is read instead of ``os.environ``: its absent budgets mean the
    documented table, not ``os.environ``'s ``MOENGAGE_BUDGETS``."""
    env.setenv("MOENGAGE_BUDGETS", "status:=7/60")
    environ = {"MOENGAGE_WORKSPACE_ID": "W2", "MOENGAGE_API_KEY": "k2"}
    async with MoEngageClient.from_env(environ=environ) as client:
        assert client.workspace_id == "W2"
        windows = client.budgets_in_use()["status"].windows
        assert [(w.limit, w.seconds) for w in windows] != [(7, 60.0)]


def test_a_redis_url_makes_a_limiter_the_client_closes(
    env: pytest.MonkeyPatch,
) -> None:
    """``MOENGAGE_REDIS_URL``: a ``RedisLimiter`` with the environment's budgets,
    owned by the client (``close_limiter=True``); ``redis_url=`` wins."""
    env.setenv("MOENGAGE_REDIS_URL", "redis://env-host:6379/0")
    env.setenv("MOENGAGE_BUDGETS", "status:=4/1")
    settings = settings_from_env()
    limiter = settings["limiter"]
    assert isinstance(limiter, RedisLimiter)
    assert settings["close_limiter"] is True
    assert "budgets" not in settings
    assert [(w.limit, w.seconds) for w in limiter.budgets["status"].windows] == [
        (4, 1.0)
    ]
    chosen = settings_from_env(redis_url="redis://flag-host:6379/0")["limiter"]
    assert isinstance(chosen, RedisLimiter)
    assert "flag-host" in repr(chosen._redis.connection_pool)
    given = MemoryLimiter()
    assert settings_from_env(limiter=given)["limiter"] is given


def test_a_bad_redis_url_is_refused_without_repeating_it(
    env: pytest.MonkeyPatch,
) -> None:
    """The URL may hold a password: the error names the variable, not the URL."""
    env.setenv("MOENGAGE_REDIS_URL", "ftp://user:pa55word@h/0")
    with pytest.raises(PayloadValidationError, match="MOENGAGE_REDIS_URL") as caught:
        MoEngageClient.from_env()
    assert "pa55word" not in str(caught.value)


@pytest.mark.redis
async def test_the_redis_limiter_budgets_calls_and_closes_with_the_client(
    env: pytest.MonkeyPatch, redis_url: str, redis_prefix: str
) -> None:
    """A real Redis: the calls are budgeted there; ``aclose`` closes the limiter."""
    import redis.asyncio as aioredis

    async with Sandbox() as sandbox:
        env.setenv("MOENGAGE_WORKSPACE_ID", sandbox.workspace_id)
        env.setenv("MOENGAGE_API_KEY", sandbox.api_key)
        env.setenv("MOENGAGE_REDIS_URL", redis_url)
        ids = sandbox.seed_campaigns(1)
        client = MoEngageClient.from_env(base_url=sandbox.url)
        async with client:
            assert isinstance(client.limiter, RedisLimiter)
            await client.change_status("PAUSE", ids)
        store = aioredis.Redis.from_url(redis_url)
        try:
            keys = await store.keys(f"moengage:{{{sandbox.workspace_id}}}:status*")
        finally:
            await store.aclose()
    assert keys
    assert client.limiter._closed  # type: ignore[attr-defined]


def test_bulk_share_from_the_environment(env: pytest.MonkeyPatch) -> None:
    """``MOENGAGE_BULK_SHARE`` leaves headroom for traffic the client cannot see;
    an argument wins; unset, the policy is work-conserving."""
    assert "bulk_share" not in settings_from_env()
    env.setenv("MOENGAGE_BULK_SHARE", "0.75")
    assert settings_from_env()["bulk_share"] == 0.75
    assert settings_from_env(bulk_share=0.5)["bulk_share"] == 0.5
    policy = WorkConserving(floor=2)
    chosen = settings_from_env(bulk_policy=policy)
    assert "bulk_share" not in chosen and chosen["bulk_policy"] == policy
    given = MemoryLimiter()
    assert "bulk_share" not in settings_from_env(limiter=given)


@pytest.mark.parametrize("text", ["0", "1.5", "-0.2", "half", "nan"])
def test_a_bad_bulk_share_names_the_variable(
    env: pytest.MonkeyPatch, text: str
) -> None:
    env.setenv("MOENGAGE_BULK_SHARE", text)
    with pytest.raises(PayloadValidationError, match="MOENGAGE_BULK_SHARE"):
        settings_from_env()


def test_a_redis_limiter_gets_the_policy_and_learn_limits(
    env: pytest.MonkeyPatch,
) -> None:
    """With a Redis URL the policy options go to the ``RedisLimiter``."""
    env.setenv("MOENGAGE_REDIS_URL", "redis://env-host:6379/0")
    env.setenv("MOENGAGE_BULK_SHARE", "0.6")
    limiter = settings_from_env()["limiter"]
    assert isinstance(limiter, RedisLimiter)
    assert limiter.bulk_policy == StaticShare(0.6)
    env.delenv("MOENGAGE_BULK_SHARE")
    settings = settings_from_env(learn_limits=True)
    assert "learn_limits" not in settings
    assert settings["limiter"].bulk_policy == WorkConserving()
