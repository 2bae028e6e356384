"""Bulk status engine: bisection, failure isolation, bounded concurrency, progress."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import anyio
import pytest

from moengage_async import FakeClock, Progress, StatusAction
from moengage_async._errors import (
    AuthenticationError,
    BadRequestError,
    MoEngageError,
    ServerError,
)
from moengage_async.jobs._bulk_status import (
    BulkStatusReport,
    _Job,
    run_bulk,
    send_isolated,
)


class FakeServer:
    """Applies batches all-or-nothing; a batch holding a bad id is rejected (400)."""

    def __init__(
        self,
        clock: FakeClock,
        bad: frozenset[str] = frozenset(),
        down: frozenset[str] = frozenset(),
    ) -> None:
        self.clock = clock
        self.bad = bad
        self.down = down
        self.batches: list[list[str]] = []
        self.applied: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def send(self, ids: list[str]) -> None:
        self.batches.append(list(ids))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self.clock.sleep(1.0)  # a round trip, in virtual time
            if self.bad.intersection(ids):
                raise BadRequestError("campaign not found", status=400)
            if self.down.intersection(ids):
                raise ServerError("still failing after retries", status=500)
            self.applied.extend(ids)
        finally:
            self.in_flight -= 1


@pytest.fixture
async def clock() -> AsyncIterator[FakeClock]:
    """A virtual clock that jumps ahead whenever every task waits."""
    clock = FakeClock()
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.autojump)
        yield clock
        tg.cancel_scope.cancel()


def make_job(server: FakeServer, **kwargs: object) -> _Job:
    return _Job(
        StatusAction.PAUSE,
        BulkStatusReport(StatusAction.PAUSE, applied_ids=[]),
        server.send,
        server.clock.now,
        kwargs.get("total"),  # type: ignore[arg-type]
        kwargs.get("progress"),  # type: ignore[arg-type]
        None,
        None,
        None,
    )


async def test_bisection_applies_every_valid_id_of_a_rejected_batch(
    clock: FakeClock,
) -> None:
    """A 10-id batch with two bad ids applies the eight good ones; only the bad fail."""
    server = FakeServer(clock, bad=frozenset({"c3", "c7"}))
    outcomes: dict[str, MoEngageError | None] = {}

    def record(ids: Sequence[str], error: MoEngageError | None) -> None:
        for i in ids:
            assert i not in outcomes
            outcomes[i] = error

    ids = [f"c{i}" for i in range(10)]
    requests = await send_isolated(server.send, ids, record)
    assert sorted(server.applied) == sorted(set(ids) - {"c3", "c7"})
    assert {i for i, e in outcomes.items() if e is not None} == {"c3", "c7"}
    assert requests == len(server.batches)


async def test_server_errors_fail_the_batch_without_bisecting(clock: FakeClock) -> None:
    """A batch that keeps failing with 5xx is reported failed as a whole, once."""
    server = FakeServer(clock, down=frozenset({"c1"}))
    failed: list[str] = []

    def record(ids: Sequence[str], error: MoEngageError | None) -> None:
        assert isinstance(error, ServerError)
        failed.extend(ids)

    requests = await send_isolated(server.send, ["c0", "c1", "c2"], record)
    assert (requests, failed) == (1, ["c0", "c1", "c2"])


async def test_every_id_ends_applied_or_failed_exactly_once(clock: FakeClock) -> None:
    """Across many batches, applied + failed covers every input id exactly once."""
    server = FakeServer(clock, bad=frozenset({"c5", "c55", "c99"}))
    job = make_job(server)
    ids = [f"c{i}" for i in range(103)]
    report = await run_bulk(job, ids, batch_size=10, concurrency=4)
    assert report.applied_ids is not None
    assert sorted(report.applied_ids) == sorted(set(ids) - {"c5", "c55", "c99"})
    assert sorted(f.campaign_id for f in report.failures) == ["c5", "c55", "c99"]
    assert report.total == 103
    assert report.requests == len(server.batches)


async def test_in_flight_batches_never_exceed_concurrency(clock: FakeClock) -> None:
    """At most ``concurrency`` batches are sent at once."""
    server = FakeServer(clock)
    await run_bulk(
        make_job(server), [str(i) for i in range(100)], batch_size=10, concurrency=3
    )
    assert server.max_in_flight == 3


async def test_async_iterables_are_consumed_lazily(clock: FakeClock) -> None:
    """An async generator is read no further ahead than the in-flight batches need."""
    server = FakeServer(clock)
    produced = 0
    high_water = 0

    async def ids() -> AsyncIterator[str]:
        nonlocal produced, high_water
        for i in range(200):
            produced += 1
            high_water = max(high_water, produced - len(server.applied))
            yield f"c{i}"

    report = await run_bulk(make_job(server), ids(), batch_size=10, concurrency=2)
    assert report.applied == 200
    assert high_water <= 10 * 3


async def test_malformed_ids_fail_without_being_sent(clock: FakeClock) -> None:
    """Blank or non-string ids are reported failed and never reach the server."""
    server = FakeServer(clock)
    report = await run_bulk(
        make_job(server),
        ["a", " ", "b", 7],
        batch_size=10,
        concurrency=1,  # type: ignore[list-item]
    )
    assert server.batches == [["a", "b"]]
    assert [f.campaign_id for f in report.failures] == [" ", "7"]


async def test_authentication_failure_stops_sending() -> None:
    """After a 401 the remaining ids fail with that error without being sent."""
    sent: list[list[str]] = []

    async def send(ids: list[str]) -> None:
        sent.append(ids)
        raise AuthenticationError("bad key", status=401)

    job = _Job(
        StatusAction.STOP,
        BulkStatusReport(StatusAction.STOP),
        send,
        FakeClock().now,
        None,
        None,
        None,
        None,
        None,
    )
    report = await run_bulk(
        job, [str(i) for i in range(50)], batch_size=10, concurrency=1
    )
    assert len(sent) == 1
    assert report.failed == 50
    assert all(isinstance(f.error, AuthenticationError) for f in report.failures)


async def test_progress_counts_reach_the_total(clock: FakeClock) -> None:
    """Progress is reported per batch and ends with every id counted."""
    server = FakeServer(clock, bad=frozenset({"c4"}))
    seen: list[Progress] = []
    job = make_job(server, total=25, progress=seen.append)
    await run_bulk(job, [f"c{i}" for i in range(25)], batch_size=10, concurrency=1)
    assert [p.finished for p in seen] == [10, 20, 25, 25]
    assert (seen[-1].done, seen[-1].failed, seen[-1].total) == (24, 1, 25)


@pytest.mark.parametrize("action", ["pause", "RESUME", StatusAction.STOP])
def test_actions_are_accepted_in_any_case(action: str) -> None:
    """Actions are accepted as enum or case-insensitive text."""
    from moengage_async.jobs._bulk_status import coerce_status_action

    assert coerce_status_action(action) in set(StatusAction)
