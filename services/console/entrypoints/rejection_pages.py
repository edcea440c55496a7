"""The pages of Afviste indberetninger: the list of open rejections (`/afviste`), one of them
as a form (`/afviste/{reference}`), and its resubmission (POST, CSRF-checked). Its own router,
given the app's session, CSRF and rendering (`PageTools`) by `create_http_app`."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.console.adapters.platform_api import PlatformApi
from services.console.application import rejections
from services.console.domain.concern_correction import concern_from_form
from services.console.domain.rejected_input import MAX_PERSONS, document_from_form
from services.console.domain.user import User
from services.console.entrypoints.page_tools import FormRefused, PageTools
from shared.danish import iso_week_label

REFERENCE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MAX_FORM_FIELDS = 16 + 6 * MAX_PERSONS
MAX_DOCUMENT_BYTES = 256 * 1024
TITLE = "Afviste indberetninger"


def _accepted_message(answer: dict[str, Any]) -> str:
    if "concern_id" in answer:
        return (
            "Bekymringen "
            + (
                "var allerede registreret"
                if answer.get("status") == "duplicate"
                else "er registreret"
            )
            + ", og afvisningen er lukket. Den kommer på dagsordenen til mødet i "
            + f"{iso_week_label(str(answer.get('iso_week', '')))}."
        )
    journal = answer.get("journal_number", "")
    revision = answer.get("revision")
    already = answer.get("status") in ("duplicate", "superseded")
    return (
        f"Indberetningen {journal} (version {revision}) "
        + ("var allerede modtaget" if already else "er modtaget")
        + ", og afvisningen er lukket."
    )


def rejection_router(api: PlatformApi, tools: PageTools) -> APIRouter:
    router = APIRouter()

    async def corrector(request: Request) -> User:
        user = await tools.current_user(request)
        if not user.corrects_rejections:
            raise StarletteHTTPException(404)
        return user

    @router.get("/afviste", response_class=HTMLResponse)
    async def rejection_list(request: Request, fra: int = 0) -> Response:
        user = await corrector(request)
        view = await rejections.open_rejections(api, user, max(0, min(fra, 1_000_000)))
        return tools.render(request, "rejections.html", user, title=TITLE, **view)

    @router.get("/afviste/{reference}", response_class=HTMLResponse)
    async def rejection(request: Request, reference: str) -> Response:
        user = await corrector(request)
        if REFERENCE.fullmatch(reference) is None:
            raise StarletteHTTPException(404)
        view = await rejections.rejection(api, user, reference)
        return tools.render(
            request, "rejection.html", user, title="Ret og indsend igen", reference=reference,
            **view,
        )  # fmt: skip

    @router.post("/afviste/{reference}")
    async def resubmit(request: Request, reference: str) -> Response:
        user = await corrector(request)
        form = await tools.checked_form(
            request, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_DOCUMENT_BYTES
        )
        if REFERENCE.fullmatch(reference) is None:
            raise FormRefused
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        document: Any = None
        text: str | None = None
        if values.get("format") == "tekst":
            text = values.get("dokument", "")
            corrected = text.encode()
        elif values.get("format") == "bekymring":
            document = concern_from_form(values)
            corrected = json.dumps(document, ensure_ascii=False).encode()
        else:
            persons = values.get("personer", "0")
            count = int(persons) if persons.isdigit() else 0
            document = document_from_form(values, min(count, MAX_PERSONS))
            corrected = json.dumps(document, ensure_ascii=False).encode()
        answer, problems, error = await rejections.resubmit(api, user, reference, corrected)
        if answer is not None:
            tools.flash(request, _accepted_message(answer))
            return tools.redirect("/afviste")
        if error is not None:
            tools.flash(request, error, "error")
            return tools.redirect(f"/afviste/{reference}")
        # Still invalid: the form again, as it was sent, with each problem at its field.
        kept = await rejections.rejection(api, user, reference)
        if kept.get("rejection") is None:
            return tools.render(
                request, "rejection.html", user, status_code=422, title="Ret og indsend igen",
                reference=reference, **kept,
            )  # fmt: skip
        view = rejections.correction_view(kept["rejection"], document, problems)
        if text is not None:
            view["text"] = text
        return tools.render(
            request, "rejection.html", user, status_code=422, title="Ret og indsend igen",
            reference=reference, still_invalid=True, problems=[], **view,
        )  # fmt: skip

    return router
