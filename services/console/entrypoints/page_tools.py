"""What the console's app gives the pages added from their own modules (Afviste
indberetninger, Bekymring): the session, CSRF, form fields and rendering that
entrypoints/http.py defines for every page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

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
    clock: Callable[[], datetime]
