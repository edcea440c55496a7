"""What the console's app gives its pages, each a router in its own module: the session, CSRF,
form fields and rendering that entrypoints/http.py defines for every page (`PageTools`), the
forms of what the pages are asked for, and the pieces several pages share."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.console.domain.user import User
from services.console.domain.weeks import shift_week
from shared.contracts.common import JOURNAL_NUMBER_PATTERN

JOURNAL_NUMBER = re.compile(JOURNAL_NUMBER_PATTERN)
PERSON_KEY = re.compile(r"pk_[0-9a-f]{16,64}")


@dataclass(frozen=True)
class PageTools:
    current_user: Callable[[Request], Awaitable[User]]
    checked_form: Callable[..., Awaitable[FormData]]
    render: Callable[..., HTMLResponse]
    flash: Callable[..., None]
    flash_outcome: Callable[[Request, str | None, str], None]
    """What a command met: its problem as an error, else what it did."""
    redirect: Callable[[str], Response]
    refused: Callable[[], Exception]
    """The form is refused (CSRF token or a field out of bounds): raise it."""
    not_here: Callable[[], Exception]
    """The page does not exist here (e.g. the development login in production): raise it."""
    field: Callable[..., str]
    """A form's field, stripped; a value that breaks its pattern refuses the form."""
    meeting_of: Callable[[User, str | None, str | None], tuple[str, str]]
    """The meeting (municipality, ISO week) a page asks for, or the user's of this week."""
    meeting_page: Callable[[Request, str | None, str | None], Awaitable[tuple[User, str, str]]]
    """The signed-in user and the meeting their page asks for (`meeting_of`)."""
    clock: Callable[[], datetime]


@dataclass(frozen=True)
class MeetingQuery:
    """What a page of one meeting is asked for, as a dependency (`Depends()`): the meeting,
    `?kommune=` and `?uge=` (`PageTools.meeting_page` falls back to the user's of this week),
    and `?navne=1` for the children's names."""

    kommune: str | None = None
    uge: str | None = None
    navne: str | None = None

    @property
    def with_names(self) -> bool:
        return self.navne == "1"


def meeting_weeks(municipality: str, week: str) -> dict[str, Any]:
    """What a page of one meeting's week shows beside it: the week and the weeks around."""
    return {
        "municipality": municipality,
        "week": week,
        "previous_week": shift_week(week, -1),
        "next_week": shift_week(week, 1),
    }


def item_url(municipality: str, week: str, journal: str, person: str, names: bool) -> str:
    """The page of one child's item on a meeting's agenda, with the names when they were shown."""
    query = {"kommune": municipality, "uge": week, "journal": journal, "person": person}
    if names:
        query["navne"] = "1"
    return f"/moede/punkt?{urlencode(query)}"


async def looked_up(
    typed: str | None,
    form: re.Pattern[str],
    problem: str,
    blank: dict[str, Any],
    find: Callable[[str], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """The view of a page that looks up what was typed in its one field (Sporing's journal
    number, Tidslinje's pseudonym): `blank` before anything is typed, with `problem` when the
    value is not of its `form`, else what `find` answers for it (stripped)."""
    if not typed:
        return blank
    value = typed.strip()
    if form.fullmatch(value) is None:
        return {**blank, "problems": [problem]}
    return await find(value)
