from __future__ import annotations

import pytest

from shared.contracts import (
    INTAKE_REJECTED,
    POLICE_INCIDENTS,
    TOPICS,
    Direction,
    PoliceIncident,
    RoutingDecision,
    dead_letter_topic,
    topic_name,
)
from shared.contracts import topics as t


def test_registry_lists_every_contract_topic() -> None:
    assert list(TOPICS) == [
        "ssp.police.incidents.v1",
        "ssp.socialservices.cases.v1",
        "ssp.concerns.v1",
        "ssp.caseworker.assessments.v1",
        "ssp.triage.caseworker.v1",
        "ssp.triage.tovholder.v1",
        "ssp.triage.exit-referrals.v1",
        "ssp.triage.withdrawals.v1",
        "ssp.triage.statements.v1",
        "ssp.triage.handovers.v1",
        "ssp.notifications.letter-tasks.v1",
        "ssp.notifications.assessments.v1",
        "ssp.courses.events.v1",
        "ssp.courses.follow-ups.v1",
        "ssp.meetings.events.v1",
        "ssp.intake.rejected.v1",
        "ssp.intake.incidents.v1",
        "ssp.intake.case-events.v1",
        "ssp.intake.concerns.v1",
        "ssp.intake.person-erasures.v1",
        "ssp.intake.dead-letter.v1",
        "ssp.triage.dead-letter.v1",
        "ssp.notifications.dead-letter.v1",
        "ssp.reporting.dead-letter.v1",
        "ssp.courses.dead-letter.v1",
    ]
    for name, spec in TOPICS.items():
        assert spec.name == name
        assert spec.partitions == 3
        assert spec.key and spec.description


def test_constants_match_registry() -> None:
    constants = [
        t.POLICE_INCIDENTS,
        t.SOCIAL_CASES,
        t.CASEWORKER_ASSESSMENTS,
        t.TRIAGE_CASEWORKER,
        t.TRIAGE_TOVHOLDER,
        t.TRIAGE_EXIT_REFERRALS,
        t.TRIAGE_WITHDRAWALS,
        t.LETTER_TASKS,
        t.INTAKE_REJECTED,
        t.INTAKE_INCIDENTS,
        t.INTAKE_CASE_EVENTS,
        t.CONCERNS,
        t.INTAKE_CONCERNS,
    ]
    assert all(c in TOPICS for c in constants)
    assert TOPICS[POLICE_INCIDENTS].message is PoliceIncident
    assert TOPICS[POLICE_INCIDENTS].direction is Direction.EXTERNAL_IN
    assert TOPICS[t.TRIAGE_TOVHOLDER].message is RoutingDecision
    assert TOPICS[INTAKE_REJECTED].direction == "external-out"
    assert TOPICS[t.INTAKE_INCIDENTS].direction == "internal"


def test_registry_is_frozen() -> None:
    with pytest.raises(TypeError):
        TOPICS["x"] = TOPICS[POLICE_INCIDENTS]  # type: ignore[index]
    with pytest.raises(AttributeError):
        TOPICS[POLICE_INCIDENTS].partitions = 6  # type: ignore[misc]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("", "ssp.police.incidents.v1"), ("test1.", "test1.ssp.police.incidents.v1")],
)
def test_topic_name_prefix(prefix: str, expected: str) -> None:
    assert topic_name(POLICE_INCIDENTS, prefix) == expected
    assert TOPICS[POLICE_INCIDENTS].address(prefix) == expected


@pytest.mark.parametrize("prefix", ["bad prefix.", "æ.", "x/"])
def test_topic_name_rejects_illegal_prefix(prefix: str) -> None:
    with pytest.raises(ValueError):
        topic_name(POLICE_INCIDENTS, prefix)


def test_dead_letter_topics() -> None:
    for service in ("intake", "triage", "notifications", "reporting"):
        name = dead_letter_topic(service)
        assert name == f"ssp.{service}.dead-letter.v1"
        spec = TOPICS[name]
        assert spec.message is None
        assert {h.name for h in spec.headers} == {
            "ssp-dlq-service",
            "ssp-dlq-origin-topic",
            "ssp-dlq-origin-partition",
            "ssp-dlq-origin-offset",
            "ssp-dlq-error",
        }
        for header in spec.headers:
            assert header.name in spec.description
    assert dead_letter_topic("triage", "test1.") == "test1.ssp.triage.dead-letter.v1"
    with pytest.raises(ValueError):
        dead_letter_topic("nosuchservice")
