"""Intake's creation events (`IncidentRecord.Received`, `PersonIdentity.RegisteredIn`) are made
directly (`creation.create`) and build their aggregate directly (`mutate`), without
eventsourcing's general path (`_create`: class by topic, fields matched to `__init__` by
signature): the two must make the same events, stored byte for byte alike, and the same state,
for new aggregates and for stored events loaded again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from eventsourcing.domain import CanInitAggregate
from eventsourcing.persistence import Mapper

from services.intake.application.app import IntakeApplication
from services.intake.domain.model import IncidentRecord, PersonIdentity
from services.intake.settings import IntakeSettings
from shared.eventstore import store_env

WHEN = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
JOURNAL = "3700-80123-00456-26"
PERSON_KEY = "pk_aaead0790a6c5ae4916204331ae96b95"
CONTEXT = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
ACCEPTED = {
    "journal_number": JOURNAL,
    "revision": 2,
    "reported_at": "2026-11-16T08:12:00+01:00",
    "flags": ["rusmidler"],
    "accepted_at": "2026-11-18T08:00:00Z",
    "persons": [{"person_key": PERSON_KEY, "age_at_incident": 16, "school": None}],
}
DETAILS = {"offence": {"code": "butikstyveri"}, "narrative": "Ø", "location": None}


def state(aggregate: Any) -> dict[str, Any]:
    return {"class": type(aggregate), **vars(aggregate)}


@pytest.fixture
def mapper() -> Iterator[Mapper[Any]]:
    """The store's transcoder, without its cipher (whose random nonces differ every time)."""
    app = IntakeApplication(env=store_env(IntakeSettings(SSP_DATABASE_URL="memory"), "intake"))
    yield Mapper(transcoder=app.mapper.transcoder)
    app.close()


def same_creation(direct: Any, general: Any, mapper: Mapper[Any]) -> None:
    """The same aggregate state and the same creation event, stored byte for byte alike, and
    the stored event loads (directly) to what the general path builds from it."""
    assert state(direct) == state(general)
    (made,) = direct.pending_events
    (expected,) = general.pending_events
    assert type(made) is type(expected)
    assert vars(made) == vars(expected)
    assert list(vars(made)) == list(vars(expected))
    assert mapper.to_stored_event(made) == mapper.to_stored_event(expected)
    loaded: Any = mapper.to_domain_event(mapper.to_stored_event(made))
    assert type(loaded).mutate is not CanInitAggregate.mutate
    assert state(loaded.mutate(None)) == state(CanInitAggregate.mutate(loaded, None))
    assert state(loaded.mutate(None)) == {**state(general), "_pending_events": []}


@pytest.mark.parametrize("context", [CONTEXT, {}])
@pytest.mark.parametrize("revision", [1, 3])
def test_a_record_is_received_as_create_would(
    monkeypatch: pytest.MonkeyPatch, mapper: Mapper[Any], context: dict[str, str], revision: int
) -> None:
    monkeypatch.setattr(IncidentRecord.Received, "create_timestamp", lambda: WHEN)
    record_id = IncidentRecord.create_id(JOURNAL)
    direct = IncidentRecord.received(record_id, JOURNAL, revision, ACCEPTED, DETAILS, context)
    general = IncidentRecord._create(
        IncidentRecord.Received,
        id=record_id,
        journal_number=JOURNAL,
        revision=revision,
        accepted=ACCEPTED,
        details=DETAILS,
        trace_context=context,
    )
    same_creation(direct, general, mapper)
    assert (direct.id, direct.version, direct.revision) == (record_id, 1, revision)
    assert vars(direct.pending_events[0])["trace_context"] is not context  # each event its own


@pytest.mark.parametrize("context", [CONTEXT, {}])
@pytest.mark.parametrize(
    ("name", "address"), [("Ida Holm", "Vestergade 3, 8000 Aarhus C"), (None, None), ("", "")]
)
def test_an_identity_is_registered_as_create_would(
    monkeypatch: pytest.MonkeyPatch,
    mapper: Mapper[Any],
    context: dict[str, str],
    name: str | None,
    address: str | None,
) -> None:
    monkeypatch.setattr(PersonIdentity.RegisteredIn, "create_timestamp", lambda: WHEN)
    identity_id = PersonIdentity.create_id(PERSON_KEY)
    fields = {
        "person_key": PERSON_KEY,
        "cpr": "120310-4123",
        "name": name,
        "address": address,
        "municipality_code": "607",
    }
    direct = PersonIdentity.register(
        identity_id, PERSON_KEY, "120310-4123", name, address, "607", context
    )
    general = PersonIdentity._create(
        PersonIdentity.RegisteredIn, id=identity_id, **fields, trace_context=context
    )
    same_creation(direct, general, mapper)
    assert (direct.id, direct.municipalities) == (identity_id, ["607"])


def test_the_timestamp_is_the_event_class_own() -> None:
    before = datetime.now(UTC)
    record = IncidentRecord.received(
        IncidentRecord.create_id(JOURNAL), JOURNAL, 1, ACCEPTED, DETAILS, CONTEXT
    )
    after = datetime.now(UTC) + timedelta(seconds=1)
    assert before <= record.created_on <= after
    assert record.created_on.utcoffset() == timedelta(0)
