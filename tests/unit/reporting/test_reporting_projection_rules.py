"""`apply_step` formats a step's time once and reuses it for the decision's, task event's and
referral's own times (the same instant). Property: it makes exactly the writes the rules made
when each time was formatted from its own fact, also for a stored step whose decision time
differs from the step's (older stores are not assumed to hold them equal)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.application.projection import Step, apply_step
from services.reporting.bootstrap import build_application, build_service
from services.reporting.domain.handover import TASK_STATUS_FOR_EVENT, utc_text
from services.reporting.domain.weeks import IsoWeek
from services.reporting.entrypoints.kafka import CONSUMERS
from services.reporting.settings import ReportingSettings
from tests.unit.reporting.documents import relayed
from tests.unit.reporting.test_reporting_batched_views import messages


class Writes:
    """Records what the rules write, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda *args: self.calls.append((name, *args))


def apply_step_as_before(views: Any, notification_id: int, event: Step) -> None:
    """`apply_step` before it formatted the step's time once (each time from its own fact)."""
    views.put_step(
        {
            "step_id": f"{event.originator_id}:{event.originator_version}",
            "journal_number": event.journal_number,
            "notification_id": notification_id,
            "at": event.at.isoformat(),
            "at_utc": utc_text(event.at),
            "service": event.service,
            "step": event.step,
            "person_key": event.person_key,
            "revision": event.revision,
            "detail": event.detail,
            "trace_id": event.trace_id,
            "facts": event.facts,
        }
    )
    facts = event.facts
    if event.step == "incident_accepted":
        reported_at = datetime.fromisoformat(facts["reported_at"])
        views.put_incident(
            {
                "journal_number": event.journal_number,
                "revision": event.revision,
                "reported_at": facts["reported_at"],
                "reported_at_utc": utc_text(reported_at),
                "iso_week": str(IsoWeek.containing(reported_at)),
                "offence_code": facts["offence_code"],
                "accepted_at_utc": utc_text(event.at),  # issue 16: the step's time
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
            ],
        )
    elif event.step in ("routed_caseworker", "routed_tovholder"):
        views.put_routing(
            {
                "journal_number": event.journal_number,
                "person_key": event.person_key,
                "revision": event.revision,
                "route": facts["route"],
                "workflow": facts["workflow"],
                "severity": facts["severity"],
                "reasons": list(facts["reasons"]),
                "decided_at_utc": utc_text(datetime.fromisoformat(facts["decided_at"])),
                "decision_id": facts.get("decision_id"),
                "revises_decision_id": facts.get("revises_decision_id"),
                "decision_kind": facts.get("decision_kind"),
                "owner_role": facts.get("owner_role"),
                "owner_team": facts.get("owner_team"),
                "district": facts.get("district"),
                "earlier_reports": facts.get("earlier_reports"),
                "repeat_in_window": facts.get("repeat"),
                "psp_ksp_handover": facts.get("psp_ksp_handover"),
            }
        )
    elif event.step == "decision_withdrawn" and event.revision is not None:
        views.withdraw_routing(event.journal_number, str(event.person_key), event.revision)
    elif event.step.startswith("letter_task_"):
        views.put_task_event(
            {
                "task_id": facts["task_id"],
                "journal_number": event.journal_number,
                "person_key": event.person_key,
                "kind": facts["kind"],
                "due_at": facts["due_at"],
                "status": TASK_STATUS_FOR_EVENT[facts["event"]],
                "status_at_utc": utc_text(event.at),
                "waiver_reason": facts.get("waiver_reason"),
            }
        )
    elif event.step == "exit_referral":
        views.put_exit_referral(
            {
                "journal_number": event.journal_number,
                "person_key": event.person_key,
                "referral_id": facts["referral_id"],
                "revision": event.revision,
                "referred_at_utc": utc_text(event.at),
            }
        )


def _steps(tmp_path: Path, sent: list[tuple[str, dict[str, Any]]]) -> list[Step]:
    reporting = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = build_application(reporting)
    saved: list[Step] = []
    app.on_recorded(lambda recordings: saved.extend(r.domain_event for r in recordings))
    try:
        CONSUMERS.batch_handler(build_service(reporting, app))(relayed(reporting, sent))
        # As the projection gets them from the log too (times decoded from their text).
        decoded = [
            app.mapper.to_domain_event(n)
            for n in app.recorder.select_notifications(start=None, limit=1000)
        ]
    finally:
        app.close()
    return saved + [e for e in decoded if hasattr(e, "step")]  # type: ignore[misc]


def _decided_elsewhen(step: Step) -> Step:
    """The step with its decision time written with another offset, a microsecond later."""
    if "decided_at" not in step.facts:
        return step
    decided_at = datetime.fromisoformat(step.facts["decided_at"])
    other = decided_at.astimezone().replace(microsecond=(decided_at.microsecond + 1) % 1_000_000)
    return dataclasses.replace(step, facts={**step.facts, "decided_at": other.isoformat()})


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sent=messages, elsewhen=st.booleans())
def test_the_rules_write_what_they_wrote_when_each_time_was_formatted_on_its_own(
    tmp_path: Path, sent: list[tuple[str, dict[str, Any]]], elsewhen: bool
) -> None:
    steps = _steps(tmp_path, sent)
    if elsewhen:
        steps = [_decided_elsewhen(step) for step in steps]
    now, before = Writes(), Writes()
    for i, step in enumerate(steps, start=1):
        apply_step(now, i, step)  # type: ignore[arg-type]
        apply_step_as_before(before, i, step)
    # The persons' timelines (issue 17) are written besides; their properties are
    # test_reporting_person_timeline.py's.
    assert [c for c in now.calls if c[0] != "put_person_step"] == before.calls
