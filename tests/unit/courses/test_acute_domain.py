"""The acute-event procedure: given a procedure in some state, when a command, then these
events or this error."""

from __future__ import annotations

import pytest

from services.courses.domain.acute_procedure import (
    AcuteProcedure,
    StepAlreadyCompleted,
    StepsOutstanding,
    UnknownStep,
)
from services.courses.domain.course import CourseClosed
from tests.unit.courses.factories import DAY0, JOURNAL, POLICY, acute, at, event_names


def test_start_completes_step_one_and_creates_the_standard_letter_task() -> None:
    procedure = AcuteProcedure.start(
        municipality_code="607",
        reference="2026-11-brand-skole",
        journal_number=JOURNAL,
        director="DIR",
        head_of_department="FCH",
        at=at(),
        policy=POLICY,
    )
    started, requested = procedure.collect_events()
    assert isinstance(started, AcuteProcedure.Started)
    assert isinstance(requested, AcuteProcedure.StandardLetterRequested)
    assert requested.letter["kind"] == "akut_standardbrev"
    assert requested.letter["event"] == "created"
    # 000 l.390: "Orientering af forældre og medarbejdere lokalt (standard skriv)".
    assert requested.letter["recipients"] == ["parents", "local_staff"]
    assert requested.letter["owner_role"] == "management"
    assert requested.letter["due_at"] == at(hours=24).isoformat().replace("+00:00", "Z")
    assert requested.letter["person_key"] == f"acute:{procedure.id}"
    assert procedure.outstanding_steps() == [2, 3, 4, 5, 6, 7, 8, 9]
    assert started.facts().person_key is None


def test_an_acute_event_without_a_police_journal_number_keeps_its_letter_task() -> None:
    """Issue 14, part 3 (000 l.385-390): a director and a head of department start the
    procedure; the event need not be a police case."""
    procedure = AcuteProcedure.start(
        municipality_code="607",
        reference="2026-11-brand-skole",
        journal_number=None,
        director="DIR",
        head_of_department="FCH",
        at=at(),
        policy=POLICY,
    )
    _, requested = procedure.collect_events()
    assert requested.letter["journal_number"] is None
    assert requested.letter["recipients"] == ["parents", "local_staff"]
    from services.courses.adapters.publications import courses_publications

    published = courses_publications(requested)
    assert [m.topic for m in published] == ["ssp.courses.events.v1"]  # no letter-task message


def test_the_same_incident_reference_is_the_same_procedure() -> None:
    assert AcuteProcedure.create_id("607", "x") == AcuteProcedure.create_id("607", "x")
    assert AcuteProcedure.create_id("607", "x") != AcuteProcedure.create_id("575", "x")


def test_step_four_sends_the_standard_letter() -> None:
    procedure = acute()
    procedure.complete_step(4, DAY0, at(hours=3))
    assert event_names(procedure) == ["StepCompleted", "StandardLetterSent"]
    assert procedure.letter is not None
    assert procedure.letter["event"] == "completed"


def test_the_standard_letter_is_overdue_once_after_its_deadline_and_can_still_be_sent() -> None:
    procedure = acute()
    assert procedure.mark_overdue(at(hours=24), POLICY) == 0
    assert procedure.mark_overdue(at(hours=25), POLICY) == 1
    assert procedure.mark_overdue(at(hours=26), POLICY) == 0
    assert event_names(procedure) == ["StandardLetterOverdue"]
    procedure.complete_step(4, DAY0, at(hours=27))
    assert event_names(procedure) == ["StepCompleted", "StandardLetterSent"]
    assert procedure.mark_overdue(at(days=5), POLICY) == 0


def test_steps_have_owners_and_complete_once() -> None:
    procedure = acute()
    procedure.assign_step(6, "gadeteam-nord", at())
    procedure.complete_step(6, DAY0, at())
    assert event_names(procedure) == ["StepAssigned", "StepCompleted"]
    assert procedure.steps[5]["owner"] == "gadeteam-nord"
    with pytest.raises(StepAlreadyCompleted):
        procedure.complete_step(6, DAY0, at())
    with pytest.raises(StepAlreadyCompleted):
        procedure.assign_step(1, "x", at())
    with pytest.raises(UnknownStep):
        procedure.complete_step(10, DAY0, at())


def test_the_final_report_needs_every_other_step_and_closes_the_procedure() -> None:
    procedure = acute()
    for step in (2, 3, 4, 5, 6, 7):
        procedure.complete_step(step, DAY0, at())
    procedure.collect_events()
    with pytest.raises(StepsOutstanding) as error:
        procedure.complete_step(9, DAY0, at())
    assert error.value.details == {"outstanding": [8]}
    procedure.complete_step(8, DAY0, at())
    procedure.complete_step(9, DAY0, at())
    assert event_names(procedure) == ["StepCompleted", "StepCompleted", "Closed"]
    assert procedure.closed
    with pytest.raises(CourseClosed):
        procedure.assign_step(5, "x", at())
