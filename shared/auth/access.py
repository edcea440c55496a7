"""Access control for FastAPI routes: one guard per route, the policy decides, the audit trail
records every request the guard lets through or turns away.

    # once per app: binds the guards, fixed error bodies, the auditor's endpoints
    service_auth.access_control(ctx).install(api)

    @api.get("/v1/things/{municipality_code}")
    async def things(
        municipality_code: str, access: Annotated[Access, guard(ThingsAction.READ_THINGS)]
    ) -> list[Thing]:
        await access.require(Resource.of(municipality_code), conceal=False)   # 403 outside
        rows = [r for r in load() if access.permits(Resource.of(r.municipality, r.school))]
        access.note(term=municipality_code, person_keys=[r.person_key for r in rows])
        return rows

`ThingsAction` is the service's own `Action` subclass, declared with its grants in the
service's `application/access_policy.py` and registered with the policy engine.

The guard authenticates (401), asks the policy whether the role may perform the action at all
(403), requires a stated purpose for personal-data reads (400), applies rate limits (429), and
writes exactly one audit entry per request: at once when it refuses, else when the route ends
(before the response is sent, so nothing is returned without its audit entry).

This module is over 400 lines because it is one request's path: the guard, the `Access` it
hands the route and the `AccessControl` that admits, refuses and audits it call each other
throughout; apart, each would be read only with the others open.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import KW_ONLY, InitVar, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth.audit import AuditEntry, AuditLog, Result, audit_term_key, keyed_hash
from shared.auth.policy import ACTIONS, Action, Decision, PlatformAction, Resource, decide
from shared.auth.principal import Principal
from shared.auth.ratelimit import ClientLimiter, RateLimiter
from shared.auth.settings import AuthSettings
from shared.auth.tokens import InvalidToken, TokenVerifier
from shared.clock import Clock, utc_now
from shared.contracts.cpr import contains_cpr_like_number, mask_cpr_like_numbers

if TYPE_CHECKING:
    from shared.runtime import ServiceContext

log = logging.getLogger(__name__)

Runner = Callable[..., Awaitable[Any]]
PURPOSE_HEADER = "X-Purpose"
MAX_PURPOSE_CHARS = 500
_PERSON_KEY = re.compile(r"pk_[0-9a-f]{32}")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_MADE_BY_THE_PLATFORM = re.compile(f"{_PERSON_KEY.pattern}|{_UUID}", re.ASCII)
"""Person keys and UUIDs (references, ids): hex the platform made, in which ten digits in a
row occur by chance (in about one UUID in 85 and one person key in 30), not a CPR number."""
T = TypeVar("T")
_bearer = HTTPBearer(auto_error=False, description="A JWT from the identity provider")

_ROLE = ("role_not_allowed", "your role does not permit this")
_BODIES: dict[int, tuple[str, str]] = {
    400: ("purpose_required", f"state the purpose of this read in the {PURPOSE_HEADER} header"),
    401: ("unauthenticated", "a valid bearer token is required"),
    403: _ROLE,
    404: ("not_found", "not found"),
    429: ("rate_limited", "too many attempts; try again later"),
}
_REFUSAL_REASONS: dict[str, tuple[str, str]] = {
    "role_not_permitted": _ROLE,
    "scope_missing": ("role_not_allowed", "your token lacks the scope this needs"),
    "outside_municipality": (
        "municipality_not_allowed",
        "this concerns a municipality that is not in your token",
    ),
    "municipality_unknown": (
        "municipality_not_allowed",
        "this record's municipality cannot be told, so only a role with platform reach may",
    ),
    "outside_school": ("school_not_allowed", "this concerns a pupil of a school not in your token"),
}
"""A 403's code says why, from the policy's decision: the role, the municipality or the school.
A reason not listed (e.g. `social_services_withheld`) is the role's."""


class AccessRefused(HTTPException):
    """A refusal with a fixed body: it never says whether a record exists outside your reach."""

    def __init__(self, status_code: int, reason: str, headers: dict[str, str] | None = None):
        super().__init__(status_code, detail=_BODIES[status_code][1], headers=headers)
        self.reason = reason

    def body(self) -> dict[str, str | None]:
        error, message = _BODIES[self.status_code]
        if self.status_code == 403:
            error, message = _REFUSAL_REASONS.get(self.reason, (error, message))
        return {"error": error, "message": message, "field": None}


@dataclass
class Access:
    """The admitted caller of one request, and what the request's audit entry will say."""

    control: AccessControl
    action: Action
    principal: Principal
    purpose: str | None
    path_term: str | None = None
    """The request's path values (journal number, reference, ...): stored only when the
    request was permitted, and only without anything shaped like a CPR number."""
    refused_term: str = "-"
    """The route template and a keyed hash of the path and query: what a refused request's
    entry stores instead of their text."""
    term: str | None = None
    """What the route noted it read (a value it found, not one it was sent)."""
    person_keys: list[str] = field(default_factory=list)
    count: int | None = None
    recorded: bool = False

    def decide(self, resource: Resource) -> Decision:
        return decide(self.principal, self.action, resource)

    def permits(self, resource: Resource) -> bool:
        return self.decide(resource).allowed

    async def require(self, resource: Resource, *, conceal: bool) -> None:
        """Refuse unless the record is in reach: 404 when `conceal` (a person or record out of
        reach looks exactly like one that does not exist), else 403."""
        decision = self.decide(resource)
        if not decision.allowed:
            await self.refuse(decision, conceal=conceal)

    async def require_listing(self, municipality_code: str) -> None:
        """Refuse (403, the municipality is named in the request) unless the caller may list
        the municipality's records."""
        await self.require(Resource.listing_of(municipality_code), conceal=False)

    async def refuse(self, decision: Decision, *, conceal: bool) -> NoReturn:
        await self.record_outcome("denied", decision.reason)
        raise AccessRefused(404 if conceal else 403, decision.reason)

    def not_found(self) -> AccessRefused:
        return AccessRefused(404, "not_found")

    def found(self, record: T | None) -> T:
        """The record a route looked up, or the 404 for one that does not exist (`None`)."""
        if record is None:
            raise self.not_found()
        return record

    def note(
        self, *, term: str | None = None, person_keys: Any = (), count: int | None = None
    ) -> None:
        """What this request read: recorded in its audit entry when the route ends."""
        if term is not None:
            self.term = term
        self.person_keys.extend(person_keys)
        if count is not None:
            self.count = count

    async def finish(self, reason: str) -> None:
        if not self.recorded:
            await self.record_outcome("allowed", reason)

    async def record_outcome(self, result: Result, reason: str) -> None:
        """Write this request's audit entry (once; the guard calls it)."""
        self.recorded = True
        await self.control.record(
            principal=self.principal,
            action=self.action,
            result=result,
            reason=reason,
            purpose=self.purpose,
            term=self._audited_term(result, reason),
            count=self.count if result == "allowed" else None,
            person_keys=self.person_keys,
        )

    def _audited_term(self, result: Result, reason: str) -> str:
        """Never the raw text of a refused or failed request (a CPR number typed into a URL
        would become an undeletable audit row): its route template and keyed hash."""
        if result == "denied":
            return self.refused_term
        term = self.term
        if term is None and reason == "permitted":
            term = self.path_term
        if term is None or contains_cpr_like_number(_MADE_BY_THE_PLATFORM.sub(" ", term)):
            return self.refused_term
        return term


def guard(action: Action) -> Any:
    """The route's dependency, one per route: `access: Annotated[Access, guard(SomeAction.X)]`,
    or `dependencies=[guard(SomeAction.X)]` when the route makes no record-level decisions. It uses
    the AccessControl installed on the app (`install`), and fails closed without one."""
    ACTIONS[action]  # an action without a spec is a programming error: fail at import

    async def access_guard(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        purpose: Annotated[
            str | None,
            Header(
                alias=PURPOSE_HEADER,
                description="Why you read this (required for personal data; audited)",
            ),
        ] = None,
    ) -> AsyncIterator[Access]:
        control = getattr(request.app.state, "access_control", None)
        if not isinstance(control, AccessControl):
            raise RuntimeError("AccessControl.install(api) was not called for this app")
        access = await control.admit(action, request, credentials, purpose)
        try:
            yield access
        except AccessRefused as refused:
            await access.finish(refused.reason)
            raise
        except HTTPException as exc:
            await access.finish(f"http_{exc.status_code}")
            raise
        except Exception:
            await access.finish("error")
            raise
        await access.finish("permitted")

    access_guard.guarded_action = action  # type: ignore[attr-defined]  # OpenAPI, tests
    # "function": the audit entry is written when the route returns, before the response
    # leaves, so nothing is returned without its entry.
    return Depends(access_guard, scope="function")


@dataclass(eq=False, repr=False)
class AccessControl:
    service: str
    verifier: TokenVerifier
    audit: AuditLog
    run: Runner
    _: KW_ONLY
    rate_limits: InitVar[Mapping[Action, int] | None] = None
    term_key: bytes = b""
    unauthenticated_per_minute: InitVar[int] = 30
    clock: Clock = utc_now
    limiters: dict[Action, RateLimiter] = field(init=False)
    unauthenticated: ClientLimiter = field(init=False)

    def __post_init__(
        self, rate_limits: Mapping[Action, int] | None, unauthenticated_per_minute: int
    ) -> None:
        self.limiters = {action: RateLimiter(n) for action, n in (rate_limits or {}).items()}
        self.unauthenticated = ClientLimiter(unauthenticated_per_minute)

    # --- admission ------------------------------------------------------------------------
    async def admit(
        self,
        action: Action,
        request: Request,
        credentials: HTTPAuthorizationCredentials | None,
        purpose_header: str | None,
    ) -> Access:
        """Authenticate, check the role, the purpose and the rate; refusals are recorded."""
        spec = ACTIONS[action]
        requested = _person_keys_in_path(request)
        if credentials is None:
            await self._refuse_unknown(action, request, requested, "token_missing")
        try:
            principal = await self._verify(credentials.credentials)
        except InvalidToken as exc:
            await self._refuse_unknown(action, request, requested, exc.reason)
        purpose = _clean(purpose_header)
        if purpose is None and spec.purpose_in_body:
            purpose = await _purpose_in_body(request)
        access = Access(
            self,
            action,
            principal,
            purpose,
            path_term=_term(request),
            refused_term=self.refused_term(request),
            person_keys=requested,
        )
        decision = decide(principal, action)
        if not decision.allowed:
            await access.refuse(decision, conceal=False)
        if spec.reads_personal_data and access.purpose is None:
            await access.record_outcome("denied", "purpose_missing")
            raise AccessRefused(400, "purpose_missing")
        limiter = self.limiters.get(action)
        if limiter is not None:
            now = self.clock()
            if not limiter.attempt(principal.subject, now):
                await access.record_outcome("denied", "rate_limited")
                retry = str(limiter.retry_after_seconds(principal.subject, now))
                raise AccessRefused(429, "rate_limited", headers={"Retry-After": retry})
        return access

    async def _verify(self, token: str) -> Principal:
        if self.verifier.remote:  # the identity provider's keys may have to be fetched
            return await asyncio.to_thread(self.verifier.verify, token)
        return self.verifier.verify(token)

    def refused_term(self, request: Request) -> str:
        """The route template and a keyed hash of the path and query actually sent."""
        route = request.scope.get("route")
        template = str(getattr(route, "path", "-"))
        sent = request.url.path + ("?" + request.url.query if request.url.query else "")
        return f"{template} #{keyed_hash(self.term_key, sent)}"

    async def _refuse_unknown(
        self, action: Action, request: Request, person_keys: list[str], reason: str
    ) -> NoReturn:
        now = self.clock()
        client = request.client.host if request.client is not None else "-"
        attempts = self.unauthenticated.attempt(client, now)
        limit = self.unauthenticated.per_minute
        if attempts > limit:
            # Refused without a token, again and again: one entry per address and minute
            # says so, the rest are not written (the audit trail cannot be deleted).
            if attempts == limit + 1:
                log.warning("auth: %s: unauthenticated requests rate limited", self.service)
                await self._write(
                    AuditEntry(
                        at=now,
                        service=self.service,
                        subject="-",
                        role="-",
                        action=str(action),
                        result="denied",
                        reason="unauthenticated_rate_limited",
                        term=self.refused_term(request),
                    )
                )
            retry = str(self.unauthenticated.retry_after_seconds(now))
            raise AccessRefused(429, "rate_limited", headers={"Retry-After": retry})
        await self._write(
            AuditEntry(
                at=self.clock(),
                service=self.service,
                subject="-",
                role="-",
                action=str(action),
                result="denied",
                reason=reason,
                term=self.refused_term(request),
                person_keys=tuple(person_keys),
            )
        )
        error = ', error="invalid_token"' if reason != "token_missing" else ""
        raise AccessRefused(401, reason, headers={"WWW-Authenticate": f'Bearer realm="ssp"{error}'})

    # --- the audit trail -----------------------------------------------------------------
    async def record(
        self,
        *,
        principal: Principal,
        action: Action,
        result: Result,
        reason: str,
        purpose: str | None,
        term: str | None,
        count: int | None,
        person_keys: list[str],
    ) -> None:
        if result == "denied":
            # Codes only: the audit table, not the log, holds who and what.
            log.info(
                "auth: %s %s refused to a %s: %s", self.service, action, principal.role, reason
            )
        await self._write(
            AuditEntry(
                at=self.clock(),
                service=self.service,
                subject=principal.subject,
                role=principal.role,
                action=str(action),
                result=result,
                reason=reason,
                purpose=purpose,
                term=term,
                count=count,
                person_keys=tuple(person_keys),
            )
        )

    async def _write(self, entry: AuditEntry) -> None:
        await self.run(self.audit.record, entry)

    # --- installing into an app ----------------------------------------------------------
    def install(self, api: FastAPI) -> None:
        """Fixed error bodies for refusals, and the auditor's endpoints; the app's
        `state.access_control` is this object (tests read its audit trail there)."""
        api.state.access_control = self

        @api.exception_handler(AccessRefused)
        async def refused(_: Request, exc: AccessRefused) -> JSONResponse:
            return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)

        api.include_router(self.audit_router())

    def audit_router(self) -> APIRouter:
        router = APIRouter(tags=["audit trail"])

        @router.get(
            "/v1/audit",
            summary="Audit entries of this service (auditor only; the search is audited too)",
        )
        async def search(
            access: Annotated[Access, guard(PlatformAction.READ_AUDIT_TRAIL)],
            person_key: Annotated[str | None, Query(max_length=64)] = None,
            subject: Annotated[str | None, Query(max_length=200)] = None,
            since: datetime | None = None,
            until: datetime | None = None,
            limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
        ) -> dict[str, Any]:
            entries: list[AuditEntry] = await self.run(
                _search, self.audit, person_key, subject, since, until, limit
            )
            access.note(
                term=_search_term(person_key, subject, since, until),
                person_keys=[person_key] if person_key else [],
                count=len(entries),
            )
            return {"service": self.service, "entries": [e.as_json() for e in entries]}

        @router.get(
            "/v1/audit/export/{person_key}",
            summary="Who looked at this person, when and why (auditor only; audited)",
        )
        async def export(
            person_key: str, access: Annotated[Access, guard(PlatformAction.EXPORT_AUDIT_TRAIL)]
        ) -> dict[str, Any]:
            entries: list[AuditEntry] = await self.run(
                _search, self.audit, person_key, None, None, None, 100_000
            )
            access.note(term=person_key, count=len(entries))
            return {
                "person_key": person_key,
                "service": self.service,
                "generated_at": self.clock().isoformat(),
                "entries": [e.as_json() for e in entries],
            }

        return router


def _search(
    audit: AuditLog,
    person_key: str | None,
    subject: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[AuditEntry]:
    return audit.search(
        person_key=person_key,
        subject=subject,
        since=_aware(since),
        until=_aware(until),
        limit=limit,
    )


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _search_term(
    person_key: str | None, subject: str | None, since: datetime | None, until: datetime | None
) -> str:
    parts = {"person_key": person_key, "subject": subject, "since": since, "until": until}
    return " ".join(f"{k}={v}" for k, v in parts.items() if v is not None) or "all"


def _person_keys_in_path(request: Request) -> list[str]:
    return [
        str(value)
        for value in request.path_params.values()
        if _PERSON_KEY.fullmatch(str(value)) is not None
    ]


def _term(request: Request) -> str | None:
    # Path parameters are journal numbers, references, person keys, codes: never names.
    values = [str(v) for v in request.path_params.values()]
    return "/".join(values) if values else None


def _clean(purpose: str | None) -> str | None:
    if purpose is None:
        return None
    # A purpose is free text: a CPR number typed into it is not kept.
    cleaned = mask_cpr_like_numbers(" ".join(purpose.split())[:MAX_PURPOSE_CHARS])
    return cleaned or None


async def _purpose_in_body(request: Request) -> str | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    purpose = body.get("purpose") if isinstance(body, dict) else None
    return _clean(purpose) if isinstance(purpose, str) else None


class ServiceAuth:
    """A service's authentication and audit trail, built once in its bootstrap.

    The audit database is opened when the HTTP app is built (or first used) and closed by
    `close` (put it in the service definition's `on_stop`)."""

    def __init__(
        self,
        settings: AuthSettings,
        service: str,
        *,
        rate_limits: Mapping[Action, int] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.service = service
        self.verifier = TokenVerifier.from_settings(settings)
        self.rate_limits = dict(rate_limits or {})
        self.clock = clock
        self._audit: AuditLog | None = None

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            self._audit = AuditLog.open(self.settings, self.service)
        return self._audit

    def access_control(self, ctx: ServiceContext) -> AccessControl:
        return AccessControl(
            self.service,
            self.verifier,
            self.audit,
            ctx.in_store,
            rate_limits=self.rate_limits,
            term_key=audit_term_key(self.settings),
            unauthenticated_per_minute=self.settings.unauthenticated_per_minute,
            clock=self.clock,
        )

    def close(self) -> None:
        if self._audit is not None:
            self._audit.close()
