"""The audit table is append-only in the database itself, on SQLite and on PostgreSQL: the
application's own connection can neither update nor delete entries; only the retention purge
deletes, and only entries older than the retention period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from shared.auth import AuditEntry, AuditLog, AuthSettings
from shared.auth.audit import purge_expired

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=6 * 365)
PK_A = "pk_" + "a" * 32
PK_B = "pk_" + "b" * 32


def entry(at: datetime, *person_keys: str, subject: str = "abj@607") -> AuditEntry:
    return AuditEntry(
        at=at,
        service="reporting",
        subject=subject,
        role="tovholder",
        action="handover_list.read",
        result="allowed",
        reason="permitted",
        purpose="handover meeting",
        term="607/2026-W47",
        count=len(person_keys),
        person_keys=person_keys,
    )


@pytest.fixture
def settings(store_url: str | None, tmp_path: Path) -> AuthSettings:
    env = {"SSP_DATA_DIR": str(tmp_path), "SSP_AUDIT_RETENTION_DAYS": "1825"}
    if store_url:
        env["SSP_DATABASE_URL"] = store_url
    return AuthSettings(**env)


@pytest.fixture
def audit(settings: AuthSettings) -> Iterator[AuditLog]:
    log = AuditLog.open(settings, "reporting")
    yield log
    log.close()


def test_entries_are_searchable_by_person_subject_and_time(audit: AuditLog) -> None:
    audit.record(entry(NOW - timedelta(hours=2), PK_A, PK_B))
    audit.record(entry(NOW - timedelta(hours=1), PK_B, subject="other@607"))
    audit.record(entry(NOW))
    assert [e.person_keys for e in audit.search(person_key=PK_A)] == [(PK_A, PK_B)]
    assert [e.subject for e in audit.search(person_key=PK_B)] == ["abj@607", "other@607"]
    assert len(audit.search(subject="other@607")) == 1
    assert len(audit.search(since=NOW - timedelta(minutes=90))) == 2
    assert len(audit.search(until=NOW - timedelta(minutes=90))) == 1
    found = audit.search(person_key=PK_A)[0]
    assert found.at == NOW - timedelta(hours=2)
    assert (found.purpose, found.term, found.count) == ("handover meeting", "607/2026-W47", 2)


def _refused(audit: AuditLog, statement: object) -> None:
    with (
        pytest.raises(DBAPIError, match=r"append-only|retention purge"),
        audit.engine.begin() as conn,
    ):
        conn.execute(statement)  # type: ignore[call-overload]


def test_updates_and_deletes_are_refused(audit: AuditLog) -> None:
    audit.record(entry(NOW, PK_A))
    audit.record(entry(LONG_AGO, PK_B))  # expired, but nobody raised the purge flag
    t = audit.tables
    _refused(audit, update(t.entries).values(purpose="rewritten"))
    _refused(audit, update(t.persons).values(person_key=PK_B))
    _refused(audit, delete(t.entries))
    _refused(audit, delete(t.persons))
    _refused(audit, delete(t.entries).where(t.entries.c.at < NOW - timedelta(days=1)))
    assert audit.count() == 2
    with audit.engine.connect() as conn:
        assert conn.execute(select(t.entries.c.purpose)).scalars().all() == ["handover meeting"] * 2


def test_raising_the_purge_flag_does_not_allow_deleting_young_entries(audit: AuditLog) -> None:
    audit.record(entry(NOW, PK_A))
    t = audit.tables
    with pytest.raises(DBAPIError), audit.engine.begin() as conn:
        if audit.engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL ssp.audit_purge = 'on'"))
        else:
            conn.execute(update(t.purge_flag).values(active=1))
        conn.execute(delete(t.entries))
    assert audit.count() == 1


def test_the_purge_deletes_only_expired_entries(audit: AuditLog, settings: AuthSettings) -> None:
    audit.record(entry(LONG_AGO, PK_A))
    audit.record(entry(NOW - timedelta(days=1800), PK_A))  # young enough to stay
    audit.record(entry(NOW, PK_B))
    assert purge_expired(settings, "reporting") == 1
    assert audit.count() == 2
    assert [e.at for e in audit.search(person_key=PK_A)] == [NOW - timedelta(days=1800)]
    assert purge_expired(settings, "reporting") == 0
    if audit.engine.dialect.name == "sqlite":
        assert purge_expired(settings, "triage") is None  # no audit file: nothing created


@pytest.mark.postgres
def test_truncate_is_refused_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    log = AuditLog.open(AuthSettings(SSP_DATABASE_URL=postgres_url), "reporting")
    try:
        log.record(entry(NOW, PK_A))
        _refused(log, text(f"TRUNCATE {log.tables.entries.name}"))
        assert log.count() == 1
    finally:
        log.close()


def test_reopening_keeps_the_guards_and_entries(settings: AuthSettings) -> None:
    first = AuditLog.open(settings, "intake")
    first.record(entry(NOW, PK_A))
    first.close()
    again = AuditLog.open(settings, "intake")
    try:
        assert again.count() == 1
        _refused(again, delete(again.tables.entries))
    finally:
        again.close()
