"""Min arbejdsliste, `/arbejdsliste`, and its task actions: complete or waive a letter task,
show its letter (`brev.pdf`), send it, and send the week's letters shown. Its own router, given
the app's session, CSRF and rendering (`PageTools`) by `create_http_app`."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.console.adapters.platform_api import PlatformApi
from services.console.application import worklist as page
from services.console.domain.user import User
from services.console.entrypoints.page_tools import FormRefused, PageTools
from shared import danish

TASK_ID = re.compile(r"[A-Za-z0-9:_.-]{1,200}")


def worklist_router(api: PlatformApi, tools: PageTools) -> APIRouter:
    router = APIRouter()

    async def task_command(request: Request, task_id: str) -> tuple[User, FormData]:
        """The signed-in user and the CSRF-checked form of an action on one letter task; a task
        id out of bounds refuses the form."""
        user = await tools.current_user(request)
        form = await tools.checked_form(request)
        if TASK_ID.fullmatch(task_id) is None:
            raise FormRefused
        return user, form

    @router.get("/arbejdsliste", response_class=HTMLResponse)
    async def worklist(request: Request, alle: str | None = None) -> Response:
        user = await tools.current_user(request)
        view = await page.worklist(api, user, tools.clock(), show_all=alle == "1")
        return tools.render(request, "worklist.html", user, title="Min arbejdsliste", **view)

    @router.post("/arbejdsliste/opgaver/{task_id}/afslut")
    async def complete_task(request: Request, task_id: str) -> Response:
        user, _ = await task_command(request, task_id)
        problem = await page.complete_task(api, user, task_id)
        tools.flash_outcome(request, problem, "Brevopgaven er markeret som afsluttet.")
        return tools.redirect("/arbejdsliste")

    @router.get("/arbejdsliste/opgaver/{task_id}/brev.pdf")
    async def letter_pdf(request: Request, task_id: str) -> Response:
        user = await tools.current_user(request)
        if TASK_ID.fullmatch(task_id) is None:
            raise StarletteHTTPException(404)
        pdf = await page.letter_pdf(api, user, task_id)
        if isinstance(pdf, page.LetterRefused):
            return tools.render(
                request, "error.html", user, status_code=pdf.status if pdf.status < 500 else 502,
                title="Brevet kan ikke vises", message=pdf.message,
            )  # fmt: skip
        return Response(
            content=pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": 'inline; filename="brev.pdf"'},
        )

    @router.post("/arbejdsliste/opgaver/{task_id}/send")
    async def send_letter(request: Request, task_id: str) -> Response:
        user, _ = await task_command(request, task_id)
        sent, message = await page.send_letter(api, user, task_id)
        tools.flash(request, message, "info" if sent else "error")
        return tools.redirect("/arbejdsliste")

    @router.post("/arbejdsliste/send-ugens-breve")
    async def send_week_letters(request: Request) -> Response:
        user = await tools.current_user(request)
        form = await tools.checked_form(request)
        show_all = tools.field(form, "alle") == "1"
        outcome = await page.send_shown_letters(api, user, tools.clock(), show_all)
        tools.flash(
            request,
            f"Ugens breve: sendt {outcome.sent}, fejl {len(outcome.failures)}.",
            "error" if outcome.failures else "info",
        )
        for failure in outcome.failures:
            tools.flash(request, f"Ikke sendt: {failure}", "error")
        return tools.redirect("/arbejdsliste?alle=1" if show_all else "/arbejdsliste")

    @router.post("/arbejdsliste/opgaver/{task_id}/frafald")
    async def waive_task(request: Request, task_id: str) -> Response:
        user, form = await task_command(request, task_id)
        reason = tools.field(form, "begrundelse")
        if reason not in danish.WAIVER_REASONS:
            raise FormRefused
        problem = await page.waive_task(api, user, task_id, reason)
        tools.flash_outcome(
            request,
            problem,
            f"Brevet er frafaldet: {danish.label(danish.WAIVER_REASONS, reason).lower()}.",
        )
        back = tools.field(form, "tilbage")
        return tools.redirect(back if back.startswith("/moede/punkt?") else "/arbejdsliste")

    return router
