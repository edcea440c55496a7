"""Ugens møde, `/moede`, and one child's item on it, `/moede/punkt`, with the item's forms: the
meeting's decision on route and owner, an agreed action and a note for the minutes (POST,
CSRF-checked). Its own router, given the app's session, CSRF and rendering (`PageTools`) by
`create_http_app`; the caseworker's forms on the item are entrypoints/caseworker_pages.py."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.console.adapters.platform_api import PlatformApi
from services.console.application import meeting as page
from services.console.domain.user import User
from services.console.domain.weeks import MUNICIPALITY, valid_week
from services.console.entrypoints.page_tools import (
    JOURNAL_NUMBER,
    PERSON_KEY,
    FormRefused,
    MeetingQuery,
    PageTools,
    item_url,
    meeting_weeks,
)
from shared import danish

TEAM = re.compile(r"[\w .,'()/-]{1,120}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_TEXT = 1000
MinutesEntry = Callable[[PlatformApi, User, str, str, dict[str, Any]], Awaitable[str | None]]
"""Writes an entry in a meeting's minutes (`application.meeting`): None, else the Danish reason."""


@dataclass(frozen=True)
class Item:
    """The child's item on a meeting's agenda that one of the item's forms was sent from."""

    municipality: str
    week: str
    journal: str
    person: str
    names: bool
    """The names were shown: the page sent back to shows them again."""

    @property
    def meeting(self) -> str:
        return f"{self.municipality}/{self.week}"

    def back(self) -> str:
        return item_url(self.municipality, self.week, self.journal, self.person, self.names)


def meeting_router(api: PlatformApi, tools: PageTools) -> APIRouter:
    router = APIRouter()

    @router.get("/moede", response_class=HTMLResponse)
    async def meeting(request: Request, asked: Annotated[MeetingQuery, Depends()]) -> Response:
        user, municipality, week = await tools.meeting_page(request, asked.kommune, asked.uge)
        view = await page.meeting(api, user, municipality, week, with_names=asked.with_names)
        return tools.render(
            request,
            "meeting.html",
            user,
            title=f"Ugens møde, {danish.iso_week_label(week)}",
            **meeting_weeks(municipality, week),
            **view,
        )

    @router.get("/moede/punkt", response_class=HTMLResponse)
    async def meeting_item(
        request: Request,
        journal: str,
        person: str,
        asked: Annotated[MeetingQuery, Depends()],
    ) -> Response:
        user, municipality, week = await tools.meeting_page(request, asked.kommune, asked.uge)
        if JOURNAL_NUMBER.fullmatch(journal) is None or PERSON_KEY.fullmatch(person) is None:
            raise StarletteHTTPException(404)
        view = await page.meeting_item(
            api, user, municipality, week, journal, person, with_names=asked.with_names
        )
        return tools.render(
            request,
            "item.html",
            user,
            title=f"Punkt på ugens møde, {journal}",
            municipality=municipality,
            week=week,
            journal_number=journal,
            person_key=person,
            names_shown=asked.with_names,
            **view,
        )

    async def item_command(request: Request) -> tuple[User, FormData, Item]:
        """The signed-in user, the CSRF-checked form and the item it was sent from; a field out
        of bounds refuses the form."""
        user = await tools.current_user(request)
        form = await tools.checked_form(request)
        municipality = tools.field(form, "kommune", MUNICIPALITY)
        week = tools.field(form, "uge")
        journal = tools.field(form, "journal", JOURNAL_NUMBER)
        person = tools.field(form, "person", PERSON_KEY)
        if not valid_week(week) or not (municipality and journal and person):
            raise FormRefused
        names = tools.field(form, "navne") == "1"
        return user, form, Item(municipality, week, journal, person, names)

    def owner(form: FormData, role_field: str, team_field: str) -> tuple[str, str | None]:
        """The owner a form names: a role, and a team or None."""
        return tools.field(form, role_field), tools.field(form, team_field, TEAM) or None

    async def to_minutes(
        request: Request,
        user: User,
        item: Item,
        record: MinutesEntry,
        fields: dict[str, Any],
        done: str,
    ) -> Response:
        """An entry of the item's in the meeting's minutes (an agreed action, a note), written
        by `record`: what it met is flashed, and the page is the item's again."""
        entry = {"journal_number": item.journal, "person_key": item.person, **fields}
        problem = await record(api, user, item.municipality, item.week, entry)
        tools.flash_outcome(request, problem, done)
        return tools.redirect(item.back())

    @router.post("/moede/punkt/beslutning")
    async def decide(request: Request) -> Response:
        user, form, item = await item_command(request)
        route = tools.field(form, "spor")
        owner_role, owner_team = owner(form, "ejer", "team")
        if route not in ("tovholder", "caseworker") or owner_role not in danish.OWNER_ROLES:
            raise FormRefused
        revised, problem = await page.revise_at_meeting(
            api, user, item.meeting, item.journal, item.person, route, owner_role, owner_team
        )
        if problem:
            tools.flash(request, problem, "error")
        elif revised:
            tools.flash(
                request,
                f"Beslutningen er registreret: {danish.label(danish.ROUTES, route)}, "
                f"ejer {danish.label(danish.ROLES, owner_role)}"
                + (f" ({owner_team})" if owner_team else "")
                + ".",
            )
        else:
            tools.flash(request, "Mødet fastholdt spor og ejer; intet er ændret.")
        return tools.redirect(item.back())

    @router.post("/moede/punkt/handling")
    async def agree_action(request: Request) -> Response:
        user, form, item = await item_command(request)
        what = tools.field(form, "hvad")
        owner_role, owner_team = owner(form, "ansvarlig", "ansvarligt_team")
        due_on = tools.field(form, "frist", DATE)
        if not what or len(what) > MAX_TEXT or owner_role not in danish.OWNER_ROLES or not due_on:
            tools.flash(
                request, "Skriv hvad der er aftalt, vælg en ansvarlig og en frist.", "error"
            )
            return tools.redirect(item.back())
        return await to_minutes(
            request,
            user,
            item,
            page.agree_action,
            {"what": what, "owner_role": owner_role, "owner_team": owner_team, "due_on": due_on},
            f"Handlingen er aftalt: {danish.label(danish.ROLES, owner_role)} inden "
            f"{danish.danish_date(due_on)}.",
        )

    @router.post("/moede/punkt/note")
    async def record_note(request: Request) -> Response:
        user, form, item = await item_command(request)
        text = tools.field(form, "tekst")
        if not text or len(text) > MAX_TEXT:
            tools.flash(request, "En note skal have 1 til 1000 tegn.", "error")
            return tools.redirect(item.back())
        return await to_minutes(
            request, user, item, page.record_note, {"text": text}, "Noten er gemt i referatet."
        )

    return router
