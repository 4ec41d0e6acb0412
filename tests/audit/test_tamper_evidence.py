"""Audit events cannot be changed through the application or the database (both vendors),
and ``verify_audit`` finds the first broken link after a direct edit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from bpmn_engine.audit import triggers
from bpmn_engine.models import AuditEvent
from bpmn_engine.models.audit import AuditEventImmutableError
from bpmn_engine.services import set_variables, start_instance
from tests.services.conftest import T0, deploy

pytestmark = pytest.mark.django_db
TABLE = triggers.TABLE


@pytest.fixture
def instance(users):
    deploy("user_task/approval.bpmn")
    row = start_approval()
    for amount in (2, 3, 4):
        set_variables(instance_id=row.pk, variables={"amount": amount})
    return row


@contextmanager
def triggers_off() -> Iterator[None]:
    """Play a database superuser who bypasses the append-only triggers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")
    else:
        triggers.uninstall(connection)
        try:
            yield
        finally:
            triggers.install(connection)


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def verify(instance_id: int | None = None) -> str:
    err = StringIO()
    args = ["--instance", str(instance_id)] if instance_id else []
    try:
        call_command("verify_audit", *args, stdout=StringIO(), stderr=err)
    except CommandError:
        return err.getvalue()
    return "OK"


def events(instance) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(instance_id=instance.pk).order_by("seq"))


def test_an_untouched_trail_verifies(instance):
    assert verify() == "OK"
    assert verify(instance.pk) == "OK"


def test_the_model_refuses_to_save_an_existing_event_or_delete_one(instance):
    event = events(instance)[0]
    event.data = "{}"
    with pytest.raises(AuditEventImmutableError):
        event.save()
    with pytest.raises(AuditEventImmutableError):
        event.delete()
    with pytest.raises(AuditEventImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(data="{}")
    with pytest.raises(AuditEventImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditEventImmutableError):
        AuditEvent.objects.bulk_update([event], ["data"])


def test_the_database_refuses_a_raw_update(instance):
    event = events(instance)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(f"UPDATE {TABLE} SET data = '{{}}' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).data == event.data


def test_the_database_refuses_a_raw_delete(instance):
    event = events(instance)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(f"DELETE FROM {TABLE}")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_the_database_refuses_a_raw_truncate(instance):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(f"TRUNCATE {TABLE}")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(f"TRUNCATE {TABLE} CASCADE")
    assert AuditEvent.objects.filter(instance_id=instance.pk).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a plain sqlite3 client")
def test_a_plain_sqlite_client_cannot_delete_audit_events(instance, tmp_path):
    """The trigger's switch is a function only the application registers: the table and
    its triggers, copied from the database into a file opened with the standard sqlite3
    module, refuse the DELETE."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = %s", [TABLE])
        schema = [sql for (sql,) in cursor.fetchall() if sql]
        cursor.execute(f"SELECT * FROM {TABLE}")
        rows = cursor.fetchall()
    assert any("audit_append_only_delete" in sql for sql in schema)
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(copy) as target:
        for sql in schema:
            target.execute(sql)
        target.executemany(f"INSERT INTO {TABLE} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    plain = sqlite3.connect(copy)
    try:
        with pytest.raises(sqlite3.OperationalError, match=triggers.SWITCH):
            plain.execute(f"DELETE FROM {TABLE}")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            plain.execute(f"UPDATE {TABLE} SET data = '{{}}'")
        assert plain.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0] == len(
            AuditEvent.objects.all()
        )
    finally:
        plain.close()


def start_approval():
    return start_instance(
        definition_key="approval",
        variables={"amount": 1, "dueDate": "2026-03-04T09:00:00+00:00"},
        now=T0,
    )


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_table_and_leaves_the_trigger_armed():
    """Django's test runner flushes between transactional tests (this one's teardown too):
    the flush command may empty the table, nothing after it may."""
    deploy("user_task/approval.bpmn")
    start_approval()
    assert AuditEvent.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    deploy("user_task/approval.bpmn")
    row = start_approval()
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(f"DELETE FROM {TABLE}")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.filter(instance_id=row.pk).exists()


def test_a_changed_value_is_reported_at_its_event(instance):
    target = events(instance)[4]
    with triggers_off():
        raw(
            f"UPDATE {TABLE} SET data = replace(data, '1', '7') WHERE id = %s",
            [target.pk],
        )
    report = verify(instance.pk)
    assert f"instance:{instance.pk} #{target.seq} (event {target.pk})" in report
    assert "changed" in report


def test_a_deleted_event_is_reported_at_the_gap(instance):
    target = events(instance)[3]
    with triggers_off():
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [target.pk])
    report = verify()
    assert f"instance:{instance.pk} #{target.seq} " in report
    assert "missing or inserted" in report


def test_a_deleted_last_event_is_caught_by_the_chain_head(instance):
    last = events(instance)[-1]
    with triggers_off():
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [last.pk])
    report = verify(instance.pk)
    assert f"chain head says #{last.seq}" in report


def test_swapped_events_are_reported_at_the_first_swapped_one(instance):
    first, second = events(instance)[2:4]
    with triggers_off():
        raw(f"UPDATE {TABLE} SET seq = 0 WHERE id = %s", [first.pk])
        raw(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [first.seq, second.pk])
        raw(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [second.seq, first.pk])
    report = verify(instance.pk)
    assert f"#{first.seq} (event {second.pk})" in report
    assert "reordered" in report


def test_a_recomputed_row_hash_still_breaks_the_next_link(instance):
    from bpmn_engine.audit.canonical import body_of, event_hash

    target, following = events(instance)[2:4]
    target.data = target.data.replace("1", "9")
    forged = event_hash(target.prev_hash, body_of(target))
    with triggers_off():
        raw(
            f"UPDATE {TABLE} SET data = %s, hash = %s WHERE id = %s",
            [target.data, forged, target.pk],
        )
    report = verify(instance.pk)
    assert f"#{following.seq} (event {following.pk})" in report
