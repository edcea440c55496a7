"""The caseworker's side in the console (issue 17, part 3): on a child's item of the weekly
meeting, a caseworker or team leader records the assessment ("Orienter" or "Indkald") and the
meeting with a summoned family; notifications records them (the letter follows) and decides
who may. Its own router, given the console's helpers (`PageTools`) by `create_http_app`."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.console.adapters.platform_api import ApiError, PlatformApi
from services.console.domain.errors import danish_error
from services.console.domain.weeks import MUNICIPALITY, valid_week
from services.console.entrypoints.page_tools import (
    JOURNAL_NUMBER,
    PERSON_KEY,
    PageTools,
    item_url,
)
from shared.danish import ASSESSMENT_REFUSALS, ASSESSMENTS, danish_date

INITIALS = re.compile(r"[A-Za-z0-9ÆØÅæøå._-]{1,50}")
NO_SUCH_ITEM = "Formularen hørte ikke til et punkt på mødet. Åbn punktet fra mødet og prøv igen."


class ItemForm:
    """The item the form was sent from, checked; `None` when a field is out of bounds."""

    def __init__(self, form: FormData) -> None:
        def text(name: str) -> str:
            value = form.get(name)
            return value.strip()[:60] if isinstance(value, str) else ""

        self.municipality = text("kommune")
        self.week = text("uge")
        self.journal = text("journal")
        self.person = text("person")
        self.caseworker = text("sagsbehandler")
        self.names = text("navne") == "1"
        self.text = text

    def valid(self) -> bool:
        return bool(
            MUNICIPALITY.fullmatch(self.municipality)
            and valid_week(self.week)
            and JOURNAL_NUMBER.fullmatch(self.journal)
            and PERSON_KEY.fullmatch(self.person)
        )

    def back(self) -> str:
        return item_url(self.municipality, self.week, self.journal, self.person, self.names)


def caseworker_router(api: PlatformApi, kit: PageTools) -> APIRouter:
    router = APIRouter()

    @router.post("/moede/punkt/vurdering")
    async def assess(request: Request) -> Response:
        user = await kit.current_user(request)
        item = ItemForm(await kit.checked_form(request))
        outcome = item.text("vurdering")
        if not item.valid():
            return _no_such_item(request, kit)
        entered = {"vurdering": outcome, "sagsbehandler": item.caseworker}
        if outcome not in ASSESSMENTS:
            kit.flash(request, "Vælg Orienter eller Indkald.", "error")
            return _again(request, kit, item, "vurdering", entered)
        if not INITIALS.fullmatch(item.caseworker):
            kit.flash(request, "Skriv sagsbehandlerens initialer (bogstaver og tal).", "error")
            return _again(request, kit, item, "vurdering", entered)
        body = {
            "journal_number": item.journal,
            "person_key": item.person,
            "outcome": outcome,
            "caseworker": item.caseworker,
        }
        done = f"Vurderingen »{ASSESSMENTS[outcome]}« er registreret; brevet følger."
        call = api.record_assessment(user.token, body)
        return await _send(request, kit, item, call, done, ("vurdering", entered))

    @router.post("/moede/punkt/familiemoede")
    async def family_meeting(request: Request) -> Response:
        user = await kit.current_user(request)
        item = ItemForm(await kit.checked_form(request))
        held_on = _day(item.text("dato"))
        if not item.valid():
            return _no_such_item(request, kit)
        entered = {
            "dato": item.text("dato"),
            "sagsbehandler": item.caseworker,
            "ung_deltog": item.text("ung_deltog"),
        }
        if held_on is None or not INITIALS.fullmatch(item.caseworker):
            kit.flash(request, "Vælg mødets dato og skriv sagsbehandlerens initialer.", "error")
            return _again(request, kit, item, "familiemoede", entered)
        body = {
            "journal_number": item.journal,
            "person_key": item.person,
            "held_on": held_on.isoformat(),
            "caseworker": item.caseworker,
            "youth_attended": item.text("ung_deltog") == "1",
        }
        done = f"Mødet med familien {danish_date(held_on)} er registreret."
        call = api.record_family_meeting(user.token, body)
        return await _send(request, kit, item, call, done, ("familiemoede", entered))

    return router


def _no_such_item(request: Request, kit: PageTools) -> Response:
    """The form's hidden fields name no item (altered, or cut off): to the meeting, saying so."""
    kit.flash(request, NO_SUCH_ITEM, "error")
    return kit.redirect("/moede")


def _again(
    request: Request, kit: PageTools, item: ItemForm, form: str, entered: dict[str, str]
) -> Response:
    """Back to the item with `form` filled in as the user left it (the refusal is flashed)."""
    kit.keep_entered(request, form, entered)
    return kit.redirect(item.back())


async def _send(
    request: Request,
    kit: PageTools,
    item: ItemForm,
    call: Awaitable[Any],
    done: str,
    form: tuple[str, dict[str, str]],
) -> Response:
    """Back to the item, saying `done` when notifications recorded it, else why not (and
    with the form as the user filled it in)."""
    try:
        await call
    except ApiError as exc:
        reason = ASSESSMENT_REFUSALS.get(exc.code or "")
        kit.flash(request, reason or danish_error(exc.service, exc.status, exc.code), "error")
        return _again(request, kit, item, *form)
    else:
        kit.flash(request, done)
    return kit.redirect(item.back())


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
