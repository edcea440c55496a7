"""Where the read models live: the same database as the event store, or SQLite beside it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from shared.settings import PlatformSettings
from shared.sql import service_engine

VIEWS_FILE = "reporting-views.sqlite"


def views_engine(settings: PlatformSettings) -> Engine:
    engine = service_engine(settings, VIEWS_FILE.removesuffix(".sqlite"))
    if engine.dialect.name == "sqlite" and settings.database_url != "memory":
        event.listen(engine, "connect", _write_ahead_log)
    return engine


def _write_ahead_log(dbapi_connection: Any, _: Any) -> None:
    """The projection commits after every batch it applies. In rollback-journal mode each
    commit syncs the file several times, and the projection runs on the store's thread; with
    a write-ahead log synced at checkpoints only, a crash may lose the last transactions, but
    each takes the position it saved with it, so they are applied again, and readers do not
    wait for the projection's writes."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
