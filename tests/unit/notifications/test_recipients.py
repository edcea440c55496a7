"""Who gets the letter: notifications' rule (domain/recipients.py), with the letter kind an
assessment calls for (domain/letters.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain.letters import KIND_FOR_OUTCOME
from services.notifications.domain.recipients import (
    GROUP_LETTER_RECIPIENTS,
    recipient_table,
    recipients_for_age,
)


@pytest.mark.parametrize(
    ("age", "recipients"),
    [
        (0, ["parents"]),
        (14, ["parents"]),
        (15, ["parents", "youth"]),
        (17, ["parents", "youth"]),
        (18, ["youth"]),
        (25, ["youth"]),
    ],
)
def test_recipients_for_age(age: int, recipients: list[str]) -> None:
    assert recipients_for_age(age) == recipients


def test_recipients_for_age_with_other_youth_age() -> None:
    assert recipients_for_age(13, youth_letter_age=13) == ["parents", "youth"]
    assert recipients_for_age(12, youth_letter_age=13) == ["parents"]


@given(
    age=st.integers(min_value=18, max_value=25), youth_age=st.integers(min_value=0, max_value=18)
)
def test_an_adult_letter_never_goes_to_the_parents(age: int, youth_age: int) -> None:
    assert recipients_for_age(age, youth_letter_age=youth_age) == ["youth"]


@given(age=st.integers(min_value=0, max_value=120), youth_age=st.integers(0, 18))
def test_the_table_is_the_rule(age: int, youth_age: int) -> None:
    """The first row whose age is reached decides; under every row, the parents."""
    expected = next(
        (list(r) for from_age, r in recipient_table(youth_age) if age >= from_age), ["parents"]
    )
    assert recipients_for_age(age, youth_age) == expected


def test_a_letter_to_a_group_goes_to_the_parents_and_local_staff() -> None:
    # 000 l.390: "Orientering af forældre og medarbejdere lokalt (standard skriv)".
    assert GROUP_LETTER_RECIPIENTS == ("parents", "local_staff")


def test_kind_for_outcome() -> None:
    assert KIND_FOR_OUTCOME == {"inform": "orientering", "summon": "indkaldelse"}
