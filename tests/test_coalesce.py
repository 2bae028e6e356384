"""Coalescing: concurrent one-id status calls share batches, each its own outcome."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import anyio.lowlevel
import pytest

from moengage_async import FakeClock, StatusAction
from moengage_async._errors import BadRequestError, MoEngageError
from moengage_async.jobs._coalesce import Coalescer


class Recorder:
    """A fake V1 endpoint: rejects a batch (400) when it holds an id in ``bad``."""

    def __init__(self, clock: FakeClock, bad: frozenset[str] = frozenset()) -> None:
        self.clock = clock
        self.bad = bad
        self.batches: list[tuple[float, StatusAction, list[str]]] = []

    async def send(self, action: StatusAction, ids: list[str]) -> None:
        self.batches.append((self.clock.now(), action, list(ids)))
        await anyio.lowlevel.checkpoint()
        if self.bad.intersection(ids):
            raise BadRequestError("Campaign not found.", status=400)


@pytest.fixture
async def clock() -> AsyncIterator[FakeClock]:
    clock = FakeClock()
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        yield clock
        tg.cancel_scope.cancel()


async def run_all(
    coalescer: Coalescer, ids: list[str]
) -> dict[str, BaseException | None]:
    outcomes: dict[str, BaseException | None] = {}

    async def one(campaign_id: str) -> None:
        try:
            await coalescer.submit(StatusAction.PAUSE, campaign_id)
        except MoEngageError as exc:
            outcomes[campaign_id] = exc
        else:
            outcomes[campaign_id] = None

    async with anyio.create_task_group() as tg:
        for campaign_id in ids:
            tg.start_soon(one, campaign_id)
    return outcomes


async def test_a_thousand_concurrent_calls_take_a_hundred_requests(
    clock: FakeClock,
) -> None:
    """1,000 concurrent pauses go out as 100 batches of ten; every caller succeeds."""
    server = Recorder(clock)
    coalescer = Coalescer(server.send, clock, linger_s=0.005)
    outcomes = await run_all(coalescer, [f"c{i}" for i in range(1000)])
    assert len(server.batches) == 100
    assert all(len(ids) == 10 for _, _, ids in server.batches)
    assert set(outcomes.values()) == {None}
    assert len(outcomes) == 1000


async def test_a_bad_id_fails_only_its_own_caller(clock: FakeClock) -> None:
    """A rejected batch is bisected: only the caller of the bad id gets the error."""
    server = Recorder(clock, bad=frozenset({"c13"}))
    coalescer = Coalescer(server.send, clock)
    outcomes = await run_all(coalescer, [f"c{i}" for i in range(30)])
    failed = {i: e for i, e in outcomes.items() if e is not None}
    assert list(failed) == ["c13"]
    assert isinstance(failed["c13"], BadRequestError)
    assert len(outcomes) == 30


async def test_a_lone_call_waits_the_linger_then_goes_alone(clock: FakeClock) -> None:
    """A single call is sent after ``linger`` seconds, in a batch of one."""
    server = Recorder(clock)
    coalescer = Coalescer(server.send, clock, linger_s=0.25)
    await coalescer.submit(StatusAction.STOP, "c1")
    assert server.batches == [(0.25, StatusAction.STOP, ["c1"])]


async def test_a_full_batch_goes_without_waiting(clock: FakeClock) -> None:
    """Ten waiting ids are sent at once, before the linger ends."""
    server = Recorder(clock)
    coalescer = Coalescer(server.send, clock, linger_s=60.0)
    await run_all(coalescer, [f"c{i}" for i in range(10)])
    assert server.batches == [(0.0, StatusAction.PAUSE, [f"c{i}" for i in range(10)])]


async def test_actions_are_never_mixed_in_one_batch(clock: FakeClock) -> None:
    """Pauses and resumes arriving together go in separate requests."""
    server = Recorder(clock)
    coalescer = Coalescer(server.send, clock)
    async with anyio.create_task_group() as tg:
        for i in range(4):
            tg.start_soon(coalescer.submit, StatusAction.PAUSE, f"p{i}")
            tg.start_soon(coalescer.submit, StatusAction.RESUME, f"r{i}")
    assert sorted((a.value, len(ids)) for _, a, ids in server.batches) == [
        ("PAUSE", 4),
        ("RESUME", 4),
    ]


async def test_the_same_id_twice_is_sent_once(clock: FakeClock) -> None:
    """Two callers pausing one id share one slot in the batch; both succeed."""
    server = Recorder(clock)
    coalescer = Coalescer(server.send, clock)
    async with anyio.create_task_group() as tg:
        tg.start_soon(coalescer.submit, StatusAction.PAUSE, "c1")
        tg.start_soon(coalescer.submit, StatusAction.PAUSE, "c1")
    assert [ids for _, _, ids in server.batches] == [["c1"]]


async def test_a_cancelled_first_caller_leaves_the_others_batch() -> None:
    """When the caller that opened a lingering batch is cancelled, the others
    still go in it, without its id."""
    clock = FakeClock()  # stepped by hand: time never moves in this test
    server = Recorder(clock)
    coalescer = Coalescer(server.send, clock, linger_s=1.0)
    done: list[str] = []

    async def call(campaign_id: str) -> None:
        await coalescer.submit(StatusAction.PAUSE, campaign_id)
        done.append(campaign_id)

    async with anyio.create_task_group() as tg:
        async with anyio.create_task_group() as leader_group:
            leader_group.start_soon(call, "leader")
            await clock.settle()
            tg.start_soon(call, "c1")
            tg.start_soon(call, "c2")
            await clock.settle()
            leader_group.cancel_scope.cancel()
        await clock.settle()
        clock.advance(1.0)
    assert sorted(done) == ["c1", "c2"]
    assert server.batches == [(1.0, StatusAction.PAUSE, ["c1", "c2"])]
    assert coalescer.statistics().waiting == 0


async def test_a_cancelled_follower_is_not_sent() -> None:
    """A caller cancelled while waiting for its batch leaves it."""
    clock = FakeClock()
    server = Recorder(clock)
    coalescer = Coalescer(server.send, clock, linger_s=1.0)
    async with anyio.create_task_group() as tg:
        tg.start_soon(coalescer.submit, StatusAction.PAUSE, "c1")
        await clock.settle()
        with anyio.CancelScope() as scope:
            scope.cancel()
            await coalescer.submit(StatusAction.PAUSE, "gone")
        assert scope.cancelled_caught
        clock.advance(1.0)
    assert [ids for _, _, ids in server.batches] == [["c1"]]
