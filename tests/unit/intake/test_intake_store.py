"""What intake's handler stores and loads: one creation event per new incident record and per
new person (with the municipality the person lives in), one query for everything a batch
touches, and records and identities stored by earlier versions still load and resolve."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from services.intake.adapters.publications import intake_publications
from services.intake.application.app import IntakeApplication
from services.intake.application.identities import IdentityDirectory, ResolvedIdentity
from services.intake.application.service import IntakeService
from services.intake.bootstrap import build_application, build_service, definition
from services.intake.domain.model import IncidentRecord
from services.intake.domain.pseudonym import Pseudonymiser
from services.intake.entrypoints.kafka import CONSUMERS
from services.intake.settings import IntakeSettings
from shared.contracts import (
    INTAKE_CASE_EVENTS,
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    POLICE_INCIDENTS,
    SOCIAL_CASES,
)
from shared.eventstore import UnitOfWork
from shared.messaging.inbound import Inbound
from tests.support import example, outbox

PSEUDONYM_SECRET = "s" * 32
JOURNAL = "3700-80123-00456-26"
PERSON_KEY = "pk_aaead0790a6c5ae4916204331ae96b95"  # of 120310-4123 under PSEUDONYM_SECRET

# What intake published for revision 1 of the one-person incident, before and after records
# were created with their first revision (accepted at ACCEPTED_AT).
ACCEPTED_AT = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
PUBLISHED_REVISION_1 = (
    '{"journal_number":"3700-80123-00456-26","revision":1,"source":"doegnrapport",'
    '"police_district":"Sydøstjyllands Politi","reported_at":"2026-11-16T08:12:00+01:00",'
    '"occurred_at":"2026-11-15T22:40:00+01:00","offence_code":"butikstyveri",'
    '"location_municipality_code":"607","flags":["rusmidler"],'
    '"accepted_at":"2026-11-18T08:00:00Z","persons":[{"person_key":'
    '"pk_aaead0790a6c5ae4916204331ae96b95","role":"sigtet","municipality_code":"607",'
    '"age_at_incident":16,"in_scope":true,"school":"Kirstinebjergskolen"}]}'
).encode()
# Since neighbouring municipalities are accepted (issue 14, part 1) each person says whether
# this deployment serves them (persons stored before are served: they passed the old check).
PUBLISHED_REVISION_1_NOW = PUBLISHED_REVISION_1.replace(
    b'"school":"Kirstinebjergskolen"}',
    b'"school":"Kirstinebjergskolen","turns_18_on":"2028-03-12","served":true}',
)
# A record stored before either: published with the defaults (no 18th birthday known).
PUBLISHED_REVISION_1_STORED_BEFORE = PUBLISHED_REVISION_1.replace(
    b'"school":"Kirstinebjergskolen"}',
    b'"school":"Kirstinebjergskolen","turns_18_on":null,"served":true}',
)

# The same incident as intake stored it before `IncidentRecord.Received` existed (decrypted):
# the record's `Opened` and `RevisionAccepted`, the person's identity and municipalities.
_TRACE = '"trace_context":{"traceparent":"00-15c1b2154f546bcaccc4cab051e93414-4ebfdb7e352b06d0-03"}'
_ACCEPTED_1 = PUBLISHED_REVISION_1.decode()
OLD_LOG: list[tuple[str, int, str, str]] = [
    (
        "0dfcbec6-4ab7-5e66-b0c2-e74475d965bb",
        1,
        "services.intake.domain.model:IncidentRecord.Opened",
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-30T16:22:38.114765+00:00"},'
        '"originator_topic":"services.intake.domain.model:IncidentRecord",'
        f'{_TRACE},"journal_number":"3700-80123-00456-26"}}',
    ),
    (
        "0dfcbec6-4ab7-5e66-b0c2-e74475d965bb",
        2,
        "services.intake.domain.model:IncidentRecord.RevisionAccepted",
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-30T16:22:38.115211+00:00"},'
        f'{_TRACE},"revision":1,"accepted":{_ACCEPTED_1},'
        '"details":{"offence":{"code":"butikstyveri","text":"Tyveri fra butik i bymidten"},'
        '"location":{"municipality_code":"607","text":"Fredericia bymidte"},'
        '"narrative":"To unge antruffet efter tyveri fra butik."}}',
    ),
    (
        "0a6ed6c2-4fb8-5163-a95c-65d5a8ed732f",
        1,
        "services.intake.domain.model:PersonIdentity.Registered",
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-30T16:22:38.114905+00:00"},'
        '"originator_topic":"services.intake.domain.model:PersonIdentity",'
        f'{_TRACE},"person_key":"pk_aaead0790a6c5ae4916204331ae96b95","cpr":"1203104123",'
        '"name":"Mads Jensen","address":"Vestre Ringvej 1, 7000 Fredericia"}',
    ),
    (
        "3e3b7509-54d0-5c66-8ea0-55a713f99496",
        1,
        "services.intake.application.identities:PersonMunicipalities.Registered",
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-30T16:22:38.114979+00:00"},'
        '"originator_topic":"services.intake.application.identities:PersonMunicipalities",'
        f'{_TRACE},"person_key":"pk_aaead0790a6c5ae4916204331ae96b95","municipality_code":"607"}}',
    ),
]

CASE_OPENED = {
    "event": "case_opened",
    "case_id": "DUBU-2026-001234",
    "cpr": "1203104123",
    "municipality_code": "607",
    "team": "Børn og Familie Team Nord",
    "caseworker": "ABJ",
    "at": "2026-10-02T09:00:00+02:00",
}


@pytest.fixture
def settings(tmp_path: Path) -> IntakeSettings:
    return IntakeSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))


@pytest.fixture
def app(settings: IntakeSettings) -> IntakeApplication:
    return build_application(settings, base64.b64encode(b"c" * 32).decode())


@pytest.fixture
def service(settings: IntakeSettings, app: IntakeApplication) -> IntakeService:
    service = build_service(settings, app, PSEUDONYM_SECRET)
    service.clock = lambda: ACCEPTED_AT
    return service


def incident(revision: int = 1, **changes: Any) -> dict[str, Any]:
    document = example("incident-valid.json")
    return {**document, "persons": document["persons"][:1], "revision": revision, **changes}


def messages(settings: IntakeSettings, *items: tuple[str, Any]) -> list[Inbound]:
    return [
        Inbound(
            topic=settings.topic(topic),
            partition=0,
            offset=offset,
            key=None,
            value=value if isinstance(value, bytes) else json.dumps(value).encode(),
        )
        for offset, (topic, value) in enumerate(items)
    ]


def stored_topics(app: IntakeApplication, after: int = 0) -> list[str]:
    return [n.topic for n in app.recorder.select_notifications(start=after + 1, limit=100)]


def insert_decrypted(app: IntakeApplication, log: Iterable[tuple[str, int, str, str]]) -> None:
    cipher = app.mapper.cipher
    assert cipher is not None
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=UUID(originator_id),
                originator_version=version,
                topic=topic,
                state=cipher.encrypt(state.encode()),
            )
            for originator_id, version, topic, state in log
        ]
    )


def test_a_new_record_is_one_event_and_publishes_what_it_always_did(
    settings: IntakeSettings, app: IntakeApplication, service: IntakeService
) -> None:
    CONSUMERS.batch_handler(service, settings)(messages(settings, (POLICE_INCIDENTS, incident())))
    # A new person is one event as well: the identity with the municipality the person lives in.
    assert stored_topics(app) == [
        "services.intake.domain.model:PersonIdentity.RegisteredSealed",
        "services.intake.domain.model:IncidentRecord.Received",
    ]
    [published] = outbox(app, intake_publications)
    assert (published.topic, published.key, published.body()) == (
        INTAKE_INCIDENTS,
        JOURNAL,
        PUBLISHED_REVISION_1_NOW,
    )


def test_a_record_stored_as_opened_and_revision_accepted_still_loads(
    settings: IntakeSettings, app: IntakeApplication, service: IntakeService
) -> None:
    insert_decrypted(app, OLD_LOG)
    assert [m.body() for m in outbox(app, intake_publications)] == [
        PUBLISHED_REVISION_1_STORED_BEFORE
    ]
    record = UnitOfWork(app).get(IncidentRecord, IncidentRecord.create_id(JOURNAL))
    assert record is not None
    assert (record.journal_number, record.revision, record.version) == (JOURNAL, 1, 2)
    assert record.accepted == json.loads(PUBLISHED_REVISION_1)

    assert service.submit_incident(json.dumps(incident(1)).encode()).outcome == "duplicate"
    CONSUMERS.batch_handler(service, settings)(messages(settings, (POLICE_INCIDENTS, incident(2))))
    # The known person is not registered again; only the record takes the new revision.
    assert stored_topics(app, after=len(OLD_LOG)) == [
        "services.intake.domain.model:IncidentRecord.RevisionAccepted"
    ]
    revisions = [json.loads(m.body())["revision"] for m in outbox(app, intake_publications)]
    assert revisions == [1, 2]
    assert service.submit_incident(json.dumps(incident(1)).encode()).outcome == "superseded"
    directory = IdentityDirectory(app, Pseudonymiser(PSEUDONYM_SECRET.encode()))
    assert directory.resolve(PERSON_KEY) == ResolvedIdentity(
        person_key=PERSON_KEY,
        cpr="1203104123",
        names=("Mads Jensen",),
        addresses=("Vestre Ringvej 1, 7000 Fredericia",),
        municipalities=frozenset({"607"}),
    )


def test_a_batch_loads_everything_it_touches_with_one_query(
    settings: IntakeSettings,
    app: IntakeApplication,
    service: IntakeService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    CONSUMERS.batch_handler(service, settings)(messages(settings, (POLICE_INCIDENTS, incident())))
    queries: list[set[UUID]] = []
    select_events_of = app.tracking_recorder.select_events_of

    def counted(ids: Iterable[UUID]) -> Any:
        queries.append(set(ids))
        return select_events_of(queries[-1])

    def one_by_one(*_: Any, **__: Any) -> Any:
        raise AssertionError("an aggregate was loaded on its own")

    monkeypatch.setattr(app.tracking_recorder, "select_events_of", counted)
    monkeypatch.setattr(app.repository, "get", one_by_one)
    other = incident(1, journal_number="3700-80123-00457-26")
    other["persons"] = [{**other["persons"][0], "cpr": "0205094871", "name": "Ida Holm"}]
    CONSUMERS.batch_handler(service, settings)(
        messages(
            settings,
            (POLICE_INCIDENTS, incident(2)),  # a known record and person
            (POLICE_INCIDENTS, other),  # a new record and person
            (SOCIAL_CASES, CASE_OPENED),
            (SOCIAL_CASES, CASE_OPENED),  # the register sent it twice
            (POLICE_INCIDENTS, b"\xff not json"),
        )
    )
    assert len(queries) == 1
    published = outbox(app, intake_publications)
    assert [m.topic for m in published] == [
        INTAKE_INCIDENTS,
        INTAKE_INCIDENTS,
        INTAKE_INCIDENTS,
        INTAKE_CASE_EVENTS,
        INTAKE_REJECTED,
    ]
    # The relay selects the events it publishes by topic: every one of them is listed.
    relayed = {get_topic(c) for c in definition(settings).published_events or ()}
    for notification in app.recorder.select_notifications(start=None, limit=100):
        if intake_publications(app.mapper.to_domain_event(notification)):
            assert notification.topic in relayed


def moved(journal_number: str, municipality_code: str) -> dict[str, Any]:
    """The person of `incident()` in another incident, registered as living elsewhere."""
    document = incident(1, journal_number=journal_number)
    document["persons"] = [{**document["persons"][0], "municipality_code": municipality_code}]
    return document


def resolved_municipalities(app: IntakeApplication) -> frozenset[str]:
    directory = IdentityDirectory(app, Pseudonymiser(PSEUDONYM_SECRET.encode()))
    resolved = directory.resolve(PERSON_KEY)
    assert resolved is not None
    assert (resolved.cpr, resolved.names) == ("1203104123", ("Mads Jensen",))
    return resolved.municipalities


def test_a_persons_further_municipalities_are_kept_on_the_identity(
    settings: IntakeSettings, app: IntakeApplication, service: IntakeService
) -> None:
    CONSUMERS.batch_handler(service, settings)(messages(settings, (POLICE_INCIDENTS, incident())))
    assert resolved_municipalities(app) == {"607"}
    before = len(stored_topics(app))
    CONSUMERS.batch_handler(service, settings)(
        messages(
            settings,
            (POLICE_INCIDENTS, moved("3700-80123-00457-26", "376")),
            (SOCIAL_CASES, {**CASE_OPENED, "municipality_code": "376"}),  # already known
            (SOCIAL_CASES, {**CASE_OPENED, "event": "case_closed"}),  # 607: already known
        )
    )
    assert sorted(stored_topics(app, after=before)) == [
        "services.intake.domain.model:CaseRegisterEntry.Received",
        "services.intake.domain.model:CaseRegisterEntry.Received",
        "services.intake.domain.model:IncidentRecord.Received",
        "services.intake.domain.model:PersonIdentity.MunicipalityAdded",
    ]
    assert resolved_municipalities(app) == {"607", "376"}


def test_a_person_known_only_from_the_case_register_is_registered_in_its_municipality(
    settings: IntakeSettings, app: IntakeApplication, service: IntakeService
) -> None:
    CONSUMERS.batch_handler(service, settings)(
        messages(settings, (SOCIAL_CASES, {**CASE_OPENED, "municipality_code": "376"}))
    )
    assert stored_topics(app) == [
        "services.intake.domain.model:PersonIdentity.RegisteredSealed",
        "services.intake.domain.model:CaseRegisterEntry.Received",
    ]
    directory = IdentityDirectory(app, Pseudonymiser(PSEUDONYM_SECRET.encode()))
    assert directory.resolve(PERSON_KEY) == ResolvedIdentity(
        person_key=PERSON_KEY,
        cpr="1203104123",
        names=(),
        addresses=(),
        municipalities=frozenset({"376"}),
    )


def test_an_identity_stored_before_registered_in_keeps_its_municipalities_apart(
    settings: IntakeSettings,
    app: IntakeApplication,
    service: IntakeService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Identities stored with `PersonIdentity.Registered` have their municipalities in
    `PersonMunicipalities`: a new one is added there, and resolution reads them from there."""
    insert_decrypted(app, OLD_LOG)
    assert resolved_municipalities(app) == {"607"}
    queries: list[set[UUID]] = []
    select_events_of = app.tracking_recorder.select_events_of

    def counted(ids: Iterable[UUID]) -> Any:
        queries.append(set(ids))
        return select_events_of(queries[-1])

    def one_by_one(*_: Any, **__: Any) -> Any:
        raise AssertionError("an aggregate was loaded on its own")

    monkeypatch.setattr(app.tracking_recorder, "select_events_of", counted)
    monkeypatch.setattr(app.repository, "get", one_by_one)
    CONSUMERS.batch_handler(service, settings)(
        messages(
            settings,
            (POLICE_INCIDENTS, moved("3700-80123-00457-26", "376")),
            (SOCIAL_CASES, {**CASE_OPENED, "municipality_code": "657"}),
            (SOCIAL_CASES, {**CASE_OPENED, "event": "case_closed"}),  # 607: already known
        )
    )
    # What the batch touches, then the old person's municipalities (one query for all).
    assert len(queries) == 2
    assert queries[1] == {UUID(OLD_LOG[3][0])}
    monkeypatch.undo()
    assert sorted(stored_topics(app, after=len(OLD_LOG))) == [
        "services.intake.application.identities:PersonMunicipalities.MunicipalityAdded",
        "services.intake.application.identities:PersonMunicipalities.MunicipalityAdded",
        "services.intake.domain.model:CaseRegisterEntry.Received",
        "services.intake.domain.model:CaseRegisterEntry.Received",
        "services.intake.domain.model:IncidentRecord.Received",
    ]
    assert resolved_municipalities(app) == {"607", "376", "657"}
    # Over HTTP (no batch prefetch) the same.
    assert (
        service.submit_incident(json.dumps(moved("3700-80123-00458-26", "161")).encode()).outcome
        == "accepted"
    )
    assert resolved_municipalities(app) == {"607", "376", "657", "161"}
