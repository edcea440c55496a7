"""The audit trail: who read or exported data about which person, searched, or was refused.

One append-only table pair per service (`<service>_audit_entries`, `<service>_audit_persons`)
in the service's own database: SQLite `<data_dir>/<service>-audit.sqlite`, the PostgreSQL
database of `SSP_DATABASE_URL`, or memory for tests. Triggers in the database refuse every
UPDATE, and every DELETE except the retention purge's: a row may be deleted only when it is
older than `SSP_AUDIT_RETENTION_DAYS` (checked by the trigger against the database's clock)
*and* the deleting transaction has raised the purge flag (PostgreSQL: `SET LOCAL
ssp.audit_purge = 'on'`; SQLite: the one-row `<service>_audit_purge` table). Only
`AuditLog.purge` (`ssp audit-purge`) does that; nothing in the services calls it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection

from shared.auth.audit_guards import postgres_guards, sqlite_guards
from shared.auth.settings import AuthSettings
from shared.files import development_secret
from shared.settings import ConfigurationRefused
from shared.sql import service_engine

log = logging.getLogger(__name__)

Result = Literal["allowed", "denied"]
_SERVICE_NAME = re.compile(r"[a-z][a-z_]{0,40}")


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    service: str
    subject: str
    """The caller (`sub`), or `-` when no token could be trusted."""
    role: str
    action: str
    result: Result
    reason: str
    """A code: why it was refused, or how it ended (`permitted`, `not_found`, ...)."""
    purpose: str | None = None
    term: str | None = None
    """What was asked for: a search term, journal number, reference or municipality/week."""
    count: int | None = None
    """How many records were returned."""
    person_keys: tuple[str, ...] = ()
    id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "service": self.service,
            "subject": self.subject,
            "role": self.role,
            "action": self.action,
            "result": self.result,
            "reason": self.reason,
            "purpose": self.purpose,
            "term": self.term,
            "count": self.count,
            "person_keys": list(self.person_keys),
        }


@dataclass
class AuditTables:
    metadata: MetaData
    entries: Table
    persons: Table
    purge_flag: Table

    @classmethod
    def for_service(cls, service: str) -> AuditTables:
        if _SERVICE_NAME.fullmatch(service) is None:
            raise ValueError("a service name is lower-case letters and underscores")
        metadata = MetaData()
        prefix = f"{service}_audit"
        entries = Table(
            f"{prefix}_entries",
            metadata,
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("at", DateTime(timezone=True), nullable=False, index=True),
            Column("service", String(50), nullable=False),
            Column("subject", String(200), nullable=False, index=True),
            Column("role", String(50), nullable=False),
            Column("action", String(50), nullable=False),
            Column("result", String(10), nullable=False),
            Column("reason", String(50), nullable=False),
            Column("purpose", Text),
            Column("term", String(200)),
            Column("count", Integer),
            sqlite_autoincrement=True,
        )
        persons = Table(
            f"{prefix}_persons",
            metadata,
            Column("entry_id", Integer, primary_key=True),
            Column("person_key", String(64), primary_key=True, index=True),
            # The entry's time again, so the row's own trigger can check its age.
            Column("at", DateTime(timezone=True), nullable=False),
        )
        purge_flag = Table(
            f"{prefix}_purge",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("active", Integer, nullable=False),
        )
        return cls(metadata, entries, persons, purge_flag)

    @property
    def guarded(self) -> tuple[Table, Table]:
        return (self.entries, self.persons)


DEVELOPMENT_TERM_KEY_FILE = Path("secrets") / "audit.json"


def audit_term_key(settings: AuthSettings) -> bytes:
    """The key of `keyed_hash`: `SSP_AUDIT_TERM_KEY`, else a development key created once in
    the data directory (readable by its owner only)."""
    if settings.audit_term_key is not None:
        return settings.audit_term_key.get_secret_value().encode()
    if settings.production:
        raise ConfigurationRefused(
            "SSP_ENVIRONMENT=production: no development audit term key is created; set "
            "SSP_AUDIT_TERM_KEY"
        )
    path = Path(settings.data_dir) / DEVELOPMENT_TERM_KEY_FILE
    term_key, created = development_secret(path, "term_key")
    if created:
        log.warning(
            "audit: created DEVELOPMENT term key %s; set SSP_AUDIT_TERM_KEY in production", path
        )
    return term_key.encode()


def keyed_hash(key: bytes, text: str) -> str:
    """16 hex digits of HMAC-SHA256: the same text gives the same digest (an auditor holding
    the key can check whether a given path was asked for), the text cannot be read back."""
    return hmac.new(key, text.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:16]


def audit_engine(settings: AuthSettings, service: str) -> Engine:
    return service_engine(settings, f"{service}-audit")


@dataclass
class AuditLog:
    service: str
    engine: Engine
    retention_days: int
    tables: AuditTables = field(init=False)

    def __post_init__(self) -> None:
        self.tables = AuditTables.for_service(self.service)
        self._install()

    @classmethod
    def open(cls, settings: AuthSettings, service: str) -> AuditLog:
        return cls(service, audit_engine(settings, service), settings.audit_retention_days)

    def close(self) -> None:
        self.engine.dispose()

    # --- schema and its guards -----------------------------------------------------------
    def _install(self) -> None:
        postgres = self.engine.dialect.name == "postgresql"
        with self.engine.begin() as conn:
            if postgres:
                # Replicas of one service may start together; one installs at a time.
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
                    {"name": f"ssp-audit-{self.service}"},
                )
            self.tables.metadata.create_all(conn)
            if conn.execute(select(self.tables.purge_flag)).first() is None:
                conn.execute(insert(self.tables.purge_flag).values(id=1, active=0))
            for table in self.tables.guarded:
                for statement in (
                    postgres_guards(table.name, self.retention_days)
                    if postgres
                    else sqlite_guards(table.name, self.tables.purge_flag.name, self.retention_days)
                ):
                    conn.execute(text(statement))

    # --- writing -------------------------------------------------------------------------
    def record(self, entry: AuditEntry) -> int:
        t = self.tables
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(t.entries).values(
                    at=_utc(entry.at),
                    service=entry.service,
                    subject=entry.subject[:200],
                    role=entry.role[:50],
                    action=entry.action,
                    result=entry.result,
                    reason=entry.reason,
                    purpose=entry.purpose,
                    term=entry.term[:200] if entry.term else None,
                    count=entry.count,
                )
            )
            primary_key = result.inserted_primary_key
            if primary_key is None:
                raise RuntimeError("the database did not return the new entry's id")
            entry_id = int(primary_key[0])
            keys = sorted(set(entry.person_keys))
            if keys:
                conn.execute(
                    insert(t.persons),
                    [{"entry_id": entry_id, "person_key": k, "at": _utc(entry.at)} for k in keys],
                )
        return entry_id

    # --- reading -------------------------------------------------------------------------
    def search(
        self,
        *,
        person_key: str | None = None,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        e, p = self.tables.entries, self.tables.persons
        statement = select(e).order_by(e.c.at, e.c.id).limit(limit)
        if person_key is not None:
            statement = statement.where(
                e.c.id.in_(select(p.c.entry_id).where(p.c.person_key == person_key))
            )
        if subject is not None:
            statement = statement.where(e.c.subject == subject)
        if since is not None:
            statement = statement.where(e.c.at >= _utc(since))
        if until is not None:
            statement = statement.where(e.c.at < _utc(until))
        with self.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(statement)]
            persons = self._persons_of(conn, [row["id"] for row in rows])
        return [_entry(row, persons.get(row["id"], ())) for row in rows]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(self.tables.entries.c.id)).all())

    def _persons_of(self, conn: Connection, entry_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        if not entry_ids:
            return {}
        p = self.tables.persons
        found: dict[int, list[str]] = {}
        for start in range(0, len(entry_ids), 500):
            chunk = list(entry_ids[start : start + 500])
            statement = (
                select(p.c.entry_id, p.c.person_key)
                .where(p.c.entry_id.in_(chunk))
                .order_by(p.c.person_key)
            )
            for entry_id, person_key in conn.execute(statement):
                found.setdefault(int(entry_id), []).append(str(person_key))
        return {k: tuple(v) for k, v in found.items()}

    # --- the retention purge: the only deleter ------------------------------------------
    def purge(self, now: datetime | None = None) -> int:
        """Delete entries older than the retention period; the number of entries deleted."""
        cutoff = _utc(now or datetime.now(UTC)) - timedelta(days=self.retention_days)
        t = self.tables
        postgres = self.engine.dialect.name == "postgresql"
        with self.engine.begin() as conn:
            if postgres:
                conn.execute(text("SET LOCAL ssp.audit_purge = 'on'"))
            else:
                conn.execute(update(t.purge_flag).values(active=1))
            conn.execute(delete(t.persons).where(t.persons.c.at < cutoff))
            deleted = conn.execute(delete(t.entries).where(t.entries.c.at < cutoff)).rowcount
            if not postgres:
                conn.execute(update(t.purge_flag).values(active=0))
        log.info(
            "audit: %s purged %d entries older than %d days",
            self.service,
            deleted,
            self.retention_days,
        )
        return int(deleted)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("audit times must carry a time zone")
    return moment.astimezone(UTC)


def _entry(row: dict[str, Any], person_keys: tuple[str, ...]) -> AuditEntry:
    at: datetime = row["at"]
    if at.tzinfo is None:  # SQLite keeps no offset; every stored time is UTC
        at = at.replace(tzinfo=UTC)
    return AuditEntry(
        id=int(row["id"]),
        at=at,
        service=row["service"],
        subject=row["subject"],
        role=row["role"],
        action=row["action"],
        result=row["result"],
        reason=row["reason"],
        purpose=row["purpose"],
        term=row["term"],
        count=row["count"],
        person_keys=person_keys,
    )


def purge_expired(settings: AuthSettings, service: str, now: datetime | None = None) -> int | None:
    """The maintenance path (`ssp audit-purge`): delete the service's expired audit entries.
    None when the service has no audit trail in this database."""
    sqlite_file = Path(settings.data_dir) / f"{service}-audit.sqlite"
    if not settings.database_url and not sqlite_file.exists():
        return None
    engine = audit_engine(settings, service)
    try:
        if not inspect(engine).has_table(AuditTables.for_service(service).entries.name):
            return None
        return AuditLog(service, engine, settings.audit_retention_days).purge(now)
    finally:
        engine.dispose()
