"""Wires triage: settings → keyring → application → service → entry points."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

from services.triage.adapters.profile_files import load_profiles
from services.triage.adapters.publications import PUBLISHED_TOPICS, triage_publications
from services.triage.application.app import TriageApplication
from services.triage.application.retention import MeetingRetention
from services.triage.application.service import TriageService
from services.triage.domain.adulthood import HANDOVER_COMPLETED, HANDOVER_OPENED
from services.triage.domain.exit_referrals import PersonExitReferral
from services.triage.domain.incident_triage import IncidentTriage
from services.triage.domain.meetings import MEETING_EVENTS
from services.triage.domain.profiles import ProfileBook
from services.triage.entrypoints.birthday_task import check_birthdays_forever
from services.triage.entrypoints.http import create_http_app
from services.triage.entrypoints.kafka import CONSUMERS
from services.triage.settings import WRAPPING_KEY, TriageSettings
from shared.clock import Clock, utc_now
from shared.contracts import dead_letter_topic
from shared.eventstore import store_env
from shared.files import development_secret
from shared.keys.keyring import PersonKeyring, WrappingKey
from shared.runtime import ServiceDefinition
from shared.service_parts import service_with_parts
from shared.settings import ConfigurationRefused

NAME = "triage"
log = logging.getLogger(__name__)
DEVELOPMENT_KEY_FILE = Path("secrets") / "triage.json"


def wrapping_key(settings: TriageSettings) -> WrappingKey:
    """The key wrapping triage's data keys: configured, or (never in production) a
    development key created once in the data directory."""
    if settings.key_wrapping_key is not None:
        return WrappingKey.of(base64.b64decode(settings.key_wrapping_key.get_secret_value()))
    if settings.production:
        raise ConfigurationRefused(f"triage: {WRAPPING_KEY} is missing in production")
    path = Path(settings.data_dir) / DEVELOPMENT_KEY_FILE
    key, created = development_secret(path, "key_wrapping_key")
    if created:
        log.warning(
            "triage: created a DEVELOPMENT key wrapping key in %s; set %s in production",
            path,
            WRAPPING_KEY,
        )
    return WrappingKey.of(bytes.fromhex(key))


def build_keyring(settings: TriageSettings) -> PersonKeyring:
    """Triage's keyring: `<data_dir>/triage-keys.sqlite`, or its tables in PostgreSQL."""
    return PersonKeyring.open(
        settings, wrapping_key(settings), settings.retired_keys(), service=NAME
    )


def build_service(
    settings: TriageSettings,
    app: TriageApplication,
    clock: Clock,
    profiles: ProfileBook | None = None,
) -> TriageService:
    """Triage's service on `app`. `profiles`: those `definition` loaded at start; when not
    given (tests), read from `settings.profiles_dir`."""
    return TriageService(
        app,
        profiles=profiles if profiles is not None else load_profiles(settings.profiles_dir),
        clock=clock,
        served_municipalities=settings.municipalities,
    )


def definition(
    settings: TriageSettings | None = None, *, clock: Clock = utc_now
) -> ServiceDefinition:
    """`clock` is the time decisions are stamped with; tests inject their own. The municipality
    profiles are read and validated here, so a broken profile stops the start (`ProfileError`
    names each file, key and problem)."""
    settings = settings or TriageSettings()
    profiles = load_profiles(settings.profiles_dir)

    def build() -> tuple[TriageApplication, TriageService]:
        app = TriageApplication(env=store_env(settings, NAME), keyring=build_keyring(settings))
        return app, build_service(settings, app, clock, profiles)

    return service_with_parts(
        NAME,
        settings,
        build,
        consumers=CONSUMERS,
        http=create_http_app,
        tasks=[
            lambda ctx, service: check_birthdays_forever(
                ctx, service, settings.birthday_check_seconds
            )
        ],
        # Issue 18: the weekly meeting's minutes and concerns after their deadlines.
        daily=[lambda service: MeetingRetention(service.app, service.profiles)],
        clock=clock,
        release=lambda service: service.app.keyring.close(),
        produces=[*PUBLISHED_TOPICS, dead_letter_topic(NAME)],
        publications=triage_publications,
        published_events=[
            IncidentTriage.PersonRouted,
            IncidentTriage.PersonWithdrawn,
            IncidentTriage.PersonNotServed,
            IncidentTriage.DecisionUnchanged,
            PersonExitReferral.Referred,
            *MEETING_EVENTS,
            HANDOVER_OPENED,
            HANDOVER_COMPLETED,
        ],
    )
