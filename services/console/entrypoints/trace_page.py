"""Sporing, `/sporing?journal=…`: one journal number's way through the platform. Its own
router, given the app's session and rendering (`PageTools`) by `create_http_app`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.platform_api import PlatformApi
from services.console.application import trace as page
from services.console.entrypoints.page_tools import JOURNAL_NUMBER, PageTools, looked_up


def trace_router(api: PlatformApi, tools: PageTools) -> APIRouter:
    router = APIRouter()

    @router.get("/sporing", response_class=HTMLResponse)
    async def trace(request: Request, journal: str | None = None) -> Response:
        user = await tools.current_user(request)
        view = await looked_up(
            journal,
            JOURNAL_NUMBER,
            "Et journalnummer skrives som fire, fem, fem og to cifre med bindestreg, "
            "fx 3700-80123-00456-26.",
            {"journal_number": journal or "", "steps": None, "problems": []},
            lambda typed: page.trace(api, user, typed),
        )
        return tools.render(request, "trace.html", user, title="Sporing", **view)

    return router
