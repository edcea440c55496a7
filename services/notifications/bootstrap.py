"""Wires notifications: settings → application → service → entry points."""

from __future__ import annotations

import os

from fastapi import FastAPI

from services.notifications.adapters.digital_post import DigitalPostSender
from services.notifications.adapters.intake_client import IntakeRecipients
from services.notifications.adapters.letter_templates import LetterBook, LetterSetupError
from services.notifications.adapters.outbox_sender import OutboxSender
from services.notifications.adapters.publications import notifications_publications
from services.notifications.application.access_policy import NotificationsAction
from services.notifications.application.app import NotificationsApplication
from services.notifications.application.letters import LetterDesk, PersonFactsSource
from services.notifications.application.sending import LetterSender
from services.notifications.application.service import NotificationsService
from services.notifications.domain.acute_letter import AcuteLetterTask
from services.notifications.domain.caseworker_record import CaseworkerRecord
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.letters import Deadlines
from services.notifications.entrypoints.http import create_http_app
from services.notifications.entrypoints.kafka import CONSUMERS
from services.notifications.entrypoints.overdue_task import mark_overdue_tasks_forever
from services.notifications.settings import NotificationsSettings
from shared.auth import AccessControl
from shared.clock import Clock, utc_now
from shared.contracts import LETTER_TASKS, NOTIFICATIONS_ASSESSMENTS, dead_letter_topic
from shared.eventstore import store_env
from shared.keys.report import erasure_report_router
from shared.runtime import ServiceContext, ServiceDefinition
from shared.service_parts import service_with_parts

NAME = "notifications"


def build_application(settings: NotificationsSettings) -> NotificationsApplication:
    return NotificationsApplication(env=store_env(settings, NAME))


def build_service(
    settings: NotificationsSettings,
    app: NotificationsApplication,
    clock: Clock,
    sender: LetterSender | None = None,
) -> NotificationsService:
    return NotificationsService(
        app,
        deadlines=Deadlines.in_hours(
            tovholder=settings.tovholder_deadline_hours,
            caseworker=settings.caseworker_deadline_hours,
        ),
        clock=clock,
        sender=sender,
    )


def letter_book(settings: NotificationsSettings) -> LetterBook:
    """Every template of every profile rendered once: raises `LetterSetupError` naming each
    missing template, profile key or field (issue 16: at start-up, not when a letter is
    rendered)."""
    return LetterBook(settings.letter_profiles_dir, settings.letter_templates_dir)


def letter_sender(settings: NotificationsSettings) -> LetterSender:
    if settings.letter_channel == "digital_post":
        if not settings.digital_post_url or not settings.digital_post_api_key:
            raise LetterSetupError(
                "NOTIFICATIONS_LETTER_CHANNEL=digital_post needs NOTIFICATIONS_DIGITAL_POST_URL "
                "and NOTIFICATIONS_DIGITAL_POST_API_KEY"
            )
        return DigitalPostSender(settings.digital_post_url, settings.digital_post_api_key)
    return OutboxSender(settings.outbox_dir())


def intake_url(settings: NotificationsSettings) -> str:
    if settings.intake_url:
        return settings.intake_url
    host = os.environ.get("INTAKE_HTTP_HOST", "127.0.0.1")
    if host in ("0.0.0.0", "::"):  # noqa: S104 - compared, not bound
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('INTAKE_HTTP_PORT', '8081')}"


def build_letter_desk(
    settings: NotificationsSettings,
    service: NotificationsService,
    book: LetterBook,
    *,
    sender: LetterSender | None = None,
    recipients: PersonFactsSource | None = None,
) -> LetterDesk:
    return LetterDesk(
        service.app,
        service.index,
        book,
        sender or letter_sender(settings),
        recipients or IntakeRecipients(intake_url(settings)),
        service.clock,
    )


def definition(
    settings: NotificationsSettings | None = None, *, clock: Clock = utc_now
) -> ServiceDefinition:
    """`clock` stamps task events and decides what is overdue; tests inject their own."""
    settings = settings or NotificationsSettings()
    book = letter_book(settings)  # fails the start when a letter cannot be rendered
    sender = letter_sender(settings)
    desks: dict[str, LetterDesk] = {}

    def build() -> tuple[NotificationsApplication, NotificationsService]:
        app = build_application(settings)
        service = build_service(settings, app, clock, sender)
        service.index.catch_up()  # rebuilt from the store once, at start
        desks["desk"] = build_letter_desk(settings, service, book, sender=sender)
        return app, service

    def http(ctx: ServiceContext, service: NotificationsService, auth: AccessControl) -> FastAPI:
        api = create_http_app(ctx, service, auth, desks["desk"])
        # Its part of `ssp erasure-report`: its dead letters' erasures (the runtime's keyring).
        api.include_router(erasure_report_router(NotificationsAction.READ_ERASURE_REPORT))
        return api

    async def overdue_checks(ctx: ServiceContext, service: NotificationsService) -> None:
        await mark_overdue_tasks_forever(
            ctx, service, settings.overdue_check_seconds, desks["desk"]
        )

    return service_with_parts(
        NAME,
        settings,
        build,
        consumers=CONSUMERS,
        http=http,
        tasks=[overdue_checks],
        produces=[LETTER_TASKS, NOTIFICATIONS_ASSESSMENTS, dead_letter_topic(NAME)],
        publications=notifications_publications,
        published_events=[
            LetterTaskCase.TaskChanged,
            AcuteLetterTask.TaskChanged,
            CaseworkerRecord.Assessed,
            CaseworkerRecord.FamilyMeetingHeld,
        ],
    )
