"""A consumed message's span continues its publisher's trace and says nothing personal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import baggage, propagate, trace
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared import telemetry
from shared.messaging.inbound import Inbound
from shared.telemetry import (
    add_span_processor,
    current_trace_context,
    current_trace_id,
)

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    monkeypatch.setattr(telemetry, "_exporting", False)  # back to "no exporter" afterwards
    exporter = InMemorySpanExporter()
    add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()  # the provider keeps the processor; a shut-down exporter keeps nothing


def _message(headers: dict[str, str] | None = None) -> Inbound:
    return Inbound(
        topic="ssp.triage.tovholder.v1",
        partition=2,
        offset=41,
        key=b"4100-12345-00001-26",
        value=b'{"person_key": "p"}',
        headers={"traceparent": f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"}
        if headers is None
        else headers,
    )


def test_the_span_continues_the_publishers_trace(spans: InMemorySpanExporter) -> None:
    with _message().processing_span("notifications"):
        assert current_trace_id() == TRACE_ID
    assert trace.get_current_span().get_span_context().trace_id != int(TRACE_ID, 16)

    (span,) = spans.get_finished_spans()
    assert span.name == "notifications process ssp.triage.tovholder.v1"
    assert span.kind is trace.SpanKind.CONSUMER
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None and format(span.parent.span_id, "016x") == PARENT_SPAN_ID
    assert dict(span.attributes or {}) == {
        "messaging.system": "kafka",
        "messaging.destination.name": "ssp.triage.tovholder.v1",
        "messaging.kafka.destination.partition": 2,
        "messaging.kafka.message.offset": 41,
    }


def test_a_failure_is_named_by_its_type_only(spans: InMemorySpanExporter) -> None:
    with pytest.raises(ValueError), _message().processing_span("triage"):
        raise ValueError("CPR 010203-1234 is not valid")

    (span,) = spans.get_finished_spans()
    assert span.status.status_code is trace.StatusCode.ERROR
    assert span.status.description == "ValueError"
    assert not span.events  # no exception event carrying the message


def test_without_an_exporter_the_trace_is_carried_on_unrecorded() -> None:
    assert not telemetry.spans_exported()
    with _message().processing_span("triage") as span:
        context = span.get_span_context()
        assert not span.is_recording()
        assert current_trace_id() == TRACE_ID
        assert format(context.span_id, "016x") != PARENT_SPAN_ID
        assert context.trace_flags.sampled
        # What the events this message causes store, and the relay publishes on.
        stored = current_trace_context()
    assert stored["traceparent"] == f"00-{TRACE_ID}-{context.span_id:016x}-01"
    with _message({}).processing_span("triage") as span:
        assert span.get_span_context().is_valid  # no trace came with it: one starts here


@pytest.mark.parametrize("flags", [0, 1])
@pytest.mark.parametrize("state", [None, "vendor=value"])
@pytest.mark.parametrize("with_baggage", [False, True])
def test_the_stored_context_is_what_the_propagators_write(
    monkeypatch: pytest.MonkeyPatch, flags: int, state: str | None, with_baggage: bool
) -> None:
    monkeypatch.setattr(telemetry, "_last_injected", None)
    span = trace.NonRecordingSpan(
        trace.SpanContext(
            trace_id=int(TRACE_ID, 16),
            span_id=int(PARENT_SPAN_ID, 16),
            is_remote=False,
            trace_flags=trace.TraceFlags(flags),
            trace_state=trace.TraceState.from_header([state]) if state else None,
        )
    )
    context = trace.set_span_in_context(span)
    if with_baggage:
        context = baggage.set_baggage("k", "v", context)
    token = otel_context.attach(context)
    try:
        expected: dict[str, str] = {}
        propagate.inject(expected)
        assert current_trace_context() == expected
        assert current_trace_context() == expected  # and again, from the cache
    finally:
        otel_context.detach(token)
