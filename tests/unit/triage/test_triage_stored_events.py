"""What triage stores per incident, and that stores written before still load: a journal
number's first revision opens its `IncidentTriage` (`OpenedAtRevision`) and a person's first
report starts their `PersonHistory` (`StartedWithReport`), one event each where there were two
(`Opened` + `RevisionReceived`, `Started` + `ReportRecorded`). Streams that begin the old way
must rebuild, and go on, exactly like new ones."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest

from services.triage.adapters.publications import triage_publications
from services.triage.application.app import TriageApplication
from services.triage.application.service import TriageService
from services.triage.bootstrap import build_service
from services.triage.domain.case_register import PersonCaseRegister
from services.triage.domain.exit_referrals import PersonExitReferral
from services.triage.domain.ids import aggregate_id
from services.triage.domain.incident_triage import IncidentTriage
from services.triage.domain.person_history import PersonHistory
from services.triage.domain.routing import Report
from services.triage.settings import TriageSettings
from shared.contracts import AcceptedIncident
from shared.eventstore import UnitOfWork, store_env
from tests.support import outbox
from tests.unit.triage.factories import (
    DECIDED_AT,
    JOURNAL,
    PROFILES,
    case_event,
    incident,
    journal,
    person,
)

FIRST = incident(persons=[person("pk_a"), person("pk_b", 17)])


def new_app() -> TriageApplication:
    return TriageApplication(env=store_env(TriageSettings(SSP_DATABASE_URL="memory"), "triage"))


@pytest.fixture
def apps() -> Iterator[tuple[TriageApplication, TriageApplication]]:
    old, new = new_app(), new_app()
    yield old, new
    old.close()
    new.close()


def service_on(app: TriageApplication) -> TriageService:
    return build_service(TriageSettings(SSP_DATABASE_URL="memory"), app, clock=lambda: DECIDED_AT)


def triage_the_old_way(app: TriageApplication, first: AcceptedIncident) -> None:
    """What triage stored for a journal number's first revision (new persons, no flags)
    before the creation events carried it: `Opened`, `RevisionReceived`, the decisions, and
    per person `Started`, `ReportRecorded`."""
    triage = IncidentTriage(first.journal_number)
    histories = [PersonHistory(p.person_key) for p in first.persons]
    triage.triage(first, {}, PROFILES, DECIDED_AT)
    for history, p in zip(histories, first.persons, strict=True):
        history.record(
            Report(
                first.journal_number,
                first.revision,
                first.occurred_at,
                p.role,
                first.offence_code,
                age_at_incident=p.age_at_incident,
            )
        )
    app.save(triage, *histories)


def stored(app: TriageApplication, aggregate_id: Any) -> list[str]:
    return [e.topic.rsplit(".", 1)[-1] for e in app.recorder.select_events(aggregate_id)]


def published(app: TriageApplication) -> list[tuple[str, dict[str, Any]]]:
    return [(m.topic, json.loads(m.body())) for m in outbox(app, triage_publications)]


def state(app: TriageApplication) -> dict[str, Any]:
    uow = UnitOfWork(app)
    triages = {
        j: uow.get(IncidentTriage, IncidentTriage.create_id(j)) for j in (JOURNAL, journal(2))
    }
    histories = {k: uow.get(PersonHistory, PersonHistory.create_id(k)) for k in ("pk_a", "pk_b")}
    return {
        "triages": {
            j: (t.revision, t.reported_at, t.decisions, t.out_of_scope, t.confirmed)
            for j, t in triages.items()
            if t is not None
        },
        "histories": {k: (h.reports, h.revisions) for k, h in histories.items() if h is not None},
    }


def test_stored_streams_are_found_by_the_ids_they_were_stored_under() -> None:
    namespace = uuid5(NAMESPACE_URL, "urn:ssp:triage")
    assert IncidentTriage.create_id(JOURNAL) == uuid5(namespace, f"incident:{JOURNAL}")
    assert PersonHistory.create_id("pk_a") == uuid5(namespace, "history:pk_a")
    assert PersonCaseRegister.create_id("pk_a") == uuid5(namespace, "cases:pk_a")
    assert PersonExitReferral.create_id(JOURNAL, "pk_a") == uuid5(
        namespace, f"exit-referral:{JOURNAL}|pk_a"
    )
    # Remembered: a batch asks for each id several times.
    hits = aggregate_id.cache_info().hits
    assert IncidentTriage.create_id(JOURNAL) == IncidentTriage.create_id(JOURNAL)
    assert aggregate_id.cache_info().hits >= hits + 2


def test_a_first_revision_is_stored_as_one_creation_event_per_aggregate(
    apps: tuple[TriageApplication, TriageApplication],
) -> None:
    _, app = apps
    service_on(app).triage_incident(FIRST)
    assert stored(app, IncidentTriage.create_id(JOURNAL)) == [
        "OpenedAtRevision",
        "PersonRouted",
        "PersonRouted",
    ]
    for key in ("pk_a", "pk_b"):
        assert stored(app, PersonHistory.create_id(key)) == ["StartedWithReport"]


def test_streams_stored_the_old_way_rebuild_and_go_on_like_new_ones(
    apps: tuple[TriageApplication, TriageApplication],
) -> None:
    old, new = apps
    triage_the_old_way(old, FIRST)
    service_on(new).triage_incident(FIRST)
    assert stored(old, IncidentTriage.create_id(JOURNAL)) == [
        "Opened",
        "RevisionReceived",
        "PersonRouted",
        "PersonRouted",
    ]
    assert stored(old, PersonHistory.create_id("pk_a")) == ["Started", "ReportRecorded"]
    assert state(old) == state(new)
    assert state(new)["triages"][JOURNAL][0] == 1
    assert set(state(new)["histories"]["pk_b"][0]) == {JOURNAL}

    for app in (old, new):
        service = service_on(app)
        assert service.triage_incident(FIRST) == []  # re-delivered: nothing
        # Revision 2: pk_a now 15 (revised), pk_b no longer listed (withdrawn, report gone).
        [revised] = service.triage_incident(incident(revision=2, persons=[person("pk_a", 15)]))
        assert revised.decision_kind == "revised"
        later = FIRST.occurred_at + timedelta(days=3)
        decided = service.triage_incident(
            incident(
                journal_number=journal(2),
                occurred_at=later.isoformat(),
                persons=[person("pk_a", 15), person("pk_b", 17)],
            )
        )
        # pk_a's first report counts; pk_b's was withdrawn with revision 2.
        earlier = {d.person_key: d.history.earlier_reports for d in decided if d.history}
        assert earlier == {"pk_a": 1, "pk_b": 0}
        service.register_case_event(case_event("case_opened", at=later.isoformat()))
    assert published(old) == published(new)
    assert [d["decision_kind"] for _, d in published(new) if "decision_kind" in d] == [
        "initial",
        "initial",
        "revised",
        "initial",
        "initial",
        "handover",
        "handover",
    ]
    assert state(old) == state(new)
