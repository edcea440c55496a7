"""The topics that carry CPR numbers (the police's incidents, the case register's events) are
created with the short retention of SSP_KAFKA_CPR_RETENTION_MS; the platform's own topics are
time-limited or compacted as the topic registry says (issue 18, part 4). Read back from the
real broker's topic configuration."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from shared.contracts import (
    CONCERNS,
    INTAKE_INCIDENTS,
    PERSON_ERASURES,
    POLICE_INCIDENTS,
    SOCIAL_CASES,
    TOPICS,
)
from shared.messaging.admin import ensure_topics
from shared.service_topics import topic_configs, topic_partitions
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.registry import SERVICES, definition_factory

pytestmark = [pytest.mark.kafka]


async def test_cpr_topics_are_created_with_their_retention(
    embedded_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SSP_TOPIC_PREFIX", prefix)
    monkeypatch.setenv("SSP_KAFKA_CPR_RETENTION_MS", "172800000")  # two days
    definitions = [definition_factory(name)() for name in SERVICES]
    bootstrap = embedded_broker.bootstrap_servers
    await ensure_topics(
        bootstrap, topic_partitions(definitions), configs=topic_configs(definitions)
    )

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [
            prefix + POLICE_INCIDENTS,
            prefix + SOCIAL_CASES,
            prefix + CONCERNS,
            prefix + INTAKE_INCIDENTS,
            prefix + PERSON_ERASURES,
        ]
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
        )
    finally:
        await admin.close()
    configured = {
        resource[3]: {entry[0]: entry[1] for entry in resource[4]}
        for resource in response.resources
    }
    retention = {name: found.get("retention.ms") for name, found in configured.items()}
    assert retention[prefix + POLICE_INCIDENTS] == "172800000"
    assert retention[prefix + SOCIAL_CASES] == "172800000"
    assert retention[prefix + INTAKE_INCIDENTS] == str(30 * 24 * 3600 * 1000)
    assert configured[prefix + PERSON_ERASURES].get("cleanup.policy") == "compact"
    # a concern names the young person and its reporter
    assert retention[prefix + CONCERNS] == "172800000"
    assert {spec.name for spec in TOPICS.values() if spec.carries_cpr} == {
        POLICE_INCIDENTS,
        SOCIAL_CASES,
        CONCERNS,
    }
