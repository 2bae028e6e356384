"""Proxies and TLS, through a real forward proxy and a real HTTPS server on loopback.

The proxy (``tests/forward_proxy.py``) records every request it carries; the HTTPS
server presents a certificate from a CA made for each test (``trustme``), so only a
client told to trust that CA gets through.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import trustme
from aiohttp import web

from moengage_async import (
    AiohttpTransport,
    ConnectError,
    MoEngageClient,
    new_session,
)
from tests.forward_proxy import ForwardProxy, Passed
from tests.loopback import client_for, serving
from tests.recording_server import TEST_API_KEY, RecordingServer, recording_server

STATUS_PATH = "/core-services/v1/campaigns/status"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no proxy variables, in either case."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardProxy]:
    async with ForwardProxy() as running:
        yield running


@pytest.fixture
async def origin() -> AsyncIterator[RecordingServer]:
    async for server in recording_server():
        yield server


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_bundle(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@contextlib.asynccontextmanager
async def https_server(ca: trustme.CA) -> AsyncIterator[tuple[str, list[str]]]:
    """An HTTPS server for 127.0.0.1 with a certificate from ``ca``; yields its URL
    and the paths it was asked for."""
    seen: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        seen.append(request.path)
        return web.json_response({"status": "success"})

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    async with serving(answer, context) as url:
        yield url, seen


async def pause_one(client: MoEngageClient) -> None:
    async with client:
        await client.change_status("PAUSE", ["c1"])


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
async def test_http_proxy_from_the_environment_carries_requests(
    proxy: ForwardProxy,
    origin: RecordingServer,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    monkeypatch.setenv(variable, proxy.url)
    await pause_one(client_for(origin.url))
    assert proxy.passed == [Passed("POST", origin.url + STATUS_PATH, None)]
    assert [r.path for r in origin.requests] == [STATUS_PATH]


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*"])
async def test_no_proxy_bypasses_the_proxy(
    proxy: ForwardProxy,
    origin: RecordingServer,
    monkeypatch: pytest.MonkeyPatch,
    no_proxy: str,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    await pause_one(client_for(origin.url))
    assert proxy.passed == []
    assert [r.path for r in origin.requests] == [STATUS_PATH]


async def test_no_proxy_for_another_host_leaves_the_proxy_in_use(
    proxy: ForwardProxy, origin: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "example.com,.internal")
    await pause_one(client_for(origin.url))
    assert [p.method for p in proxy.passed] == ["POST"]


async def test_trust_env_false_ignores_the_proxy_variables(
    proxy: ForwardProxy, origin: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    await pause_one(client_for(origin.url, trust_env=False))
    assert proxy.passed == []
    assert len(origin.requests) == 1


async def test_an_explicit_proxy_carries_requests_with_its_credentials(
    proxy: ForwardProxy, origin: RecordingServer
) -> None:
    with_login = proxy.url.replace("http://", "http://user:s3cret@")
    await pause_one(client_for(origin.url, proxy=with_login))
    # "user:s3cret" in Basic form.
    assert proxy.passed == [
        Passed("POST", origin.url + STATUS_PATH, "Basic dXNlcjpzM2NyZXQ=")
    ]


async def test_an_https_origin_is_reached_through_a_connect_tunnel(
    proxy: ForwardProxy,
    ca: trustme.CA,
    ca_bundle: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    async with https_server(ca) as (url, seen):
        await pause_one(client_for(url, ca_bundle=ca_bundle))
    assert proxy.passed == [Passed("CONNECT", url.removeprefix("https://"), None)]
    assert seen == [STATUS_PATH]


async def test_proxy_credentials_go_in_the_connect_of_an_https_request(
    proxy: ForwardProxy, ca: trustme.CA, ca_bundle: Path
) -> None:
    with_login = proxy.url.replace("http://", "http://user:s3cret@")
    async with https_server(ca) as (url, seen):
        await pause_one(client_for(url, proxy=with_login, ca_bundle=ca_bundle))
    host = url.removeprefix("https://")
    assert proxy.passed == [Passed("CONNECT", host, "Basic dXNlcjpzM2NyZXQ=")]
    assert seen == [STATUS_PATH]


async def test_tls_with_a_custom_ca_bundle(ca: trustme.CA, ca_bundle: Path) -> None:
    async with https_server(ca) as (url, seen):
        await pause_one(client_for(url, ca_bundle=str(ca_bundle)))
    assert seen == [STATUS_PATH]


async def test_tls_with_an_ssl_context(ca: trustme.CA) -> None:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    async with https_server(ca) as (url, seen):
        await pause_one(client_for(url, ssl=context))
    assert seen == [STATUS_PATH]


async def test_tls_without_the_ca_is_refused(ca: trustme.CA) -> None:
    """The system's CAs do not know the test CA: verification is on by default."""
    async with https_server(ca) as (url, seen):
        with pytest.raises(ConnectError, match="certificate"):
            await pause_one(client_for(url))
    assert seen == []


async def test_a_shared_session_takes_the_ca_bundle(
    ca: trustme.CA, ca_bundle: Path
) -> None:
    async with https_server(ca) as (url, seen):
        session = new_session(ca_bundle=ca_bundle)
        try:
            await pause_one(client_for(url, session=session))
        finally:
            await session.close()
    assert seen == [STATUS_PATH]


def test_tls_settings_with_a_session_of_ones_own_are_refused() -> None:
    with pytest.raises(ValueError, match="new_session"):
        AiohttpTransport(object(), ca_bundle="ca.pem")  # type: ignore[arg-type]


def test_an_unreadable_ca_bundle_is_refused_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ca_bundle"):
        client_for("https://127.0.0.1:1", ca_bundle=tmp_path / "missing.pem")


def test_ssl_and_ca_bundle_together_are_refused(ca_bundle: Path) -> None:
    with pytest.raises(ValueError, match="not both"):
        client_for(
            "https://127.0.0.1:1", ssl=ssl.create_default_context(), ca_bundle=ca_bundle
        )


async def _cli(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "moengage_async",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _credentials(base_url: str) -> Iterator[str]:
    yield from ("--workspace-id", "ws-cli", "--api-key", TEST_API_KEY)
    yield from ("--base-url", base_url)


async def test_the_command_takes_a_proxy(
    proxy: ForwardProxy, origin: RecordingServer
) -> None:
    code, _, err = await _cli(
        "status", "pause", "c1", *_credentials(origin.url), "--proxy", proxy.url
    )
    assert code == 0, err
    assert [(p.method, p.target) for p in proxy.passed] == [
        ("POST", origin.url + STATUS_PATH)
    ]


async def test_the_command_takes_a_ca_bundle(ca: trustme.CA, ca_bundle: Path) -> None:
    async with https_server(ca) as (url, seen):
        code, _, err = await _cli(
            "status", "pause", "c1", *_credentials(url), "--ca-bundle", str(ca_bundle)
        )
    assert code == 0, err
    assert seen == [STATUS_PATH]
