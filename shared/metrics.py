"""Metrics of one service, through the OpenTelemetry SDK, served in Prometheus' text format at
the service's `GET /metrics`.

Each service has a meter provider of its own (its resource names the service, as its tracer
provider does) and a Prometheus registry of its own, so under `ssp up` each service's
`/metrics` shows that service alone.

Labels are topics, partitions, stages and municipality codes only: never a person key, a
journal number or anything else that names a person or a case
(tests/integration/test_telemetry_privacy.py holds every span attribute and label to that).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from shared.telemetry import service_resource

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Handler batches take from well under a millisecond to seconds (a retried batch).
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class ServiceMetrics:
    def __init__(self, service: str, *, extra_readers: Iterable[MetricReader] = ()) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        self.provider = MeterProvider(
            resource=service_resource(service),
            metric_readers=[PrometheusMetricReader(registry=self.registry), *extra_readers],
            shutdown_on_exit=False,
        )
        meter = self.provider.get_meter(f"ssp.{service}")
        self.messages_processed = meter.create_counter(
            "ssp.messages.processed",
            unit="{message}",
            description="Messages the service's handler processed, by topic.",
        )
        self.messages_dead_lettered = meter.create_counter(
            "ssp.messages.dead_lettered",
            unit="{message}",
            description="Messages kept as dead letters, by topic and stage (consume: the "
            "handler gave up; relay: the broker refused the outgoing message).",
        )
        self.handler_duration = meter.create_histogram(
            "ssp.handler.duration",
            unit="s",
            description="Time the handler took for one batch of messages (store transaction "
            "included).",
            explicit_bucket_boundaries_advisory=_LATENCY_BUCKETS,
        )
        self.relay_lag = meter.create_gauge(
            "ssp.relay.lag",
            unit="{notification}",
            description="Stored events the outbox relay has not yet passed (newest "
            "notification id minus the relay's position).",
        )
        self.consumer_lag = meter.create_gauge(
            "ssp.consumer.lag",
            unit="{message}",
            description="Messages on a partition after the last one the service processed "
            "(high watermark minus next offset), by topic and partition.",
        )
        self.letter_tasks_overdue = meter.create_gauge(
            "ssp.letter_tasks.overdue",
            unit="{task}",
            description="Letter tasks overdue, by municipality code (notifications).",
        )

    def processed(self, topics: Iterable[str]) -> None:
        for topic, count in Counter(topics).items():
            self.messages_processed.add(count, {"topic": topic})

    def dead_lettered(self, topic: str, stage: str) -> None:
        self.messages_dead_lettered.add(1, {"topic": topic, "stage": stage})

    def overdue(self, by_municipality: Mapping[str, int]) -> None:
        for municipality, count in by_municipality.items():
            self.letter_tasks_overdue.set(count, {"municipality_code": municipality})

    def render(self) -> bytes:
        """The service's metrics in Prometheus' text format."""
        return bytes(generate_latest(self.registry))

    def shutdown(self) -> None:
        self.provider.shutdown()
