"""What every command shares: the kinds of command and what each kind does. The field types
they use are in `fields`.

Free text (`Note`) is kept in the course for the apps to read, sealed under the keys of the
person and the course (each command names its `free_text` fields), and never published. Everything
that is published is a code, a date or an owner's initials or role.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.courses.application.commands.fields import ItemId, Today
from services.courses.domain.course import Course, DeadlinePolicy
from shared.eventstore import UnitOfWork

if TYPE_CHECKING:
    from services.courses.domain.follow_up import FollowUpAction


class Command(BaseModel):
    # Unknown fields are an error (a misspelt field must not be silently dropped), and errors
    # never echo input.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)
    free_text: ClassVar[tuple[str, ...]] = ()
    """Its `Note` fields that the course stores: sealed under the person's and the course's
    keys before the command runs (issue 18; application/service.py)."""

    def municipality_codes(self) -> dict[str, str]:
        """field → municipality code the command would give a course to: each must be an
        official code this deployment serves (issue 14, part 1), or nobody who can log in
        would own the course's deadlines."""
        return {}


class ChangeCourse(Command):
    """A command on an existing course, issued against the version the app last saw."""

    aggregate: ClassVar[type[Course]] = Course

    expected_version: int = Field(
        ge=1,
        description="The course's version the command was issued against (from the last GET "
        "or command response). Another current version means someone else changed the "
        "course: HTTP 409 version_conflict.",
        examples=[3],
    )

    def execute(self, course: Course, at: datetime) -> None:
        raise NotImplementedError

    def also_records(
        self, course: Course, at: datetime, new_action: Callable[..., FollowUpAction]
    ) -> list[FollowUpAction]:
        """Follow-up actions the command records with the course, in the same transaction
        (`new_action(command, recorded_by_role, at)` seals the note); none by default."""
        return []


CourseKind = TypeVar("CourseKind", bound=Course)


class CommandOn(ChangeCourse, Generic[CourseKind]):
    """A command on one kind of course (its `aggregate`): `run` does it to a course of that
    kind."""

    def execute(self, course: Course, at: datetime) -> None:
        assert isinstance(course, self.aggregate)
        self.run(cast(CourseKind, course), at)

    def run(self, course: CourseKind, at: datetime) -> None:
        raise NotImplementedError


class OnMeasure(BaseModel):
    """The fields of a command about one measure on a day (today when omitted)."""

    measure_id: ItemId
    on: Today = None


class StartCourse(Command):
    """A command that creates a course; its id follows from the command, so starting the
    same course twice is a conflict, never a second course.

    Its fields are named as its course's factory names them: `create` passes them on as they
    are (`**dict(self)`, the sealed free text included), with what the course adds."""

    def course_id(self) -> UUID:
        raise NotImplementedError

    def create(self, uow: UnitOfWork, at: datetime, policy: DeadlinePolicy) -> Course:
        raise NotImplementedError
