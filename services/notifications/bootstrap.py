"""Wires notifications: settings → application → service → entry points."""

from __future__ import annotations

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
from shared.contracts import LETTER_TASKS, dead_letter_topic
from shared.eventstore import store_env
from shared.runtime import ServiceContext, ServiceDefinition, service_with_parts

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

    def build() -> tuple[NotificationsApplication, NotificationsService]:
        app = build_application(settings)
        service = build_service(settings, app, clock)
        service.index.catch_up()  # rebuilt from the store once, at start
        return app, service

    async def overdue_checks(ctx: ServiceContext, service: NotificationsService) -> None:
        await mark_overdue_tasks_forever(ctx, service, settings.overdue_check_seconds)

    return service_with_parts(
        NAME,
        settings,
        build,
        handler=lambda service: CONSUMERS.batch_handler(service, settings),
        http=create_http_app,
        tasks=[overdue_checks],
        consumes=CONSUMERS.topics,
        produces=[LETTER_TASKS, dead_letter_topic(NAME)],
        publications=notifications_publications,
        published_events=[LetterTaskCase.TaskChanged, AcuteLetterTask.TaskChanged],
    )
