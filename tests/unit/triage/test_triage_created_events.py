"""Triage's creation events build their aggregate directly (`mutate`), without eventsourcing's
general path (class by topic, fields matched to `__init__` by signature): the two must leave
the same state, for new aggregates and for stored events loaded again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from eventsourcing.domain import CanInitAggregate

from services.triage.domain.incident_triage import IncidentTriage
from services.triage.domain.person_history import PersonHistory

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
