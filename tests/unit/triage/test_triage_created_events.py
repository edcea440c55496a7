"""Triage's creation events build their aggregate directly (`mutate`), without eventsourcing's
general path (class by topic, fields matched to `__init__` by signature): the two must leave
the same state, for new aggregates and for stored events loaded again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from eventsourcing.domain import CanInitAggregate

from services.triage.application.app import TriageApplication
from services.triage.domain.incident_triage import IncidentTriage
from services.triage.domain.person_history import PersonHistory
from services.triage.settings import TriageSettings
from shared.eventstore import store_env
from tests.unit.triage.factories import PROFILES, incident, person

WHEN = datetime(2026, 11, 15, 22, 40, tzinfo=timezone(timedelta(hours=1)))


def state(aggregate: Any) -> dict[str, Any]:
    return {"class": type(aggregate), **vars(aggregate)}


@pytest.mark.parametrize("age", [14, 18, 25, None])
@pytest.mark.parametrize("revision", [1, 3])
def test_a_started_history_is_what_the_general_path_builds(age: int | None, revision: int) -> None:
    history = PersonHistory.start(
        "pk_9f2c4e1a7b3d5e6f", "3700-80123-00456-26", revision, WHEN, "sigtet", "vold", age
    )
    (created,) = history.pending_events
    general = CanInitAggregate.mutate(created, None)
    assert type(created).mutate is not CanInitAggregate.mutate
    assert state(created.mutate(None)) == state(general)
    assert state(history) == {**state(general), "_pending_events": [created]}
    assert general.reports["3700-80123-00456-26"].age_at_incident == age


@pytest.mark.parametrize("revision", [1, 2, 7])
def test_an_opened_triage_is_what_the_general_path_builds(revision: int) -> None:
    triage = IncidentTriage._create(
        IncidentTriage.OpenedAtRevision,
        journal_number="3700-80123-00456-26",
        revision=revision,
        reported_at=WHEN.astimezone(UTC),
    )
    (created,) = triage.pending_events
    general = CanInitAggregate.mutate(created, None)
    assert type(created).mutate is not CanInitAggregate.mutate
    assert state(created.mutate(None)) == state(general)
    assert state(triage) == {**state(general), "_pending_events": [created]}
    assert (general.revision, general.reported_at) == (revision, WHEN)


CONTEXT = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}


@pytest.fixture
def mapper() -> Iterator[Any]:
    app = TriageApplication(env=store_env(TriageSettings(SSP_DATABASE_URL="memory"), "triage"))
    yield app.mapper
    app.close()


def same_creation(direct: Any, general: Any, mapper: Any) -> None:
    """The same aggregate state and the same creation event, stored byte for byte alike."""
    assert state(direct) == state(general)
    assert len(direct.pending_events) == len(general.pending_events)
    for made, expected in zip(direct.pending_events, general.pending_events, strict=True):
        assert type(made) is type(expected)
        assert vars(made) == vars(expected)
        assert list(vars(made)) == list(vars(expected))
        assert mapper.to_stored_event(made) == mapper.to_stored_event(expected)


@pytest.mark.parametrize("context", [CONTEXT, None])
@pytest.mark.parametrize("age", [14, 25, None])
def test_a_history_is_started_as_create_would(
    monkeypatch: pytest.MonkeyPatch, mapper: Any, context: dict[str, str] | None, age: int | None
) -> None:
    monkeypatch.setattr(PersonHistory.StartedWithReport, "create_timestamp", lambda: WHEN)
    report = ("3700-80123-00456-26", 2, WHEN, "sigtet", "vold", age)
    direct = PersonHistory.start("pk_a", *report, trace_context=context)
    names = ("journal_number", "revision", "occurred_at", "role", "offence_code")
    fields = {"person_key": "pk_a", **dict(zip(names, report, strict=False))}
    fields["age_at_incident"] = age
    traced = {} if context is None else {"trace_context": context}
    general = PersonHistory._create(PersonHistory.StartedWithReport, **fields, **traced)
    same_creation(direct, general, mapper)


@pytest.mark.parametrize("context", [CONTEXT, None])
def test_a_triage_is_opened_as_create_would(
    monkeypatch: pytest.MonkeyPatch, mapper: Any, context: dict[str, str] | None
) -> None:
    for event_class in (IncidentTriage.OpenedAtRevision, IncidentTriage.PersonRouted):
        monkeypatch.setattr(event_class, "create_timestamp", lambda: WHEN)
    first = incident(revision=3, persons=[person("pk_a"), person("pk_b", 17)])
    direct, _ = IncidentTriage.open(first, {}, PROFILES, WHEN, context)
    traced = {} if context is None else {"trace_context": context}
    general = IncidentTriage._create(
        IncidentTriage.OpenedAtRevision,
        journal_number=first.journal_number,
        revision=first.revision,
        reported_at=first.reported_at,
        **traced,
    )
    general._decide(first, {}, PROFILES, WHEN, context)
    assert len(direct.pending_events) == 3
    same_creation(direct, general, mapper)
