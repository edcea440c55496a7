"""Files that hold personal data are readable by the service's own user only.

The data directory (SQLite event stores, audit trails, read models, development secrets) is
created with mode 0700, and each SQLite database file with 0600 before SQLite first opens it
(SQLite gives its journal and write-ahead-log files the database file's mode). Both are
tightened when they already exist with wider rights, e.g. from before this rule.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import uuid
from pathlib import Path

__all__ = ["development_secret", "private_directory", "private_sqlite_file"]

_SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_directory(path: Path) -> Path:
    """`path` (and missing parents) created; `path` itself readable by its owner only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def private_sqlite_file(path: Path) -> Path:
    """The SQLite database at `path` (its directory private too), created empty with mode
    0600 if missing, else tightened to 0600 with its journal files."""
    private_directory(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    for suffix in _SQLITE_COMPANIONS:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path.with_name(path.name + suffix), 0o600)
    return path


def development_secret(path: Path, name: str) -> tuple[str, bool]:
    """The random development secret `name` of the JSON file at `path` (readable by its owner
    only), created when missing; and whether this call created it.

    Several services start in one process: the file is written aside, then linked, so a
    reader never sees a half-written file and the first writer wins."""
    created = False
    if not path.exists():
        private_directory(path.parent)
        draft = path.with_name(f".{path.stem}-{uuid.uuid4().hex}.json")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({name: secrets.token_hex(32)}, out)
        try:
            os.link(draft, path)
            created = True
        except FileExistsError:
            pass
        finally:
            with contextlib.suppress(FileNotFoundError):
                draft.unlink()
    return str(json.loads(path.read_text())[name]), created
