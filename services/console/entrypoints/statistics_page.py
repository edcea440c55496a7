"""Statistik, `/statistik`: a meeting's week in figures. Its own router, given the app's
session and rendering (`PageTools`) by `create_http_app`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.platform_api import PlatformApi
from services.console.application import statistics as page
from services.console.entrypoints.page_tools import PageTools, meeting_weeks
from shared import danish


def statistics_router(api: PlatformApi, tools: PageTools) -> APIRouter:
    router = APIRouter()

    @router.get("/statistik", response_class=HTMLResponse)
    async def statistics(
        request: Request, kommune: str | None = None, uge: str | None = None
    ) -> Response:
        user, municipality, week = await tools.meeting_page(request, kommune, uge)
        view = await page.statistics(api, user, municipality, week)
        return tools.render(
            request,
            "statistics.html",
            user,
            title=f"Statistik, {danish.iso_week_label(week)}",
            **meeting_weeks(municipality, week),
            **view,
        )

    return router
