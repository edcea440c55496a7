"""The letter a task carries follows triage's letter plan (issue 14, parts 2-3): the kind by
the person's role (a victim's orientering is `orientering_forurettet`) and the recipients by the
municipality profile's table (Fredericia, 000 l.200-201); decisions without plans keep the age
rule. A plan survives reloading the case from its stored events."""

from __future__ import annotations

from typing import Any

import pytest

from services.notifications.domain.letter_task_case import LetterTaskCase
from tests.unit.notifications.factories import (
    DEADLINES,
    JOURNAL,
    START,
    assessment,
    decision,
)

FREDERICIA_CASEWORKER_14 = [
    {"assessment": "inform", "kind": "orientering", "recipients": ["parents"]},
    {"assessment": "summon", "kind": "indkaldelse", "recipients": ["parents", "youth"]},
]
VICTIM_TOVHOLDER_12 = [
    {"assessment": None, "kind": "orientering_forurettet", "recipients": ["parents", "youth"]}
]

RULES = [
    # (route, role, age, plans, outcome) -> (kind, recipients)
    pytest.param(
        "tovholder", "forurettet", 12, VICTIM_TOVHOLDER_12, None,
        ("orientering_forurettet", ["parents", "youth"]), id="victim: own kind, l201 no limit",
    ),
    pytest.param(
        "caseworker", "sigtet", 14, FREDERICIA_CASEWORKER_14, "inform",
        ("orientering", ["parents"]), id="l200 orientering: youth only from 15",
    ),
    pytest.param(
        "caseworker", "sigtet", 14, FREDERICIA_CASEWORKER_14, "summon",
        ("indkaldelse", ["parents", "youth"]), id="l200 indkaldelse: parents and youth",
    ),
    pytest.param(
        "tovholder", "sigtet", 12, None, None,
        ("orientering", ["parents"]), id="no plan (older decision): the age rule",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("route", "role", "age", "plans", "outcome", "expected"), RULES)
def test_the_task_follows_the_plan(
    route: str,
    role: str,
    age: int,
    plans: list[dict[str, Any]] | None,
    outcome: str | None,
    expected: tuple[str, list[str]],
) -> None:
    case = LetterTaskCase(JOURNAL, "pk_a")
    case.receive_decision(
        decision(route=route, age=age, role=role, letters=plans), START, DEADLINES
    )
    if outcome is not None:
        case.receive_assessment(assessment(outcome=outcome), START, DEADLINES)
    assert case.letter is not None
    assert (case.letter.kind, case.letter.recipients) == expected


def test_a_plan_survives_reloading(tmp_path: Any) -> None:
    from services.notifications.application.app import NotificationsApplication
    from services.notifications.settings import NotificationsSettings
    from shared.eventstore import UnitOfWork, store_env

    settings = NotificationsSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = NotificationsApplication(env=store_env(settings, "notifications"))
    try:
        case, _ = LetterTaskCase.open_with_decision(
            decision(route="caseworker", age=14, letters=FREDERICIA_CASEWORKER_14),
            START,
            DEADLINES,
        )
        uow = UnitOfWork(app)
        uow.add(case)
        uow.commit()
        loaded = UnitOfWork(app).get(LetterTaskCase, case.id)
        assert loaded is not None
        loaded.receive_assessment(assessment(outcome="inform"), START, DEADLINES)
        assert loaded.letter is not None
        assert loaded.letter.recipients == ["parents"]
    finally:
        app.close()
