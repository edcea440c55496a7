"""What the access tests share: settings with a known signing key, tokens for every role, and
every service's app holding one record in reach of a Fredericia (607) user and one out of reach
(Guldborgsund, 376)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from services.courses.application.commands.trivsel import StartTrivsel
from services.courses.bootstrap import build_service as courses_service
from services.courses.bootstrap import definition as courses_definition
from services.courses.settings import CoursesSettings
from services.intake.bootstrap import definition as intake_definition
from services.intake.domain.pseudonym import Pseudonymiser
from services.intake.settings import IntakeSettings
from services.notifications.bootstrap import build_service as notifications_service
from services.notifications.bootstrap import definition as notifications_definition
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.settings import NotificationsSettings
from services.reporting.application.service import ReportingService
from services.reporting.bootstrap import definition as reporting_definition
from services.reporting.domain import observations
from services.reporting.settings import ReportingSettings
from services.triage.bootstrap import build_service as triage_service
from services.triage.bootstrap import definition as triage_definition
from services.triage.settings import TriageSettings
from shared.auth import DEFAULT_SCOPES, AuditLog, AuthSettings, Role, mint_development_token
from shared.contracts import AcceptedIncident, ExitReferral, RoutingDecision
from shared.eventstore import UnitOfWork
from shared.http import add_platform_routes
from shared.keys.service_keyring import open_service_keyring
from shared.runtime import ServiceContext
from tests.support import example
from tests.unit.courses.factories import FakeClock
from tests.unit.reporting.documents import (
    accepted_incident,
    exit_referral,
    person,
    routing_decision,
)

SIGNING_KEY = "test-signing-key-" + "k" * 32
PSEUDONYM_SECRET = "p" * 40
IN, OUT = "607", "376"
SCHOOL = "Kirstinebjergskolen"
WEEK = "2026-W47"
JOURNAL_IN = "3700-80123-00456-26"
JOURNAL_OUT = "3700-80999-00001-26"
CPR_IN = "120310-4123"  # Mads in the example incident, living in 607
CPR_OUT = "0101104321"
PK_IN = Pseudonymiser(PSEUDONYM_SECRET.encode()).person_key(CPR_IN)
PK_OUT = Pseudonymiser(PSEUDONYM_SECRET.encode()).person_key(CPR_OUT)
PK_UNKNOWN = "pk_" + "0" * 32
PURPOSE = {"X-Purpose": "handover meeting week 47"}


def auth_env(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "SSP_DATABASE_URL": "memory",
        "SSP_DATA_DIR": str(tmp_path),
        "SSP_AUTH_SIGNING_KEY": SIGNING_KEY,
        **extra,
    }


def signing_settings() -> AuthSettings:
    return AuthSettings(SSP_AUTH_SIGNING_KEY=SIGNING_KEY)


def mint(
    role: str,
    *,
    municipalities: Iterable[str] = (IN,),
    schools: Iterable[str] | None = None,
    scopes: Iterable[str] | None = None,
    subject: str | None = None,
    **kwargs: Any,
) -> str:
    if schools is None:
        schools = [SCHOOL] if role == Role.SCHOOL_REPRESENTATIVE else []
    if scopes is None:
        known = role in {r.value for r in Role}
        scopes = DEFAULT_SCOPES.get(Role(role), frozenset()) if known else ()
    return mint_development_token(
        signing_settings(),
        role=role,
        municipalities=municipalities,
        schools=schools,
        scopes=scopes,
        subject=subject or f"user-{role}",
        **kwargs,
    )


def headers(role: str, *, purpose: bool = True, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(role, **kwargs)}", **(PURPOSE if purpose else {})}


def invalid_document(municipality_code: str, cpr: str) -> bytes:
    return json.dumps(
        {
            "journal_number": "not-a-journal",
            "persons": [{"cpr": cpr, "role": "sigtet", "municipality_code": municipality_code}],
        }
    ).encode()


def incident_out_of_reach() -> dict[str, Any]:
    incident = example("incident-valid.json")
    incident["journal_number"] = JOURNAL_OUT
    incident["location"] = {"municipality_code": OUT, "text": "Nykøbing F"}
    incident["persons"] = [
        {"cpr": CPR_OUT, "name": "Emil Hansen", "role": "sigtet", "municipality_code": OUT}
    ]
    return incident


class Client:
    """A synchronous client of an app in this process (each request on its own event loop)."""

    def __init__(self, api: FastAPI) -> None:
        self.api = api

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return asyncio.run(self._send(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.api)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            return await client.request(method, url, **kwargs)


@dataclass
class ServiceUnderTest:
    api: FastAPI
    client: Client
    app: Any
    executor: ThreadPoolExecutor
    records: dict[str, str] = field(default_factory=dict)
    """Names of seeded records → their ids (rejected input references)."""
    seeder: Any = None
    """A second application service on the same store, for tests to add records with."""

    def seed(self, call: Any, *args: Any) -> Any:
        """Run `call(*args)` in the store thread (as the service's own calls run)."""
        return self.executor.submit(call, *args).result()

    @property
    def audit(self) -> AuditLog:
        audit: AuditLog = self.api.state.access_control.audit
        return audit

    def audit_count(self) -> int:
        return self.executor.submit(self.audit.count).result()


async def _ready() -> dict[str, bool]:
    return {"broker": True, "store": True}


@contextmanager
def _served(d: Any, settings: Any, name: str) -> Iterator[ServiceUnderTest]:
    executor = ThreadPoolExecutor(max_workers=1)
    app = executor.submit(d.app_factory).result()
    if app.keyring is None:  # as the runtime does: a keyring for its dead letters' keys
        app.keyring = open_service_keyring(settings, name)
    api = d.http_factory(ServiceContext(name, settings, app, executor))
    add_platform_routes(api, _ready, name)  # as the runtime does: health, spans, 422 bodies
    try:
        yield ServiceUnderTest(api, Client(api), app, executor)
    finally:
        for release in d.on_stop:
            executor.submit(release).result()
        executor.shutdown()


@contextmanager
def intake_under_test(tmp_path: Path, **extra: Any) -> Iterator[ServiceUnderTest]:
    settings = IntakeSettings(
        **auth_env(tmp_path, INTAKE_PSEUDONYM_SECRET=PSEUDONYM_SECRET, **extra)
    )
    with _served(intake_definition(settings), settings, "intake") as served:
        police = {"Authorization": f"Bearer {mint(Role.POLICE_INTEGRATION)}"}

        def submit(raw: bytes) -> dict[str, Any]:
            response = served.client.post("/v1/incidents", content=raw, headers=police)
            assert response.status_code in (202, 422), response.text
            body: dict[str, Any] = response.json()
            return body

        submit(json.dumps(example("incident-valid.json")).encode())
        submit(json.dumps(incident_out_of_reach()).encode())
        served.records["rejected_in"] = submit(invalid_document(IN, CPR_IN))["reference"]
        served.records["rejected_out"] = submit(invalid_document(OUT, CPR_OUT))["reference"]
        served.records["rejected_unreadable"] = submit(b"\xff not json")["reference"]
        yield served


def reject_case_events(served: ServiceUnderTest, *events: bytes) -> list[str]:
    """Case-register events received on Kafka by the served intake (its store), each rejected
    and kept; their references."""
    from services.intake.application.service import IntakeService
    from services.intake.entrypoints.kafka import CONSUMERS
    from shared.contracts import SOCIAL_CASES
    from shared.messaging.inbound import Inbound

    service = IntakeService(served.app, Pseudonymiser(PSEUDONYM_SECRET.encode()))
    handle = CONSUMERS.batch_handler(service)
    references = []
    for offset, value in enumerate(events, start=7):
        checked = service.check_case_event(value, f"{SOCIAL_CASES}|0|{offset}")
        references.append(str(getattr(checked, "reference")))  # noqa: B009 (rejected: _Invalid)
        served.seed(handle, [Inbound(SOCIAL_CASES, 0, offset, b"case", value)])
    return references


@contextmanager
def reporting_under_test(tmp_path: Path, **extra: Any) -> Iterator[ServiceUnderTest]:
    settings = ReportingSettings(**auth_env(tmp_path, **extra))
    with _served(reporting_definition(settings), settings, "reporting") as served:
        served.executor.submit(seed_reporting, served.app, settings).result()
        rebuilt = served.client.post("/v1/admin/rebuild", headers=headers(Role.OPERATIONS))
        assert rebuilt.status_code == 200, rebuilt.text
        yield served


def seed_reporting(app: Any, settings: ReportingSettings) -> None:
    """One person of 607 routed to the coordinator, one of 376 to a caseworker."""
    uow = UnitOfWork(app)
    reporting = ReportingService(app)
    incidents = [
        accepted_incident([person(PK_IN, 14, IN)], journal_number=JOURNAL_IN),
        accepted_incident([person(PK_OUT, 15, OUT)], journal_number=JOURNAL_OUT),
    ]
    for incident in incidents:
        reporting.observe(
            uow,
            observations.incident_accepted(AcceptedIncident.model_validate(incident)),
            service="intake",
            trace_id=None,
        )
    out_decision = routing_decision(
        PK_OUT, "caseworker", decided_at="2026-11-16T08:12:04+01:00", journal_number=JOURNAL_OUT
    )
    decisions = [
        routing_decision(PK_IN, "tovholder", decided_at="2026-11-16T08:12:03+01:00"),
        {**out_decision, "municipality_code": OUT},
    ]
    for decision in decisions:
        reporting.observe(
            uow,
            observations.routed(RoutingDecision.model_validate(decision)),
            service="triage",
            trace_id=None,
        )
    uow.commit()


def decision_in(
    municipality_code: str, person_key: str, journal_number: str, route: str = "tovholder"
) -> RoutingDecision:
    document = routing_decision(
        person_key, route, decided_at="2026-11-16T08:12:03+01:00", journal_number=journal_number
    )
    return RoutingDecision.model_validate({**document, "municipality_code": municipality_code})


@contextmanager
def triage_under_test(tmp_path: Path, **extra: Any) -> Iterator[ServiceUnderTest]:
    """JOURNAL_IN: PK_IN of 607 routed; JOURNAL_OUT: PK_OUT of 376 routed."""
    settings = TriageSettings(**auth_env(tmp_path, **extra))
    clock = FakeClock()
    with _served(triage_definition(settings, clock=clock), settings, "triage") as served:
        served.seeder = triage_service(settings, served.app, clock)
        for document in (
            accepted_incident([person(PK_IN, 14, IN)], journal_number=JOURNAL_IN),
            accepted_incident([person(PK_OUT, 15, OUT)], journal_number=JOURNAL_OUT),
        ):
            incident = AcceptedIncident.model_validate(document)
            assert served.seed(served.seeder.triage_incident, incident)
        yield served


@contextmanager
def notifications_under_test(tmp_path: Path, **extra: Any) -> Iterator[ServiceUnderTest]:
    """An open letter task for PK_IN (607) and one for PK_OUT (376), coordinator route."""
    # Intake is not running: the letter routes answer 502 after the access decision.
    extra.setdefault("SSP_INTAKE_URL", "http://127.0.0.1:9")
    settings = NotificationsSettings(**auth_env(tmp_path, **extra))
    clock = FakeClock()
    with _served(notifications_definition(settings, clock=clock), settings, "notifications") as (
        served
    ):
        served.seeder = notifications_service(settings, served.app, clock)
        served.seed(served.seeder.receive_decision, decision_in(IN, PK_IN, JOURNAL_IN))
        served.seed(served.seeder.receive_decision, decision_in(OUT, PK_OUT, JOURNAL_OUT))
        for name, key, journal in (
            ("task_in", PK_IN, JOURNAL_IN),
            ("task_out", PK_OUT, JOURNAL_OUT),
        ):
            served.records[name] = str(LetterTaskCase.create_id(journal, key))
        yield served


@contextmanager
def courses_under_test(tmp_path: Path, **extra: Any) -> Iterator[ServiceUnderTest]:
    """PK_IN (607) and PK_OUT (376) eligible for TRIVSEL+, each with a course started and an
    exit referral waiting; the clock stands still on Monday 16 November 2026."""
    settings = CoursesSettings(**auth_env(tmp_path, **extra))
    clock = FakeClock()
    with _served(courses_definition(settings, clock=clock), settings, "courses") as served:
        served.seeder = courses_service(settings, served.app, clock)
        for name, code, key, journal in (
            ("course_in", IN, PK_IN, JOURNAL_IN),
            ("course_out", OUT, PK_OUT, JOURNAL_OUT),
        ):
            served.seed(served.seeder.receive_decision, decision_in(code, key, journal))
            course = served.seed(served.seeder.start, trivsel_start(key, journal))
            served.records[name] = str(course.id)
            referral = exit_referral(key, journal_number=journal) | {"municipality_code": code}
            assert served.seed(served.seeder.receive, ExitReferral.model_validate(referral))
        yield served


def trivsel_start(person_key: str, journal_number: str) -> StartTrivsel:
    return StartTrivsel(
        person_key=person_key,
        journal_number=journal_number,
        step=2,
        rationale="",
        coordinator="ABJ",
        local_leader="KLM",
    )
