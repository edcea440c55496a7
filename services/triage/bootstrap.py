"""Wires triage: settings → application → service → entry points."""

from __future__ import annotations

from typing import Any

from services.triage.adapters.profile_files import load_profiles
from services.triage.adapters.publications import triage_publications
from services.triage.application.app import TriageApplication
from services.triage.application.service import Clock, TriageService, utc_now
from services.triage.domain.exit_referrals import PersonExitReferral
from services.triage.domain.incident_triage import IncidentTriage
from services.triage.domain.profiles import ProfileBook
from services.triage.entrypoints.birthday_task import check_birthdays_forever
from services.triage.entrypoints.http import create_http_app
from services.triage.settings import TriageSettings
from shared.auth import ServiceAuth
from shared.contracts import (
    COURSES_EVENTS,
    INTAKE_CASE_EVENTS,
    INTAKE_INCIDENTS,
    LETTER_TASKS,
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_STATEMENTS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
    dead_letter_topic,
)
from shared.eventstore import store_env
from shared.runtime import ServiceContext, ServiceDefinition

NAME = "triage"


def build_service(
    settings: TriageSettings,
    app: TriageApplication,
    clock: Clock,
    profiles: ProfileBook | None = None,
) -> TriageService:
    return TriageService(
        app,
        incidents_topic=settings.topic(INTAKE_INCIDENTS),
        case_events_topic=settings.topic(INTAKE_CASE_EVENTS),
        profiles=profiles if profiles is not None else load_profiles(settings.profiles_dir),
        clock=clock,
        served_municipalities=settings.municipalities,
        letter_tasks_topic=settings.topic(LETTER_TASKS),
        courses_topic=settings.topic(COURSES_EVENTS),
    )


def definition(
    settings: TriageSettings | None = None, *, clock: Clock = utc_now
) -> ServiceDefinition:
    """`clock` is the time decisions are stamped with; tests inject their own. The municipality
    profiles are read and validated here, so a broken profile stops the start (`ProfileError`
    names each file, key and problem)."""
    settings = settings or TriageSettings()
    profiles = load_profiles(settings.profiles_dir)
    services: dict[str, TriageService] = {}
    auth = ServiceAuth(settings, NAME)

    def app_factory() -> TriageApplication:
        app = TriageApplication(env=store_env(settings, NAME))
        services["service"] = build_service(settings, app, clock, profiles)
        return app

    def handler_factory(_: Any) -> Any:
        return services["service"].handle_batch

    def http_factory(ctx: ServiceContext) -> Any:
        return create_http_app(ctx, services["service"], auth.access_control(ctx))

    async def birthday_checks(ctx: ServiceContext) -> None:
        await check_birthdays_forever(ctx, services["service"], settings.birthday_check_seconds)

    return ServiceDefinition(
        name=NAME,
        settings=settings,
        app_factory=app_factory,
        consumes=[INTAKE_INCIDENTS, INTAKE_CASE_EVENTS, LETTER_TASKS, COURSES_EVENTS],
        produces=[
            TRIAGE_CASEWORKER,
            TRIAGE_TOVHOLDER,
            TRIAGE_WITHDRAWALS,
            TRIAGE_EXIT_REFERRALS,
            TRIAGE_STATEMENTS,
            dead_letter_topic(NAME),
        ],
        handler_factory=handler_factory,
        publications=triage_publications,
        http_factory=http_factory,
        http_host=settings.http_host,
        http_port=settings.http_port,
        extra_tasks=[birthday_checks],
        on_stop=[auth.close],
        published_events=[
            IncidentTriage.PersonRouted,
            IncidentTriage.PersonWithdrawn,
            IncidentTriage.PersonNotServed,
            IncidentTriage.DecisionUnchanged,
            PersonExitReferral.Referred,
        ],
    )
