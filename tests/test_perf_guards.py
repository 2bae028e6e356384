"""Guards on the request path's behaviour and resources, against a real aiohttp
server on 127.0.0.1: retained memory, file descriptors, request ids, permit
completion under cancellation. Speed is measured in ``benchmarks/``, not here.
"""

from __future__ import annotations

import gc
import json
import os
import tracemalloc
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio
import msgspec
import pytest

import moengage_async
from moengage_async import (
    MemoryLimiter,
    MoEngageClient,
    PayloadValidationError,
    UnlimitedLimiter,
    exactly,
    new_session,
)
from moengage_async.api._requestor import _encode, new_request_id
from moengage_async.api._v1_checks import creation_body, wire_body
from moengage_async.models import v1
from tests.forked import in_forked_child
from tests.recording_server import TEST_API_KEY, RecordingServer

SPEC = Path(moengage_async.__file__).parent / "sandbox/specs/moengage-campaigns-v1.json"


def _create_examples() -> list[dict[str, Any]]:
    spec = json.loads(SPEC.read_text())
    media = spec["paths"]["/campaigns"]["post"]["requestBody"]["content"]
    return [ex["value"] for ex in media["application/json"]["examples"].values()]


def _model(example: Mapping[str, Any]) -> v1.PushCampaign | v1.EmailCampaign:
    cls = v1.PushCampaign if example["channel"] == "PUSH" else v1.EmailCampaign
    return msgspec.convert(example, cls)


def _client(recorder: RecordingServer, **kwargs: Any) -> MoEngageClient:
    return MoEngageClient(
        "ws-perf",
        TEST_API_KEY,
        base_url=recorder.url,
        limiter=UnlimitedLimiter(),
        **kwargs,
    )


@pytest.mark.parametrize("limiter", ["unlimited", "memory"])
async def test_requests_retain_no_memory_in_the_client(
    recorder: RecordingServer, limiter: str
) -> None:
    """After warm-up, 200 calls leave under 1 KiB allocated by our own modules."""
    package = str(Path(moengage_async.__file__).parent)
    relaxed = {"status": exactly("1000000000/60")}  # limiter at work, never waiting
    client = (
        _client(recorder)
        if limiter == "unlimited"
        else MoEngageClient(
            "ws-perf", TEST_API_KEY, base_url=recorder.url, budgets=relaxed
        )
    )
    async with client:
        for _ in range(20):
            await client.change_status("PAUSE", ["c1"])
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            for _ in range(200):
                await client.change_status("PAUSE", ["c1"])
            gc.collect()
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
    ours = [tracemalloc.Filter(True, package + os.sep + "*")]
    grown = sum(
        stat.size_diff
        for stat in after.filter_traces(ours).compare_to(
            before.filter_traces(ours), "lineno"
        )
    )
    assert grown < 1024, grown


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc (Linux)")
async def test_idle_clients_sharing_a_session_hold_no_file_descriptor() -> None:
    """500 idle clients on one shared session open no descriptor between them."""
    session = new_session()
    try:
        before = _open_fds()
        clients = [
            MoEngageClient(f"ws-{i}", TEST_API_KEY, session=session) for i in range(500)
        ]
        assert _open_fds() == before
        for client in clients:
            await client.aclose()
    finally:
        await session.close()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc (Linux)")
async def test_idle_clients_with_own_sessions_open_nothing_until_used() -> None:
    """A client creates its session lazily: 500 unused clients hold no descriptor."""
    before = _open_fds()
    clients = [MoEngageClient(f"ws-{i}", TEST_API_KEY) for i in range(500)]
    assert _open_fds() == before
    for client in clients:
        await client.aclose()


def test_request_ids_are_uuid4_text() -> None:
    """``new_request_id`` gives ``str(uuid.uuid4())`` text: version 4, RFC 4122."""
    ids = [new_request_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for rid in ids:
        parsed = uuid.UUID(rid)
        assert (parsed.version, parsed.variant, str(parsed)) == (
            4,
            uuid.RFC_4122,
            rid,
        )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_never_repeats_its_parents_request_ids() -> None:
    """No id the parent makes next (from anything made ahead) reaches the child."""
    new_request_id()
    child_id = in_forked_child(lambda: new_request_id().encode()).decode()
    assert uuid.UUID(child_id).version == 4
    assert child_id not in {new_request_id() for _ in range(1000)}


def test_a_creation_model_with_a_control_character_request_id_is_refused() -> None:
    """The model fast path refuses what the mapping path refuses: a line break."""
    example = dict(_create_examples()[0], request_id="rid\nX-Evil: 1")
    with pytest.raises(PayloadValidationError, match="control characters"):
        creation_body(_model(example), None)
    with pytest.raises(PayloadValidationError, match="control characters"):
        creation_body(example, None)


@pytest.mark.parametrize("request_id", [None, "rid-arg"])
@pytest.mark.parametrize("index", range(len(_create_examples())))
def test_a_creation_model_is_sent_as_the_same_json_object(
    index: int, request_id: str | None
) -> None:
    """The no-copy creation body encodes to the JSON object the dict path builds."""
    example = dict(_create_examples()[index])
    if request_id is not None:
        example.pop("request_id")
    model = _model(example)
    body, rid = creation_body(model, request_id)
    expected, expected_rid = wire_body(
        model, request_id, (v1.PushCampaign, v1.EmailCampaign), "create_campaign"
    )
    assert rid == expected_rid
    assert json.loads(_encode(body)) == json.loads(_encode(expected))


class _SuspendingPermit:
    """Completion that yields to the loop (like a network-backed limiter)."""

    def __init__(self, completing: anyio.Event) -> None:
        self.completing = completing
        self.finished = False

    async def complete(self, *, success: bool) -> None:
        self.completing.set()
        for _ in range(5):
            await anyio.lowlevel.checkpoint()
        self.finished = True


class _SuspendingLimiter(UnlimitedLimiter):
    def __init__(self) -> None:
        self.completing = anyio.Event()
        self.permits: list[_SuspendingPermit] = []

    async def acquire(self, *args: Any, **kwargs: Any) -> Any:
        permit = _SuspendingPermit(self.completing)
        self.permits.append(permit)
        return permit


async def test_cancellation_during_a_suspending_completion_lets_it_finish(
    recorder: RecordingServer,
) -> None:
    """A call cancelled while its permit completes still completes the permit."""
    limiter = _SuspendingLimiter()
    async with (
        MoEngageClient(
            "ws-perf", TEST_API_KEY, base_url=recorder.url, limiter=limiter
        ) as client,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(client.change_status, "PAUSE", ["c1"])
        await limiter.completing.wait()
        tg.cancel_scope.cancel()
    assert [p.finished for p in limiter.permits] == [True]


class _FailingPermit:
    """Completion that suspends, then fails (a backend losing its connection)."""

    async def complete(self, *, success: bool) -> None:
        await anyio.lowlevel.checkpoint()
        raise OSError("backend went away")


class _FailingLimiter(UnlimitedLimiter):
    async def acquire(self, *args: Any, **kwargs: Any) -> Any:
        return _FailingPermit()


async def test_an_error_in_a_suspending_completion_reaches_the_caller(
    recorder: RecordingServer,
) -> None:
    """A completion that fails after suspending raises its error from the call."""
    async with MoEngageClient(
        "ws-perf", TEST_API_KEY, base_url=recorder.url, limiter=_FailingLimiter()
    ) as client:
        with pytest.raises(OSError, match="backend went away"):
            await client.change_status("PAUSE", ["c1"])
    assert len(recorder.requests) == 1


class _ScopedPermit:
    """Completion that opens its own cancel scope, then suspends (like Redis I/O)."""

    def __init__(self) -> None:
        self.finished = False

    async def complete(self, *, success: bool) -> None:
        with anyio.CancelScope():
            await anyio.lowlevel.checkpoint()
        self.finished = True


class _ScopedLimiter(UnlimitedLimiter):
    def __init__(self) -> None:
        self.permits: list[_ScopedPermit] = []

    async def acquire(self, *args: Any, **kwargs: Any) -> Any:
        self.permits.append(_ScopedPermit())
        return self.permits[-1]


async def test_a_completion_with_its_own_cancel_scope_finishes(
    recorder: RecordingServer,
) -> None:
    """A permit nesting its own cancel scope completes inside the client's shield."""
    limiter = _ScopedLimiter()
    async with MoEngageClient(
        "ws-perf", TEST_API_KEY, base_url=recorder.url, limiter=limiter
    ) as client:
        await client.change_status("PAUSE", ["c1"])
    assert [p.finished for p in limiter.permits] == [True]


@pytest.mark.parametrize(
    "limiter",
    [UnlimitedLimiter(), MemoryLimiter()],
    ids=["unlimited", "memory"],
)
async def test_in_memory_limiters_offer_the_synchronous_fast_path(
    limiter: Any,
) -> None:
    """try_acquire admits without a coroutine; complete_nowait frees the slot."""
    permit = limiter.try_acquire("ws", ("status",))
    assert permit is not None
    assert sum(w.in_flight for w in limiter.snapshot("ws")) == (
        3 if isinstance(limiter, MemoryLimiter) else 0
    )
    permit.complete_nowait(success=True)
    permit.complete_nowait(success=True)  # a second completion does nothing
    assert sum(w.in_flight for w in limiter.snapshot("ws")) == 0
    assert sum(w.used for w in limiter.snapshot("ws")) == (
        3 if isinstance(limiter, MemoryLimiter) else 0
    )
