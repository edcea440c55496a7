"""Victims are not suspects (issue 14, part 2): the rules that depend on a person's role in the
incident. 000 l.195 lists who the police hand over — young people "antruffet, sigtet eller
forurettet" — and 004 l.96-132 weighs abuse cases, where the child is the victim: the same list
carries suspects and victims, and a rule meant for one must not fall on the other.

- An exit-programme referral is for a suspect or a person encountered (`sigtet`,
  `antruffet`) with the flags and the age the exit programmes' target group has; never for a
  victim (`forurettet`).
- The repeat rule counts the roles the profile names (`repeat.roles`, default suspect and
  encountered): a victim's reports are shown in the history but do not raise the severity.
- A victim's orientering is a letter of its own kind, `orientering_forurettet`.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.triage.domain.referral_flags import exit_referral_flags
from services.triage.domain.workflow import ADULT_AGE
from shared.contracts import Flag, LetterKind, Role
from shared.contracts.exit_referrals import ExitFlag
from shared.contracts.letter_kinds import Recipient

#: The roles an exit-programme referral can be made for (never `forurettet`).
EXIT_REFERRAL_ROLES: frozenset[Role] = frozenset({"sigtet", "antruffet"})
VICTIM: Role = "forurettet"


def exit_flags_for(role: Role, flags: Iterable[Flag], age_at_incident: int) -> list[ExitFlag]:
    """The flags that refer this person to an exit programme: none for a victim."""
    if role not in EXIT_REFERRAL_ROLES:
        return []
    return exit_referral_flags(flags, age_at_incident)


def letter_kind_for_role(kind: LetterKind, role: Role) -> LetterKind:
    """A victim's orientering is `orientering_forurettet`; every other letter is the same."""
    if role == VICTIM and kind == "orientering":
        return "orientering_forurettet"
    return kind


def recipients_for(age: int, youth_from_age: int) -> list[Recipient]:
    """The age bands of the recipients table (issue 14, part 3): under `youth_from_age` the
    parents; from it until 18 the parents and the young person; from 18 the young person."""
    if age >= ADULT_AGE:
        return ["youth"]
    if age >= youth_from_age:
        return ["parents", "youth"]
    return ["parents"]
