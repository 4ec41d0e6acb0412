"""Database triggers refusing changes to audit events.

PostgreSQL refuses UPDATE and DELETE of any row, and TRUNCATE unless the session's
``procession.audit_flushing`` setting is on. SQLite refuses UPDATE always and DELETE unless
the connection's switch is on: the trigger calls ``procession_audit_flushing()``, an SQL
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

PG_SETTING = "procession.audit_flushing"

POSTGRES_TRUNCATE_CREATE = f"""
CREATE OR REPLACE FUNCTION procession_audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('{PG_SETTING}', true), '') <> 'on' THEN
        RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused on %', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only_truncate ON {TABLE};
CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION procession_audit_refuse_truncate();
"""

POSTGRES_TRUNCATE_DROP = f"""
DROP TRIGGER IF EXISTS audit_append_only_truncate ON {TABLE};
DROP FUNCTION IF EXISTS procession_audit_refuse_truncate();
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
        if create:
            return [POSTGRES_CREATE, POSTGRES_TRUNCATE_CREATE]
        return [POSTGRES_DROP, POSTGRES_TRUNCATE_DROP]
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    return []


def install_truncate_refusal(connection: Any) -> None:
    """PostgreSQL only: the statement trigger refusing TRUNCATE (migration 0016)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRES_TRUNCATE_CREATE)


def uninstall_truncate_refusal(connection: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRES_TRUNCATE_DROP)


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


def _set_postgres_switch(connection: Any, on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [PG_SETTING, "on" if on else "off"])


@contextmanager
def flushing(connection: Any) -> Iterator[None]:
    """Let this connection empty the audit table while a flush empties every table: its
    DELETEs through the SQLite trigger, its TRUNCATE through the PostgreSQL one."""
    if connection.vendor == "postgresql":
        _set_postgres_switch(connection, True)
        try:
            yield
        finally:
            _set_postgres_switch(connection, False)
        return
    before = getattr(connection, "audit_flushing", False)
    connection.audit_flushing = True
    try:
        yield
    finally:
        connection.audit_flushing = before
