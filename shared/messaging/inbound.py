"""A received Kafka record, as the services' handlers see it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from pydantic import BaseModel

from shared.contracts.errors import parse_bytes
from shared.eventstore.unit_of_work import UpstreamId
from shared.messaging.errors import PoisonMessage
from shared.telemetry import continued_unrecorded, spans_exported, tracer

M = TypeVar("M", bound=BaseModel)

ORIGIN_HEADER = "ssp-origin"
NOTIFICATION_ID_HEADER = "ssp-notification-id"


@dataclass(frozen=True)
class Inbound:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)
    timestamp_ms: int | None = None

    @classmethod
    def from_record(cls, record: Any) -> Inbound:
        headers = {}
        for name, raw in record.headers or ():
            headers[name] = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value if record.value is not None else b"",
            headers=headers,
            timestamp_ms=getattr(record, "timestamp", None),
        )

    @property
    def upstream(self) -> UpstreamId | None:
        """The publishing application's notification, when a platform relay published it.

        The topic is part of the name: one notification may be published to several topics,
        and a consumer of more than one of them must process each."""
        origin = self.headers.get(ORIGIN_HEADER)
        notification_id = self.headers.get(NOTIFICATION_ID_HEADER)
        if not origin or not notification_id or not notification_id.isdigit():
            return None
        return UpstreamId(f"{origin}@{self.topic}", int(notification_id))

    def upstream_key(self) -> tuple[str, int] | None:
        """`upstream`'s application name and notification id, without making an `UpstreamId`
        (the inbox's de-duplication asks for every message of every batch; a test holds the
        two to the same answers)."""
        headers = self.headers
        origin = headers.get(ORIGIN_HEADER)
        notification_id = headers.get(NOTIFICATION_ID_HEADER)
        if not origin or not notification_id or not notification_id.isdigit():
            return None
        return f"{origin}@{self.topic}", int(notification_id)

    def decode(self, model: type[M]) -> M:
        """The value as `model`; a value that can never be one is poison (dead-letter topic)."""
        value, problems = parse_bytes(self.value, model)
        if value is None:
            # Field paths and codes only: the reason goes to logs and the dead-letter headers.
            details = ", ".join(f"{p.field} ({p.code})" for p in problems[:10])
            raise PoisonMessage(f"not a valid {model.__name__}: {details}")
        return value

    @property
    def key_text(self) -> str | None:
        return self.key.decode("utf-8", "replace") if self.key is not None else None

    @contextmanager
    def processing_span(self, service: str) -> Iterator[trace.Span]:
        """Continue the publisher's trace while this message is processed (no personal data:
        only topic coordinates go into the span, and a failure is named by its type alone).

        Built from the SDK's parts rather than `start_as_current_span`, whose decorator and
        exception recording cost a third of a span at thousands of messages per second; and
        not recorded at all while no exporter is configured (`OTEL_EXPORTER_OTLP_ENDPOINT`),
        the trace and the trace ids in logs and steps carried on all the same."""
        if spans_exported():
            parent = propagate.extract(self.headers)
            span = tracer(service).start_span(
                f"{service} process {self.topic}",
                context=parent,
                kind=trace.SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": self.topic,
                    "messaging.kafka.destination.partition": self.partition,
                    "messaging.kafka.message.offset": self.offset,
                },
            )
        else:
            # Extraction starts from an empty context, as the propagators' does.
            parent = otel_context.Context()
            span = continued_unrecorded(self.headers)  # its status and end are no-ops
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        try:
            yield span
        except BaseException as exc:
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(exc).__name__))
            raise
        finally:
            otel_context.detach(token)
            span.end()
