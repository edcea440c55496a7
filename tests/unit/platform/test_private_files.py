"""Stores and audit databases are created readable by the service's user only: the data
directory 0700, every SQLite file (and its journal files) 0600, also under a permissive umask
and when they existed with wider rights before (issue 12, part 5)."""

from __future__ import annotations

import importlib
import os
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from shared.files import private_directory, private_sqlite_file
from shared.runtime import ServiceContext

SERVICES = ("intake", "triage", "notifications", "reporting", "courses")


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _start(service: str, data_dir: Path) -> None:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings_class = next(
        getattr(settings_module, name)
        for name in dir(settings_module)
        if name.endswith("Settings") and name.lower().startswith(service[:5])
    )
    settings = settings_class(SSP_DATA_DIR=str(data_dir))
    d = bootstrap.definition(settings)
    executor = ThreadPoolExecutor(max_workers=1)
    try:
        app = executor.submit(d.app_factory).result()
        d.http_factory(ServiceContext(service, settings, app, executor))
        for release in d.on_stop:
            release()
        app.close()
    finally:
        executor.shutdown()


@pytest.mark.usefixtures("permissive_umask")
def test_every_file_a_service_creates_is_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    for service in SERVICES:
        _start(service, data_dir)
    assert _mode(data_dir) == 0o700
    created = list(data_dir.rglob("*"))
    names = {path.name for path in created}
    assert {f"{s}.sqlite" for s in SERVICES} <= names
    assert {f"{s}-audit.sqlite" for s in SERVICES} <= names
    assert "reporting-views.sqlite" in names
    wide = {
        str(path.relative_to(data_dir)): oct(_mode(path)) for path in created if _mode(path) & 0o077
    }
    assert wide == {}


@pytest.mark.usefixtures("permissive_umask")
def test_existing_files_with_wider_rights_are_tightened(tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir(mode=0o755)
    database = data_dir / "x.sqlite"
    database.write_bytes(b"")
    (data_dir / "x.sqlite-wal").write_bytes(b"")
    os.chmod(database, 0o644)
    private_sqlite_file(database)
    assert _mode(data_dir) == 0o700
    assert _mode(database) == 0o600
    assert _mode(data_dir / "x.sqlite-wal") == 0o600
    assert _mode(private_directory(tmp_path / "new" / "dir")) == 0o700
