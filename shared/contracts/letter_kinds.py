"""The kinds of parent/youth letter and who may receive one: shared by the letter tasks (§5)
and the routing decisions that plan them (`LetterPlan`)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field

__all__ = ["LETTER_KINDS", "LetterKind", "Recipient", "Recipients"]

LetterKind = Literal[
    "orientering",
    "indkaldelse",
    "bekymringsbrev",
    "akut_standardbrev",
    "orientering_forurettet",
]
"""`orientering_forurettet`: the orientering about a young person registered as the victim
(forurettet), a letter of its own (issue 14, part 2; its own template later)."""

Recipient = Literal["parents", "youth", "local_staff"]
"""`local_staff`: the staff of the school and leisure services involved (000 l.390: the acute
procedure's standard letter, "Orientering af forældre og medarbejdere lokalt")."""

Recipients = Annotated[list[Recipient], Field(min_length=1, examples=[["parents", "youth"]])]
"""Who receives a letter: one recipient at least."""

LETTER_KINDS: tuple[LetterKind, ...] = get_args(LetterKind)
