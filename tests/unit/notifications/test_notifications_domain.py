"""The letter-task case: given what happened, a command, the events it records (or the error)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.notifications.domain.case_state import GoverningDecision, NoTask, TaskClosed
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.letters import letter_kind
from tests.unit.notifications.factories import (
    DEADLINES,
    JOURNAL,
    START,
    assessment,
    decision,
    letter_of,
    new_case,
    recorded,
)


def test_the_task_id_is_the_case_id_and_deterministic() -> None:
    case = new_case()
    assert case.id == LetterTaskCase.create_id(JOURNAL, "pk_a")
    assert case.task_id == str(LetterTaskCase.create_id(JOURNAL, "pk_a"))
    assert LetterTaskCase.create_id(JOURNAL, "pk_b") != case.id


def test_tovholder_decision_creates_an_orientering_at_once() -> None:
    case = new_case()
    assert case.receive_decision(decision(age=16), START, DEADLINES) == "task_created"
    assert recorded(case) == ["DecisionRecorded", "TaskCreated"]
    letter = letter_of(case)
    assert letter["kind"] == "orientering"
    assert letter["owner_role"] == "tovholder"
    assert letter["recipients"] == ["parents", "youth"]
    assert letter["due_at"] == "2026-11-18T09:00:00Z"
    assert letter["at"] == "2026-11-16T09:00:00Z"


def test_caseworker_decision_waits_for_the_assessment() -> None:
    case = new_case()
    assert case.receive_decision(decision(route="caseworker"), START, DEADLINES) == (
        "awaiting_assessment"
    )
    assert recorded(case) == ["DecisionRecorded"]
    later = START + timedelta(hours=5)
    assert case.receive_assessment(assessment(outcome="summon"), later, DEADLINES) == (
        "task_created"
    )
    assert recorded(case) == ["AssessmentRecorded", "TaskCreated"]
    letter = letter_of(case)
    assert (letter["kind"], letter["owner_role"]) == ("indkaldelse", "caseworker")
    assert letter["due_at"] == "2026-11-19T14:00:00Z"  # 72 hours after the assessment arrived


def test_assessment_first_then_decision_creates_the_task() -> None:
    case = new_case()
    assert case.receive_assessment(assessment(), START, DEADLINES) == "awaiting_decision"
    assert recorded(case) == ["AssessmentRecorded"]
    assert case.receive_decision(decision(route="caseworker"), START, DEADLINES) == ("task_created")
    assert recorded(case) == ["DecisionRecorded", "TaskCreated"]
    assert letter_of(case)["kind"] == "orientering"


def test_duplicates_record_nothing() -> None:
    case = new_case()
    case.receive_decision(decision(route="caseworker"), START, DEADLINES)
    case.receive_assessment(assessment(), START, DEADLINES)
    case.collect_events()
    assert case.receive_decision(decision(route="caseworker"), START, DEADLINES) == "duplicate"
    # The same instant in another offset is the same assessment.
    same = assessment(at="2026-11-17T09:00:00Z")
    assert case.receive_assessment(same, START, DEADLINES) == "duplicate"
    assert recorded(case) == []


def test_a_later_revision_updates_the_task_but_never_makes_a_second_one() -> None:
    case = new_case()
    case.receive_decision(decision(revision=1), START, DEADLINES)
    task_id = case.task_id
    case.collect_events()
    outcome = case.receive_decision(decision(revision=2, age=15), START, DEADLINES)
    assert outcome == "task_updated"
    assert recorded(case) == ["DecisionRecorded", "TaskUpdated"]
    letter = letter_of(case)
    assert (letter["task_id"], letter["event"], letter["reason"]) == (
        task_id,
        "updated",
        "revised_decision",
    )
    assert letter["recipients"] == ["parents", "youth"]


def test_before_the_task_exists_the_highest_revision_governs() -> None:
    case = new_case()
    case.receive_decision(decision(route="caseworker", revision=2), START, DEADLINES)
    # A lower revision arriving late does not take over, so still no task.
    assert case.receive_decision(decision(revision=1), START, DEADLINES) == "awaiting_assessment"
    assert case.letter is None
    case.receive_decision(decision(route="tovholder", revision=3), START, DEADLINES)
    assert letter_of(case)["owner_role"] == "tovholder"


def test_assessment_for_a_tovholder_routed_person_creates_nothing() -> None:
    case = new_case()
    case.receive_decision(decision(), START, DEADLINES)
    case.collect_events()
    assert case.receive_assessment(assessment(outcome="summon"), START, DEADLINES) == (
        "tovholder_routed"
    )
    assert recorded(case) == ["AssessmentRecorded"]
    assert letter_of(case)["kind"] == "orientering"


def test_complete_once_then_closed() -> None:
    case = new_case()
    case.receive_decision(decision(), START, DEADLINES)
    case.collect_events()
    completed = case.complete(START + timedelta(hours=1))
    assert completed.event == "completed" and case.status == "completed"
    assert recorded(case) == ["TaskCompleted"]
    with pytest.raises(TaskClosed):
        case.complete(START + timedelta(hours=2))
    with pytest.raises(TaskClosed):
        case.cancel(START + timedelta(hours=2))
    assert recorded(case) == []


def test_no_task_cannot_be_completed() -> None:
    case = new_case()
    case.receive_decision(decision(route="caseworker"), START, DEADLINES)
    with pytest.raises(NoTask):
        case.complete(START)


def test_cancelled_task_is_closed() -> None:
    case = new_case()
    case.receive_decision(decision(), START, DEADLINES)
    case.collect_events()
    assert case.cancel(START).event == "cancelled"
    assert recorded(case) == ["TaskCancelled"]
    assert case.mark_overdue(START + timedelta(days=5)) is False


def test_overdue_only_after_the_deadline_and_only_once() -> None:
    case = new_case()
    case.receive_decision(decision(), START, DEADLINES)
    case.collect_events()
    due = START + timedelta(hours=48)
    assert case.mark_overdue(due) is False
    assert case.mark_overdue(due + timedelta(seconds=1)) is True
    assert case.mark_overdue(due + timedelta(hours=1)) is False
    assert recorded(case) == ["TaskMarkedOverdue"]
    assert case.complete(due + timedelta(hours=2)).event == "completed"  # still completable


@pytest.mark.parametrize(
    ("route", "outcome", "kind"),
    [
        ("tovholder", None, "orientering"),
        ("tovholder", "summon", "orientering"),
        ("caseworker", None, None),
        ("caseworker", "inform", "orientering"),
        ("caseworker", "summon", "indkaldelse"),
    ],
)
def test_letter_kind(route: Any, outcome: Any, kind: Any) -> None:
    assert letter_kind(route, outcome) == kind


def test_owner_team_deadline_and_youth_letter_age_come_from_the_decision() -> None:
    case = new_case()
    profiled = decision(
        age=14,
        owner_role="police_ssp_coordinator",
        owner_team="Politiets SSP-koordinator og SSP-konsulenterne",
        due_at="2026-11-17T08:12:00+01:00",
        youth_letter_age=14,
    )
    assert case.receive_decision(profiled, START, DEADLINES) == "task_created"
    letter = letter_of(case)
    assert (letter["owner_role"], letter["owner_team"]) == (
        "police_ssp_coordinator",
        "Politiets SSP-koordinator og SSP-konsulenterne",
    )
    assert letter["due_at"] == "2026-11-17T08:12:00+01:00"  # from police registration
    assert letter["recipients"] == ["parents", "youth"]  # the profile's youth-letter age 14


def test_a_decision_recorded_before_profiles_replays_with_the_fallbacks() -> None:
    case = LetterTaskCase(JOURNAL, "pk_a")
    case.receive_decision(decision(), START, DEADLINES)
    events = case.collect_events()
    recorded_before = events[1]
    assert type(recorded_before).__name__ == "DecisionRecorded"
    for field in ("owner_role", "owner_team", "due_at", "youth_letter_age"):
        del recorded_before.__dict__[field]  # as stored by the earlier version
    copy = None
    for e in events:
        copy = e.mutate(copy)
    assert copy is not None and copy.decision is not None
    assert (copy.decision.owner_role, copy.decision.due_at) == (None, None)
    assert letter_of(copy)["owner_role"] == "tovholder"


def test_a_decision_recorded_before_profiles_and_revisions_still_applies() -> None:
    """`DecisionRecorded` events stored before the municipality profiles (issue 4) lack the
    owner, deadline and youth-letter age, and those before revised decisions lack the kind
    and the decision it revises: they load with none of them."""
    case = LetterTaskCase("3700-80123-00456-26", "pk_a")
    stored = object.__new__(LetterTaskCase.DecisionRecorded)
    stored.__dict__.update(
        originator_id=case.id,
        originator_version=case.version + 1,
        timestamp=case.modified_on,
        trace_context={},
        decision_id="d-1",
        revision=1,
        route="tovholder",
        municipality_code="607",
        age_at_incident=14,
    )
    stored.mutate(case)
    assert case.decision == GoverningDecision(1, "tovholder", "607", 14, decision_id="d-1")
    assert case.decision_ids == {"d-1"} and case.superseded == set()
