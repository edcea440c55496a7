"""What the console's app gives the pages added from their own modules (Afviste
indberetninger, Bekymring): the session, CSRF, form fields and rendering that
entrypoints/http.py defines for every page."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.console.domain.user import User


@dataclass(frozen=True)
class PageTools:
    current_user: Callable[[Request], Awaitable[User]]
    checked_form: Callable[..., Awaitable[FormData]]
    render: Callable[..., HTMLResponse]
    flash: Callable[..., None]
    redirect: Callable[[str], Response]
    refused: Callable[[], Exception]
    field: Callable[..., str]
    """A form's field, stripped; a value that breaks its pattern refuses the form."""
    meeting_of: Callable[[User, str | None, str | None], tuple[str, str]]
    """The meeting (municipality, ISO week) a page asks for, or the user's of this week."""
    meeting_page: Callable[[Request, str | None, str | None], Awaitable[tuple[User, str, str]]]
    """The signed-in user and the meeting their page asks for (`meeting_of`)."""
    clock: Callable[[], datetime]


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
