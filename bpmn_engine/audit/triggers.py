"""Database triggers refusing changes to audit events.

PostgreSQL refuses UPDATE and DELETE of any row (TRUNCATE, which ``manage.py flush`` uses,
is left to privileges: docs/audit.md). SQLite refuses UPDATE always and DELETE unless the
connection's switch is on: the trigger calls ``procession_audit_flushing()``, an SQL
function only this application registers on its connections (``register_switch``), so a
plain ``sqlite3`` client fails on it too. Only ``manage.py flush`` (Django's test runner
empties tables with it) turns the switch on (``flushing``). Used by the migrations; tests
drop and re-create the triggers to play a tamperer with database access."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TABLE = "bpmn_engine_auditevent"
SWITCH = "procession_audit_flushing"

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
    f"""CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON {TABLE}
    WHEN NOT {SWITCH}()
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_append_only_update;",
    "DROP TRIGGER IF EXISTS audit_append_only_delete;",
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


def register_switch(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give a new SQLite connection the trigger's switch,
    off until ``flushing`` turns it on for this connection."""
    if connection.vendor != "sqlite":
        return
    connection.audit_flushing = False
    connection.connection.create_function(
        SWITCH, 0, lambda: int(connection.audit_flushing), deterministic=False
    )


@contextmanager
def flushing(connection: Any) -> Iterator[None]:
    """Let this connection's DELETEs through the SQLite trigger while a flush empties
    every table (PostgreSQL's flush truncates, which the row trigger does not see)."""
    before = getattr(connection, "audit_flushing", False)
    connection.audit_flushing = True
    try:
        yield
    finally:
        connection.audit_flushing = before
