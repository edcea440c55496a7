"""Fixtures shared by the integration and end-to-end tests: a real broker and real stores."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings

from ssp_platform.broker import EmbeddedBroker

# Property tests measure invariants, not speed: no per-example deadline, which a loaded CI
# machine (two cores) would otherwise turn into flaky failures. A test's own @settings wins.
settings.register_profile("ssp", deadline=None)
settings.load_profile("ssp")

POSTGRES_HOST = os.environ.get("SSP_TEST_POSTGRES_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("SSP_TEST_POSTGRES_PORT", "5432"))
POSTGRES_USER = os.environ.get("SSP_TEST_POSTGRES_USER", "postgres")
POSTGRES_PASSWORD = os.environ.get("SSP_TEST_POSTGRES_PASSWORD", "")


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=POSTGRES_HOST,
        port=POSTGRES_PORT,
        user=POSTGRES_USER,
        password=POSTGRES_PASSWORD,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name = f"ssp_test_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{POSTGRES_PASSWORD}" if POSTGRES_PASSWORD else ""
    try:
        yield f"postgresql://{POSTGRES_USER}{password}@{POSTGRES_HOST}:{POSTGRES_PORT}/{name}"
    finally:
        with _admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """Each store-backed test runs on SQLite (a file under tmp_path) and on PostgreSQL."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def embedded_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    broker = EmbeddedBroker(log_path=tmp_path_factory.mktemp("tansu") / "broker.log")
    broker.start(timeout=30)
    try:
        yield broker
    finally:
        broker.stop()
