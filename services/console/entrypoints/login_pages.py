"""Logging in and out: `/login` (the identity provider, or in development a page that mints a
development token), the identity provider's callback, `/logout`, and `/`, which sends the
signed-in user to their first page. Its own router, given the app's session, CSRF and
rendering (`PageTools`) and the token verifier by `create_http_app`."""

from __future__ import annotations

import asyncio
import logging
import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.oidc import IdentityProvider
from services.console.domain.user import User
from services.console.domain.weeks import MUNICIPALITY
from services.console.entrypoints.page_tools import FormRefused, NotHere, PageTools
from services.console.settings import ConsoleSettings
from shared import danish
from shared.auth import DEFAULT_SCOPES, TokenVerifier, mint_development_token
from shared.auth.principal import Role

log = logging.getLogger(__name__)

SUBJECT = re.compile(r"[A-Za-z0-9._@-]{1,60}")
SCHOOL = re.compile(r"[\w .,'()-]{1,100}")
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_.~%?=&+-]*")


def safe_next(value: str | None) -> str:
    """A path of this console only: never another host (`//host`, `/\\host`)."""
    if value and len(value) <= 500 and LOCAL_PATH.fullmatch(value):
        return value
    return "/"


def login_router(
    settings: ConsoleSettings,
    verifier: TokenVerifier,
    identity_provider: IdentityProvider | None,
    tools: PageTools,
) -> APIRouter:
    router = APIRouter()

    @router.get("/login", response_class=HTMLResponse)
    async def login(request: Request, naeste: str | None = None) -> Response:
        return tools.render(
            request,
            "login.html",
            None,
            title="Log ind",
            development=settings.development_login_allowed,
            oidc=identity_provider is not None,
            roles=danish.LOGIN_ROLES,
            municipalities=settings.municipalities,
            next=safe_next(naeste),
        )

    def sign_in(request: Request, token: str) -> User:
        principal = verifier.verify(token)
        user = User(
            token=token,
            subject=principal.subject,
            role=principal.role,
            municipalities=tuple(sorted(principal.municipalities)),
            schools=tuple(sorted(principal.schools)),
        )
        request.session.clear()  # a new session: no fixation of the old one's CSRF token
        request.session["user"] = user.as_session()
        return user

    @router.post("/login/udvikling")
    async def development_login(request: Request) -> Response:
        if not settings.development_login_allowed:
            raise NotHere
        form = await tools.checked_form(request)
        role = tools.field(form, "rolle")
        municipality = tools.field(form, "kommune", MUNICIPALITY)
        school = tools.field(form, "skole", SCHOOL)
        subject = tools.field(form, "brugernavn", SUBJECT)
        if role not in danish.LOGIN_ROLES or municipality not in settings.municipalities:
            raise FormRefused
        if role == "school_representative" and not school:
            tools.flash(request, "En skolerepræsentant skal vælge sin skole.", "error")
            return tools.redirect("/login")
        token = mint_development_token(
            settings,
            role=role,
            municipalities=[municipality],
            schools=[school] if school else [],
            scopes=DEFAULT_SCOPES.get(Role(role), frozenset()),
            subject=subject or f"dev-{role}-{municipality}",
            hours=settings.session_hours,
        )
        sign_in(request, token)
        return tools.redirect(safe_next(tools.field(form, "naeste")))

    @router.get("/login/oidc")
    async def oidc_login(request: Request) -> Response:
        if identity_provider is None:
            raise NotHere
        base = (
            settings.public_url.rstrip("/")
            if settings.public_url
            else str(request.base_url).rstrip("/")
        )
        response: Response = await identity_provider.redirect(request, f"{base}/auth/callback")
        return response

    @router.get("/auth/callback")
    async def oidc_callback(request: Request) -> Response:
        if identity_provider is None:
            raise NotHere
        try:
            token = await identity_provider.token(request)
            if verifier.remote:
                await asyncio.to_thread(verifier.verify, token)
            sign_in(request, token)
        except Exception:
            log.warning("console: login with the identity provider failed", exc_info=True)
            tools.flash(
                request, "Login hos kommunens identitetsudbyder mislykkedes. Prøv igen.", "error"
            )
            return tools.redirect("/login")
        return tools.redirect("/")

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        await tools.checked_form(request)
        request.session.clear()
        tools.flash(request, "Du er logget ud.")
        return tools.redirect("/login")

    @router.get("/")
    async def home(request: Request) -> Response:
        user = await tools.current_user(request)
        if user.reads_letters or user.reads_courses:
            return tools.redirect("/arbejdsliste")
        if user.reads_meeting:
            return tools.redirect("/moede")
        if user.reads_statistics:
            return tools.redirect("/statistik")
        if user.reads_audit_trail:
            return tools.redirect("/tidslinje")
        return tools.redirect("/sporing")

    return router
