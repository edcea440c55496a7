"""The +18 workflow (issue 4, part 6): a letter about an adult (18-25) goes to the young adult
only, never to the parents, on every route, whatever the profile's youth-letter age and
whether or not the adult is marked for the PSP/KSP handover."""

from __future__ import annotations

import pytest

from services.notifications.domain.letter_task_case import LetterTaskCase
from tests.unit.notifications.factories import (
    DEADLINES,
    JOURNAL,
    START,
    assessment,
    decision,
)


@pytest.mark.parametrize("age", [18, 21, 25])
@pytest.mark.parametrize("youth_letter_age", [None, 15, 18])
@pytest.mark.parametrize(
    ("route", "outcome"),
    [("tovholder", None), ("caseworker", "inform"), ("caseworker", "summon")],
)
@pytest.mark.parametrize("handover", [False, True])
def test_an_adults_letter_goes_to_the_adult_only(
    age: int, youth_letter_age: int | None, route: str, outcome: str | None, handover: bool
) -> None:
    case = LetterTaskCase(JOURNAL, "pk_a")
    case.receive_decision(
        decision(
            route=route,
            age=age,
            youth_letter_age=youth_letter_age,
            psp_ksp_handover=handover,
            reasons=["no_active_case", "adult_workflow"],
        ),
        START,
        DEADLINES,
    )
    if outcome is not None:
        case.receive_assessment(assessment(outcome=outcome), START, DEADLINES)
    assert case.letter is not None
    assert case.letter.recipients == ["youth"]


@pytest.mark.parametrize(("age", "parents"), [(14, True), (17, True), (18, False)])
def test_the_parents_are_written_to_until_18(age: int, parents: bool) -> None:
    case = LetterTaskCase(JOURNAL, "pk_a")
    case.receive_decision(decision(age=age, youth_letter_age=18), START, DEADLINES)
    assert case.letter is not None
    assert ("parents" in case.letter.recipients) is parents
