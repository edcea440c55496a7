"""The topics a set of services needs created, with their partitions and configuration (the
topic registry's, else the deployment's defaults): `ssp up` creates them for all its services,
each service for its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from shared.contracts.topics import DEAD_LETTER_SERVICES, TOPICS, dead_letter_topic

if TYPE_CHECKING:
    from shared.runtime import ServiceDefinition


def topic_partitions(definitions: Sequence[ServiceDefinition]) -> dict[str, int]:
    """Every topic these services consume or produce (with the deployment's prefix) and the
    partitions it is created with: the registry's count, else the configured default."""
    wanted: dict[str, int] = {}
    for d in definitions:
        for topic in [*d.consumes, *d.produces]:
            spec = TOPICS.get(topic)
            partitions = spec.partitions if spec is not None else d.settings.topic_partitions
            wanted[d.settings.topic(topic)] = partitions
    return wanted


def topic_configs(definitions: Sequence[ServiceDefinition]) -> dict[str, dict[str, str]]:
    """The configuration of the topics these services create (set when a topic is created;
    one that exists keeps its own): those that carry CPR numbers keep them only
    `kafka_cpr_retention_ms`; the others are compacted or time-limited as the topic registry
    says (`TopicSpec.kafka_configs`); the dead-letter topics keep a record as long as the
    dead letter's bytes are readable in the store (`SSP_RETENTION_DEAD_LETTER_DAYS`)."""
    configs: dict[str, dict[str, str]] = {}
    dead_letter_topics = {dead_letter_topic(service) for service in DEAD_LETTER_SERVICES}
    for d in definitions:
        for topic in [*d.consumes, *d.produces]:
            spec = TOPICS.get(topic)
            if spec is None:
                continue
            configs[d.settings.topic(topic)] = (
                {"retention.ms": str(d.settings.retention_dead_letter_days * _DAY_MS)}
                if topic in dead_letter_topics
                else spec.kafka_configs(d.settings.kafka_cpr_retention_ms)
            )
    return configs


_DAY_MS = 24 * 3600 * 1000
