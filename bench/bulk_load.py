"""Bulk-load copies of engine-made instances on PostgreSQL, server side, fast.

The engine makes a few template instances; ``clone_instances`` copies every row they own
(instance, tokens, variables, timers, jobs, user tasks, subscriptions, activity history,
audit events and chain heads) ``copies`` times with ``INSERT ... SELECT`` over
``generate_series``, giving each copy a fresh id and renaming the id inside the state
snapshot and the audit stream. The rows are the engine's own rows but for the ids, so
table and index sizes match a real history of that many instances. One difference: the
audit events keep the template's hashes, so ``verify_audit`` would flag the copies'
chains (the benchmarks never verify them).
"""

from __future__ import annotations

import time
from typing import Any

# Tables whose rows belong to one instance (column ``instance_id``), copied as they are.
CHILD_TABLES = [
    "bpmn_engine_tokenrow",
    "bpmn_engine_variablerow",
    "bpmn_engine_timer",
    "bpmn_engine_job",
    "bpmn_engine_usertask",
    "bpmn_engine_eventsubscription",
    "bpmn_engine_activityhistory",
]
INSTANCE = "bpmn_engine_processinstance"
AUDIT = "bpmn_engine_auditevent"
HEADS = "bpmn_engine_auditchainhead"
UNIQUE_TEXT = {"bpmn_engine_job": {"idempotency_key"}}


def _columns(cursor: Any, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy_sql(table: str, columns: list[str], replace: dict[str, str]) -> str:
    select = ", ".join(replace.get(c, f"t.{c}") for c in columns)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} "
        f"FROM {table} t, generate_series(0, %(n)s - 1) g WHERE t.instance_id = %(template)s"
    )


def clone_instances(template_id: int, copies: int, *, chunk: int = 5_000) -> list[int]:
    """Copy instance ``template_id`` and its rows ``copies`` times; returns the new ids.

    Runs in chunks of ``chunk`` copies, each one transaction."""
    from django.db import connection, transaction

    new_ids: list[int] = []
    with connection.cursor() as cursor:
        instance_columns = _columns(cursor, INSTANCE)
        children = {table: _columns(cursor, table) for table in CHILD_TABLES}
        audit_columns = _columns(cursor, AUDIT)
    done = 0
    while done < copies:
        n = min(chunk, copies - done)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{INSTANCE}', 'id'), "
                f"nextval(pg_get_serial_sequence('{INSTANCE}', 'id')) + %s - 1)",
                [n],
            )
            last = int(cursor.fetchone()[0])
            base = last - n + 1
            new_id = "(%(base)s + g)"
            cursor.execute(
                f"INSERT INTO {INSTANCE} (id, {', '.join(instance_columns)}) SELECT {new_id}, "
                + ", ".join(
                    "jsonb_set(t.state, '{instance_id}', to_jsonb((%(base)s + g)::text))"
                    if c == "state"
                    else f"t.{c}"
                    for c in instance_columns
                )
                + f" FROM {INSTANCE} t, generate_series(0, %(n)s - 1) g WHERE t.id = %(template)s",
                {"base": base, "n": n, "template": template_id},
            )
            params = {"base": base, "n": n, "template": template_id}
            for table, columns in children.items():
                replace = {"instance_id": new_id}
                for column in UNIQUE_TEXT.get(table, ()):
                    replace[column] = f"(t.{column} || '#' || {new_id})"
                cursor.execute(_copy_sql(table, columns, replace), params)
            cursor.execute(
                _copy_sql(
                    AUDIT,
                    audit_columns,
                    {"instance_id": new_id, "stream": f"('instance:' || {new_id})"},
                ),
                params,
            )
            cursor.execute(
                f"INSERT INTO {HEADS} (stream, seq, hash) SELECT 'instance:' || {new_id}, "
                f"h.seq, h.hash FROM {HEADS} h, generate_series(0, %(n)s - 1) g "
                "WHERE h.stream = 'instance:' || %(template)s",
                params,
            )
        new_ids.extend(range(base, base + n))
        done += n
    return new_ids


def fill(template_ids: list[int], total: int, *, report: bool = True) -> float:
    """Bring the instance table to ``total`` rows by copying the templates in turn;
    returns the seconds it took (then ``ANALYZE``)."""
    from django.db import connection

    from bpmn_engine.models import ProcessInstance

    t0 = time.perf_counter()
    missing = total - ProcessInstance.objects.count()
    index = 0
    while missing > 0:
        n = min(missing, 100_000)
        clone_instances(template_ids[index % len(template_ids)], n)
        missing -= n
        index += 1
        if report:
            print(f"    {total - missing:,} rows ({time.perf_counter() - t0:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - t0
