"""Each stored course event as the envelope published on `ssp.courses.events.v1`.

`PUBLISHED` names each event and lists the fields that go into `data`: codes, dates, ids and
owners. Free-text fields (rationale, description, note) are deliberately absent: they stay in
this service's store. An event class missing here would never be published; a test checks
that every event of every course is listed.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from services.courses.domain.acute_procedure import AcuteProcedure
from services.courses.domain.course import Course
from services.courses.domain.exit_programme import ExitProgramme
from services.courses.domain.trivsel import TrivselCourse
from shared.contracts import CourseEvent
from shared.eventstore.ids import published_event_id

T = TrivselCourse
X = ExitProgramme
A = AcuteProcedure

PUBLISHED: dict[type[Course.Event], tuple[str, tuple[str, ...]]] = {
    T.Started: (
        "started",
        ("step", "coordinator", "local_leader", "age_at_incident", "started_on"),
    ),
    T.StepPlaced: ("step_placed", ("step",)),
    T.ConsentRequested: ("consent_requested", ("requested_on",)),
    T.ConsentGiven: ("consent_given", ("given_on",)),
    T.ConsentRefused: ("consent_refused", ("refused_on",)),
    T.ConsentNotRequired: ("consent_not_required", ("recorded_on",)),
    T.GoalAdded: ("goal_added", ("goal_id", "owner", "review_on")),
    T.MeasureAdded: ("measure_added", ("measure_id", "goal_id", "kind", "owner", "review_on")),
    T.MeasureStarted: ("measure_started", ("measure_id", "started_on")),
    T.MeasureCompleted: ("measure_completed", ("measure_id", "completed_on")),
    T.ItemReviewed: ("item_reviewed", ("item_id", "reviewed_on", "next_review_on")),
    T.FollowUpRecorded: ("follow_up_recorded", ("kind", "held_on")),
    T.ReviewOverdue: ("review_overdue", ("item_id", "review_on")),
    T.ConsentOverdue: ("consent_overdue", ("requested_on", "pending_days")),
    T.Closed: ("closed", ("outcome",)),
    X.Referred: (
        "referred",
        ("referred_by", "referred_on", "coordinator", "age_at_referral"),
    ),
    X.ClarifyingTalkHeld: (
        "clarifying_talk_held",
        ("held_on", "with_police", "in_target_group", "motivated"),
    ),
    X.Accepted: ("accepted", ("accepted_on",)),
    X.Declined: ("declined", ("reason",)),
    X.ContractAgreed: ("contract_agreed", ("contract_version", "measures")),
    X.ContractMeasureCompleted: ("contract_measure_completed", ("measure_id", "completed_on")),
    X.MeetingHeld: ("meeting_held", ("held_on", "departments")),
    X.Transferred: (
        "transferred",
        ("from_municipality_code", "to_municipality_code", "moved_on"),
    ),
    X.EscalatedToInfohus: ("escalated_to_infohus", ("escalated_on", "reason")),
    X.Ended: ("ended", ("outcome", "reason")),
    X.MeetingMissed: ("meeting_missed", ("month",)),
    X.ContractMeasureOverdue: ("contract_measure_overdue", ("measure_id", "due_on")),
    A.Started: (
        "started",
        ("reference", "director", "head_of_department", "started_on"),
    ),
    A.StandardLetterRequested: ("standard_letter_requested", ("task_id", "due_at", "owner_role")),
    A.StandardLetterSent: ("standard_letter_sent", ("task_id",)),
    A.StandardLetterOverdue: ("standard_letter_overdue", ("task_id", "due_at")),
    A.StepAssigned: ("step_assigned", ("step", "owner")),
    A.StepCompleted: ("step_completed", ("step", "completed_on")),
    A.Closed: ("closed", ("closed_on",)),
    # Issue 18: every kind of course is erased alike (its person was, or its deadline passed).
    Course.Erased: ("erased", ("reason",)),
}


def course_event(event: object) -> CourseEvent | None:
    """The envelope of a stored course event; None for anything else."""
    if not isinstance(event, Course.Event):
        return None
    published = PUBLISHED.get(type(event))
    if published is None:
        return None
    name, fields = published
    return CourseEvent(
        event_id=published_event_id(event),
        course_id=str(event.originator_id),
        **asdict(event.facts()),
        event=name,
        at=event.at,
        data={field: _public(_value(event, field)) for field in fields},
    )


def _value(event: Course.Event, field: str) -> Any:
    if isinstance(event, AcuteProcedure.StandardLetterChanged):
        # The letter task's public fields are inside the LetterTaskEvent it carries.
        return event.letter[field]
    return getattr(event, field)


def _public(value: Any) -> Any:
    """JSON values: dates and instants in ISO 8601; the completion state of contract
    measures is left out (it has its own events)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_public(v) for v in value]
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if k != "completed_on"}
    return value
