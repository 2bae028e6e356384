"""OpenTelemetry for the client: a span per call and per attempt, and metrics.

Install the extra (``pip install 'moengage-async[otel]'``); importing
``moengage_async`` alone never imports OpenTelemetry. Build a ``Telemetry``, give
its ``hooks`` to the client, and ``watch`` the client for the budget gauges::

    telemetry = Telemetry(tracer_provider=provider, meter_provider=meters)
    client = MoEngageClient.from_env(hooks=telemetry.hooks)
    telemetry.watch(client)

Traces: one ``INTERNAL`` span per logical call (named after the operation,
``v1.change_status``), a ``CLIENT`` span per HTTP attempt inside it (``POST
/core-services/v1/campaigns/status``, ``http.request.resend_count`` on resends),
and a ``moengage.budget_wait`` span for a wait the budgets imposed before an
attempt. Attributes follow the HTTP client semantic conventions
(``http.request.method``, ``server.address``, ``server.port``, ``url.template``,
``http.response.status_code``, ``error.type``) and stay bounded: operation names
and path templates, never a campaign id, request id or key.

Metrics: see ``Telemetry``. Everything runs synchronously in the hooks; the
gauges are read from the limiter's snapshot when the reader collects.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.metrics import CallbackOptions, Histogram, Observation
from opentelemetry.trace import SpanKind, Status, StatusCode

from ._hooks import (
    AttemptInfo,
    CallInfo,
    CallResult,
    Hooks,
    RequestInfo,
    ThrottleInfo,
)

if TYPE_CHECKING:
    from ._client import MoEngageClient
    from .api import RetryDetails
    from .budgets import BudgetView, WindowUsage
    from .jobs import Progress

__all__ = ["INSTRUMENTATION_NAME", "Telemetry"]

#: The instrumentation scope of the tracer and the meter.
INSTRUMENTATION_NAME = "moengage_async"

_OPERATION = "moengage.operation"
#: The HTTP semantic conventions' duration buckets, then the budget windows' scale.
_SECONDS_BUCKETS = (
    *(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10),
    *(30, 60, 120, 300),
)
_BUDGET = "moengage.budget"


@dataclass(slots=True)
class _Call:
    """One logical call in flight: its span and the context tokens to undo."""

    info: CallInfo
    span: trace.Span
    attributes: dict[str, Any]
    context_token: object
    state_token: Token[_Call | None] | None = None
    attempt: trace.Span | None = None
    attempt_token: object = None
    attempt_attributes: dict[str, Any] = field(default_factory=dict)


#: The call of the running task (hooks of one call run in the task that made it).
_current: ContextVar[_Call | None] = ContextVar("moengage_otel_call", default=None)


def _server(base_url: str) -> dict[str, Any]:
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return {"server.address": parts.hostname or "", "server.port": port}


def _error_type(status: int | None, error: str | None) -> str | None:
    """``error.type`` per the conventions: the exception's class, else a 4xx/5xx."""
    if error is not None:
        return error
    if status is not None and status >= 400:
        return str(status)
    return None


class Telemetry:
    """Spans and metrics for one or more clients, fed by the client's hooks.

    Args:
        tracer_provider: where spans go (default: the global provider).
        meter_provider: where metrics go (default: the global provider).

    Metrics (instrumentation scope ``moengage_async``):

    - ``http.client.request.duration`` (histogram, s): each attempt, with the
      HTTP attributes above.
    - ``moengage.call.duration`` (histogram, s): each logical call, retries and
      budget waits included; ``moengage.operation``, ``error.type``.
    - ``moengage.budget.wait`` (histogram, s): each wait the budgets imposed.
    - ``moengage.retries`` (counter): retries, by operation and
      ``moengage.retry.reason`` (the error's class).
    - ``moengage.rate_limited`` (counter): 429 answers, by operation and
      ``moengage.rate_limit.expected``: ``true`` when the limiter's ledger had
      the operation's budget full when the 429 came (its own count predicted
      it), ``false`` when it still had room (usage it does not see: another
      integration on the workspace, or budgets above the workspace's real
      limits); ``unknown`` for a client not ``watch``-ed.
    - ``moengage.bulk.items`` (counter): items a bulk job finished, by
      ``moengage.job`` and ``moengage.outcome`` (``done``/``failed``), from
      ``progress()`` callbacks.
    - ``moengage.budget.queued``, ``moengage.budget.in_flight`` (gauges, per
      budget) and ``moengage.budget.remaining`` (gauge, per budget and window
      ``moengage.window_s``): read from each watched client's
      ``client.budgets.snapshot()`` at collection, with ``moengage.workspace``.
    """

    def __init__(
        self,
        *,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        from . import __version__

        self._tracer = trace.get_tracer(
            INSTRUMENTATION_NAME, __version__, tracer_provider=tracer_provider
        )
        meter = metrics.get_meter(
            INSTRUMENTATION_NAME, __version__, meter_provider=meter_provider
        )
        counter = meter.create_counter

        def histogram(name: str, description: str) -> Histogram:
            return meter.create_histogram(
                name,
                "s",
                description,
                explicit_bucket_boundaries_advisory=_SECONDS_BUCKETS,
            )

        self._attempt_duration = histogram(
            "http.client.request.duration", "Duration of one HTTP attempt"
        )
        self._call_duration = histogram(
            "moengage.call.duration", "One logical call, retries and waits"
        )
        self._budget_wait = histogram(
            "moengage.budget.wait", "Waits for budgets before an attempt"
        )
        self._retries = counter("moengage.retries", "{retry}", "Retries of calls")
        self._rate_limited = counter(
            "moengage.rate_limited", "{response}", "429s, expected by the ledger or not"
        )
        self._bulk_items = counter(
            "moengage.bulk.items", "{item}", "Items bulk jobs finished"
        )
        for name, callback, unit, description in (
            ("queued", self._observe_queued, "{call}", "Callers waiting, per budget"),
            ("in_flight", self._observe_in_flight, "{request}", "Unanswered"),
            ("remaining", self._observe_remaining, "{request}", "Free slots"),
        ):
            meter.create_observable_gauge(
                f"moengage.budget.{name}", [callback], unit, description
            )
        self._views: dict[str, BudgetView] = {}
        self._servers: dict[str, dict[str, Any]] = {}
        #: Give these to the client: ``MoEngageClient(..., hooks=telemetry.hooks)``.
        self.hooks = Hooks(
            on_request=self._attempt_end,
            on_retry=self._retry,
            on_throttle=self._throttle,
            on_rate_limited=self._rate_limit,
            on_call_start=self._call_start,
            on_call_end=self._call_end,
            on_attempt_start=self._attempt_start,
        )

    def __repr__(self) -> str:
        return f"Telemetry(watching={sorted(self._views)!r})"

    def watch(self, client: MoEngageClient) -> MoEngageClient:
        """Read ``client``'s budgets for the gauges and the 429 classification.

        Returns the client, so ``telemetry.watch(MoEngageClient(...))`` works.
        """
        self._views[client.workspace_id] = client.budgets
        return client

    def progress(
        self, job: str, then: Callable[[Progress], object] | None = None
    ) -> Callable[[Progress], None]:
        """A ``progress=`` callback for a bulk job that counts its items.

        ``job`` names the job in ``moengage.job`` (keep it a fixed word:
        ``"status"``, ``"create"``); ``then`` is called after, e.g. a progress bar.
        """
        counter = self._bulk_items
        seen = [0, 0]

        def report(progress: Progress) -> None:
            for index, (outcome, value) in enumerate(
                (("done", progress.done), ("failed", progress.failed))
            ):
                if value > seen[index]:
                    counter.add(
                        value - seen[index],
                        {"moengage.job": job, "moengage.outcome": outcome},
                    )
                    seen[index] = value
            if then is not None:
                then(progress)

        return report

    # -- hooks ------------------------------------------------------------------

    def _server_of(self, base_url: str) -> dict[str, Any]:
        found = self._servers.get(base_url)
        if found is None:
            found = self._servers[base_url] = _server(base_url)
        return found

    def _call_start(self, info: CallInfo) -> None:
        attributes = {
            _OPERATION: info.operation,
            "http.request.method": info.method,
            "url.template": info.path,
            **self._server_of(info.base_url),
        }
        span = self._tracer.start_span(
            info.operation, kind=SpanKind.INTERNAL, attributes=attributes
        )
        token = otel_context.attach(trace.set_span_in_context(span))
        call = _Call(info, span, attributes, token)
        call.state_token = _current.set(call)

    def _throttle(self, info: ThrottleInfo) -> None:
        self._budget_wait.record(info.waited_s, {_OPERATION: info.operation})
        if _current.get() is None:
            return
        end = time.time_ns()
        span = self._tracer.start_span(
            "moengage.budget_wait",
            kind=SpanKind.INTERNAL,
            attributes={_OPERATION: info.operation, "moengage.budgets": info.budgets},
            start_time=end - int(info.waited_s * 1e9),
        )
        span.end(end_time=end)

    def _attempt_start(self, info: AttemptInfo) -> None:
        call = _current.get()
        if call is None:
            return
        attributes = dict(call.attributes)
        if info.attempt > 1:
            attributes["http.request.resend_count"] = info.attempt - 1
        call.attempt = self._tracer.start_span(
            f"{call.info.method} {call.info.path}",
            kind=SpanKind.CLIENT,
            attributes=attributes,
        )
        call.attempt_attributes = attributes
        call.attempt_token = otel_context.attach(
            trace.set_span_in_context(call.attempt)
        )

    def _attempt_end(self, info: RequestInfo) -> None:
        call = _current.get()
        if call is None or call.attempt is None:
            return
        attributes = call.attempt_attributes
        attributes.pop("http.request.resend_count", None)
        if info.status is not None:
            attributes["http.response.status_code"] = info.status
        error_type = _error_type(info.status, info.error)
        if error_type is not None:
            attributes["error.type"] = error_type
        self._attempt_duration.record(info.elapsed_s, attributes)
        self._end_attempt(call, info.status, error_type)

    def _end_attempt(
        self, call: _Call, status: int | None, error_type: str | None
    ) -> None:
        span = call.attempt
        if span is None:
            return
        if status is not None:
            span.set_attribute("http.response.status_code", status)
        if error_type is not None:
            span.set_attribute("error.type", error_type)
            span.set_status(Status(StatusCode.ERROR))
        span.end()
        otel_context.detach(call.attempt_token)  # type: ignore[arg-type]
        call.attempt = None
        call.attempt_token = None

    def _rate_limit(self, info: RequestInfo) -> None:
        call = _current.get()
        expected = "unknown"
        if call is not None:
            view = self._views.get(call.info.workspace_id)
            if view is not None:
                expected = _predicted(view.snapshot(), call.info.budgets)
            call.span.add_event(
                "moengage.rate_limited",
                {
                    "moengage.rate_limit.expected": expected,
                    "moengage.attempt": info.attempt,
                },
            )
        self._rate_limited.add(
            1, {_OPERATION: info.operation, "moengage.rate_limit.expected": expected}
        )

    def _retry(self, details: RetryDetails) -> None:
        self._retries.add(
            1, {_OPERATION: details.operation, "moengage.retry.reason": details.reason}
        )
        call = _current.get()
        if call is not None:
            call.span.add_event(
                "moengage.retry",
                {
                    "moengage.retry.reason": details.reason,
                    "moengage.retry.delay_s": details.delay_s,
                    "http.request.resend_count": details.attempt,
                },
            )

    def _call_end(self, result: CallResult) -> None:
        error_type = _error_type(result.status, result.error)
        attributes: dict[str, Any] = {_OPERATION: result.operation}
        if error_type is not None:
            attributes["error.type"] = error_type
        self._call_duration.record(result.elapsed_s, attributes)
        call = _current.get()
        if call is None:
            return
        # A cancelled attempt never reported its end: close it with the call.
        self._end_attempt(call, None, result.error)
        span = call.span
        if result.status is not None:
            span.set_attribute("http.response.status_code", result.status)
        if error_type is not None:
            span.set_attribute("error.type", error_type)
            span.set_status(Status(StatusCode.ERROR))
        span.end()
        otel_context.detach(call.context_token)  # type: ignore[arg-type]
        if call.state_token is not None:
            _current.reset(call.state_token)

    # -- gauges -----------------------------------------------------------------

    def _rows(self) -> Iterable[tuple[str, WindowUsage]]:
        for workspace, view in list(self._views.items()):
            for row in view.snapshot():
                yield workspace, row

    def _per_budget(self, read: Callable[[WindowUsage], int]) -> list[Observation]:
        seen: dict[tuple[str, str], int] = {}
        for workspace, row in self._rows():
            seen.setdefault((workspace, row.budget), read(row))
        return [
            Observation(value, {"moengage.workspace": workspace, _BUDGET: budget})
            for (workspace, budget), value in seen.items()
        ]

    def _observe_queued(self, options: CallbackOptions) -> list[Observation]:
        return self._per_budget(lambda row: row.queued)

    def _observe_in_flight(self, options: CallbackOptions) -> list[Observation]:
        return self._per_budget(lambda row: row.in_flight)

    def _observe_remaining(self, options: CallbackOptions) -> list[Observation]:
        return [
            Observation(
                max(0, row.limit - row.used - row.in_flight),
                {
                    "moengage.workspace": workspace,
                    _BUDGET: row.budget,
                    "moengage.window_s": row.seconds,
                },
            )
            for workspace, row in self._rows()
        ]


def _predicted(rows: Iterable[WindowUsage], budgets: tuple[str, ...]) -> str:
    """``"true"`` when a window of ``budgets`` was full in the ledger (this request
    counted in flight), so the 429 was what the client's own count foresaw."""
    full = any(
        row.budget in budgets and row.used + row.in_flight >= row.limit for row in rows
    )
    return "true" if full else "false"
