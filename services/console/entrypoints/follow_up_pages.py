"""The follow-up form (issue 17, part 2): `/personer/{person_key}/opfoelgning` shows it and
records the action with courses. Its own router, given the console's session, CSRF and
rendering helpers (`PageTools`) by `create_http_app`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.console.adapters.platform_api import PlatformApi
from services.console.application.follow_ups import FollowUpForm, record, today_of
from services.console.domain.user import User
from services.console.entrypoints.page_tools import PERSON_KEY, PageTools

TITLE = "Registrér opfølgning"


def follow_up_router(api: PlatformApi, kit: PageTools) -> APIRouter:
    router = APIRouter()

    async def allowed_user(request: Request, person_key: str) -> User:
        user = await kit.current_user(request)
        if PERSON_KEY.fullmatch(person_key) is None or not user.records_follow_ups:
            raise StarletteHTTPException(404)
        return user

    @router.get("/personer/{person_key}/opfoelgning", response_class=HTMLResponse)
    async def follow_up_form(request: Request, person_key: str, journal: str = "") -> Response:
        user = await allowed_user(request, person_key)
        form = FollowUpForm.blank(user, person_key, journal[:40], today_of(kit.clock()))
        return kit.render(request, "follow_up_form.html", user, title=TITLE, form=form)

    @router.post("/personer/{person_key}/opfoelgning")
    async def record_follow_up(request: Request, person_key: str) -> Response:
        user = await allowed_user(request, person_key)
        sent = await kit.checked_form(request)
        form = FollowUpForm(
            person_key=person_key,
            municipality=_text(sent, "kommune", 3),
            kind=_text(sent, "handling", 40),
            held_on=_text(sent, "dato", 10),
            held_by=_text(sent, "udfoert_af", 40),
            outcome=_text(sent, "resultat", 40),
            journal=_text(sent, "journal", 19),
            next_kind=_text(sent, "naeste_handling", 40),
            next_owner=_text(sent, "naeste_ansvarlig", 40),
            next_due=_text(sent, "naeste_frist", 10),
            note=_text(sent, "note", 4001, strip=False),
        )
        message = await record(api, user, form)
        if message is None:
            return kit.render(
                request, "follow_up_form.html", user, status_code=422, title=TITLE, form=form,
                problems=form.problems,
            )  # fmt: skip
        kit.flash(request, message)
        return kit.redirect("/arbejdsliste")

    return router


def _text(form: FormData, name: str, limit: int, strip: bool = True) -> str:
    """The field's text, cut at `limit` characters (the checks say what is allowed)."""
    value: Any = form.get(name)
    if not isinstance(value, str):
        return ""
    return (value.strip() if strip else value)[:limit]
