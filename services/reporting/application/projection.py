"""Keeps the read models current from reporting's own notification log.

The position is saved in the read-model transaction that applied the events, so a crash
between the two cannot skip or double-apply anything. Reporting's store has one writer (the
store thread), so notification ids are committed in order and the log has no late gaps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from eventsourcing.utils import resolve_topic

from services.reporting.adapters.views.writer import ReadModels, ViewWriter
from services.reporting.application.app import ReportingApplication
from services.reporting.application.concerns import apply_concern, concern_row
from services.reporting.domain.handover import TASK_STATUS_FOR_EVENT, utc_text
from services.reporting.domain.model import (
    STEP_EVENTS,
    JournalTimeline,
    PersonConcern,
    TimelineStep,
)
from services.reporting.domain.person_timeline import person_rows
from services.reporting.domain.weeks import IsoWeek
from shared.eventstore.erasure import ErasedPerson
from shared.eventstore.just_saved import JustSaved

log = logging.getLogger(__name__)

Step = TimelineStep.Recorded | JournalTimeline.StepObserved
"""A step of a journal's timeline, as stored now or by older versions (the same facts)."""
PROJECTED: tuple[type[Any], ...] = (*STEP_EVENTS, PersonConcern.Recorded, ErasedPerson.Recorded)
"""What has a place in the read models: the steps, the concerns (issue 15, part 5) and the
erasures, which take a person out of them (issue 18)."""
Projected = Step | PersonConcern.Recorded | ErasedPerson.Recorded


class Projection:
    def __init__(
        self,
        app: ReportingApplication,
        views: ReadModels,
        *,
        batch_size: int = 500,
    ) -> None:
        self.app = app
        self.views = views
        self.batch_size = batch_size
        # What this process just saved need not be read back from the log and decoded (a
        # fifth of the projection's work).
        self.just_saved = JustSaved(app)

    def catch_up(self) -> int:
        """Apply every event not applied yet; the number of events read."""
        applied = 0
        while True:
            with self.views.transaction() as views:
                position = views.position()
                events = self.just_saved.after(position, self.batch_size)
                if events:
                    steps = [(i, cast(Projected, e)) for i, e in events if isinstance(e, PROJECTED)]
                    last, read = events[-1][0], len(events)
                    # Another writer's events (a second replica) wake the next poll.
                    end_of_log = read < self.batch_size and not self.just_saved
                else:
                    notifications = self.app.recorder.select_notifications(
                        start=position, limit=self.batch_size, inclusive_of_start=False
                    )
                    if not notifications:
                        return applied
                    # Only steps have a place in these views: older stores' Opened events,
                    # unattributed rejections and dead letters are not even decoded.
                    to_domain_event = self.app.mapper.to_domain_event
                    steps = [
                        (n.id, cast(Projected, to_domain_event(n)))
                        for n in notifications
                        if issubclass(resolve_topic(n.topic), PROJECTED)
                    ]
                    last, read = notifications[-1].id, len(notifications)
                    end_of_log = read < self.batch_size
                # What the rules read back for the whole batch, in three queries.
                views.prefetch(
                    {
                        s.journal_number
                        for _, s in steps
                        if isinstance(s, STEP_EVENTS) and s.journal_number
                    }
                )
                erased = self.app.erased_persons
                for notification_id, step in steps:
                    if isinstance(step, ErasedPerson.Recorded):
                        views.forget_person(step.person_key)
                    elif _person_of(step) in erased:
                        continue  # an erased person never comes back, not even in a rebuild
                    elif isinstance(step, PersonConcern.Recorded):
                        apply_concern(views, step)
                        apply_concern_to_timeline(views, notification_id, step)
                    else:
                        apply_step(views, notification_id, step, erased.is_erased)
                views.set_position(last)
            applied += read
            if end_of_log:
                # The log's end: asking again would only find it in another transaction
                # (whatever is saved meanwhile wakes the next catch-up).
                return applied

    def rebuild(self) -> int:
        """Throw the read models away and build them again from the first event."""
        self.views.reset()
        events = self.catch_up()
        log.info("reporting: read models rebuilt from %d events", events)
        return events


def _person_of(event: Step | PersonConcern.Recorded) -> str | None:
    if isinstance(event, PersonConcern.Recorded):
        return str(event.concern.get("person_key"))
    return event.person_key


def apply_concern_to_timeline(
    views: ViewWriter, notification_id: int, event: PersonConcern.Recorded
) -> None:
    """A concern (issue 15) is a row of the young person's timeline too: what it is about and
    who worries, when it was registered (`concern_registered`)."""
    row = concern_row(event)
    views.put_person_step(
        {
            "row_id": f"{event.originator_id}:{event.originator_version}:{row['person_key']}",
            "person_key": row["person_key"],
            "notification_id": notification_id,
            "at": row["registered_at"],
            "at_utc": row["registered_at_utc"],
            "journal_number": None,
            "municipality_code": row["municipality_code"],
            "school": row["school"],
            "service": event.service,
            "step": "concern_registered",
            "revision": None,
            "detail": f"concern {row['category']} from {row['reporter_kind']}",
            "facts": {
                name: row[name]
                for name in ("category", "reporter_kind", "municipality_code", "iso_week")
            },
        }
    )


def _without_erased(facts: dict[str, Any], is_erased: Callable[[str], bool]) -> dict[str, Any]:
    """An incident's facts without its erased persons (a rebuild after an erasure)."""
    persons = facts.get("persons")
    if not isinstance(persons, list):
        return facts
    return {**facts, "persons": [p for p in persons if not is_erased(str(p.get("person_key")))]}


def apply_step(
    views: ViewWriter,
    notification_id: int,
    event: Step,
    is_erased: Callable[[str], bool] = lambda _: False,
) -> None:
    at = event.at.isoformat()
    # The step's time in UTC, formatted once: a decision's, a task event's and a referral's
    # own times are the step's time.
    at_utc = utc_text(event.at)
    step_id = f"{event.originator_id}:{event.originator_version}"
    for row in person_rows(event.step, event.person_key, event.facts):
        if is_erased(row.person_key):
            continue  # an incident's other persons keep their rows; the erased one has none
        views.put_person_step(
            {
                "row_id": f"{step_id}:{row.person_key}",
                "person_key": row.person_key,
                "notification_id": notification_id,
                "at": at,
                "at_utc": at_utc,
                "journal_number": event.journal_number,
                "municipality_code": row.municipality_code,
                "school": row.school,
                "service": event.service,
                "step": event.step,
                "revision": event.revision,
                "detail": event.detail,
                "facts": row.facts,
            }
        )
    if event.journal_number is None:
        return  # a person's step that follows no journal number: their timeline only
    views.put_step(
        {
            "step_id": step_id,
            "journal_number": event.journal_number,
            "notification_id": notification_id,
            "at": at,
            "at_utc": at_utc,
            "service": event.service,
            "step": event.step,
            "person_key": event.person_key,
            "revision": event.revision,
            "detail": event.detail,
            "trace_id": event.trace_id,
            "facts": _without_erased(event.facts, is_erased),
        }
    )
    if event.step == "incident_accepted":
        _apply_incident(views, event, at_utc, is_erased)
    elif event.step in ("routed_caseworker", "routed_tovholder"):
        _apply_routing(views, event, at, at_utc)
    elif event.step == "decision_withdrawn" and event.revision is not None:
        views.withdraw_routing(event.journal_number, str(event.person_key), event.revision)
    elif event.step.startswith("letter_task_"):
        _apply_letter_task(views, event, at_utc)
    elif event.step == "decision_confirmed" and event.revision is not None:
        views.put_confirmation(
            {
                "journal_number": event.journal_number,
                "person_key": event.person_key,
                "revision": event.revision,
                "decision_id": event.facts["decision_id"],
            }
        )
    elif event.step == "exit_referral":
        views.put_exit_referral(
            {
                "journal_number": event.journal_number,
                "person_key": event.person_key,
                "referral_id": event.facts["referral_id"],
                "revision": event.revision,
                "referred_at_utc": at_utc,
            }
        )


def _apply_incident(
    views: ViewWriter, event: Step, accepted_at_utc: str, is_erased: Callable[[str], bool]
) -> None:
    """`accepted_at_utc`: the step's time, which is when intake accepted the revision."""
    facts = event.facts
    reported_at = datetime.fromisoformat(facts["reported_at"])
    views.put_incident(
        {
            "journal_number": event.journal_number,
            "revision": event.revision,
            "reported_at": facts["reported_at"],
            "reported_at_utc": utc_text(reported_at),
            "iso_week": str(IsoWeek.containing(reported_at)),
            "offence_code": facts["offence_code"],
            "accepted_at_utc": accepted_at_utc,
        },
        [
            {
                "journal_number": event.journal_number,
                "person_key": person["person_key"],
                "revision": event.revision,
                "position": position,
                "role": person["role"],
                "municipality_code": person["municipality_code"],
                "age_at_incident": person["age_at_incident"],
                "in_scope": person["in_scope"],
                "school": person.get("school"),
            }
            for position, person in enumerate(facts["persons"])
            if not is_erased(person["person_key"])
        ],
    )


def _apply_routing(views: ViewWriter, event: Step, at: str, at_utc: str) -> None:
    """`at`, `at_utc`: the step's time as `apply_step` formatted it."""
    facts = event.facts
    decided_at = facts["decided_at"]
    views.put_routing(
        {
            "journal_number": event.journal_number,
            "person_key": event.person_key,
            "revision": event.revision,
            "route": facts["route"],
            "workflow": facts["workflow"],
            "severity": facts["severity"],
            "reasons": list(facts["reasons"]),
            # A decision's step is at its decision time (observations.routed): read again
            # only should a stored step's differ.
            "decided_at_utc": at_utc
            if decided_at == at
            else utc_text(datetime.fromisoformat(decided_at)),
            "decision_id": facts.get("decision_id"),
            "revises_decision_id": facts.get("revises_decision_id"),
            "decision_kind": facts.get("decision_kind"),
            # Steps recorded before profiles lack these facts: null, as their decisions had none.
            "owner_role": facts.get("owner_role"),
            "owner_team": facts.get("owner_team"),
            "district": facts.get("district"),
            "earlier_reports": facts.get("earlier_reports"),
            "repeat_in_window": facts.get("repeat"),
            "psp_ksp_handover": facts.get("psp_ksp_handover"),
        }
    )


def _apply_letter_task(views: ViewWriter, event: Step, at_utc: str) -> None:
    facts = event.facts
    views.put_task_event(
        {
            "task_id": facts["task_id"],
            "journal_number": event.journal_number,
            "person_key": event.person_key,
            "kind": facts["kind"],
            "due_at": facts["due_at"],
            "status": TASK_STATUS_FOR_EVENT[facts["event"]],
            "status_at_utc": at_utc,
            # Issue 14, part 2: shown on the handover list; absent from older steps.
            "waiver_reason": facts.get("waiver_reason"),
        }
    )
