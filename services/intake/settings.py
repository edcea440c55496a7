"""Intake's settings (environment variables; see the README's settings table)."""

from __future__ import annotations

import base64
from typing import ClassVar

from pydantic import Field, SecretStr

from services.intake.adapters.spreadsheet_guard import SpreadsheetLimits
from services.intake.domain.rejections import CorrectionMatch
from services.intake.domain.retention import (
    DEFAULT_POLICE_REPORT_YEARS,
    DEFAULT_REJECTED_INPUT_DAYS,
    MunicipalityRetention,
    RetentionRules,
)
from shared.auth import AuthSettings
from shared.keys.keyring import WrappingKey
from shared.secret_checks import key_problem, listed_keys_problem, secret_problem
from shared.settings import service_setting


class IntakeSettings(AuthSettings):
    wraps_its_own_keys: ClassVar[bool] = True  # INTAKE_KEY_WRAPPING_KEY, else the store key
    http_host: str = service_setting("INTAKE_HTTP_HOST", "127.0.0.1")
    http_port: int = service_setting("INTAKE_HTTP_PORT", 8081)
    pseudonym_secret: SecretStr | None = service_setting(
        "INTAKE_PSEUDONYM_SECRET",
        None,
        "Key of the HMAC-SHA256 person pseudonym. Unset: a development secret is "
        "created in the data directory (never in production).",
    )
    store_cipher_key: SecretStr | None = service_setting(
        "INTAKE_STORE_CIPHER_KEY",
        None,
        "Base64 AES-256 key encrypting intake's event store (identities, originals).",
    )
    retired_store_cipher_keys: SecretStr | None = service_setting(
        "INTAKE_RETIRED_STORE_CIPHER_KEYS",
        None,
        "Comma-separated base64 keys that encrypted intake's store before the current "
        "INTAKE_STORE_CIPHER_KEY; read until `ssp reencrypt-store intake` has encrypted "
        "every event anew.",
    )
    key_wrapping_key: SecretStr | None = service_setting(
        "INTAKE_KEY_WRAPPING_KEY",
        None,
        "Base64 AES-256 key wrapping the per-person data keys (issue 18); unset: "
        "the store key. Rotation: set the new key here, the old one in "
        "INTAKE_RETIRED_WRAPPING_KEYS, run `ssp rewrap-keys intake`.",
    )
    retired_wrapping_keys: SecretStr | None = service_setting(
        "INTAKE_RETIRED_WRAPPING_KEYS",
        None,
        "Comma-separated base64 keys that wrapped data keys before the current "
        "one; read until `ssp rewrap-keys intake` has wrapped everything anew.",
    )
    identity_resolutions_per_hour: int = service_setting(
        "INTAKE_IDENTITY_RESOLUTIONS_PER_HOUR",
        20,
        "Identity resolutions one user may attempt per hour.",
        ge=1,
    )
    meeting_resolutions_per_hour: int = service_setting(
        "INTAKE_MEETING_RESOLUTIONS_PER_HOUR",
        60,
        "Times one user may resolve the names of one meeting's agenda per hour "
        "(each time counts once, however many names).",
        ge=1,
    )
    import_max_bytes: int = service_setting(
        "INTAKE_IMPORT_MAX_BYTES",
        20 * 1024 * 1024,
        "Largest police list (CSV or XLSX) the import takes; larger: 413.",
        ge=1024,
    )
    import_max_rows: int = service_setting(
        "INTAKE_IMPORT_MAX_ROWS",
        10_000,
        "Rows a police list may have (header included), checked before parsing.",
        ge=2,
    )
    import_max_unpacked_bytes: int = service_setting(
        "INTAKE_IMPORT_MAX_UNPACKED_BYTES",
        100 * 1024 * 1024,
        "What an XLSX may unpack to, all parts together, checked before parsing.",
        ge=1024,
    )
    correction_match: CorrectionMatch = service_setting(
        "INTAKE_CORRECTION_MATCH",
        CorrectionMatch.JOURNAL_NUMBER,
        "Which later valid incident closes an open rejection: journal_number (the "
        "same journal number, a revision at least the rejected one's), "
        "journal_number_and_source (also the same police list), resubmission_only.",
    )

    retention_police_report_years: int = service_setting(
        "INTAKE_RETENTION_POLICE_REPORT_YEARS",
        DEFAULT_POLICE_REPORT_YEARS,
        "Years after a person's last police report or case event that the daily retention "
        "job erases them (reason retention_deadline); KLE's standard: 5.",
        ge=1,
        le=50,
    )
    retention_rejected_input_days: int = service_setting(
        "INTAKE_RETENTION_REJECTED_INPUT_DAYS",
        DEFAULT_REJECTED_INPUT_DAYS,
        "Days after a rejected input was corrected or resubmitted that the retention job "
        "destroys its own key (its original and every person's part unreadable); a "
        "municipality's own: INTAKE_RETENTION_BY_MUNICIPALITY.",
        ge=1,
        le=3650,
    )
    retention_by_municipality: dict[str, MunicipalityRetention] = Field(
        default_factory=dict,
        max_length=200,
        validation_alias="INTAKE_RETENTION_BY_MUNICIPALITY",
        description='Municipalities\' own deadlines, JSON: {"607": {"police_report_years": '
        '10, "rejected_input_days": 60}} (either may be left out: the default). A person known '
        "in several, or rejected input naming several, is kept for the longest.",
    )
    retention_check_interval_s: float = service_setting(
        "INTAKE_RETENTION_CHECK_INTERVAL_S",
        3600.0,
        "How often the retention job looks whether today's run is still due (it "
        "runs once a day, UTC).",
        gt=0,
    )

    @property
    def retention_rules(self) -> RetentionRules:
        return RetentionRules(
            police_report_years=self.retention_police_report_years,
            rejected_input_days=self.retention_rejected_input_days,
            by_municipality=dict(self.retention_by_municipality),
        )

    def production_problems(self) -> list[str]:
        found = super().production_problems()
        store_key = _value(self.store_cipher_key)
        problems = [
            secret_problem("INTAKE_PSEUDONYM_SECRET", self.pseudonym_secret),
            secret_problem("INTAKE_STORE_CIPHER_KEY", self.store_cipher_key),
            key_problem("INTAKE_STORE_CIPHER_KEY", store_key) if store_key else None,
            listed_keys_problem("INTAKE_RETIRED_STORE_CIPHER_KEYS", self.retired_store_cipher_keys),
            listed_keys_problem("INTAKE_RETIRED_WRAPPING_KEYS", self.retired_wrapping_keys),
        ]
        if 0 < len(_value(self.pseudonym_secret).encode()) < 32:
            problems.append("INTAKE_PSEUDONYM_SECRET is shorter than 32 bytes")
        return found + [problem for problem in problems if problem is not None]

    def wrapping_keys(self, store_key: str) -> tuple[WrappingKey, list[WrappingKey]]:
        """The current wrapping key (the store key unless set) and the retired ones (while the
        store key wraps the data keys, the retired store keys too)."""
        current = self.key_wrapping_key.get_secret_value() if self.key_wrapping_key else ""
        retired = WrappingKey.listed(self.retired_wrapping_keys)
        if not current:
            retired += WrappingKey.listed(self.retired_store_cipher_keys)
        return WrappingKey.of(base64.b64decode(current or store_key)), retired

    @property
    def spreadsheet_limits(self) -> SpreadsheetLimits:
        return SpreadsheetLimits(
            max_bytes=self.import_max_bytes,
            max_rows=self.import_max_rows,
            max_unpacked_bytes=self.import_max_unpacked_bytes,
        )


def _value(secret: SecretStr | None) -> str:
    return secret.get_secret_value() if secret is not None else ""
