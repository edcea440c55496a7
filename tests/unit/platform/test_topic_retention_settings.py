"""Issue 18, part 4: every topic is created compacted or time-limited, as the topic registry
says; those carrying CPR numbers with SSP_KAFKA_CPR_RETENTION_MS."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.contracts import PERSON_ERASURES, POLICE_INCIDENTS, TOPICS, dead_letter_topic
from shared.service_topics import topic_configs, topic_partitions
from ssp_platform.registry import SERVICES, definition_factory

DAY_MS = 24 * 3600 * 1000


def test_every_topic_is_compacted_or_time_limited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SSP_KAFKA_CPR_RETENTION_MS", str(3 * DAY_MS))
    definitions = [definition_factory(name)() for name in SERVICES]
    configs = topic_configs(definitions)
    assert set(configs) == set(topic_partitions(definitions))
    for name, config in configs.items():
        assert config.get("cleanup.policy") == "compact" or int(config["retention.ms"]) > 0, name
    assert configs[POLICE_INCIDENTS] == {"retention.ms": str(3 * DAY_MS)}
    assert configs[PERSON_ERASURES] == {"cleanup.policy": "compact"}
    assert configs[dead_letter_topic("triage")] == {"retention.ms": str(30 * DAY_MS)}
    assert {name for name, spec in TOPICS.items() if spec.compacted} == {PERSON_ERASURES}
