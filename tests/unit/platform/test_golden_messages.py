"""Contract bytes are unchanged: for every topic the platform publishes, the messages the real
services publish in the golden scenario (tests/golden/scenario.py) are byte for byte those in
tests/golden/<topic>.json — key, value and headers.

After an intended contract change regenerate them (`uv run python -m tests.golden.scenario
--write`) and say in the commit why the bytes changed."""

from __future__ import annotations

import pytest

from shared.contracts import LETTER_TASKS, TOPICS, Direction
from tests.golden.scenario import Scenario, golden_documents, golden_path, produce, render

PLATFORM_OUTPUTS = sorted(
    name for name, spec in TOPICS.items() if spec.direction != Direction.EXTERNAL_IN
)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return produce()


def test_the_services_publish_every_output_topic_of_the_registry(scenario: Scenario) -> None:
    declared = {topic for topics in scenario.produces.values() for topic in topics}
    assert declared == set(PLATFORM_OUTPUTS)


@pytest.mark.parametrize("topic", PLATFORM_OUTPUTS)
def test_published_bytes_match_the_golden_file(topic: str, scenario: Scenario) -> None:
    produced = golden_documents(scenario.published)
    assert topic in produced, f"the scenario published nothing on {topic}"
    assert golden_path(topic).is_file(), f"no golden file for {topic}"
    assert render(produced[topic]).encode() == golden_path(topic).read_bytes()


def test_every_topic_has_exactly_one_producer(scenario: Scenario) -> None:
    """One owner per topic: each topic is declared by one service only, and every message of
    the scenario came from it (e.g. the acute procedure's letter from notifications, not
    from courses)."""
    producers: dict[str, list[str]] = {}
    for service, topics in scenario.produces.items():
        for topic in topics:
            producers.setdefault(topic, []).append(service)
    assert {topic: found for topic, found in producers.items() if len(found) != 1} == {}
    origins = {(m.topic, dict(m.headers)["ssp-origin"]) for m in scenario.published}
    assert {(topic, producers[topic][0]) for topic, _ in origins} == origins
    assert producers[LETTER_TASKS] == ["notifications"]
