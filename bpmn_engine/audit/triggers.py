"""Database triggers refusing changes to audit events.

PostgreSQL refuses UPDATE and DELETE of any row; SQLite refuses UPDATE. Neither blocks
TRUNCATE (PostgreSQL) or DELETE (SQLite) as a whole: that is how Django's test flush
empties tables, so those are left to privileges (``REVOKE TRUNCATE`` from the application
role, docs/audit.md) and to the chain heads and anchors that ``verify_audit`` checks.
Used by the migration; tests drop and re-create them to play a tamperer with database
access."""

from __future__ import annotations

from typing import Any

TABLE = "bpmn_engine_auditevent"

POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION procession_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only_rows BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION procession_audit_append_only();
"""

POSTGRES_DROP = f"""
DROP TRIGGER IF EXISTS audit_append_only_rows ON {TABLE};
DROP FUNCTION IF EXISTS procession_audit_append_only();
"""

SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_append_only_update;",
]


def _statements(vendor: str, create: bool) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRES_CREATE if create else POSTGRES_DROP]
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    return []


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, create=True):
            cursor.execute(sql)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, create=False):
            cursor.execute(sql)
