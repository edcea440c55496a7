"""The Kafka client every service uses: acks from all in-sync replicas, never faststream's or
aiokafka's at-most-once defaults; TLS and SASL as configured (shared/messaging/security.py)."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

from shared.messaging.security import kafka_security
from shared.settings import PlatformSettings
from shared.telemetry import service_tracer_provider, tracer_provider


def make_relay_producer(
    settings: PlatformSettings, bootstrap_servers: str, *, client_id: str
) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=f"{client_id}-relay",
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=2,
        max_batch_size=1024 * 1024,
        max_request_size=2 * 1024 * 1024,
        **kafka_security(settings).client_kwargs(),
    )


def make_broker(
    settings: PlatformSettings, bootstrap_servers: str, *, client_id: str
) -> KafkaBroker:
    tracer_provider(settings.otlp_endpoint)  # the exporter, if one is configured
    return KafkaBroker(
        bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=2,
        max_batch_size=1024 * 1024,
        middlewares=[KafkaTelemetryMiddleware(tracer_provider=service_tracer_provider(client_id))],
        logger=logging.getLogger(f"ssp.{client_id}.kafka"),
        log_level=logging.DEBUG,
        **kafka_security(settings).faststream_kwargs(),
    )
