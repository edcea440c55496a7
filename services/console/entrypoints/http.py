"""The console's pages: login (the identity provider, or in development a page that mints a
development token), Min arbejdsliste, Ugens møde and its items, Sporing and Statistik;
Afviste indberetninger (entrypoints/rejection_pages.py), the person's timeline
(entrypoints/timeline_page.py) and Kvalitetsgennemgang (entrypoints/review_page.py) are added
with the same session, CSRF and rendering.

Server-rendered Danish HTML with plain forms. Sessions live in a signed, HttpOnly, SameSite=Lax
cookie (Secure behind https); every form carries the session's CSRF token, checked on every
POST. The console keeps nothing else: each page asks the services with the user's own token.

Over 400 lines because it arrived with the console as one app factory whose pages share the
session, CSRF and error handling defined here; like the other services' APIs it is to become
one router per page (issue 13, part 6), which was done before the console landed."""

from __future__ import annotations

import asyncio
import hmac
import logging
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
from services.console.application import pages
from services.console.domain.user import User
from services.console.domain.weeks import MUNICIPALITY, current_iso_week, shift_week, valid_week
from services.console.entrypoints.caseworker_pages import add_caseworker_pages
from services.console.entrypoints.concern_pages import add_concern_pages
from services.console.entrypoints.follow_up_pages import add_follow_up_pages
from services.console.entrypoints.page_tools import PageTools, looked_up
from services.console.entrypoints.rejection_pages import add_rejection_pages
from services.console.entrypoints.review_page import review_router
from services.console.entrypoints.timeline_page import timeline_router
from services.console.settings import ConsoleSettings
from shared import danish
from shared.auth import DEFAULT_SCOPES, InvalidToken, TokenVerifier, mint_development_token
from shared.auth.principal import Role
from shared.clock import Clock, utc_now
from shared.contracts.common import JOURNAL_NUMBER_PATTERN
from shared.contracts.municipalities import municipality_name

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
JOURNAL_NUMBER = re.compile(JOURNAL_NUMBER_PATTERN)
PERSON_KEY = re.compile(r"pk_[0-9a-f]{16,64}")
TASK_ID = re.compile(r"[A-Za-z0-9:_.-]{1,200}")
SUBJECT = re.compile(r"[A-Za-z0-9._@-]{1,60}")
SCHOOL = re.compile(r"[\w .,'()-]{1,100}")
TEAM = re.compile(r"[\w .,'()/-]{1,120}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_.~%?=&+-]*")
MAX_TEXT = 1000


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

    # --- login ---------------------------------------------------------------------------
    def safe_next(value: str | None) -> str:
        """A path of this console only: never another host (`//host`, `/\\host`)."""
        if value and len(value) <= 500 and LOCAL_PATH.fullmatch(value):
            return value
        return "/"

    @app.get("/login", response_class=HTMLResponse)
    async def login(request: Request, naeste: str | None = None) -> Response:
        return render(
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

    @app.post("/login/udvikling")
    async def development_login(request: Request) -> Response:
        if not settings.development_login_allowed:
            raise NotHere()
        form = await checked_form(request)
        role = field(form, "rolle")
        municipality = field(form, "kommune", MUNICIPALITY)
        school = field(form, "skole", SCHOOL)
        subject = field(form, "brugernavn", SUBJECT)
        if role not in danish.LOGIN_ROLES or municipality not in settings.municipalities:
            raise FormRefused()
        if role == "school_representative" and not school:
            flash(request, "En skolerepræsentant skal vælge sin skole.", "error")
            return redirect("/login")
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
        return redirect(safe_next(field(form, "naeste")))

    @app.get("/login/oidc")
    async def oidc_login(request: Request) -> Response:
        if identity_provider is None:
            raise NotHere()
        base = (
            settings.public_url.rstrip("/")
            if settings.public_url
            else str(request.base_url).rstrip("/")
        )
        response: Response = await identity_provider.redirect(request, f"{base}/auth/callback")
        return response

    @app.get("/auth/callback")
    async def oidc_callback(request: Request) -> Response:
        if identity_provider is None:
            raise NotHere()
        try:
            token = await identity_provider.token(request)
            if verifier.remote:
                await asyncio.to_thread(verifier.verify, token)
            sign_in(request, token)
        except Exception:
            log.warning("console: login with the identity provider failed", exc_info=True)
            flash(request, "Login hos kommunens identitetsudbyder mislykkedes. Prøv igen.", "error")
            return redirect("/login")
        return redirect("/")

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await checked_form(request)
        request.session.clear()
        flash(request, "Du er logget ud.")
        return redirect("/login")

    # --- pages ---------------------------------------------------------------------------
    @app.get("/")
    async def home(request: Request) -> Response:
        user = await current_user(request)
        if user.reads_letters or user.reads_courses:
            return redirect("/arbejdsliste")
        if user.reads_meeting:
            return redirect("/moede")
        if user.reads_statistics:
            return redirect("/statistik")
        if user.reads_audit_trail:
            return redirect("/tidslinje")
        return redirect("/sporing")

    @app.get("/arbejdsliste", response_class=HTMLResponse)
    async def worklist(request: Request, alle: str | None = None) -> Response:
        user = await current_user(request)
        view = await pages.worklist(api, user, clock(), show_all=alle == "1")
        return render(request, "worklist.html", user, title="Min arbejdsliste", **view)

    @app.post("/arbejdsliste/opgaver/{task_id}/afslut")
    async def complete_task(request: Request, task_id: str) -> Response:
        user = await current_user(request)
        await checked_form(request)
        if TASK_ID.fullmatch(task_id) is None:
            raise FormRefused()
        problem = await pages.complete_task(api, user, task_id)
        flash_outcome(request, problem, "Brevopgaven er markeret som afsluttet.")
        return redirect("/arbejdsliste")

    @app.get("/arbejdsliste/opgaver/{task_id}/brev.pdf")
    async def letter_pdf(request: Request, task_id: str) -> Response:
        user = await current_user(request)
        if TASK_ID.fullmatch(task_id) is None:
            raise StarletteHTTPException(404)
        pdf = await pages.letter_pdf(api, user, task_id)
        if isinstance(pdf, pages.LetterRefused):
            return render(
                request, "error.html", user, status_code=pdf.status if pdf.status < 500 else 502,
                title="Brevet kan ikke vises", message=pdf.message,
            )  # fmt: skip
        return Response(
            content=pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": 'inline; filename="brev.pdf"'},
        )

    @app.post("/arbejdsliste/opgaver/{task_id}/send")
    async def send_letter(request: Request, task_id: str) -> Response:
        user = await current_user(request)
        await checked_form(request)
        if TASK_ID.fullmatch(task_id) is None:
            raise FormRefused()
        sent, message = await pages.send_letter(api, user, task_id)
        flash(request, message, "info" if sent else "error")
        return redirect("/arbejdsliste")

    @app.post("/arbejdsliste/send-ugens-breve")
    async def send_week_letters(request: Request) -> Response:
        user = await current_user(request)
        form = await checked_form(request)
        show_all = field(form, "alle") == "1"
        outcome = await pages.send_shown_letters(api, user, clock(), show_all)
        flash(
            request,
            f"Ugens breve: sendt {outcome.sent}, fejl {len(outcome.failures)}.",
            "error" if outcome.failures else "info",
        )
        for failure in outcome.failures:
            flash(request, f"Ikke sendt: {failure}", "error")
        return redirect("/arbejdsliste?alle=1" if show_all else "/arbejdsliste")

    @app.post("/arbejdsliste/opgaver/{task_id}/frafald")
    async def waive_task(request: Request, task_id: str) -> Response:
        user = await current_user(request)
        form = await checked_form(request)
        reason = field(form, "begrundelse")
        if TASK_ID.fullmatch(task_id) is None or reason not in danish.WAIVER_REASONS:
            raise FormRefused()
        problem = await pages.waive_task(api, user, task_id, reason)
        flash_outcome(
            request,
            problem,
            f"Brevet er frafaldet: {danish.label(danish.WAIVER_REASONS, reason).lower()}.",
        )
        back = field(form, "tilbage")
        return redirect(back if back.startswith("/moede/punkt?") else "/arbejdsliste")

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

    def meeting_weeks(municipality: str, week: str) -> dict[str, Any]:
        """What a page of one meeting's week shows beside it: the week and the weeks around."""
        return {
            "municipality": municipality,
            "week": week,
            "previous_week": shift_week(week, -1),
            "next_week": shift_week(week, 1),
        }

    @app.get("/moede", response_class=HTMLResponse)
    async def meeting(
        request: Request,
        kommune: str | None = None,
        uge: str | None = None,
        navne: str | None = None,
    ) -> Response:
        user, municipality, week = await meeting_page(request, kommune, uge)
        view = await pages.meeting(api, user, municipality, week, with_names=navne == "1")
        return render(
            request,
            "meeting.html",
            user,
            title=f"Ugens møde, {danish.iso_week_label(week)}",
            **meeting_weeks(municipality, week),
            **view,
        )

    @app.get("/moede/punkt", response_class=HTMLResponse)
    async def meeting_item(
        request: Request,
        journal: str,
        person: str,
        kommune: str | None = None,
        uge: str | None = None,
        navne: str | None = None,
    ) -> Response:
        user, municipality, week = await meeting_page(request, kommune, uge)
        if JOURNAL_NUMBER.fullmatch(journal) is None or PERSON_KEY.fullmatch(person) is None:
            raise StarletteHTTPException(404)
        view = await pages.meeting_item(
            api, user, municipality, week, journal, person, with_names=navne == "1"
        )
        return render(
            request,
            "item.html",
            user,
            title=f"Punkt på ugens møde, {journal}",
            municipality=municipality,
            week=week,
            journal_number=journal,
            person_key=person,
            names_shown=navne == "1",
            **view,
        )

    def item_form(form: FormData) -> tuple[str, str, str, str]:
        municipality = field(form, "kommune", MUNICIPALITY)
        week = field(form, "uge")
        journal = field(form, "journal", JOURNAL_NUMBER)
        person = field(form, "person", PERSON_KEY)
        if not valid_week(week) or not (municipality and journal and person):
            raise FormRefused()
        return municipality, week, journal, person

    def back_to_item(
        form: FormData, municipality: str, week: str, journal: str, person: str
    ) -> str:
        query = {"kommune": municipality, "uge": week, "journal": journal, "person": person}
        if field(form, "navne") == "1":
            query["navne"] = "1"
        return f"/moede/punkt?{urlencode(query)}"

    @app.post("/moede/punkt/beslutning")
    async def decide(request: Request) -> Response:
        user = await current_user(request)
        form = await checked_form(request)
        municipality, week, journal, person = item_form(form)
        route = field(form, "spor")
        owner_role = field(form, "ejer")
        owner_team = field(form, "team", TEAM) or None
        if route not in ("tovholder", "caseworker") or owner_role not in danish.OWNER_ROLES:
            raise FormRefused()
        revised, problem = await pages.revise_at_meeting(
            api, user, f"{municipality}/{week}", journal, person, route, owner_role, owner_team
        )
        if problem:
            flash(request, problem, "error")
        elif revised:
            flash(
                request,
                f"Beslutningen er registreret: {danish.label(danish.ROUTES, route)}, "
                f"ejer {danish.label(danish.ROLES, owner_role)}"
                + (f" ({owner_team})" if owner_team else "")
                + ".",
            )
        else:
            flash(request, "Mødet fastholdt spor og ejer; intet er ændret.")
        return redirect(back_to_item(form, municipality, week, journal, person))

    @app.post("/moede/punkt/handling")
    async def agree_action(request: Request) -> Response:
        user = await current_user(request)
        form = await checked_form(request)
        municipality, week, journal, person = item_form(form)
        what = field(form, "hvad")
        owner_role = field(form, "ansvarlig")
        owner_team = field(form, "ansvarligt_team", TEAM) or None
        due_on = field(form, "frist", DATE)
        if not what or len(what) > MAX_TEXT or owner_role not in danish.OWNER_ROLES or not due_on:
            flash(request, "Skriv hvad der er aftalt, vælg en ansvarlig og en frist.", "error")
            return redirect(back_to_item(form, municipality, week, journal, person))
        problem = await pages.agree_action(
            api,
            user,
            municipality,
            week,
            {
                "journal_number": journal,
                "person_key": person,
                "what": what,
                "owner_role": owner_role,
                "owner_team": owner_team,
                "due_on": due_on,
            },
        )
        flash_outcome(
            request,
            problem,
            f"Handlingen er aftalt: {danish.label(danish.ROLES, owner_role)} inden "
            f"{danish.danish_date(due_on)}.",
        )
        return redirect(back_to_item(form, municipality, week, journal, person))

    @app.post("/moede/punkt/note")
    async def record_note(request: Request) -> Response:
        user = await current_user(request)
        form = await checked_form(request)
        municipality, week, journal, person = item_form(form)
        text = field(form, "tekst")
        if not text or len(text) > MAX_TEXT:
            flash(request, "En note skal have 1 til 1000 tegn.", "error")
            return redirect(back_to_item(form, municipality, week, journal, person))
        problem = await pages.record_note(
            api,
            user,
            municipality,
            week,
            {"journal_number": journal, "person_key": person, "text": text},
        )
        flash_outcome(request, problem, "Noten er gemt i referatet.")
        return redirect(back_to_item(form, municipality, week, journal, person))

    @app.get("/sporing", response_class=HTMLResponse)
    async def trace(request: Request, journal: str | None = None) -> Response:
        user = await current_user(request)
        view = await looked_up(
            journal,
            JOURNAL_NUMBER,
            "Et journalnummer skrives som fire, fem, fem og to cifre med bindestreg, "
            "fx 3700-80123-00456-26.",
            {"journal_number": journal or "", "steps": None, "problems": []},
            lambda typed: pages.trace(api, user, typed),
        )
        return render(request, "trace.html", user, title="Sporing", **view)

    app.include_router(timeline_router(api, render, current_user))
    app.include_router(review_router(api, render, current_user, lambda: clock().year))

    @app.get("/statistik", response_class=HTMLResponse)
    async def statistics(
        request: Request, kommune: str | None = None, uge: str | None = None
    ) -> Response:
        user, municipality, week = await meeting_page(request, kommune, uge)
        view = await pages.statistics(api, user, municipality, week)
        return render(
            request,
            "statistics.html",
            user,
            title=f"Statistik, {danish.iso_week_label(week)}",
            **meeting_weeks(municipality, week),
            **view,
        )

    tools = PageTools(
        current_user=current_user,
        checked_form=checked_form,
        render=render,
        flash=flash,
        redirect=redirect,
        refused=FormRefused,
        field=field,
        meeting_of=meeting_of,
        meeting_page=meeting_page,
        clock=clock,
    )
    add_rejection_pages(app, api, tools)
    add_concern_pages(app, api, tools)
    add_follow_up_pages(app, api, tools)
    add_caseworker_pages(app, api, tools)
    return app
