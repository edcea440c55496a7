"""Operable: each service's spans name it (service.name), its metrics are served at /metrics,
and SSP_LOG_FORMAT=json writes one JSON object per line with the trace ids."""

from __future__ import annotations

import io
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared import telemetry
from shared.eventstore.application import ServiceApplication, store_env
from shared.http import add_platform_routes
from shared.messaging.inbound import Inbound
from shared.messaging.inbox import InboxRuntime
from shared.metrics import ServiceMetrics
from shared.settings import PlatformSettings
from shared.telemetry import JsonFormatter, _TraceIdFilter, add_span_processor, tracer


def test_each_service_reports_its_own_service_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telemetry, "_exporting", False)  # back to "no exporter" afterwards
    spans = InMemorySpanExporter()
    add_span_processor(SimpleSpanProcessor(spans))
    try:
        with tracer("intake").start_as_current_span("a"):
            pass
        with tracer("triage").start_as_current_span("b"):
            pass
        names = {s.name: s.resource.attributes["service.name"] for s in spans.get_finished_spans()}
    finally:
        spans.shutdown()  # the providers keep the processor; a shut-down exporter keeps nothing
    assert names == {"a": "ssp-intake", "b": "ssp-triage"}


async def test_the_inbox_counts_and_times_what_it_processes_and_metrics_are_served() -> None:
    metrics = ServiceMetrics("triage")
    app = ServiceApplication(env=store_env(PlatformSettings(SSP_DATABASE_URL="memory"), "m"))
    handled: list[Any] = []
    inbox = InboxRuntime(
        service="triage",
        app=app,
        handler=handled.extend,
        executor=ThreadPoolExecutor(max_workers=1),
        metrics=metrics,
    )
    batch = [Inbound("ssp.intake.incidents.v1", 0, i, b"k", b"{}") for i in range(3)]
    await inbox.process(batch)
    metrics.overdue({"607": 2})

    async def ready() -> dict[str, bool]:
        return {"store": True}

    api = FastAPI()
    add_platform_routes(api, ready, "triage", metrics=metrics)
    response = TestClient(api).get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "ssp_messages_processed_total{" in text
    assert 'topic="ssp.intake.incidents.v1"} 3.0' in text
    assert "ssp_handler_duration_seconds_count" in text
    assert 'ssp_letter_tasks_overdue{municipality_code="607"' in text
    assert 'service_name="ssp-triage"' in text
    other = ServiceMetrics("intake")  # under `ssp up` each service serves its own
    assert "ssp_messages_processed_total{" not in other.render().decode()


def test_json_log_lines_carry_the_trace_ids() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(_TraceIdFilter())
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("services.triage.test")
    log.addHandler(handler)
    log.propagate = False
    try:
        with tracer("triage").start_as_current_span("work") as span:
            log.warning("routed %d persons", 2)
        log.warning("outside")
    finally:
        log.removeHandler(handler)
    inside, outside = (json.loads(line) for line in out.getvalue().splitlines())
    assert inside["message"] == "routed 2 persons"
    assert inside["level"] == "WARNING"
    assert inside["service"] == "triage"
    assert inside["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert inside["span_id"] == format(span.get_span_context().span_id, "016x")
    assert outside["trace_id"] is None
