"""A case opened by its first decision is made directly (`creation.create`, and the creation
events' own `mutate`), without eventsourcing's general path (`_create`: the id found from the
fields, the class by its topic, fields matched to `__init__` by signature): the two must make
the same events, stored byte for byte alike, and the same aggregate, for new cases and for
stored events loaded again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.domain import CanInitAggregate

from services.notifications.application.app import NotificationsApplication
from services.notifications.bootstrap import build_application
from services.notifications.domain.case_state import governing
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.task_letter import decision_fields, new_letter
from services.notifications.settings import NotificationsSettings
from shared.contracts import RoutingDecision
from tests.unit.notifications.factories import (
    DEADLINES,
    START,
    decision,
    handover_doc,
)

CONTEXT = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}

DECISIONS = {
    "tovholder": lambda: decision(),
    "tovholder adult": lambda: decision(age=19),
    "caseworker": lambda: decision(route="caseworker"),
    "handover": lambda: RoutingDecision.model_validate(handover_doc()),
    "profiled": lambda: decision(
        owner_role="tovholder",
        owner_team="Team Syd",
        due_at="2026-11-18T08:00:00+01:00",
        youth_letter_age=16,
    ),
    "revises itself": lambda: decision(revises_decision_id="decision-3700-80123-00456-26-1-pk_a"),
}


def state(aggregate: Any) -> dict[str, Any]:
    return {"class": type(aggregate), **vars(aggregate)}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[NotificationsApplication]:
    app = build_application(
        NotificationsSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    )
    yield app
    app.close()


def general(made: LetterTaskCase, doc: RoutingDecision) -> LetterTaskCase:
    """What the case was made with before: `_create` with the same fields."""
    created = made.pending_events[0]
    letter = (
        {"letter": created.letter} if isinstance(created, LetterTaskCase.OpenedWithTask) else {}
    )
    return LetterTaskCase._create(
        type(created),
        id=LetterTaskCase.create_id(doc.journal_number, doc.person_key),
        journal_number=doc.journal_number,
        person_key=doc.person_key,
        **letter,
        **decision_fields(doc),
    )


@pytest.mark.parametrize("context", [CONTEXT, {}])
@pytest.mark.parametrize("name", list(DECISIONS))
def test_a_case_is_opened_as_create_would(
    monkeypatch: pytest.MonkeyPatch,
    app: NotificationsApplication,
    context: dict[str, str],
    name: str,
) -> None:
    for event_class in (LetterTaskCase.OpenedWithDecision, LetterTaskCase.OpenedWithTask):
        monkeypatch.setattr(event_class, "create_timestamp", lambda: START)
    # The trace context of the message being handled, as each path asks for it.
    for module in ("shared.eventstore.creation", "shared.eventstore.aggregate"):
        monkeypatch.setattr(f"{module}.current_trace_context", lambda: dict(context))
    doc = DECISIONS[name]()
    direct, outcome = LetterTaskCase.open_with_decision(doc, START, DEADLINES)
    expected = general(direct, doc)
    assert outcome == ("task_created" if direct.letter is not None else "awaiting_assessment")
    assert state(direct) == state(expected)
    (made,) = direct.pending_events
    (wanted,) = expected.pending_events
    assert type(made) is type(wanted)
    assert vars(made) == vars(wanted)
    assert list(vars(made)) == list(vars(wanted))
    assert app.mapper.to_stored_event(made) == app.mapper.to_stored_event(wanted)
    # `_create` applies the event with its own `mutate` too: hold both to the general one.
    assert state(direct) == {
        **state(CanInitAggregate.mutate(made, None)),
        "_pending_events": [made],
    }


@pytest.mark.parametrize("name", list(DECISIONS))
def test_a_stored_opening_loads_as_the_general_path_builds(
    app: NotificationsApplication, name: str
) -> None:
    doc = DECISIONS[name]()
    case, _ = LetterTaskCase.open_with_decision(doc, START, DEADLINES)
    app.save(case)
    (stored,) = app.recorder.select_events(case.id)
    created = app.mapper.to_domain_event(stored)
    assert type(created).mutate is not CanInitAggregate.mutate
    direct = created.mutate(None)
    assert state(direct) == state(CanInitAggregate.mutate(created, None))
    loaded = app.repository.get(case.id)
    assert state(loaded) == state(direct)
    assert loaded.decision == case.decision
    assert loaded.letter == case.letter


@pytest.mark.parametrize("name", list(DECISIONS))
def test_the_opening_letter_is_the_one_the_governing_decision_calls_for(name: str) -> None:
    """The letter is made from the routing decision as it is, not from the `GoverningDecision`
    the case then holds: the same letter all the same."""
    doc = DECISIONS[name]()
    case, _ = LetterTaskCase.open_with_decision(doc, START, DEADLINES)
    governing_decision = governing(**decision_fields(doc))
    expected = new_letter(
        str(case.id), doc.journal_number, doc.person_key, governing_decision, None, START, DEADLINES
    )
    if doc.revises_decision_id == doc.decision_id:
        expected = None  # it never governs
    else:
        assert case.decision == governing_decision
    assert case.letter == expected
    if expected is not None:
        (created,) = case.pending_events
        assert created.letter == expected.model_dump(mode="json")
