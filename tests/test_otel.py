"""OpenTelemetry: spans and metrics from real calls to the sandbox, read back from
the SDK's in-memory exporter and reader."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind, StatusCode

from moengage_async import (
    AiohttpTransport,
    FakeClock,
    RateLimitError,
    Response,
    RetryPolicy,
)
from moengage_async.otel import Telemetry
from moengage_async.sandbox import Sandbox

STATUS_PATH = "/core-services/v1/campaigns/status"
EXAMPLE = Path(__file__).parent.parent / "docs" / "examples" / "fastapi_telemetry.py"


@dataclass
class OTel:
    spans: InMemorySpanExporter
    reader: InMemoryMetricReader
    telemetry: Telemetry

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self, name: str) -> list[tuple[dict[str, Any], Any]]:
        """``(attributes, value)`` of each point of metric ``name`` (histograms:
        the count)."""
        data = self.reader.get_metrics_data()
        found = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name != name:
                        continue
                    for point in metric.data.data_points:
                        value = getattr(point, "value", None)
                        if value is None:
                            value = point.count  # type: ignore[attr-defined]
                        found.append((dict(point.attributes or {}), value))
        return found


@pytest.fixture
def otel() -> Iterator[OTel]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    telemetry = Telemetry(
        tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    yield OTel(exporter, reader, telemetry)
    tracer_provider.shutdown()
    meter_provider.shutdown()


class Scripted:
    """The real aiohttp transport; ``after(n, response)`` runs after answer ``n``."""

    def __init__(self, after: Callable[[int, Response], None]) -> None:
        self._inner = AiohttpTransport()
        self._after = after
        self.answers = 0

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout_s: float | None,
    ) -> Response:
        response = await self._inner.send(
            method, url, headers=headers, body=body, timeout_s=timeout_s
        )
        self.answers += 1
        self._after(self.answers, response)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    (span,) = [s for s in spans if s.name == name]
    return span


def _attempts(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return sorted(
        (s for s in spans if s.kind is SpanKind.CLIENT),
        key=lambda s: s.start_time or 0,
    )


def test_importing_the_package_does_not_import_opentelemetry() -> None:
    """No import cost without the extra: only ``moengage_async.otel`` imports it."""
    code = (
        "import sys, moengage_async, moengage_async.sandbox\n"
        "from moengage_async import MoEngageClient\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('opentelemetry'))\n"
        "assert not loaded, loaded\n"
        "import moengage_async.otel\n"
        "assert 'opentelemetry.trace' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


async def test_a_call_is_a_span_with_one_attempt_span_inside(otel: OTel) -> None:
    """The call span (INTERNAL) holds the attempt (CLIENT), with bounded HTTP
    attributes: the path template, never the campaign id or request id."""
    async with Sandbox() as sandbox:
        (cid,) = sandbox.seed_campaigns(1)
        async with sandbox.client(hooks=otel.telemetry.hooks) as client:
            await client.v5.get_campaign(cid, request_id="rid-secret-1")
    spans = otel.finished()
    call = _one(spans, "v5.get_campaign")
    (attempt,) = _attempts(spans)
    assert call.kind is SpanKind.INTERNAL
    assert attempt.name == "GET /v5/campaigns/{campaign_id}"
    assert attempt.parent is not None and call.context is not None
    assert attempt.parent.span_id == call.context.span_id
    assert attempt.context.trace_id == call.context.trace_id  # type: ignore[union-attr]
    expected = {
        "moengage.operation": "v5.get_campaign",
        "http.request.method": "GET",
        "url.template": "/v5/campaigns/{campaign_id}",
        "server.address": "127.0.0.1",
        "server.port": sandbox.port,
        "http.response.status_code": 200,
    }
    assert dict(attempt.attributes or {}) == expected
    assert call.attributes is not None
    assert call.attributes["http.response.status_code"] == 200
    everything = repr([(s.name, s.attributes, s.events) for s in spans])
    assert cid not in everything and "rid-secret-1" not in everything
    assert call.status.status_code is StatusCode.UNSET
    assert otel.points("http.client.request.duration") == [(expected, 1)]
    assert otel.points("moengage.call.duration") == [
        ({"moengage.operation": "v5.get_campaign"}, 1)
    ]


async def test_a_5xx_then_success_is_two_attempt_spans_and_one_retry(
    otel: OTel,
) -> None:
    """An injected 5xx: the first attempt span carries its status as error.type,
    the second ``http.request.resend_count`` 1; the call succeeds."""
    async with Sandbox(faults="5xx=1") as sandbox:
        ids = sandbox.seed_campaigns(2)

        def heal(answers: int, response: Response) -> None:
            sandbox.set_faults(None)

        async with sandbox.client(
            hooks=otel.telemetry.hooks,
            transport=Scripted(heal),
            retry=RetryPolicy(testing=True),
        ) as client:
            await client.change_status("PAUSE", ids)
    spans = otel.finished()
    call = _one(spans, "v1.change_status")
    first, second = _attempts(spans)
    assert first.name == second.name == f"POST {STATUS_PATH}"
    status = first.attributes["http.response.status_code"]  # type: ignore[index]
    assert status in (500, 502, 503)
    assert first.attributes["error.type"] == str(status)  # type: ignore[index]
    assert first.status.status_code is StatusCode.ERROR
    assert "http.request.resend_count" not in (first.attributes or {})
    assert second.attributes["http.request.resend_count"] == 1  # type: ignore[index]
    assert second.attributes["http.response.status_code"] == 200  # type: ignore[index]
    assert "error.type" not in (second.attributes or {})
    for attempt in (first, second):
        assert attempt.parent is not None and call.context is not None
        assert attempt.parent.span_id == call.context.span_id
    assert call.status.status_code is StatusCode.UNSET
    assert [e.name for e in call.events] == ["moengage.retry"]
    assert otel.points("moengage.retries") == [
        (
            {
                "moengage.operation": "v1.change_status",
                "moengage.retry.reason": "ServerError",
            },
            1,
        )
    ]


async def test_a_429_the_ledger_did_not_predict_is_unexpected_and_retried(
    otel: OTel,
) -> None:
    """Usage the client cannot see (another integration) gets a 429 while the
    ledger has room: counted ``expected=false``; the retry after the window
    succeeds inside the same call span. (Without the x-ratelimit headers, whose
    reset would hold the retry until the window frees.)"""
    clock = FakeClock()
    async with Sandbox(
        budgets="status:=2/60", clock=clock, rate_limit_headers=False
    ) as sandbox:
        ids = sandbox.seed_campaigns(1)
        sandbox.foreign_usage("status", 2)

        def window_passes(answers: int, response: Response) -> None:
            if response.status == 429:
                clock.advance(60)

        async with sandbox.client(
            hooks=otel.telemetry.hooks,
            transport=Scripted(window_passes),
            retry=RetryPolicy(testing=True),
        ) as client:
            otel.telemetry.watch(client)
            await client.change_status("PAUSE", ids)
    spans = otel.finished()
    call = _one(spans, "v1.change_status")
    first, second = _attempts(spans)
    assert first.attributes["http.response.status_code"] == 429  # type: ignore[index]
    assert first.attributes["error.type"] == "429"  # type: ignore[index]
    assert second.attributes["http.response.status_code"] == 200  # type: ignore[index]
    assert second.attributes["http.request.resend_count"] == 1  # type: ignore[index]
    events = {e.name: dict(e.attributes or {}) for e in call.events}
    assert events["moengage.rate_limited"]["moengage.rate_limit.expected"] == "false"
    assert otel.points("moengage.rate_limited") == [
        (
            {
                "moengage.operation": "v1.change_status",
                "moengage.rate_limit.expected": "false",
            },
            1,
        )
    ]
    assert call.status.status_code is StatusCode.UNSET


async def test_a_429_on_the_last_slot_of_the_ledger_is_expected(otel: OTel) -> None:
    """The client took the last slot its ledger had and MoEngage refused it: the
    429 was predicted (``expected=true``); the call fails with error.type 429.
    (Without the x-ratelimit headers, which would have told the ledger of the
    foreign usage and kept the call from being sent.)"""
    async with Sandbox(
        budgets="status:=2/60", clock=FakeClock(), rate_limit_headers=False
    ) as sandbox:
        ids = sandbox.seed_campaigns(2)
        sandbox.foreign_usage("status", 1)
        async with sandbox.client(
            hooks=otel.telemetry.hooks, retry=RetryPolicy(max_retries=0)
        ) as client:
            otel.telemetry.watch(client)
            await client.change_status("PAUSE", ids[:1])
            with pytest.raises(RateLimitError):
                await client.change_status("PAUSE", ids[1:])
    assert otel.points("moengage.rate_limited") == [
        (
            {
                "moengage.operation": "v1.change_status",
                "moengage.rate_limit.expected": "true",
            },
            1,
        )
    ]
    failed = [s for s in otel.finished() if s.name == "v1.change_status"][-1]
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.attributes["error.type"] == "RateLimitError"  # type: ignore[index]
    assert failed.attributes["http.response.status_code"] == 429  # type: ignore[index]


async def test_a_429_of_an_unwatched_client_is_counted_as_unknown(otel: OTel) -> None:
    """Without ``watch`` there is no ledger to ask: ``expected=unknown``."""
    async with Sandbox(budgets="status:=1/60", clock=FakeClock()) as sandbox:
        ids = sandbox.seed_campaigns(1)
        sandbox.foreign_usage("status", 1)
        async with sandbox.client(
            hooks=otel.telemetry.hooks, retry=RetryPolicy(max_retries=0)
        ) as client:
            with pytest.raises(RateLimitError):
                await client.change_status("PAUSE", ids)
    assert [a for a, _ in otel.points("moengage.rate_limited")] == [
        {
            "moengage.operation": "v1.change_status",
            "moengage.rate_limit.expected": "unknown",
        }
    ]


async def test_a_budget_wait_is_a_span_inside_the_call_and_a_histogram_point(
    otel: OTel,
) -> None:
    """The second call of a 1-per-10 s budget waits 10 s (fake): a
    ``moengage.budget_wait`` span inside its call span, before its attempt."""
    clock = FakeClock()
    async with Sandbox(budgets="status:=1/10", clock=clock) as sandbox:
        ids = sandbox.seed_campaigns(2)
        async with sandbox.client(hooks=otel.telemetry.hooks, clock=clock) as client:
            await client.change_status("PAUSE", ids[:1])
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.change_status, "PAUSE", ids[1:])
                await clock.settle()
                clock.advance(10)
    spans = otel.finished()
    wait = _one(spans, "moengage.budget_wait")
    second_call = [s for s in spans if s.name == "v1.change_status"][-1]
    assert wait.parent is not None and second_call.context is not None
    assert wait.parent.span_id == second_call.context.span_id
    assert wait.end_time - wait.start_time == 10 * 10**9  # type: ignore[operator]
    assert wait.attributes == {
        "moengage.operation": "v1.change_status",
        "moengage.budgets": ("status",),
    }
    data = otel.reader.get_metrics_data()
    (histogram,) = [
        m
        for r in data.resource_metrics  # type: ignore[union-attr]
        for s in r.scope_metrics
        for m in s.metrics
        if m.name == "moengage.budget.wait"
    ]
    (point,) = histogram.data.data_points
    assert (point.count, point.sum) == (1, 10.0)  # type: ignore[union-attr]


async def test_budget_gauges_read_the_limiter_snapshot(otel: OTel) -> None:
    """Remaining per window, in flight and queued per budget, per workspace."""
    clock = FakeClock()
    async with Sandbox(budgets="status:=3/10,5/60", clock=clock) as sandbox:
        ids = sandbox.seed_campaigns(2)
        async with sandbox.client(hooks=otel.telemetry.hooks, clock=clock) as client:
            otel.telemetry.watch(client)
            await client.change_status("PAUSE", ids[:1])
            await client.change_status("PAUSE", ids[1:])
            remaining = {
                a["moengage.window_s"]: v
                for a, v in otel.points("moengage.budget.remaining")
                if a["moengage.budget"] == "status"
            }
            in_flight = [
                (a, v)
                for a, v in otel.points("moengage.budget.in_flight")
                if a["moengage.budget"] == "status"
            ]
            queued = [
                v
                for a, v in otel.points("moengage.budget.queued")
                if a["moengage.budget"] == "status"
            ]
    assert remaining == {10.0: 1, 60.0: 3}
    assert in_flight == [
        ({"moengage.workspace": "SANDBOX_WS", "moengage.budget": "status"}, 0)
    ]
    assert queued == [0]


async def test_bulk_progress_counts_items_by_outcome(otel: OTel) -> None:
    """``telemetry.progress("status")`` counts done and failed items of a job and
    passes each report on."""
    async with Sandbox() as sandbox:
        ids = sandbox.seed_campaigns(12)
        seen = []
        async with sandbox.client(hooks=otel.telemetry.hooks) as client:
            report = await client.bulk_change_status(
                "PAUSE",
                [*ids, "no-such-campaign"],
                progress=otel.telemetry.progress("status", then=seen.append),
            )
    assert seen and seen[-1].finished == 13
    counts = {a["moengage.outcome"]: v for a, v in otel.points("moengage.bulk.items")}
    assert counts == {"done": report.applied, "failed": report.failed}
    assert report.applied + report.failed == 13 and report.failed >= 1


async def test_a_cancelled_call_ends_its_spans(otel: OTel) -> None:
    """Cancellation mid-attempt still ends the attempt and the call span (and
    leaves no span current afterwards)."""
    from opentelemetry import trace

    clock = FakeClock()
    async with Sandbox(faults="latency=5", clock=clock) as sandbox:
        (cid,) = sandbox.seed_campaigns(1)
        async with sandbox.client(hooks=otel.telemetry.hooks) as client:
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.v5.get_campaign, cid)
                while clock.pending_sleepers == 0:  # the request has arrived
                    await anyio.lowlevel.checkpoint()
                tg.cancel_scope.cancel()
            assert not trace.get_current_span().get_span_context().is_valid
        clock.advance(5)  # the server's handler ends, so the sandbox stops at once
    spans = otel.finished()
    call = _one(spans, "v5.get_campaign")
    (attempt,) = _attempts(spans)
    assert call.attributes["error.type"] == "CancelledError"  # type: ignore[index]
    assert attempt.attributes["error.type"] == "CancelledError"  # type: ignore[index]


def test_the_fastapi_example_compiles() -> None:
    """docs/telemetry.md's example is a real file that at least compiles."""
    compile(EXAMPLE.read_text(), str(EXAMPLE), "exec")
