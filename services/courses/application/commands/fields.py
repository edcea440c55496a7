"""The field types of the commands: staff, item ids, free text, departments and days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from services.courses.domain.calendar import local_date

Owner = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9ÆØÅæøå._-]{1,40}$",
        description="Initials or role code of a member of staff (never the young person).",
        examples=["ABJ"],
    ),
]
ItemId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{1,40}$",
        description="The app's id of a goal or measure, unique in the course.",
        examples=["g1"],
    ),
]
Note = Annotated[
    str,
    Field(
        max_length=4000,
        description="Free text for the course's own record; never published.",
        examples=[""],
    ),
]
Department = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9ÆØÅæøå .,/-]{1,80}$",
        description="A municipal department or agency (e.g. jobcenter, Kriminalforsorgen).",
        examples=["jobcenter"],
    ),
]
Today = Annotated[
    date | None,
    Field(description="The date it happened; today when omitted.", examples=["2026-11-20"]),
]


def day_or_today(day: date | None, at: datetime) -> date:
    return day if day is not None else local_date(at)
