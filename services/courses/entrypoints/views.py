"""Courses as the apps read them: the whole state, free text included (the API serves the
coordinators who wrote it; only the topic is restricted to codes). The free text is stored
sealed (issue 18); `open_text` opens it (None once its keys were destroyed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from services.courses.application.course_index import CourseSummary, Eligibility, ReferralSummary
from services.courses.application.follow_up_index import FollowUpSummary
from services.courses.domain.acute_procedure import AcuteProcedure
from services.courses.domain.calendar import local_date
from services.courses.domain.course import Course
from services.courses.domain.exit_programme import ExitProgramme
from services.courses.domain.follow_up import FollowUpAction
from services.courses.domain.trivsel import TrivselCourse


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


OpenText = Callable[[str | None], str | None]


def _as_stored(text: str | None) -> str | None:
    return text


def _opened(items: Any, name: str, open_text: OpenText) -> list[dict[str, Any]]:
    """Each item (a goal, measure, talk, meeting, follow-up) with its `name` text opened."""
    return [{**item, name: open_text(item[name])} for item in items]


def course_body(course: Course, open_text: OpenText = _as_stored) -> dict[str, Any]:
    body: dict[str, Any] = {
        "course_id": str(course.id),
        "course_type": course.course_type,
        "version": course.version,
        "status": "closed" if course.closed else "open",
        "person_key": course.person_key,
        "municipality_code": course.municipality_code,
        "journal_number": course.journal_number,
    }
    if isinstance(course, TrivselCourse):
        body.update(_trivsel(course, open_text))
    elif isinstance(course, ExitProgramme):
        body.update(_exit(course, open_text))
    elif isinstance(course, AcuteProcedure):
        body.update(_acute(course))
    return jsonable(body)  # type: ignore[no-any-return]


def _trivsel(course: TrivselCourse, open_text: OpenText) -> dict[str, Any]:
    return {
        "started_on": course.started_on,
        "age_at_incident": course.age_at_incident,
        "workflow": course.workflow,
        "step": course.step,
        "rationale": open_text(course.rationale),
        "coordinator": course.coordinator,
        "local_leader": course.local_leader,
        "consent": {
            "status": course.consent_status,
            "requested_on": course.consent_requested_on,
            "decided_on": course.consent_decided_on,
        },
        "goals": _opened(course.goals.values(), "description", open_text),
        "measures": _opened(course.measures.values(), "description", open_text),
        "follow_ups": _opened(course.follow_ups, "note", open_text),
        "overdue": course.overdue_flags,
        "outcome": course.outcome,
        "closing_note": open_text(course.closing_note),
    }


def _exit(course: ExitProgramme, open_text: OpenText) -> dict[str, Any]:
    return {
        "stage": course.stage,
        "referred_on": course.referred_on,
        "referred_by": course.referred_by,
        "age_at_referral": course.age_at_referral,
        "coordinator": course.coordinator,
        "clarifying_talks": _opened(course.talks, "note", open_text),
        "accepted_on": course.accepted_on,
        "contract": {
            "version": course.contract_version,
            "measures": list(course.contract.values()),
        },
        "meetings": _opened(course.meetings, "note", open_text),
        "transfers": course.transfers,
        "access": course.access,
        "escalated_to_infohus_on": course.escalated_on,
        "escalation_reason": course.escalation_reason,
        "outcome": course.outcome,
        "end_reason": course.end_reason,
        "closing_note": open_text(course.closing_note),
        "overdue": course.overdue_flags,
    }


def _acute(course: AcuteProcedure) -> dict[str, Any]:
    return {
        "reference": course.reference,
        "director": course.director,
        "head_of_department": course.head_of_department,
        "started_on": course.started_on,
        "steps": course.steps,
        "outstanding_steps": course.outstanding_steps(),
        "standard_letter": course.letter,
        "closed_on": course.closed_on,
    }


def summary_body(summary: CourseSummary) -> dict[str, Any]:
    return {
        "course_id": str(summary.course_id),
        "course_type": summary.course_type,
        "status": summary.status,
        "version": summary.version,
        "person_key": summary.person_key,
        "municipality_code": summary.municipality_code,
        "journal_number": summary.journal_number,
        "updated_at": summary.updated_at.isoformat(),
    }


def eligibility_body(eligibility: Eligibility) -> dict[str, Any]:
    return {
        "person_key": eligibility.person_key,
        "journal_number": eligibility.journal_number,
        "revision": eligibility.revision,
        "age_at_incident": eligibility.age_at_incident,
        "workflow": eligibility.workflow,
        "decided_at": eligibility.decided_at.isoformat(),
        "course_id": str(eligibility.course_id),
        "course_started": eligibility.course_started,
        "status": eligibility.status,
        "revoked": jsonable(eligibility.revoked),
    }


def referral_body(referral: ReferralSummary) -> dict[str, Any]:
    body = {
        "referral_id": referral.referral_id,
        "person_key": referral.person_key,
        "journal_number": referral.journal_number,
        "revision": referral.revision,
        "municipality_code": referral.municipality_code,
        "age_at_incident": referral.age_at_incident,
        "workflow": referral.workflow,
        "flags": referral.flags,
        "offence_code": referral.offence_code,
        "owner_role": referral.owner_role,
        "owner_team": referral.owner_team,
        "referred_at": referral.referred_at,
        "status": referral.status,
        "programme_id": referral.programme_id,
        "started_at": referral.started_at,
    }
    return jsonable(body)  # type: ignore[no-any-return]


def follow_up_body(action: FollowUpAction, note: str | None, now: datetime) -> dict[str, Any]:
    """A follow-up action with its note (opened by the caller) and whether its next step is
    overdue now."""
    body = {
        "action_id": str(action.id),
        "version": action.version,
        "person_key": action.person_key,
        "municipality_code": action.municipality_code,
        "journal_number": action.journal_number,
        "course_id": action.course_id,
        "kind": action.kind,
        "held_on": action.held_on,
        "held_by": action.held_by,
        "recorded_by_role": action.recorded_by_role,
        "outcome": action.outcome,
        "next_step": (
            {
                **action.next_step,
                "status": action.next_step_status,
                "completed_on": action.next_step_completed_on,
                "overdue": action.is_overdue(local_date(now)),
            }
            if action.next_step is not None
            else None
        ),
        "note": note,
    }
    return jsonable(body)  # type: ignore[no-any-return]


def follow_up_summary_body(summary: FollowUpSummary) -> dict[str, Any]:
    """A listed action: codes and dates, never the note."""
    body = {
        "action_id": str(summary.action_id),
        "version": summary.version,
        "person_key": summary.person_key,
        "municipality_code": summary.municipality_code,
        "journal_number": summary.journal_number,
        "course_id": summary.course_id,
        "kind": summary.kind,
        "held_on": summary.held_on,
        "held_by": summary.held_by,
        "recorded_by_role": summary.recorded_by_role,
        "outcome": summary.outcome,
        "next_step": (
            {
                "kind": summary.next_step_kind,
                "owner": summary.next_step_owner,
                "due_on": summary.next_step_due_on,
                "status": summary.next_step_status,
                "completed_on": summary.next_step_completed_on,
            }
            if summary.next_step_kind is not None
            else None
        ),
        "updated_at": summary.updated_at,
    }
    return jsonable(body)  # type: ignore[no-any-return]
