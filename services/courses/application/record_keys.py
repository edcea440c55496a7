"""Whose keys seal a record's free text (issue 18): the person's (`pk_…`) and the record's own
(`course:<id>`, `follow-up:<id>`), in courses' keyring. Destroying the person's key shreds
every record of theirs; destroying a record's key shreds that record alone (its retention
deadline passed)."""

from __future__ import annotations

from uuid import UUID

COURSE = "course"
FOLLOW_UP = "follow_up"
"""The kinds of record, as `ssp erasure-report` counts them."""
ERASED_KINDS = frozenset({COURSE, FOLLOW_UP})
"""What courses' erasure report counts (the person is intake's to count)."""


def course_owner(course_id: UUID) -> str:
    return f"course:{course_id}"


def action_owner(action_id: UUID) -> str:
    return f"follow-up:{action_id}"


def text_owners(person_key: str, record: str) -> list[str]:
    """The owners a record's text is sealed for: the person and the record (`record`: its
    `course_owner` or `action_owner`)."""
    return [person_key, record]
