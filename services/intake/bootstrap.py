"""Wires intake: settings → secrets → application → service → entry points."""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from pathlib import Path

from eventsourcing.utils import get_topic
from fastapi import FastAPI

from services.intake.adapters.cipher import RETIRED_KEYS, StoreCipher
from services.intake.adapters.publications import intake_publications
from services.intake.application.access_policy import IntakeAction
from services.intake.application.app import IntakeApplication
from services.intake.application.erasure import Eraser
from services.intake.application.identities import IdentityDirectory
from services.intake.application.retention import RetentionJob
from services.intake.application.service import IntakeService
from services.intake.domain.concerns import ConcernRecord
from services.intake.domain.model import CaseRegisterEntry, IncidentRecord, RejectedInput
from services.intake.domain.pseudonym import Pseudonymiser
from services.intake.entrypoints.http import create_http_app
from services.intake.entrypoints.kafka import CONSUMERS
from services.intake.settings import IntakeSettings
from shared.auth import AccessControl, ServiceAuth
from shared.clock import Clock, utc_now
from shared.contracts import (
    INTAKE_CASE_EVENTS,
    INTAKE_CONCERNS,
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    PERSON_ERASURES,
    dead_letter_topic,
)
from shared.eventstore import store_env
from shared.eventstore.erasure import ErasedPerson
from shared.files import private_directory
from shared.keys.keyring import PersonKeyring
from shared.runtime import ServiceContext, ServiceDefinition
from shared.secret_checks import listed_keys
from shared.service_parts import service_with_parts
from shared.settings import ConfigurationRefused, refuse_unsafe_production

log = logging.getLogger(__name__)
NAME = "intake"
Parts = tuple[IntakeService, IdentityDirectory, Eraser, RetentionJob]


def development_secrets(data_dir: Path) -> dict[str, str]:
    """Secrets for the embedded default, created once and kept in the data directory."""
    path = data_dir / "secrets" / "intake.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    private_directory(path.parent)
    values = {
        "pseudonym_secret": secrets.token_hex(32),
        "store_cipher_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(values, out)
    log.warning(
        "intake: created DEVELOPMENT secrets in %s (pseudonym key, store key); "
        "set INTAKE_PSEUDONYM_SECRET and INTAKE_STORE_CIPHER_KEY in production",
        path,
    )
    return values


def resolved_secrets(settings: IntakeSettings) -> dict[str, str]:
    configured = {
        "pseudonym_secret": settings.pseudonym_secret,
        "store_cipher_key": settings.store_cipher_key,
    }
    values: dict[str, str] = {}
    if not all(configured.values()):
        if settings.production:
            # Never development secrets in production (`ssp run` refuses earlier, naming all).
            refuse_unsafe_production({NAME: settings})
            raise ConfigurationRefused("intake: INTAKE_* secrets are missing in production")
        values.update(development_secrets(Path(settings.data_dir)))
    for name, secret in configured.items():
        if secret is not None:
            values[name] = secret.get_secret_value()
    return values


def build_keyring(settings: IntakeSettings, cipher_key: str) -> PersonKeyring:
    """The per-person data keys, wrapped by INTAKE_KEY_WRAPPING_KEY (unset: the store key)."""
    current, retired = settings.wrapping_keys(cipher_key)
    return PersonKeyring.open(settings, current, retired)


def build_application(settings: IntakeSettings, cipher_key: str) -> IntakeApplication:
    env = store_env(
        settings,
        NAME,
        CIPHER_TOPIC=get_topic(StoreCipher),
        CIPHER_KEY=cipher_key,
        **{RETIRED_KEYS: ",".join(listed_keys(settings.retired_store_cipher_keys))},
    )
    return IntakeApplication(env=env, keyring=build_keyring(settings, cipher_key))


def pseudonymiser(app: IntakeApplication, pseudonym_secret: str) -> Pseudonymiser:
    """Pseudonyms that skip an erased person's (a later incident starts afresh)."""
    return Pseudonymiser(pseudonym_secret.encode(), erased=app.keyring.is_erased)


def build_service(
    settings: IntakeSettings,
    app: IntakeApplication,
    pseudonym_secret: str,
    clock: Clock = utc_now,
) -> IntakeService:
    return IntakeService(
        app,
        pseudonymiser(app, pseudonym_secret),
        served_municipalities=settings.municipalities,
        max_message_bytes=settings.kafka_max_message_bytes,
        clock=clock,
        correction_match=settings.correction_match,
    )


def definition(
    settings: IntakeSettings | None = None, *, clock: Clock = utc_now
) -> ServiceDefinition:
    """`clock` stamps acceptances and rejections; tests inject their own."""
    settings = settings or IntakeSettings()
    values = resolved_secrets(settings)
    auth = ServiceAuth(
        settings,
        NAME,
        rate_limits={IntakeAction.RESOLVE_IDENTITY: settings.identity_resolutions_per_hour},
    )

    def build() -> tuple[IntakeApplication, Parts]:
        app = build_application(settings, values["store_cipher_key"])
        service = build_service(settings, app, values["pseudonym_secret"], clock)
        service.rejections.catch_up()  # the open rejections, rebuilt from the store at start
        identities = IdentityDirectory(app, pseudonymiser(app, values["pseudonym_secret"]))
        eraser = Eraser(app, clock)
        return app, (
            service,
            identities,
            eraser,
            RetentionJob(eraser, settings.retention_rules, clock),
        )

    def http(ctx: ServiceContext, parts: Parts, access: AccessControl) -> FastAPI:
        service, identities, eraser, _ = parts
        return create_http_app(ctx, service, identities, eraser, access, settings)

    return service_with_parts(
        NAME,
        settings,
        build,
        consumers=CONSUMERS,
        consuming=lambda parts: parts[0],
        http=http,
        daily=[lambda parts: parts[3]],
        clock=clock,
        daily_check_interval_s=settings.retention_check_interval_s,
        auth=auth,
        produces=[
            INTAKE_INCIDENTS,
            INTAKE_CASE_EVENTS,
            INTAKE_CONCERNS,
            INTAKE_REJECTED,
            PERSON_ERASURES,
            dead_letter_topic(NAME),
        ],
        publications=intake_publications,
        publish_original_on_dead_letter=False,
        rejects_oversized_input=True,
        published_events=[
            IncidentRecord.Received,
            IncidentRecord.RevisionAccepted,
            RejectedInput.Recorded,
            RejectedInput.SealedRecorded,
            CaseRegisterEntry.Received,
            ConcernRecord.Registered,
            ErasedPerson.Recorded,
        ],
    )
