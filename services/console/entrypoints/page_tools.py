"""What the console's app gives its pages, each a router in its own module: the session, CSRF,
form fields and rendering every page shares (`PageTools`, made once by entrypoints/http.py,
which also turns its exceptions into pages), the forms of what the pages are asked for, and
the pieces several pages share."""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from services.console.domain.user import User
from services.console.domain.weeks import MUNICIPALITY, current_iso_week, shift_week, valid_week
from shared.auth import InvalidToken, TokenVerifier
from shared.clock import Clock
from shared.contracts.common import JOURNAL_NUMBER_PATTERN

JOURNAL_NUMBER = re.compile(JOURNAL_NUMBER_PATTERN)
PERSON_KEY = re.compile(r"pk_[0-9a-f]{16,64}")


class LoginRequired(Exception):
    pass


class FormRefused(Exception):
    """The CSRF token was missing or wrong, or a field out of bounds."""


class NotHere(Exception):
    """A page that does not exist here (e.g. the development login in production)."""


class PageTools:
    """The session, CSRF, form fields and rendering every page shares; `create_http_app`
    makes one and gives it to each page's router (and turns the exceptions above into
    pages)."""

    def __init__(self, templates: Jinja2Templates, verifier: TokenVerifier, clock: Clock) -> None:
        self.templates = templates
        self.verifier = verifier
        self.clock = clock

    def csrf_token(self, request: Request) -> str:
        token = request.session.get("csrf")
        if not isinstance(token, str):
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return token

    async def checked_form(
        self, request: Request, max_fields: int = 20, max_part_size: int = 8192
    ) -> FormData:
        form = await request.form(max_files=0, max_fields=max_fields, max_part_size=max_part_size)
        sent = form.get("csrf_token")
        expected = request.session.get("csrf")
        if (
            not isinstance(sent, str)
            or not isinstance(expected, str)
            or not hmac.compare_digest(sent.encode(), expected.encode())
        ):
            raise FormRefused()
        return form

    def field(self, form: FormData, name: str, pattern: re.Pattern[str] | None = None) -> str:
        """A form's field, stripped; a value that breaks its pattern refuses the form."""
        value = form.get(name)
        if not isinstance(value, str):
            return ""
        value = value.strip()
        if value and pattern is not None and pattern.fullmatch(value) is None:
            raise FormRefused()
        return value

    def flash(self, request: Request, message: str, kind: str = "info") -> None:
        # A new list: the session notices assignments, not changes inside what it holds.
        request.session["flash"] = [
            *request.session.get("flash", []),
            {"kind": kind, "text": message},
        ]

    def keep_entered(self, request: Request, form: str, values: dict[str, str]) -> None:
        """What the user typed into `form`, shown in it again on the next page (after a
        refusal the page is fetched anew, and the form would otherwise be empty). Only for
        forms without free text or names: the session is a signed cookie, not encrypted."""
        request.session["entered"] = {**request.session.get("entered", {}), form: values}

    def flash_outcome(self, request: Request, problem: str | None, done: str) -> None:
        """What a command met: its problem as an error, else what it did (`done`)."""
        if problem:
            self.flash(request, problem, "error")
        else:
            self.flash(request, done)

    async def current_user(self, request: Request) -> User:
        user = User.from_session(request.session.get("user"))
        if user is None:
            raise LoginRequired()
        try:
            if self.verifier.remote:
                await asyncio.to_thread(self.verifier.verify, user.token)
            else:
                self.verifier.verify(user.token)
        except InvalidToken:
            request.session.pop("user", None)
            self.flash(request, "Dit login er udløbet. Log ind igen.", "error")
            raise LoginRequired() from None
        return user

    def render(
        self,
        request: Request,
        template: str,
        user: User | None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        messages = request.session.pop("flash", [])
        entered = request.session.pop("entered", {})
        return self.templates.TemplateResponse(
            request,
            template,
            {
                "user": user,
                "csrf": self.csrf_token(request),
                "flash": messages,
                "entered": entered,
                "now": self.clock(),
                **context,
            },
            status_code=status_code,
        )

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    def meeting_of(self, user: User, kommune: str | None, uge: str | None) -> tuple[str, str]:
        """The meeting (municipality, ISO week) a page asks for, or the user's of this week."""
        municipality = kommune if kommune and MUNICIPALITY.fullmatch(kommune) else None
        if municipality is None:
            municipality = user.municipalities[0] if user.municipalities else "000"
        week = uge if valid_week(uge) else current_iso_week(self.clock())
        assert week is not None
        return municipality, week

    async def meeting_page(
        self, request: Request, kommune: str | None, uge: str | None
    ) -> tuple[User, str, str]:
        """The signed-in user and the meeting (municipality, ISO week) their page asks for."""
        user = await self.current_user(request)
        return user, *self.meeting_of(user, kommune, uge)


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
