"""Out: course events on ``ssp.courses.events.v1`` (docs/contracts.md): every change to a
TRIVSEL+ course, an exit programme or an acute-event procedure, keyed by ``course_id``.

One envelope for every event; ``data`` holds only codes, dates, ids and staff owners (the
fields of each event are listed in docs/contracts.md). Free text (rationale, notes,
descriptions) stays in the courses service and is never published.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import Field

from shared.contracts.common import (
    ContractModel,
    EventId,
    Id,
    JournalNumber,
    MunicipalityCode,
    PersonKey,
    Timestamp,
)

__all__ = ["COURSE_TYPES", "CourseEvent", "CourseType"]

CourseType = Literal["trivsel_plus", "exit_programme", "acute_procedure"]
COURSE_TYPES: tuple[CourseType, ...] = get_args(CourseType)


class CourseEvent(ContractModel):
    """One change to a course (TRIVSEL+, exit programme or acute-event procedure)."""

    event_id: EventId
    course_id: Id = Field(
        description="Id of the course; the message key.",
        examples=["0f3e2d1c-4b5a-5968-8776-a5b4c3d2e1f0"],
    )
    course_type: CourseType = Field(
        description="trivsel_plus | exit_programme | acute_procedure.", examples=["trivsel_plus"]
    )
    event: str = Field(
        pattern=r"^[a-z][a-z_]*$",
        description="What happened, e.g. started, consent_given, measure_started, "
        "meeting_missed, transferred, closed (the list per course type is in "
        "docs/contracts.md).",
        examples=["consent_given"],
    )
    person_key: PersonKey | None = Field(
        description="Pseudonym of the person; null for an acute-event procedure (a group).",
        examples=["pk_9f2c4e1a7b3d5e6f"],
    )
    municipality_code: MunicipalityCode = Field(
        description="The municipality that holds the course after this event (after a "
        "transfer: the receiving one)."
    )
    journal_number: JournalNumber | None = Field(
        description="The police journal number the course follows, if any.",
        examples=["3700-80123-00456-26"],
    )
    at: Timestamp = Field(description="When it happened.", examples=["2026-11-20T10:15:00+01:00"])
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="The event's own fields: codes, dates, ids and owners only.",
        examples=[{"given_on": "2026-11-20"}],
    )
