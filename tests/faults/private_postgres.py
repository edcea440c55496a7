"""A PostgreSQL server of the test's own, so that restarting it disturbs nobody else's tests
(the machine's shared server at 127.0.0.1:5432 keeps running whatever happens here)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg

from tests.e2e.processes import free_port


def _bindir() -> Path | None:
    try:
        found = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if (Path(found) / "initdb").exists():
            return Path(found)
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


@dataclass
class PostgresServer:
    bindir: Path
    data: Path
    port: int

    def _run(self, *argv: str) -> None:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    @property
    def _options(self) -> str:
        return f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *argv: str) -> None:
        # The server's output goes to its log file: a pipe would keep us waiting for its end.
        db, log = str(self.data / "db"), str(self.data / "server.log")
        self._run("pg_ctl", "-D", db, "-o", self._options, "-l", log, "-w", *argv)

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self) -> None:
        """Stop (fast: every connection is cut) and start again."""
        self._pg_ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self._pg_ctl("-m", "immediate", "stop")

    def started_at(self) -> datetime:
        with psycopg.connect(self.url("postgres"), connect_timeout=10) as conn:
            row = conn.execute("SELECT pg_postmaster_start_time()").fetchone()
        assert row is not None
        started: datetime = row[0]
        return started

    def create_database(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)


@contextmanager
def private_postgres() -> Iterator[PostgresServer | None]:
    """A fresh server on a free port (None when PostgreSQL's server programs are missing)."""
    bindir = _bindir()
    if bindir is None:
        yield None
        return
    data = Path(tempfile.mkdtemp(prefix="ssp-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    server = PostgresServer(bindir, data, free_port())
    try:
        server._run("initdb", "-D", str(data / "db"), "-A", "trust", "-U", "postgres", "--no-sync")
        server.start()
        yield server
    finally:
        with suppress(OSError, subprocess.SubprocessError):
            server.stop()
        shutil.rmtree(data, ignore_errors=True)
