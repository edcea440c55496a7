"""Whose keys seal a record's free text (issue 18): the person's (`pk_…`) and the record's own
(`course:<id>`, `follow-up:<id>`), in courses' keyring. Destroying the person's key shreds
every record of theirs; destroying a record's key shreds that record alone (its retention
deadline passed). `sealed` seals a command's free text for a course before it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

if TYPE_CHECKING:
    from services.courses.application.commands.base import Command
    from services.courses.application.follow_ups import TextSealer

C = TypeVar("C", bound="Command")

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


def sealed(texts: TextSealer, command: C, person_key: str | None, course_id: UUID) -> C:
    """The command with its free text (`free_text`) sealed under the person's and the
    course's keys, before it runs."""
    if not command.free_text or person_key is None:
        return command
    owners = text_owners(person_key, course_owner(course_id))
    return command.model_copy(
        update={name: texts.seal(owners, getattr(command, name)) for name in command.free_text}
    )
