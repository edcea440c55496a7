"""Wires notifications: settings → application → service → entry points."""

from __future__ import annotations

from typing import Any

from services.notifications.adapters.publications import notifications_publications
from services.notifications.application.app import NotificationsApplication
from services.notifications.application.service import Clock, NotificationsService, utc_now
from services.notifications.domain.acute_letter import AcuteLetterTask
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.letters import Deadlines
from services.notifications.entrypoints.http import create_http_app
from services.notifications.entrypoints.kafka import CONSUMERS
from services.notifications.entrypoints.overdue_task import mark_overdue_tasks_forever
from services.notifications.settings import NotificationsSettings
from shared.auth import ServiceAuth
from shared.contracts import LETTER_TASKS, dead_letter_topic
from shared.eventstore import store_env
from shared.runtime import ServiceContext, ServiceDefinition

NAME = "notifications"


def build_application(settings: NotificationsSettings) -> NotificationsApplication:
    return NotificationsApplication(env=store_env(settings, NAME))


def build_service(
    settings: NotificationsSettings, app: NotificationsApplication, clock: Clock
) -> NotificationsService:
    return NotificationsService(
        app,
        deadlines=Deadlines.in_hours(
            tovholder=settings.tovholder_deadline_hours,
            caseworker=settings.caseworker_deadline_hours,
        ),
        clock=clock,
    )


def definition(
    settings: NotificationsSettings | None = None, *, clock: Clock = utc_now
) -> ServiceDefinition:
    """`clock` stamps task events and decides what is overdue; tests inject their own."""
    settings = settings or NotificationsSettings()
    services: dict[str, NotificationsService] = {}
    auth = ServiceAuth(settings, NAME)

    def app_factory() -> NotificationsApplication:
        app = build_application(settings)
        service = build_service(settings, app, clock)
        service.index.catch_up()  # rebuilt from the store once, at start
        services["service"] = service
        return app

    def handler_factory(_: Any) -> Any:
        return CONSUMERS.batch_handler(services["service"], settings)

    def http_factory(ctx: ServiceContext) -> Any:
        return create_http_app(ctx, services["service"], auth.access_control(ctx))

    async def overdue_checks(ctx: ServiceContext) -> None:
        await mark_overdue_tasks_forever(ctx, services["service"], settings.overdue_check_seconds)

    return ServiceDefinition(
        name=NAME,
        settings=settings,
        app_factory=app_factory,
        consumes=CONSUMERS.topics,
        produces=[LETTER_TASKS, dead_letter_topic(NAME)],
        handler_factory=handler_factory,
        publications=notifications_publications,
        http_factory=http_factory,
        http_host=settings.http_host,
        http_port=settings.http_port,
        extra_tasks=[overdue_checks],
        on_stop=[auth.close],
        published_events=[LetterTaskCase.TaskChanged, AcuteLetterTask.TaskChanged],
    )
