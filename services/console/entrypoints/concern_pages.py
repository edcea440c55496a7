"""The console's pages for concerns that do not come from the police (issue 15, part 5):
`/bekymring` (the form, CSRF-checked; the concern goes to intake with the user's own token)
and `/moede/bekymring` (one concern on a meeting's agenda; what the reporter wrote only on
request, for the roles intake lets read it, and audited there). Its own router, given the app's
session, CSRF and rendering (`PageTools`) by `create_http_app`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.console.adapters.platform_api import PlatformApi
from services.console.application import concerns
from services.console.domain.user import User
from services.console.domain.weeks import MUNICIPALITY
from services.console.entrypoints.page_tools import FormRefused, MeetingQuery, PageTools
from shared import danish

CONCERN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


@dataclass(frozen=True)
class ConcernQuery(MeetingQuery):
    """What a concern's page on a meeting is asked for: the meeting's, and `?tekst=1` for what
    the reporter wrote."""

    tekst: str | None = None

    @property
    def with_text(self) -> bool:
        return self.tekst == "1"


def concern_router(api: PlatformApi, tools: PageTools) -> APIRouter:
    router = APIRouter()

    def show_form(request: Request, user: User, form: concerns.ConcernForm) -> HTMLResponse:
        return tools.render(
            request,
            "concern_form.html",
            user,
            title="Registrér en bekymring",
            form=form,
            problems=form.problems,
        )

    @router.get("/bekymring", response_class=HTMLResponse)
    async def concern_form(request: Request, kommune: str | None = None) -> Response:
        user = await tools.current_user(request)
        if not user.registers_concerns:
            raise StarletteHTTPException(404)
        municipality = tools.meeting_of(user, kommune, None)[0]
        form = concerns.ConcernForm(
            concern_id=concerns.new_concern_id(),
            municipality_code=municipality,
            reporter_kind="school" if user.schools else "",
        )
        return show_form(request, user, form)

    @router.post("/bekymring")
    async def register_concern(request: Request) -> Response:
        user = await tools.current_user(request)
        data = await tools.checked_form(request)
        if not user.registers_concerns:
            raise StarletteHTTPException(404)
        form = concerns.ConcernForm(
            concern_id=tools.field(data, "bekymring_id", CONCERN_ID),
            cpr=tools.field(data, "cpr"),
            name=tools.field(data, "navn"),
            municipality_code=tools.field(data, "kommune", MUNICIPALITY),
            school=tools.field(data, "skole"),
            category=tools.field(data, "kategori"),
            reporter_kind=tools.field(data, "indberetter"),
            reporter_name=tools.field(data, "indberetter_navn"),
            reporter_contact=tools.field(data, "indberetter_kontakt"),
            text=tools.field(data, "beskrivelse"),
        )
        if not form.concern_id or form.municipality_code not in user.municipalities:
            raise FormRefused
        form.problems = form.missing()
        if not form.problems:
            outcome = await concerns.register(api, user, form, tools.clock())
            if isinstance(outcome, concerns.Registered):
                week = danish.iso_week_label(outcome.iso_week)
                tools.flash(
                    request,
                    "Bekymringen var allerede registreret."
                    if outcome.duplicate
                    else f"Bekymringen er registreret. Den kommer på dagsordenen til mødet i "
                    f"{week}, eller til det næste møde, hvis ugens møde allerede er holdt.",
                )
                query = {"kommune": outcome.municipality_code, "uge": outcome.iso_week}
                return tools.redirect(f"/moede?{urlencode(query)}")
            form.problems = outcome
        return show_form(request, user, form)

    @router.get("/moede/bekymring", response_class=HTMLResponse)
    async def concern(
        request: Request,
        id: str,
        asked: Annotated[ConcernQuery, Depends()],
    ) -> Response:
        user, municipality, week = await tools.meeting_page(request, asked.kommune, asked.uge)
        if CONCERN_ID.fullmatch(id) is None:
            raise StarletteHTTPException(404)
        view: dict[str, Any] = await concerns.concern_page(
            api,
            user,
            municipality,
            week,
            id,
            with_name=asked.with_names,
            with_text=asked.with_text,
        )
        here = "/moede/bekymring?" + urlencode({"kommune": municipality, "uge": week, "id": id})
        return tools.render(
            request,
            "concern.html",
            user,
            title=f"Bekymring på ugens møde, {danish.iso_week_label(week)}",
            municipality=municipality,
            week=week,
            here=here,
            names_shown=asked.with_names,
            text_shown=asked.with_text,
            **view,
        )

    return router
