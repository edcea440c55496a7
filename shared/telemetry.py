"""OpenTelemetry and logging set-up shared by every service.

Spans never carry personal data: message keys are journal numbers or pseudonyms, and
attributes are added only from explicit allow-listed values.

Each service reports its own `service.name` (`ssp-intake`, `ssp-triage`, ...; namespace
`ssp`): every service has a tracer provider of its own whose resource names it, also when
`ssp up` runs them all in one process. The exporters (span processors) are shared. The
process-wide provider (`ssp-platform`) serves anything that is not a service.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

from shared.log_limits import RepeatedLogLimit

_provider: TracerProvider | None = None
_service_providers: dict[str, TracerProvider] = {}
_processors: list[SpanProcessor] = []
_exporting = False

SERVICE_NAMESPACE = "ssp"


def service_resource(service: str) -> Resource:
    """The OpenTelemetry resource of one service: `service.name` `ssp-<service>`."""
    return Resource.create(
        {"service.name": f"{SERVICE_NAMESPACE}-{service}", "service.namespace": SERVICE_NAMESPACE}
    )


def tracer_provider(otlp_endpoint: str | None = None) -> TracerProvider:
    """The process-wide tracer provider (`ssp-platform`); the first call with an endpoint
    sets up the OTLP exporter every service's provider shares."""
    global _provider
    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.name": "ssp-platform"}))
        trace.set_tracer_provider(_provider)
        if otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            endpoint = otlp_endpoint.rstrip("/") + "/v1/traces"
            add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return _provider


def service_tracer_provider(service: str) -> TracerProvider:
    """The tracer provider of one service, its resource naming the service; it sends spans
    wherever the process-wide provider does."""
    found = _service_providers.get(service)
    if found is None:
        tracer_provider()
        found = TracerProvider(resource=service_resource(service), shutdown_on_exit=False)
        for processor in _processors:
            found.add_span_processor(processor)
        _service_providers[service] = found
    return found


def add_span_processor(processor: SpanProcessor) -> None:
    """Send finished spans somewhere (an exporter, or a test's memory), from every provider."""
    global _exporting
    tracer_provider().add_span_processor(processor)
    for provider in _service_providers.values():
        provider.add_span_processor(processor)
    _processors.append(processor)
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


def tracer(service: str) -> trace.Tracer:
    """The tracer of a service (its own provider and `service.name`), one per service: the SDK
    builds a new one (and its scope) on every call, which costs more than the span it is
    asked for at thousands of messages per second."""
    found = _tracers.get(service)
    if found is None:
        found = _tracers[service] = service_tracer_provider(service).get_tracer(f"ssp.{service}")
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


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter()
    return logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s trace_id=%(trace_id)s span_id=%(span_id)s %(message)s"
    )


class _TraceIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        span_context = trace.get_current_span().get_span_context()
        record.trace_id = format(span_context.trace_id, "032x") if span_context.is_valid else "-"
        record.span_id = format(span_context.span_id, "016x") if span_context.is_valid else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, trace_id,
    span_id (null outside a trace), the service when the logger names one, and the
    exception's traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        trace_id = getattr(record, "trace_id", "-")
        span_id = getattr(record, "span_id", "-")
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "trace_id": None if trace_id == "-" else trace_id,
            "span_id": None if span_id == "-" else span_id,
        }
        service = _service_of(record.name)
        if service is not None:
            line["service"] = service
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


_SERVICES = frozenset({"intake", "triage", "notifications", "reporting", "courses"})


def _service_of(logger_name: str) -> str | None:
    """`services.triage.application…` and `ssp.triage.kafka` belong to triage."""
    parts = logger_name.split(".")
    if len(parts) > 1 and parts[0] in ("services", "ssp") and parts[1] in _SERVICES:
        return parts[1]
    return None


def configure_logging(level: str = "INFO", log_format: str = "text") -> None:
    """Log lines carry trace and span ids so a line can be found from a trace and back;
    `log_format` `json` writes one JSON object per line (SSP_LOG_FORMAT)."""
    root = logging.getLogger()
    existing = [h for h in root.handlers if getattr(h, "_ssp", False)]
    for handler in existing:
        handler.setFormatter(_formatter(log_format))
    if existing:
        root.setLevel(level)
        return
    handler = logging.StreamHandler()
    handler._ssp = True  # type: ignore[attr-defined]
    handler.addFilter(_TraceIdFilter())
    handler.addFilter(RepeatedLogLimit())
    handler.setFormatter(_formatter(log_format))
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("aiokafka", "kafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
