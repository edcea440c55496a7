"""Wires courses: settings → application → service → entry points."""

from __future__ import annotations

import base64
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from services.courses.adapters.course_events import PUBLISHED
from services.courses.adapters.follow_up_events import NAMES as FOLLOW_UP_EVENTS
from services.courses.adapters.note_cipher import NoteCipher
from services.courses.adapters.publications import courses_publications
from services.courses.adapters.texts import CourseTexts
from services.courses.application.app import CoursesApplication
from services.courses.application.service import CoursesService
from services.courses.domain.course import DeadlinePolicy
from services.courses.domain.retention import RetentionRules
from services.courses.entrypoints.http import create_http_app
from services.courses.entrypoints.kafka import CONSUMERS
from services.courses.entrypoints.overdue_task import emit_overdue_forever
from services.courses.settings import CoursesSettings
from shared.clock import Clock, utc_now
from shared.contracts import (
    COURSES_EVENTS,
    COURSES_FOLLOW_UPS,
    dead_letter_topic,
)
from shared.eventstore import store_env
from shared.files import private_directory
from shared.keys.keyring import PersonKeyring, WrappingKey
from shared.runtime import ServiceContext, ServiceDefinition
from shared.service_parts import service_with_parts
from shared.settings import ConfigurationRefused

NAME = "courses"
log = logging.getLogger(__name__)


def note_key(settings: CoursesSettings) -> bytes:
    """Courses' key (`COURSES_NOTE_CIPHER_KEY`): it wraps the per-person and per-record data
    keys of courses' keyring, and opens follow-up notes sealed with it before issue 18.
    Configured, or (never in production) a development key created once in the data
    directory."""
    if settings.note_cipher_key is not None:
        return base64.b64decode(settings.note_cipher_key.get_secret_value())
    if settings.production:
        raise ConfigurationRefused("courses: COURSES_NOTE_CIPHER_KEY is missing in production")
    path = Path(settings.data_dir) / "secrets" / "courses-note-key"
    if not path.exists():
        private_directory(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(secrets.token_bytes(32)).decode())
        log.warning(
            "courses: created a DEVELOPMENT note key in %s; set COURSES_NOTE_CIPHER_KEY in "
            "production",
            path,
        )
    return base64.b64decode(path.read_text().strip())


def build_keyring(settings: CoursesSettings, key: bytes) -> PersonKeyring:
    """Courses' keyring (`courses_person_keys`, `courses_erasures`): `<data_dir>/
    courses-keys.sqlite`, or its tables in the PostgreSQL database; its data keys wrapped by
    `key` or, until `ssp rewrap-keys courses`, by a retired one."""
    retired = WrappingKey.listed(settings.retired_note_cipher_keys)
    return PersonKeyring.open(settings, WrappingKey.of(key), retired, service=NAME)


def legacy_notes(settings: CoursesSettings, key: bytes) -> NoteCipher:
    """What opens the follow-up notes sealed before issue 18: the key, or a retired one."""
    retired = [k.key for k in WrappingKey.listed(settings.retired_note_cipher_keys)]
    return NoteCipher(key, retired)


def build_application(settings: CoursesSettings) -> CoursesApplication:
    return CoursesApplication(env=store_env(settings, NAME))


def build_service(
    settings: CoursesSettings, app: CoursesApplication, clock: Clock
) -> CoursesService:
    key = note_key(settings)
    keyring = build_keyring(settings, key)
    app.keyring = keyring  # its dead letters' keys too (shared/messaging/dead_letters.py)
    return CoursesService(
        app,
        policy=DeadlinePolicy(
            consent_pending=timedelta(days=settings.consent_pending_days),
            acute_letter=timedelta(hours=settings.acute_letter_deadline_hours),
        ),
        clock=clock,
        served_municipalities=settings.municipalities,
        texts=CourseTexts(keyring, legacy=legacy_notes(settings, key)),
        keyring=keyring,
        retention_rules=RetentionRules(
            settings.retention_years_after_closing, settings.retention_by_municipality
        ),
    )


def definition(
    settings: CoursesSettings | None = None, *, clock: Clock = utc_now
) -> ServiceDefinition:
    """`clock` stamps every course event and decides what is overdue; tests inject their own."""
    settings = settings or CoursesSettings()

    def build() -> tuple[CoursesApplication, CoursesService]:
        app = build_application(settings)
        service = build_service(settings, app, clock)
        service.index.catch_up()  # rebuilt from the store once, at start
        return app, service

    async def overdue_checks(ctx: ServiceContext, service: CoursesService) -> None:
        await emit_overdue_forever(ctx, service, settings.overdue_check_seconds)

    return service_with_parts(
        NAME,
        settings,
        build,
        consumers=CONSUMERS,
        http=create_http_app,
        tasks=[overdue_checks],
        # Issue 18: courses and follow-ups past their deadline, once a UTC day.
        daily=[lambda service: service.retention],
        clock=clock,
        release=lambda service: service.keyring.close(),
        produces=[COURSES_EVENTS, COURSES_FOLLOW_UPS, dead_letter_topic(NAME)],
        publications=courses_publications,
        # Every course and follow-up event is published; eligibility and referral records
        # are not.
        published_events=[*PUBLISHED, *FOLLOW_UP_EVENTS],
    )
