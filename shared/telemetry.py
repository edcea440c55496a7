"""OpenTelemetry and logging set-up shared by every service.

Spans never carry personal data: message keys are journal numbers or pseudonyms, and
attributes are added only from explicit allow-listed values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

from shared.log_limits import RepeatedLogLimit

_provider: TracerProvider | None = None
_exporting = False


def tracer_provider(otlp_endpoint: str | None = None) -> TracerProvider:
    """The process-wide tracer provider (one per process, also when all services share it)."""
    global _provider
    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.name": "ssp-platform"}))
        if otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            endpoint = otlp_endpoint.rstrip("/") + "/v1/traces"
            add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        trace.set_tracer_provider(_provider)
    return _provider


def add_span_processor(processor: SpanProcessor) -> None:
    """Send finished spans somewhere (an exporter, or a test's memory)."""
    global _exporting
    tracer_provider().add_span_processor(processor)
    _exporting = True


def spans_exported() -> bool:
    """Whether any finished span goes anywhere; without an exporter a span need not be
    recorded at all, only its context carried on."""
    return _exporting


_ids = RandomIdGenerator()


def unrecorded_span(parent: otel_context.Context) -> trace.Span:
    """A span that continues `parent`'s trace (or starts one) with a fresh span id, as a
    recorded span would, but records nothing: what the SDK would build and then throw away
    when no exporter is configured costs more than the handling of a message."""
    parent_span = trace.get_current_span(parent).get_span_context()
    if parent_span.is_valid:
        trace_id, flags, state = (
            parent_span.trace_id,
            parent_span.trace_flags,
            parent_span.trace_state,
        )
    else:
        trace_id, flags, state = _ids.generate_trace_id(), trace.TraceFlags(1), None
    return trace.NonRecordingSpan(
        trace.SpanContext(
            trace_id=trace_id,
            span_id=_ids.generate_span_id(),
            is_remote=False,
            trace_flags=flags,
            trace_state=state,
        )
    )


def continued_unrecorded(headers: Mapping[str, str]) -> trace.Span:
    """An unrecorded span continuing the trace the message's headers carry (or a new one)."""
    return unrecorded_span(propagate.extract(dict(headers)))


_last_injected: tuple[int, int, dict[str, str]] | None = None


_tracers: dict[str, trace.Tracer] = {}


def tracer(name: str) -> trace.Tracer:
    """One tracer per name: the SDK builds a new one (and its scope) on every call, which
    costs more than the span it is asked for at thousands of messages per second."""
    found = _tracers.get(name)
    if found is None:
        found = _tracers[name] = tracer_provider().get_tracer(name)
    return found


def current_trace_context() -> dict[str, str]:
    """The active trace context as W3C headers, to be stored with an event.

    Every event a message causes stores the same context; injecting it once per span instead
    of once per event matters at thousands of events per second."""
    global _last_injected
    span_context = trace.get_current_span().get_span_context()
    cached = _last_injected
    if (
        cached is not None
        and span_context.is_valid
        and cached[0] == span_context.trace_id
        and cached[1] == span_context.span_id
    ):
        return dict(cached[2])
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    if span_context.is_valid:
        _last_injected = (span_context.trace_id, span_context.span_id, carrier)
    return dict(carrier)


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None


@contextmanager
def restored_context(carrier: Mapping[str, str]) -> Iterator[None]:
    """Make a stored or received trace context the active one."""
    token = otel_context.attach(propagate.extract(dict(carrier)))
    try:
        yield
    finally:
        otel_context.detach(token)


class _TraceIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        span_context = trace.get_current_span().get_span_context()
        record.trace_id = format(span_context.trace_id, "032x") if span_context.is_valid else "-"
        record.span_id = format(span_context.span_id, "016x") if span_context.is_valid else "-"
        return True


def configure_logging(level: str = "INFO") -> None:
    """Log lines carry trace and span ids so a line can be found from a trace and back."""
    root = logging.getLogger()
    if any(getattr(h, "_ssp", False) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler()
    handler._ssp = True  # type: ignore[attr-defined]
    handler.addFilter(_TraceIdFilter())
    handler.addFilter(RepeatedLogLimit())
    handler.setFormatter(
        logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s trace_id=%(trace_id)s span_id=%(span_id)s "
            "%(message)s"
        )
    )
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("aiokafka", "kafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
