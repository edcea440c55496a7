"""Files that hold personal data are readable by the service's own user only.

The data directory (SQLite event stores, audit trails, read models, development secrets) is
created with mode 0700, and each SQLite database file with 0600 before SQLite first opens it
(SQLite gives its journal and write-ahead-log files the database file's mode). Both are
tightened when they already exist with wider rights, e.g. from before this rule.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["private_directory", "private_sqlite_file"]

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
