"""What courses publishes: every course event once on ssp.courses.events.v1 in the common
envelope, codes and dates only; the acute standard letter also as a letter task."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from services.courses.adapters.course_events import PUBLISHED, course_event
from services.courses.adapters.publications import courses_publications
from services.courses.domain.acute_procedure import AcuteProcedure
from services.courses.domain.course import Course
from services.courses.domain.exit_programme import ContractMeasure, ExitProgramme
from services.courses.domain.trivsel import TrivselCourse
from shared.contracts import COURSES_EVENTS, CourseEvent
from tests.unit.courses.factories import (
    DAY0,
    POLICY,
    PRIVATE_TEXT,
    active_programme,
    at,
    day,
    trivsel,
)


def event_classes(aggregate: type[Course]) -> set[type]:
    # `Erased` is stored as `Course.Erased` for every kind (issue 18): checked below.
    markers = {"Event", "Created", "Closing", "StandardLetterChanged", "Erased"}
    return {
        value
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, Course.Event) and name not in markers
    }


def test_every_event_of_every_course_is_published() -> None:
    for aggregate in (TrivselCourse, ExitProgramme, AcuteProcedure):
        missing = event_classes(aggregate) - PUBLISHED.keys()
        assert not missing, f"{aggregate.__name__}: {sorted(c.__name__ for c in missing)}"
    assert PUBLISHED[Course.Erased] == ("erased", ("reason",))


def test_free_text_never_leaves_the_service() -> None:
    course = trivsel()
    course.record_consent("given", DAY0, at())
    course.add_goal("g1", PRIVATE_TEXT, "ABJ", day(30), at())
    course.add_measure("m1", "g1", "mentor", PRIVATE_TEXT, "KLM", day(20), at())
    course.review("g1", DAY0, day(40), PRIVATE_TEXT, at())
    course.record_follow_up("hjemmebesoeg", DAY0, PRIVATE_TEXT, at())
    course.place_on_step(3, PRIVATE_TEXT, at())
    course.close("completed", PRIVATE_TEXT, at())
    programme = active_programme()
    programme.record_meeting(date(2026, 2, 2), ["SSP"], PRIVATE_TEXT, at(100))
    programme.end("completed", "goals_met", PRIVATE_TEXT, at(100))
    messages = [
        m
        for e in course.collect_events() + programme.collect_events()
        for m in courses_publications(e)
    ]
    assert len(messages) == 9
    for message in messages:
        assert "Privat" not in message.body().decode()


def test_the_envelope_names_the_course_and_carries_codes_and_dates() -> None:
    course = trivsel()
    course.request_consent(DAY0, at())
    (requested,) = course.collect_events()
    envelope = course_event(requested)
    assert envelope is not None
    assert envelope.model_dump(mode="json") == {
        "event_id": envelope.event_id,
        "course_id": str(course.id),
        "course_type": "trivsel_plus",
        "event": "consent_requested",
        "person_key": "pk_a",
        "municipality_code": "607",
        "journal_number": "3700-80123-00456-26",
        "at": "2026-11-16T09:00:00Z",
        "data": {"requested_on": "2026-11-16"},
    }
    assert course_event(requested) == envelope  # republishing gives the same event id


def test_contract_measures_are_published_without_their_completion_state() -> None:
    programme = active_programme()
    programme.agree_contract(
        [
            ContractMeasure(
                measure_id="job",
                department="jobcenter",
                kind="job_support",
                due_on=date(2026, 3, 1),
                completed_on=None,
            )
        ],
        datetime(2026, 1, 20, 9, tzinfo=UTC),
    )
    (agreed,) = programme.collect_events()
    envelope = course_event(agreed)
    assert envelope is not None
    assert envelope.data == {
        "contract_version": 1,
        "measures": [
            {
                "measure_id": "job",
                "department": "jobcenter",
                "kind": "job_support",
                "due_on": "2026-03-01",
            }
        ],
    }


def test_the_acute_procedure_asks_for_its_standard_letter_with_course_events_only() -> None:
    """Notifications creates, completes and tracks the letter task: courses publishes no
    letter task, only the course events that ask for the letter and say it was sent."""
    procedure = AcuteProcedure.start(
        municipality_code="607",
        reference="2026-11-brand-skole",
        journal_number="3700-80123-00456-26",
        director="DIR",
        head_of_department="FCH",
        at=at(),
        policy=POLICY,
    )
    procedure.complete_step(4, DAY0, at(hours=2))
    published = [m for e in procedure.collect_events() for m in courses_publications(e)]
    assert {m.topic for m in published} == {COURSES_EVENTS}
    bodies = [CourseEvent.model_validate(json.loads(m.body())) for m in published]
    requested, sent = (b for b in bodies if b.event.startswith("standard_letter"))
    assert (requested.event, requested.person_key, requested.journal_number) == (
        "standard_letter_requested",
        None,
        "3700-80123-00456-26",
    )
    assert requested.data == {
        "task_id": procedure.letter_task_id,
        "due_at": "2026-11-17T09:00:00Z",
        "owner_role": "management",
    }
    assert (sent.event, sent.data) == (
        "standard_letter_sent",
        {"task_id": procedure.letter_task_id},
    )
