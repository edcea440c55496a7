"""The console's app: Min arbejdsliste, Ugens møde and its items, Sporing, Statistik, Afviste
indberetninger, Bekymring, Registrér opfølgning, the person's timeline and Kvalitetsgennemgang,
each page (or a resource's pages) a router in its own module (entrypoints/*_page.py,
*_pages.py), and login (entrypoints/login_pages.py). This module is the app factory: it wires
the session, CSRF, rendering and error handling every page shares (given to the routers as
`PageTools`) and includes the routers.

Server-rendered Danish HTML with plain forms. Sessions live in a signed, HttpOnly, SameSite=Lax
cookie (Secure behind https); every form carries the session's CSRF token, checked on every
POST. The console keeps nothing else: each page asks the services with the user's own token."""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from services.console.adapters.oidc import IdentityProvider
from services.console.adapters.platform_api import PlatformApi
from services.console.adapters.session_secret import session_secret
from services.console.domain.user import User
from services.console.domain.weeks import MUNICIPALITY, current_iso_week, valid_week
from services.console.entrypoints.caseworker_pages import caseworker_router
from services.console.entrypoints.concern_pages import concern_router
from services.console.entrypoints.follow_up_pages import follow_up_router
from services.console.entrypoints.login_pages import login_router
from services.console.entrypoints.meeting_pages import meeting_router
from services.console.entrypoints.page_tools import PageTools
from services.console.entrypoints.rejection_pages import rejection_router
from services.console.entrypoints.review_page import review_router
from services.console.entrypoints.statistics_page import statistics_router
from services.console.entrypoints.timeline_page import timeline_router
from services.console.entrypoints.trace_page import trace_router
from services.console.entrypoints.worklist_page import worklist_router
from services.console.settings import ConsoleSettings
from shared import danish
from shared.auth import InvalidToken, TokenVerifier
from shared.clock import Clock, utc_now
from shared.contracts.municipalities import municipality_name

HERE = Path(__file__).parent


class LoginRequired(Exception):
    pass


class FormRefused(Exception):
    """The CSRF token was missing or wrong, or a field out of bounds."""


class NotHere(Exception):
    """A page that does not exist here (e.g. the development login in production)."""


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

    # --- sessions, CSRF and rendering ----------------------------------------------------
    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not isinstance(token, str):
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return token

    async def checked_form(
        request: Request, max_fields: int = 20, max_part_size: int = 8192
    ) -> FormData:
        form = await request.form(max_files=0, max_fields=max_fields, max_part_size=max_part_size)
        sent = form.get("csrf_token")
        expected = request.session.get("csrf")
        if (
            not isinstance(sent, str)
            or not isinstance(expected, str)
            or not hmac.compare_digest(sent.encode(), expected.encode())
        ):
            raise FormRefused()
        return form

    def field(form: FormData, name: str, pattern: re.Pattern[str] | None = None) -> str:
        value = form.get(name)
        if not isinstance(value, str):
            return ""
        value = value.strip()
        if value and pattern is not None and pattern.fullmatch(value) is None:
            raise FormRefused()
        return value

    def flash(request: Request, message: str, kind: str = "info") -> None:
        # A new list: the session notices assignments, not changes inside what it holds.
        request.session["flash"] = [
            *request.session.get("flash", []),
            {"kind": kind, "text": message},
        ]

    def flash_outcome(request: Request, problem: str | None, done: str) -> None:
        """What a command met: its problem as an error, else what it did (`done`)."""
        if problem:
            flash(request, problem, "error")
        else:
            flash(request, done)

    async def current_user(request: Request) -> User:
        user = User.from_session(request.session.get("user"))
        if user is None:
            raise LoginRequired()
        try:
            if verifier.remote:
                await asyncio.to_thread(verifier.verify, user.token)
            else:
                verifier.verify(user.token)
        except InvalidToken:
            request.session.pop("user", None)
            flash(request, "Dit login er udløbet. Log ind igen.", "error")
            raise LoginRequired() from None
        return user

    def render(
        request: Request,
        template: str,
        user: User | None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        messages = request.session.pop("flash", [])
        return templates.TemplateResponse(
            request,
            template,
            {
                "user": user,
                "csrf": csrf_token(request),
                "flash": messages,
                "now": clock(),
                **context,
            },
            status_code=status_code,
        )

    def redirect(url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

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
        return redirect(f"/login?{urlencode({'naeste': target})}")

    @app.exception_handler(FormRefused)
    async def form_refused(request: Request, _: FormRefused) -> Response:
        user = User.from_session(request.session.get("user"))
        return render(
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
        return render(
            request, "error.html", None, status_code=404, title="Siden findes ikke",
            message="Siden findes ikke.",
        )  # fmt: skip

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        user = (
            User.from_session(request.session.get("user")) if "session" in request.scope else None
        )
        titles = {404: "Siden findes ikke", 405: "Det kan man ikke her"}
        return render(
            request,
            "error.html",
            user,
            status_code=exc.status_code,
            title=titles.get(exc.status_code, "Der opstod en fejl"),
            message="Siden findes ikke." if exc.status_code == 404 else "Prøv igen.",
        )

    def meeting_of(user: User, kommune: str | None, uge: str | None) -> tuple[str, str]:
        municipality = kommune if kommune and MUNICIPALITY.fullmatch(kommune) else None
        if municipality is None:
            municipality = user.municipalities[0] if user.municipalities else "000"
        week = uge if valid_week(uge) else current_iso_week(clock())
        assert week is not None
        return municipality, week

    async def meeting_page(
        request: Request, kommune: str | None, uge: str | None
    ) -> tuple[User, str, str]:
        """The signed-in user and the meeting (municipality, ISO week) their page asks for."""
        user = await current_user(request)
        return user, *meeting_of(user, kommune, uge)

    tools = PageTools(
        current_user=current_user,
        checked_form=checked_form,
        render=render,
        flash=flash,
        flash_outcome=flash_outcome,
        redirect=redirect,
        refused=FormRefused,
        not_here=NotHere,
        field=field,
        meeting_of=meeting_of,
        meeting_page=meeting_page,
        clock=clock,
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
