"""The person's timeline page, `/tidslinje?person=pk_…` (issue 17): its own router, so the
console's app factory only includes it, giving it the app's session, CSRF and rendering
(`PageTools`)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.platform_api import PlatformApi
from services.console.application import timeline
from services.console.entrypoints.page_tools import PERSON_KEY, PageTools, looked_up


def timeline_router(api: PlatformApi, tools: PageTools) -> APIRouter:
    router = APIRouter()

    @router.get("/tidslinje", response_class=HTMLResponse)
    async def person_timeline(
        request: Request,
        person: str | None = Query(default=None, max_length=100),
        fra: int = Query(default=0, ge=0, le=1_000_000),
    ) -> Response:
        user = await tools.current_user(request)
        view = await looked_up(
            person,
            PERSON_KEY,
            "Et pseudonym skrives som pk_ efterfulgt af 16 til 64 tegn 0-9 og a-f, "
            "fx pk_9f2c4e1a7b3d5e6f.",
            {"person_key": person or "", "rows": None, "audit": None},
            lambda typed: timeline.person_timeline(api, user, typed, fra),
        )
        return tools.render(
            request,
            "timeline.html",
            user,
            title="Barnets tidslinje",
            within=timeline.within,
            **view,
        )

    return router
