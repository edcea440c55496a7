"""Who gets the letter (contracts.md §5, `recipients`): decided here, by notifications alone.

A letter about one young person goes to the parents, to the parents and the youth from the
youth-letter age (15 unless the municipality profile sets another, carried on the routing
decision), and to the youth alone from the age of majority. A letter to a group (the acute
procedure's standard letter) goes to the parents of every family of the group.
"""

from __future__ import annotations

from shared.contracts.letter_tasks import Recipient

ADULT_AGE = 18
"""The age of majority: from it, the letter is the youth's own."""
YOUTH_LETTER_AGE = 15
"""The default age from which the youth gets the letter too."""

GROUP_LETTER_RECIPIENTS: tuple[Recipient, ...] = ("parents", "local_staff")
"""000 l.390: "Orientering af forældre og medarbejdere lokalt (standard skriv)"."""


def recipient_table(
    youth_letter_age: int = YOUTH_LETTER_AGE,
) -> tuple[tuple[int, tuple[Recipient, ...]], ...]:
    """(from age, recipients), the first row whose age is reached deciding; under every row:
    the parents."""
    return (
        (ADULT_AGE, ("youth",)),
        (youth_letter_age, ("parents", "youth")),
    )


def recipients_for_age(age: int, youth_letter_age: int = YOUTH_LETTER_AGE) -> list[Recipient]:
    """Under ``youth_letter_age`` (15): parents; from then until 18: parents and youth;
    18 and over: the youth only."""
    for from_age, recipients in recipient_table(youth_letter_age):
        if age >= from_age:
            return list(recipients)
    return ["parents"]
