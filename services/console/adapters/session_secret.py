"""The secret that signs the console's session cookies: `CONSOLE_SESSION_SECRET`, else (outside
production only) a development secret created once in `$SSP_DATA_DIR/secrets/console.json`."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import uuid
from pathlib import Path

from services.console.settings import ConsoleSettings

log = logging.getLogger(__name__)
MIN_SECRET_BYTES = 32


def session_secret(settings: ConsoleSettings) -> str:
    if settings.session_secret is not None:
        secret = settings.session_secret.get_secret_value()
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError("CONSOLE_SESSION_SECRET must be at least 32 bytes")
        return secret
    if settings.environment == "production":
        raise ValueError("CONSOLE_SESSION_SECRET must be set in production")
    path = Path(settings.data_dir) / "secrets" / "console.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".console-{uuid.uuid4().hex}.json")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"session_secret": secrets.token_hex(32)}, out)
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
        log.warning("console: created a DEVELOPMENT session secret in %s", path)
    return str(json.loads(path.read_text())["session_secret"])
