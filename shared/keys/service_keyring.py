"""The keyring of a service that has none of its own (issue 18): where its dead letters' keys
live (shared/messaging/dead_letters.py). A service that keeps personal data under keys of its
own (intake) sets `app.keyring` itself; the runtime opens this one for the others.

Its data keys are wrapped by `SSP_KEY_WRAPPING_KEY`; unset, a development key created once in
`<data_dir>/secrets/platform-wrapping-key` (never in production: the service refuses to
start). After a rotation the old key is listed in `SSP_RETIRED_WRAPPING_KEYS` until `ssp
rewrap-keys <service>` has wrapped every data key anew."""

from __future__ import annotations

import base64
import logging
import os
import secrets
from pathlib import Path

from shared.files import private_directory
from shared.keys.keyring import PersonKeyring, WrappingKey
from shared.settings import ConfigurationRefused, PlatformSettings

log = logging.getLogger(__name__)


def platform_wrapping_key(settings: PlatformSettings) -> WrappingKey:
    if settings.key_wrapping_key is not None:
        return WrappingKey.of(base64.b64decode(settings.key_wrapping_key.get_secret_value()))
    if settings.production:
        raise ConfigurationRefused("SSP_KEY_WRAPPING_KEY is missing in production")
    path = Path(settings.data_dir) / "secrets" / "platform-wrapping-key"
    if not path.exists():
        private_directory(path.parent)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(secrets.token_bytes(32)).decode())
        try:
            os.link(draft, path)  # whole or not at all; another service may have made it first
            log.warning(
                "created a DEVELOPMENT key wrapping the services' data keys in %s; set "
                "SSP_KEY_WRAPPING_KEY in production",
                path,
            )
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return WrappingKey.of(base64.b64decode(path.read_text().strip()))


def open_service_keyring(settings: PlatformSettings, service: str) -> PersonKeyring:
    """`<service>_person_keys` / `<service>_erasures`: `<data_dir>/<service>-keys.sqlite`, the
    PostgreSQL database, or (the `memory` store) a private in-memory database."""
    if settings.database_url == "memory":
        return PersonKeyring.in_memory(service=service)
    retired = WrappingKey.listed(settings.retired_wrapping_keys)
    return PersonKeyring.open(settings, platform_wrapping_key(settings), retired, service=service)
