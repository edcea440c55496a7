"""SQLAlchemy engines for a service's own tables beside its event store: a SQLite file in the
data directory, the PostgreSQL database of `SSP_DATABASE_URL`, or memory for tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import StaticPool

from shared.files import private_sqlite_file
from shared.settings import PlatformSettings


def service_engine(settings: PlatformSettings, sqlite_file: str) -> Engine:
    """`sqlite_file` names the file (`<data_dir>/<sqlite_file>.sqlite`) when no database URL
    is set; "memory" gives a database private to this engine."""
    if settings.database_url == "memory":
        # One connection shared by every thread, or each would see its own empty database.
        return create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    if settings.database_url:
        scheme, _, rest = settings.database_url.partition("://")
        if scheme not in {"postgres", "postgresql"}:
            raise ValueError("SSP_DATABASE_URL must start with postgresql://")
        return create_engine(f"postgresql+psycopg://{rest}", pool_size=2, pool_pre_ping=True)
    database = private_sqlite_file(Path(settings.data_dir) / f"{sqlite_file}.sqlite")
    return create_engine(f"sqlite:///{database}")
