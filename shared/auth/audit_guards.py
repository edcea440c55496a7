"""The triggers that make an audit table append-only: they refuse every UPDATE (and, on
PostgreSQL, TRUNCATE), and every DELETE but the retention purge's of expired rows (see
`audit.py`). Statements to run in order, each time the tables are made."""

from __future__ import annotations


def sqlite_guards(table: str, flag_table: str, retention_days: int) -> list[str]:
    # SQLAlchemy writes SQLite times as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC.
    cutoff = f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-{int(retention_days)} days')"
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
        # Names come from the service's name (checked) and an int: nothing from outside.
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "  # noqa: S608
        f"WHEN NOT (old.at < {cutoff} "
        f"AND COALESCE((SELECT active FROM {flag_table} WHERE id = 1), 0) = 1) "
        f"BEGIN SELECT RAISE(ABORT, "
        f"'audit entries are deleted only by the retention purge, once expired'); END",
    ]


def postgres_guards(table: str, retention_days: int) -> list[str]:
    function = f"{table}_append_only"
    return [
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF current_setting('ssp.audit_purge', true) = 'on'
                   AND OLD.at < now() - interval '{int(retention_days)} days' THEN
                    RETURN OLD;
                END IF;
            END IF;
            RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP;
        END
        $$
        """,
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]
