"""`ssp rewrap-keys <service>`: after a key-wrapping key is rotated, wrap every data key of the
service's keyring under the new one (the data sealed with the data keys is untouched).

It runs where the service's keyring is, with the service's settings:
- intake: `INTAKE_KEY_WRAPPING_KEY`, the old one in `INTAKE_RETIRED_WRAPPING_KEYS`;
- triage: `TRIAGE_KEY_WRAPPING_KEY`, the old one in `TRIAGE_RETIRED_WRAPPING_KEYS`;
- notifications, reporting (their dead letters' keys): `SSP_KEY_WRAPPING_KEY`, the old one in
  `SSP_RETIRED_WRAPPING_KEYS`;
- courses: `COURSES_NOTE_CIPHER_KEY`, the old one in `COURSES_RETIRED_NOTE_CIPHER_KEYS` (which
  also opens the follow-up notes sealed with it before issue 18: those stay in their stored
  events, so that key stays listed while they exist).
`ssp intake-rewrap-keys` is the older name for intake's.

`ssp reencrypt-store intake`: after `INTAKE_STORE_CIPHER_KEY` is rotated (the old key in
`INTAKE_RETIRED_STORE_CIPHER_KEYS`), encrypt every stored intake event with the new key. Intake
is the one service whose whole store is encrypted with a key of its own."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from shared.keys.keyring import PersonKeyring

console = Console()
KEYRINGS = ("intake", "triage", "notifications", "reporting", "courses")
"""The services whose keyring's wrapping key can be rotated in place."""
NOT_ROTATABLE = {"console": "the console keeps no personal data and has no keyring"}


def _keyring_of(service: str) -> PersonKeyring:
    """The service's keyring, opened with the current and the retired wrapping keys its
    settings name."""
    if service == "intake":
        from services.intake.bootstrap import build_keyring, resolved_secrets
        from services.intake.settings import IntakeSettings

        intake = IntakeSettings()
        return build_keyring(intake, resolved_secrets(intake)["store_cipher_key"])
    if service == "triage":
        from services.triage.bootstrap import build_keyring as build_triage_keyring
        from services.triage.settings import TriageSettings

        return build_triage_keyring(TriageSettings())
    if service == "courses":
        from services.courses.bootstrap import build_keyring as build_courses_keyring
        from services.courses.bootstrap import note_key
        from services.courses.settings import CoursesSettings

        courses = CoursesSettings()
        return build_courses_keyring(courses, note_key(courses))
    from shared.keys.service_keyring import open_service_keyring
    from ssp_platform.registry import settings_class

    return open_service_keyring(settings_class(service)(), service)


def rewrap_keys(
    service: Annotated[
        str, typer.Argument(help=f"the service whose keyring: {', '.join(KEYRINGS)}")
    ],
) -> None:
    """Wrap every data key of SERVICE's keyring that a retired key wraps under the current
    wrapping key; then list how many data keys each wrapping key wraps."""
    if service in NOT_ROTATABLE:
        console.print(f"{service}: {NOT_ROTATABLE[service]}")
        raise typer.Exit(2)
    if service not in KEYRINGS:
        known = ", ".join(KEYRINGS)
        raise typer.BadParameter(f"unknown service {service!r}; choose one of {known}")
    keyring = _keyring_of(service)
    try:
        try:
            rewrapped = keyring.rewrap()
        except ValueError as exc:  # a data key wrapped by a key the settings do not name
            console.print(f"{service}: {exc}; list it among the retired keys and run this again")
            raise typer.Exit(1) from None
        console.print(f"{rewrapped} data key(s) wrapped under {keyring.wrapping.key_id}")
        for key_id, count in sorted(keyring.count_by_wrapping_key().items()):
            console.print(f"  {key_id}: {count}")
    finally:
        keyring.close()


def intake_rewrap_keys() -> None:
    """Wrap every per-person data key wrapped under a retired key (INTAKE_RETIRED_WRAPPING_KEYS)
    under the current one (INTAKE_KEY_WRAPPING_KEY): `ssp rewrap-keys intake`."""
    rewrap_keys("intake")


def reencrypt_store(
    service: Annotated[str, typer.Argument(help="the service whose store: intake")],
) -> None:
    """Encrypt every stored event of SERVICE that a retired store key encrypted
    (INTAKE_RETIRED_STORE_CIPHER_KEYS) with the current one (INTAKE_STORE_CIPHER_KEY); when it
    is done, the retired store keys can go (after `ssp rewrap-keys intake`, while the store
    key wraps the data keys)."""
    if service != "intake":
        raise typer.BadParameter(
            f"{service!r} has no store key of its own; only intake's store is encrypted with one"
        )
    from services.intake.adapters.store_reencryption import Reencryption
    from services.intake.adapters.store_reencryption import reencrypt_store as reencrypt
    from services.intake.bootstrap import build_application, resolved_secrets
    from services.intake.settings import IntakeSettings

    settings = IntakeSettings()
    app = build_application(settings, resolved_secrets(settings)["store_cipher_key"])
    shown = -1

    def progress(done: Reencryption, total: int) -> None:
        nonlocal shown
        tenth = done.events * 10 // max(total, 1)
        if tenth > shown:
            shown = tenth
            console.print(
                f"{done.events:,} of {total:,} events read, {done.reencrypted:,} encrypted anew"
            )

    try:
        try:
            done = reencrypt(app, progress=progress)
        except ValueError as exc:
            console.print(f"intake: {exc}; list its key in INTAKE_RETIRED_STORE_CIPHER_KEYS")
            raise typer.Exit(1) from None
        console.print(
            f"{done.reencrypted:,} of {done.events:,} stored events encrypted anew; every one is "
            "under INTAKE_STORE_CIPHER_KEY now"
        )
    finally:
        app.close()
        app.keyring.close()
