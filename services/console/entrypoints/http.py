"""The console's app: Min arbejdsliste, Ugens møde and its items, Sporing, Statistik, Afviste
indberetninger, Bekymring, Registrér opfølgning, the person's timeline and Kvalitetsgennemgang,
each page (or a resource's pages) a router in its own module (entrypoints/*_page.py,
*_pages.py), and login (entrypoints/login_pages.py). This module is the app factory: it wires
the session cookie, the templates, the security headers and the error pages, makes the
`PageTools` every page shares (entrypoints/page_tools.py) and includes the routers.

Server-rendered Danish HTML with plain forms. Sessions live in a signed, HttpOnly, SameSite=Lax
cookie (Secure behind https); every form carries the session's CSRF token, checked on every
POST. The console keeps nothing else: each page asks the services with the user's own token."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from services.console.adapters.oidc import IdentityProvider
from services.console.adapters.platform_api import PlatformApi
from services.console.adapters.session_secret import session_secret
from services.console.domain.user import User
from services.console.entrypoints.caseworker_pages import caseworker_router
from services.console.entrypoints.concern_pages import concern_router
from services.console.entrypoints.follow_up_pages import follow_up_router
from services.console.entrypoints.login_pages import login_router
from services.console.entrypoints.meeting_pages import meeting_router
from services.console.entrypoints.page_tools import FormRefused, LoginRequired, NotHere, PageTools
from services.console.entrypoints.rejection_pages import rejection_router
from services.console.entrypoints.review_page import review_router
from services.console.entrypoints.statistics_page import statistics_router
from services.console.entrypoints.timeline_page import timeline_router
from services.console.entrypoints.trace_page import trace_router
from services.console.entrypoints.worklist_page import worklist_router
from services.console.settings import ConsoleSettings
from shared import danish
from shared.auth import TokenVerifier
from shared.clock import Clock, utc_now
from shared.contracts.municipalities import municipality_name

HERE = Path(__file__).parent


def create_http_app(
    settings: ConsoleSettings,
    api: PlatformApi,
    *,
    clock: Clock = utc_now,
    identity_provider: IdentityProvider | None = None,
) -> FastAPI:
    app = FastAPI(title="SSP console", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie="ssp_console",
        max_age=int(settings.session_hours * 3600),
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    env = templates.env
    env.filters["dato"] = danish.danish_date
    env.filters["tidspunkt"] = danish.danish_datetime
    env.globals.update(
        label=danish.label,
        ROLES=danish.ROLES,
        ROUTES=danish.ROUTES,
        LETTER_STATUSES=danish.LETTER_STATUSES,
        LETTER_KINDS=danish.LETTER_KINDS,
        INCIDENT_ROLES=danish.INCIDENT_ROLES,
        OFFENCES=danish.OFFENCES,
        SEVERITIES=danish.SEVERITIES,
        REASONS=danish.REASONS,
        WAIVER_REASONS=danish.WAIVER_REASONS,
        COURSE_TYPES=danish.COURSE_TYPES,
        SERVICES=danish.SERVICES,
        OWNER_ROLES=danish.OWNER_ROLES,
        FOLLOW_UP_KINDS=danish.FOLLOW_UP_KINDS,
        FOLLOW_UP_OUTCOMES=danish.FOLLOW_UP_OUTCOMES,
        ASSESSMENTS=danish.ASSESSMENTS,
        CONCERN_CATEGORIES=danish.CONCERN_CATEGORIES,
        REPORTER_KINDS=danish.REPORTER_KINDS,
        week_label=danish.iso_week_label,
        municipality_name=lambda code: municipality_name(code) or code,
    )
    verifier = TokenVerifier.from_settings(settings)
    if identity_provider is None and settings.oidc_configured:
        identity_provider = IdentityProvider(settings)

    tools = PageTools(templates, verifier, clock)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.url.path != "/static" and not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        target = request.url.path
        if request.method == "GET" and request.url.query:
            target += f"?{request.url.query}"
        return tools.redirect(f"/login?{urlencode({'naeste': target})}")

    @app.exception_handler(FormRefused)
    async def form_refused(request: Request, _: FormRefused) -> Response:
        user = User.from_session(request.session.get("user"))
        return tools.render(
            request,
            "error.html",
            user,
            status_code=403,
            title="Formularen blev afvist",
            message="Formularen var udløbet eller ufuldstændig. Gå tilbage, genindlæs siden og "
            "prøv igen.",
        )

    @app.exception_handler(NotHere)
    async def not_here(request: Request, _: NotHere) -> Response:
        return tools.render(
            request, "error.html", None, status_code=404, title="Siden findes ikke",
            message="Siden findes ikke.",
        )  # fmt: skip

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        user = (
            User.from_session(request.session.get("user")) if "session" in request.scope else None
        )
        titles = {404: "Siden findes ikke", 405: "Det kan man ikke her"}
        return tools.render(
            request,
            "error.html",
            user,
            status_code=exc.status_code,
            title=titles.get(exc.status_code, "Der opstod en fejl"),
            message="Siden findes ikke." if exc.status_code == 404 else "Prøv igen.",
        )

    app.include_router(login_router(settings, verifier, identity_provider, tools))
    app.include_router(worklist_router(api, tools))
    app.include_router(meeting_router(api, tools))
    app.include_router(trace_router(api, tools))
    app.include_router(timeline_router(api, tools))
    app.include_router(review_router(api, tools))
    app.include_router(statistics_router(api, tools))
    app.include_router(rejection_router(api, tools))
    app.include_router(concern_router(api, tools))
    app.include_router(follow_up_router(api, tools))
    app.include_router(caseworker_router(api, tools))
    return app
