"""Reporting's domain and use cases without Kafka: given events, a command, expected events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from eventsourcing.utils import get_topic

from services.reporting.application.service import ReportingService
from services.reporting.bootstrap import build_application
from services.reporting.domain import observations
from services.reporting.domain.handover import decision_wins, letter_status, task_status_wins
from services.reporting.domain.model import JournalTimeline, TimelineStep, UnattributedRejection
from services.reporting.domain.weeks import InvalidIsoWeek, IsoWeek
from services.reporting.settings import ReportingSettings
from shared.contracts import AcceptedIncident, IntakeRejection, LetterTaskEvent, RoutingDecision
from shared.eventstore import UnitOfWork
from tests.unit.reporting.documents import (
    JOURNAL,
    PK_TOVHOLDER,
    accepted_incident,
    letter_task,
    person,
    rejection,
    routing_decision,
)

OBSERVED_AT = datetime(2026, 11, 16, 7, 30, tzinfo=UTC)


def decision() -> observations.Observation:
    return observations.routed(
        RoutingDecision.model_validate(
            routing_decision(PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00")
        )
    )


def test_observing_a_step_records_step_observed() -> None:
    timeline = JournalTimeline(JOURNAL)
    assert timeline.observe(
        decision(), service="triage", trace_id="ab" * 16, observed_at=OBSERVED_AT
    )
    events = timeline.collect_events()
    assert [type(e).__name__ for e in events] == ["Opened", "StepObserved"]
    step = events[1]
    assert isinstance(step, JournalTimeline.StepObserved)
    assert (step.journal_number, step.service, step.step, step.person_key, step.revision) == (
        JOURNAL,
        "triage",
        "routed_tovholder",
        PK_TOVHOLDER,
        1,
    )
    assert step.at == datetime.fromisoformat("2026-11-16T08:12:03+01:00")
    assert step.trace_id == "ab" * 16 and step.observed_at == OBSERVED_AT
    assert step.facts["route"] == "tovholder" and step.facts["reasons"] == ["no_active_case"]


def test_observing_the_same_fact_again_records_nothing() -> None:
    timeline = JournalTimeline(JOURNAL)
    timeline.observe(decision(), service="triage", trace_id=None, observed_at=OBSERVED_AT)
    timeline.collect_events()
    assert not timeline.observe(
        decision(), service="triage", trace_id=None, observed_at=OBSERVED_AT
    )
    assert timeline.collect_events() == []


def test_a_step_of_another_journal_number_is_refused() -> None:
    timeline = JournalTimeline("3700-00000-00001-26")
    with pytest.raises(ValueError, match="another journal number"):
        timeline.observe(decision(), service="triage", trace_id=None, observed_at=OBSERVED_AT)


def test_observations_keep_codes_and_pseudonyms_only() -> None:
    incident = observations.incident_accepted(
        AcceptedIncident.model_validate(
            accepted_incident([person(PK_TOVHOLDER, 14), person("pk_adult", 30)])
        )
    )
    assert (incident.step, incident.key, incident.person_key) == (
        "incident_accepted",
        "incident:1",
        None,
    )
    assert incident.detail == "butikstyveri, 2 person(s) (1 out of scope), doegnrapport"
    # the school is kept: school representatives see only their own school's pupils
    assert incident.facts["persons"][0]["school"] == "Kirstinebjergskolen"

    task = observations.letter_task_changed(
        LetterTaskEvent.model_validate(
            letter_task(PK_TOVHOLDER, "overdue", at="2026-11-20T00:00:00+01:00")
        )
    )
    assert task is not None
    assert (task.step, task.key) == ("letter_task_overdue", "task:task-1:overdue")
    # The acute letter of a procedure without a police case has no journal's trace to join
    # (issue 14, part 3), like its procedure's course events.
    acute = letter_task("acute:c1", "created", at="2026-11-16T09:00:00+01:00")
    no_case = LetterTaskEvent.model_validate(
        acute | {"kind": "akut_standardbrev", "journal_number": None}
    )
    assert observations.letter_task_changed(no_case) is None

    rejected = observations.incident_rejected(
        IntakeRejection.model_validate(rejection("6f1c1b7e-2a0d-4c55-8f0e-7d8a9b0c1d2e", None))
    )
    assert rejected.journal_number is None
    assert "not a real date" not in rejected.detail  # messages may describe the input
    assert rejected.facts["reasons"] == [{"field": "persons[0].cpr", "code": "cpr_date"}]


def test_service_keeps_a_rejection_without_journal_number_once(tmp_path: Path) -> None:
    settings = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = build_application(settings)
    service = ReportingService(app, clock=lambda: OBSERVED_AT)
    reference = "0d3c0a1e-2a0d-4c55-8f0e-7d8a9b0c1d2e"
    observation = observations.incident_rejected(
        IntakeRejection.model_validate(rejection(reference, None))
    )
    for expected in (True, False):
        uow = UnitOfWork(app)
        assert service.observe(uow, observation, service="intake", trace_id=None) is expected
        uow.commit()
    kept = app.repository.get(UnattributedRejection.create_id(reference))
    assert isinstance(kept, UnattributedRejection) and kept.reference == reference
    app.close()


def test_service_records_each_step_on_its_own(tmp_path: Path) -> None:
    settings = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = build_application(settings)
    service = ReportingService(app, clock=lambda: OBSERVED_AT)
    for expected in (True, False):
        uow = UnitOfWork(app)
        assert service.observe(uow, decision(), service="triage", trace_id="ab" * 16) is expected
        uow.commit()
    key = f"decision:decision-{PK_TOVHOLDER}-1-tovholder"
    step = app.repository.get(TimelineStep.create_id(JOURNAL, key))
    assert isinstance(step, TimelineStep) and (step.journal_number, step.observation) == (
        JOURNAL,
        key,
    )
    # No timeline aggregate any more: the step is the only event stored.
    stored = app.recorder.select_notifications(start=None, limit=10)
    assert [n.topic for n in stored] == [get_topic(TimelineStep.Recorded)]
    recorded = app.mapper.to_domain_event(stored[0])
    assert isinstance(recorded, TimelineStep.Recorded)
    assert (recorded.service, recorded.step, recorded.person_key, recorded.revision) == (
        "triage",
        "routed_tovholder",
        PK_TOVHOLDER,
        1,
    )
    assert recorded.trace_id == "ab" * 16 and recorded.observed_at == OBSERVED_AT
    assert recorded.facts == decision().facts
    app.close()


@pytest.mark.parametrize(
    ("text", "expected"), [("2026-W47", IsoWeek(2026, 47)), ("2026-W53", IsoWeek(2026, 53))]
)
def test_iso_weeks_parse(text: str, expected: IsoWeek) -> None:
    assert IsoWeek.parse(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize(
    "text", ["2026-47", "2026-W7", "2026-W00", "2027-W53", "26-W47", "2026-w47"]
)
def test_invalid_iso_weeks_are_refused(text: str) -> None:
    with pytest.raises(InvalidIsoWeek):
        IsoWeek.parse(text)


def test_the_week_of_a_moment_is_the_danish_one() -> None:
    assert IsoWeek.containing(datetime(2026, 11, 22, 22, 59, tzinfo=UTC)) == IsoWeek(2026, 47)
    assert IsoWeek.containing(datetime(2026, 11, 22, 23, 0, tzinfo=UTC)) == IsoWeek(2026, 48)


def test_letter_status() -> None:
    assert letter_status("caseworker", None) == "awaiting_assessment"
    assert letter_status("tovholder", None) == "none"
    assert letter_status("out_of_scope", None) == "none"
    assert letter_status("caseworker", "open") == "open"


def test_later_task_stages_and_later_decisions_win() -> None:
    early, late = "2026-11-16T07:00:00.000000+00:00", "2026-11-17T07:00:00.000000+00:00"
    assert task_status_wins("completed", early, "overdue", late)
    assert not task_status_wins("open", late, "completed", early)
    assert task_status_wins("overdue", late, "overdue", early)
    assert decision_wins(2, early, 1, late)
    assert not decision_wins(1, late, 2, early)
    assert decision_wins(1, late, 1, early)


def test_a_recorded_step_is_the_aggregate_its_event_builds() -> None:
    step = TimelineStep.record(
        decision(), service="triage", trace_id="ab" * 16, observed_at=OBSERVED_AT
    )
    (recorded,) = step.collect_events()
    assert isinstance(recorded, TimelineStep.Recorded)
    assert step.id == TimelineStep.create_id(JOURNAL, recorded.observation)
    # What reconstructing it from the store gives: the same aggregate, at version 1.
    assert recorded.mutate(None) == step
    assert (step.version, step.journal_number, step.observation) == (
        1,
        JOURNAL,
        recorded.observation,
    )
    assert recorded.originator_topic == get_topic(TimelineStep)
    with pytest.raises(ValueError, match="needs a journal number"):
        TimelineStep.record(
            observations.incident_rejected(IntakeRejection.model_validate(rejection("r-1", None))),
            service="intake",
            trace_id=None,
            observed_at=OBSERVED_AT,
        )
