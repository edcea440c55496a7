"""What reporting sees in each message it receives: one step of a journal number's way through
the platform, with the payload facts the read models need.

Only codes, pseudonyms and times are kept: the inputs carry no CPR numbers or names, and
reporting keeps it so (rejection reasons are reduced to field paths and codes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from shared.contracts import (
    AcceptedIncident,
    CourseEvent,
    DecisionWithdrawn,
    ExitReferral,
    IntakeRejection,
    LetterTaskEvent,
    PersonStatement,
    RoutingDecision,
)

Step = Literal[
    "incident_accepted",
    "incident_rejected",
    "routed_caseworker",
    "routed_tovholder",
    "decision_withdrawn",
    "person_not_served",
    "decision_confirmed",
    "exit_referral",
    "letter_task_created",
    "letter_task_updated",
    "letter_task_completed",
    "letter_task_cancelled",
    "letter_task_overdue",
    "letter_task_sent",
    "letter_task_waived",
    "letter_task_escalated",
    "course_changed",
    "person_erased",
    "meeting_route_or_owner_decided",
    "meeting_action_agreed",
    "meeting_note_recorded",
    "caseworker_assessed",
    "family_meeting_held",
    "follow_up_recorded",
    "follow_up_next_step_completed",
    "follow_up_next_step_rescheduled",
    "follow_up_next_step_overdue",
    "follow_up_erased",
    "psp_ksp_handover_opened",
    "psp_ksp_handover_completed",
]


@dataclass(frozen=True)
class Observation:
    key: str
    """Identifies what was observed: the same upstream fact delivered twice has the same key."""
    journal_number: str | None
    step: Step
    at: datetime
    """The payload's own time (accepted_at, received_at, decided_at, at)."""
    person_key: str | None
    revision: int | None
    detail: str
    facts: dict[str, Any]


class AboutPerson(Protocol):
    """A message about one person."""

    @property
    def journal_number(self) -> str | None: ...
    @property
    def person_key(self) -> str | None: ...


class Decided(AboutPerson, Protocol):
    @property
    def revision(self) -> int: ...


class Happened(AboutPerson, Protocol):
    @property
    def at(self) -> datetime: ...


def about_person(
    message: AboutPerson,
    key: str,
    step: Step,
    at: datetime,
    revision: int | None,
    detail: str,
    facts: dict[str, Any],
) -> Observation:
    """A step of the journal number `message` follows, else (none) of the person's timeline
    only."""
    return Observation(
        key=key,
        journal_number=message.journal_number,
        step=step,
        at=at,
        person_key=message.person_key,
        revision=revision,
        detail=detail,
        facts=facts,
    )


def about_incident(
    journal_number: str | None,
    revision: int | None,
    key: str,
    step: Step,
    at: datetime,
    detail: str,
    facts: dict[str, Any],
) -> Observation:
    """A step of the incident as a whole (the journal number's `revision` of it, if any), of
    no one person: its acceptance, its rejection, a person's erasure (who is never said)."""
    return Observation(
        key=key,
        journal_number=journal_number,
        step=step,
        at=at,
        person_key=None,
        revision=revision,
        detail=detail,
        facts=facts,
    )


def decided(
    decision: Decided, key: str, step: Step, at: datetime, detail: str, facts: dict[str, Any]
) -> Observation:
    """Triage's word on one person in one revision of a police report."""
    return about_person(decision, key, step, at, decision.revision, detail, facts)


def happened(
    event: Happened, key: str, step: Step, detail: str, facts: dict[str, Any]
) -> Observation:
    """Something done in a person's help (a letter, a course, a meeting, a follow-up) at the
    message's own time: it belongs to no revision of the police report."""
    return about_person(event, key, step, event.at, None, detail, facts)


def published(message: BaseModel, *names: str) -> dict[str, Any]:
    """The fields `names` of `message` as it was published (JSON: a date as ISO text), in
    that order."""
    dumped = message.model_dump(mode="json", include=set(names))
    return {name: dumped[name] for name in names}


def incident_accepted(incident: AcceptedIncident) -> Observation:
    out_of_scope = sum(1 for p in incident.persons if not p.in_scope)
    not_served = sum(1 for p in incident.persons if not p.served)
    notes = [f"{out_of_scope} out of scope"] if out_of_scope else []
    notes += [f"{not_served} not served here"] if not_served else []
    scope_note = f" ({', '.join(notes)})" if notes else ""
    detail = (
        f"{incident.offence_code}, {len(incident.persons)} person(s){scope_note}, {incident.source}"
    )
    facts = {
        "reported_at": incident.reported_at.isoformat(),
        "offence_code": incident.offence_code,
        "persons": [p.model_dump(mode="json") for p in incident.persons],
    }
    return about_incident(
        incident.journal_number,
        incident.revision,
        f"incident:{incident.revision}",
        "incident_accepted",
        incident.accepted_at,
        detail,
        facts,
    )


def incident_rejected(rejection: IntakeRejection) -> Observation:
    problems = [{"field": r.field, "code": r.code} for r in rejection.reasons]
    detail = f"{rejection.channel}: " + ", ".join(f"{p['field']} ({p['code']})" for p in problems)
    facts = {"reference": rejection.reference, "channel": rejection.channel, "reasons": problems}
    return about_incident(
        rejection.journal_number,
        rejection.revision,
        f"rejected:{rejection.reference}",
        "incident_rejected",
        rejection.received_at,
        detail,
        facts,
    )


def routed(decision: RoutingDecision) -> Observation:
    reasons = ", ".join(decision.reasons) or "-"
    kind = "" if decision.decision_kind == "initial" else f" ({decision.decision_kind})"
    step: Step = "routed_caseworker" if decision.route == "caseworker" else "routed_tovholder"
    detail = (
        f"{decision.route}{kind}, severity {decision.severity}, {decision.workflow}; "
        f"reasons: {reasons}"
    )
    facts = {
        "route": decision.route,
        "workflow": decision.workflow,
        "severity": decision.severity,
        "reasons": list(decision.reasons),
        "age_at_incident": decision.age_at_incident,
        "role": decision.role,
        "offence_code": decision.offence_code,
        "municipality_code": decision.municipality_code,
        "decided_at": decision.decided_at.isoformat(),
        "decision_id": decision.decision_id,
        "decision_kind": decision.decision_kind,
        "revises_decision_id": decision.revises_decision_id,
        # Since municipality profiles (issue 4, parts 1-3); a decision made before them
        # carries none of these, and the handover list then derives the owner from the route.
        "owner_role": decision.owner_role,
        "owner_team": decision.owner_team,
        "district": decision.district,
        "profile": decision.profile,
        "earlier_reports": decision.history.earlier_reports if decision.history else None,
        "repeat": decision.history.repeat if decision.history else None,
        "psp_ksp_handover": decision.psp_ksp_handover,
    }
    key = f"decision:{decision.decision_id}"
    return decided(decision, key, step, decision.decided_at, detail, facts)


def exit_referral(referral: ExitReferral) -> Observation:
    team = f" ({referral.owner_team})" if referral.owner_team else ""
    detail = (
        f"referred to {referral.owner_role}{team}, flags {'+'.join(referral.flags)}, "
        f"{referral.workflow}"
    )
    facts = published(
        referral,
        "referral_id",
        "decision_id",
        "flags",
        "owner_role",
        "owner_team",
        "municipality_code",
    ) | {"referred_at": referral.referred_at.isoformat()}
    # One referral per person and incident, whatever its revisions (the contract).
    key = f"exit-referral:{referral.referral_id}"
    return decided(referral, key, "exit_referral", referral.referred_at, detail, facts)


def decision_withdrawn(withdrawal: DecisionWithdrawn) -> Observation:
    detail = f"decision withdrawn: {withdrawal.reason}"
    facts = published(withdrawal, "decision_id", "reason", "municipality_code")
    key = f"withdrawal:{withdrawal.withdrawal_id}"
    return decided(withdrawal, key, "decision_withdrawn", withdrawal.withdrawn_at, detail, facts)


def person_statement(statement: PersonStatement) -> Observation:
    """Triage's statement without a decision: a person recorded as not served here, or a
    revision that confirmed the person's decision (issue 14, parts 1 and 7)."""
    if statement.statement == "not_served":
        step: Step = "person_not_served"
        detail = (
            f"not served here (municipality {statement.municipality_code}): recorded, not routed"
        )
    else:
        step = "decision_confirmed"
        detail = f"decision confirmed in revision {statement.revision}: unchanged"
    facts = published(statement, "statement", "decision_id", "municipality_code")
    key = f"statement:{statement.statement_id}"
    return decided(statement, key, step, statement.stated_at, detail, facts)


_TASK_STEPS: dict[str, Step] = {
    "created": "letter_task_created",
    "updated": "letter_task_updated",
    "completed": "letter_task_completed",
    "cancelled": "letter_task_cancelled",
    "overdue": "letter_task_overdue",
    "sent": "letter_task_sent",
    "waived": "letter_task_waived",
    "escalated": "letter_task_escalated",
}


def letter_task_changed(task: LetterTaskEvent) -> Observation | None:
    """A letter task's change, as a step of its journal number; the acute procedure's letter
    without a journal number (no police case, issue 14 part 3) has no place in a trace, like
    its procedure's course events."""
    if task.journal_number is None:
        return None
    # A task is updated as often as its decision changes; every other event happens once.
    key = f"task:{task.task_id}:{task.event}"
    if task.event == "updated":
        key += f":{task.at.isoformat()}"
    elif task.event == "escalated":
        key += f":{task.escalated_to}"  # once to the team leader, once to management
    because = next(
        (
            f" ({why})"
            for why in (task.reason, task.waiver_reason, task.channel, task.escalated_to)
            if why
        ),
        "",
    )
    detail = (
        f"{task.kind} to {'+'.join(task.recipients)}, owner {task.owner_role}, "
        f"due {task.due_at.isoformat()}{because}"
    )
    facts = {
        "task_id": task.task_id,
        "event": task.event,
        "kind": task.kind,
        "recipients": list(task.recipients),
        "owner_role": task.owner_role,
        "due_at": task.due_at.isoformat(),
        "municipality_code": task.municipality_code,
        "reason": task.reason,
        "waiver_reason": task.waiver_reason,
        "channel": task.channel,
        "escalated_to": task.escalated_to,
    }
    return happened(task, key, _TASK_STEPS[task.event], detail, facts)


def course_changed(course: CourseEvent) -> Observation | None:
    """A course event, as a step of the journal number the course follows, else of the
    person's timeline alone (an exit programme need follow no police report); an acute-event
    procedure for a group without a journal number has no place in either."""
    if course.journal_number is None and course.person_key is None:
        return None
    facts = published(course, "course_id", "course_type", "event", "municipality_code")
    # The data's codes, dates and owners (the contract publishes nothing else), for the
    # timeline's words: which step, to which municipality.
    facts["data"] = {
        name: value
        for name, value in course.data.items()
        if value is None
        or isinstance(value, bool | int)
        or (isinstance(value, str) and len(value) <= _MOST_DATA_CHARS)
    }
    detail = f"{course.course_type} {course.event}"
    return happened(course, f"course:{course.event_id}", "course_changed", detail, facts)


def person_erased(journal_number: str, erasure_id: str, reason: str, at: datetime) -> Observation:
    """That a person of the journal's incident was erased (issue 18): when and why, never who
    (no pseudonym: the step must not point at them)."""
    detail = f"a person in this incident was erased ({reason})"
    facts = {"erasure_id": erasure_id, "reason": reason}
    key = f"erasure:{erasure_id}"
    return about_incident(journal_number, None, key, "person_erased", at, detail, facts)


_MOST_DATA_CHARS = 64
"""A course event's data value kept for the timeline's words: codes, dates, owners."""
