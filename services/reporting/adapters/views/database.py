"""Where the read models live: the same database as the event store, or SQLite beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from shared.files import private_sqlite_file
from shared.settings import PlatformSettings

VIEWS_FILE = "reporting-views.sqlite"


def sqlalchemy_url(database_url: str) -> str:
    """SQLAlchemy's psycopg 3 URL for the platform's `postgresql://` URL."""
    scheme, separator, rest = database_url.partition("://")
    if not separator or scheme not in {"postgres", "postgresql"}:
        raise ValueError("SSP_DATABASE_URL must start with postgresql://")
    return f"postgresql+psycopg://{rest}"


def views_engine(settings: PlatformSettings) -> Engine:
    if settings.database_url == "memory":
        # One connection shared by every thread, or each would see its own empty database.
        return create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    if settings.database_url:
        return create_engine(sqlalchemy_url(settings.database_url), pool_size=2, pool_pre_ping=True)
    database = private_sqlite_file(Path(settings.data_dir) / VIEWS_FILE)
    engine = create_engine(f"sqlite:///{database}")
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
