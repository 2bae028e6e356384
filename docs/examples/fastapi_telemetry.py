"""A FastAPI app with one MoEngage client for its lifetime, traced and measured.

Run it (FastAPI, uvicorn and an OTLP exporter are the app's own dependencies):

    pip install 'moengage-async[otel]' fastapi uvicorn \
        opentelemetry-exporter-otlp-proto-http
    export MOENGAGE_WORKSPACE_ID=... MOENGAGE_API_KEY=...
    uvicorn fastapi_telemetry:app

Each call is a span (``v1.change_status``) with a span per HTTP attempt inside it;
an incoming request's span, if FastAPI is instrumented too, is their parent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from moengage_async import MoEngageClient, NotFoundError, PayloadValidationError
from moengage_async.otel import Telemetry

resource = Resource.create({"service.name": "campaign-control"})
tracer_provider = TracerProvider(resource=resource)
tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
meter_provider = MeterProvider(
    resource=resource,
    metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter())],
)
telemetry = Telemetry(tracer_provider=tracer_provider, meter_provider=meter_provider)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # MOENGAGE_* from the environment; MOENGAGE_REDIS_URL shares the budgets
    # between workers (the client owns and closes that limiter).
    client = MoEngageClient.from_env(hooks=telemetry.hooks)
    telemetry.watch(client)  # budget gauges, expected/unexpected 429s
    app.state.moengage = client
    try:
        yield
    finally:
        await client.aclose()
        tracer_provider.shutdown()
        meter_provider.shutdown()


app = FastAPI(lifespan=lifespan)


@app.post("/campaigns/{campaign_id}/pause")
async def pause(campaign_id: str) -> dict[str, str]:
    client: MoEngageClient = app.state.moengage
    try:
        # Concurrent pauses share one V1 request of up to ten ids.
        await client.pause(campaign_id)
    except PayloadValidationError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    except NotFoundError:
        raise HTTPException(status_code=404, detail="unknown campaign") from None
    return {"campaign_id": campaign_id, "status": "paused"}


@app.get("/budgets")
async def budgets() -> list[dict[str, object]]:
    client: MoEngageClient = app.state.moengage
    return [
        {"budget": row.budget, "window_s": row.seconds, "used": row.used}
        for row in client.budgets.snapshot()
    ]
