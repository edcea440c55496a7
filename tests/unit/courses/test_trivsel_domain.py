"""TRIVSEL+: given a course in some state, when a command, then these events or this error."""

from __future__ import annotations

import pytest

from services.courses.domain.course import (
    CourseClosed,
    DateInFuture,
    DateInPast,
    DuplicateId,
    UnknownItem,
)
from services.courses.domain.trivsel import TrivselCourse
from services.courses.domain.trivsel_terms import (
    ConsentAlreadyRequested,
    ConsentAlreadySettled,
    ConsentMissing,
    InvalidStep,
    MeasureNotInProgress,
    NotAnAdult,
)
from tests.unit.courses.factories import (
    DAY0,
    JOURNAL,
    POLICY,
    PRIVATE_TEXT,
    at,
    day,
    event_names,
    trivsel,
    trivsel_with_consent,
)


def test_start_records_the_step_placement_and_who_runs_the_course() -> None:
    course = TrivselCourse.start(
        person_key="pk_a",
        journal_number=JOURNAL,
        municipality_code="607",
        age_at_incident=14,
        step=3,
        rationale=PRIVATE_TEXT,
        coordinator="ABJ",
        local_leader="KLM",
        at=at(),
    )
    (started,) = course.collect_events()
    assert isinstance(started, TrivselCourse.Started)
    assert (started.step, started.coordinator, started.local_leader) == (3, "ABJ", "KLM")
    assert started.facts().municipality_code == "607"
    assert course.id == TrivselCourse.create_id("pk_a", JOURNAL)
    assert (course.consent_status, course.workflow) == ("not_requested", "minor")


def test_a_step_outside_the_scale_is_rejected() -> None:
    with pytest.raises(InvalidStep):
        trivsel().place_on_step(9, "", at())


def test_consent_requested_then_given() -> None:
    course = trivsel()
    course.request_consent(DAY0, at())
    assert event_names(course) == ["ConsentRequested"]
    course.record_consent("given", day(2), at(2))
    assert event_names(course) == ["ConsentGiven"]
    assert (course.consent_status, course.consent_decided_on) == ("given", day(2))


def test_consent_cannot_be_requested_twice_while_pending() -> None:
    course = trivsel()
    course.request_consent(DAY0, at())
    with pytest.raises(ConsentAlreadyRequested):
        course.request_consent(DAY0, at())


def test_consent_refused_can_be_requested_again_and_then_given() -> None:
    course = trivsel()
    course.record_consent("refused", DAY0, at())
    course.request_consent(day(3), at(3))
    course.record_consent("given", day(4), at(4))
    assert event_names(course) == ["ConsentRefused", "ConsentRequested", "ConsentGiven"]


def test_settled_consent_is_not_recorded_again() -> None:
    course = trivsel()
    course.record_consent("given", DAY0, at())
    course.collect_events()
    with pytest.raises(ConsentAlreadySettled):
        course.record_consent("refused", DAY0, at())
    assert event_names(course) == []


def test_consent_not_required_only_for_an_adult() -> None:
    with pytest.raises(NotAnAdult):
        trivsel(age=17).record_consent("not_required", DAY0, at())
    adult = trivsel(age=19)
    adult.record_consent("not_required", DAY0, at())
    assert event_names(adult) == ["ConsentNotRequired"]


def test_no_measure_starts_before_consent() -> None:
    course = trivsel()
    course.add_goal("g1", PRIVATE_TEXT, "ABJ", day(30), at())
    course.add_measure("m1", "g1", "mentor", PRIVATE_TEXT, "KLM", day(20), at())
    course.request_consent(DAY0, at())
    course.collect_events()
    with pytest.raises(ConsentMissing) as error:
        course.start_measure("m1", DAY0, at())
    assert error.value.details == {"consent_status": "requested"}
    assert event_names(course) == []


def test_an_adult_measure_starts_once_consent_is_recorded_as_not_required() -> None:
    course = trivsel(age=20)
    course.add_goal("g1", "", "ABJ", day(30), at())
    course.add_measure("m1", "g1", "samtaleforloeb", "", "ABJ", day(20), at())
    course.record_consent("not_required", DAY0, at())
    course.start_measure("m1", DAY0, at())
    assert event_names(course)[-1] == "MeasureStarted"


def test_measure_lifecycle_planned_started_completed() -> None:
    course = trivsel_with_consent()
    with pytest.raises(MeasureNotInProgress):
        course.complete_measure("m1", DAY0, at())
    course.start_measure("m1", DAY0, at())
    course.complete_measure("m1", day(10), at(10))
    assert event_names(course) == ["MeasureStarted", "MeasureCompleted"]
    assert course.measures["m1"]["status"] == "completed"
    with pytest.raises(MeasureNotInProgress):
        course.start_measure("m1", day(10), at(10))


def test_plan_items_need_unique_ids_an_existing_goal_and_a_future_review_date() -> None:
    course = trivsel_with_consent()
    with pytest.raises(DuplicateId):
        course.add_goal("m1", "", "ABJ", day(30), at())
    with pytest.raises(UnknownItem):
        course.add_measure("m2", "g9", "mentor", "", "ABJ", day(30), at())
    with pytest.raises(DateInPast):
        course.add_goal("g2", "", "ABJ", day(-1), at())
    assert event_names(course) == []


def test_dates_of_things_that_happened_are_not_in_the_future() -> None:
    with pytest.raises(DateInFuture):
        trivsel().record_follow_up("hjemmebesoeg", day(1), "", at())


def test_review_moves_the_next_review_date() -> None:
    course = trivsel_with_consent()
    course.review("g1", day(5), day(60), PRIVATE_TEXT, at(5))
    assert event_names(course) == ["ItemReviewed"]
    assert course.goals["g1"]["review_on"] == day(60)


def test_follow_ups_are_recorded_with_kind_and_date() -> None:
    course = trivsel()
    course.record_follow_up("bekymringssamtale", DAY0, PRIVATE_TEXT, at())
    assert event_names(course) == ["FollowUpRecorded"]
    assert course.follow_ups == [
        {"kind": "bekymringssamtale", "held_on": DAY0, "note": PRIVATE_TEXT}
    ]


def test_completed_needs_consent_but_dropped_does_not() -> None:
    course = trivsel()
    with pytest.raises(ConsentMissing):
        course.close("completed", "", at())
    course.close("dropped", PRIVATE_TEXT, at())
    assert event_names(course) == ["Closed"]
    assert (course.closed, course.outcome) == (True, "dropped")


def test_nothing_changes_a_closed_course() -> None:
    course = trivsel_with_consent()
    course.close("handed_to_social_services", "", at())
    course.collect_events()
    with pytest.raises(CourseClosed):
        course.add_goal("g2", "", "ABJ", day(30), at())
    with pytest.raises(CourseClosed):
        course.close("dropped", "", at())
    assert course.mark_overdue(at(100), POLICY) == 0
    assert event_names(course) == []


def test_each_review_date_passed_is_overdue_once() -> None:
    course = trivsel_with_consent()  # g1 due day 30, m1 due day 20
    assert course.mark_overdue(at(20), POLICY) == 0  # due today is not overdue
    assert course.mark_overdue(at(21), POLICY) == 1
    assert course.mark_overdue(at(22), POLICY) == 0
    assert course.mark_overdue(at(31), POLICY) == 1
    overdue = course.collect_events()
    assert [(type(e).__name__, e.item_id, e.review_on) for e in overdue] == [
        ("ReviewOverdue", "m1", day(20)),
        ("ReviewOverdue", "g1", day(30)),
    ]
    # A new review date can become overdue again; a completed measure cannot.
    course.review("g1", day(31), day(40), "", at(31))
    course.start_measure("m1", day(31), at(31))
    course.complete_measure("m1", day(31), at(31))
    course.collect_events()
    assert course.mark_overdue(at(41), POLICY) == 1
    assert [e.item_id for e in course.collect_events()] == ["g1"]


def test_consent_pending_longer_than_the_policy_is_overdue_once_per_request() -> None:
    course = trivsel()
    course.request_consent(DAY0, at())
    course.collect_events()
    assert course.mark_overdue(at(14), POLICY) == 0
    assert course.mark_overdue(at(15), POLICY) == 1
    (overdue,) = course.collect_events()
    assert isinstance(overdue, TrivselCourse.ConsentOverdue)
    assert (overdue.requested_on, overdue.pending_days) == (DAY0, 15)
    assert course.mark_overdue(at(30), POLICY) == 0
    course.record_consent("refused", day(30), at(30))
    course.request_consent(day(31), at(31))
    assert course.mark_overdue(at(50), POLICY) == 1  # the second request, once
