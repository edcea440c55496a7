"""A case opened by its first decision is stored as one event (`OpenedWithDecision`, or
`OpenedWithTask` when the task is created at once) and loads to the case it made."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.notifications.application.app import NotificationsApplication
from services.notifications.bootstrap import build_application
from services.notifications.domain.letter_task_case import LetterTaskCase
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


@pytest.mark.parametrize("name", list(DECISIONS))
def test_a_stored_opening_loads_as_the_case_it_made(
    app: NotificationsApplication, name: str
) -> None:
    doc = DECISIONS[name]()
    case, outcome = LetterTaskCase.open_with_decision(doc, START, DEADLINES)
    (opened,) = case.pending_events
    assert type(opened) is (
        LetterTaskCase.OpenedWithTask
        if outcome == "task_created"
        else LetterTaskCase.OpenedWithDecision
    )
    app.save(case)
    loaded = app.repository.get(case.id)
    assert state(loaded) == state(case)
    assert loaded.decision == case.decision
    assert loaded.letter == case.letter
