"""The job run's own statements: the lease taken in one written ``UPDATE`` that also
answers everything the handler needs, and the job row read for a report together with its
circuit breaker. The slow paths (a breaker that is not closed, a job that is not ours to
run) stay with the services, which decide through the ORM."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import connection

from bpmn_engine.models import AuditChainHead, CircuitBreaker, Job, ProcessInstance
from bpmn_engine.models.work import BreakerState, JobState
from bpmn_engine.persistence import sql

#: A job's circuit breaker as the report reads it: None when the type has no breaker row.
Breaker = tuple[str, int] | None


def lock_due_job(
    job_id: int, *, worker_id: str, now: datetime, lock_seconds: float, lock_head: bool = True
) -> tuple[Job, ProcessInstance] | None:
    """Lease job ``job_id`` to ``worker_id`` (attempt counted, lock owner
    ``<worker>#<attempt>``, lock expiring ``lock_seconds`` after ``now``) if it is
    pending, due, run by the engine, its instance not suspended and its breaker closed
    (or absent); returns the leased job and its instance (not locked), else None and
    nothing changed. One statement on PostgreSQL (the instance read with the update).
    ``lock_head``: lock the instance's audit chain head in the same round trip (off when
    the caller's transaction holds the instance and its head already)."""
    job, instance = sql.table(Job), sql.table(ProcessInstance)
    update = (
        f"UPDATE {job} SET state = %s, attempts = attempts + 1, "
        "lock_owner = %s || '#' || CAST(attempts + 1 AS TEXT), lock_expires_at = %s "
        "WHERE id = %s AND state = %s AND external = %s AND due_at <= %s "
        f"AND NOT EXISTS (SELECT 1 FROM {instance} i "
        f"WHERE i.id = {job}.instance_id AND i.suspended) "
        f"AND NOT EXISTS (SELECT 1 FROM {sql.table(CircuitBreaker)} b "
        f"WHERE b.job_type = {job}.job_type AND b.state <> %s) "
    )
    params = [
        JobState.LOCKED,
        worker_id,
        sql.when(now + timedelta(seconds=lock_seconds)),
        job_id,
        JobState.PENDING,
        False,
        sql.when(now),
        BreakerState.CLOSED,
    ]
    width = sql.column_count(Job)
    if sql.is_postgres():
        leased_with_instance = (
            f"WITH j AS ({update} RETURNING {sql.select_list(Job, job)}) "
            f"SELECT j.*, {sql.select_list(ProcessInstance, 'i')} "
            f"FROM j JOIN {instance} i ON i.id = j.instance_id"
        )
    if sql.is_postgres() and not lock_head:
        found = sql.fetchone(leased_with_instance, params)
        if found is None:
            return None
        values, instance_values = found[:width], found[width:]
    elif sql.is_postgres():
        # The instance's audit chain head, locked in the same round trip (the lease's
        # audit event goes on it): the order the job run has always taken, job then head.
        rows, heads = sql.fetch_pipelined(
            (leased_with_instance, params),
            (
                f"SELECT stream, seq, hash FROM {sql.table(AuditChainHead)} "
                f"WHERE stream = 'instance:' || (SELECT instance_id FROM {job} WHERE id = %s) "
                "FOR UPDATE",
                (job_id,),
            ),
        )
        if not rows:
            return None
        for stream, seq, hash_ in heads:
            sql.remember_audit_head(stream, (seq, hash_))
        values, instance_values = rows[0][:width], rows[0][width:]
    else:
        row = sql.fetchone(f"{update} RETURNING {sql.select_list(Job, job)}", params)
        if row is None:
            return None
        values = row
        found = sql.fetchone(
            f"SELECT {sql.select_list(ProcessInstance, 'i')} FROM {instance} i WHERE i.id = %s",
            (row[_instance_index()],),
        )
        assert found is not None  # the job's foreign key
        instance_values = found
    leased = sql.build(Job, values)
    leased.instance = sql.build(ProcessInstance, instance_values)  # type: ignore[assignment]
    return leased, leased.instance  # type: ignore[return-value]


def extend_lease(job_id: int, *, until: datetime) -> None:
    """Set the lease of a job this transaction has just locked to expire at ``until``."""
    sql.defer(
        f"UPDATE {sql.table(Job)} SET lock_expires_at = %s WHERE id = %s",
        (sql.when(until), job_id),
    )


def report_lock(job_id: int, instance_id: int, external_only: bool) -> tuple[str, list[object]]:
    """The statement (text, parameters) that locks job ``job_id`` of instance
    ``instance_id`` (the caller holds the instance lock: it is sent with it, see
    ``store.lock_instance_with``) and reads its breaker's state and consecutive failures
    alongside; its rows go to ``job_with_breaker``."""
    job = sql.table(Job)
    statement = (
        f"SELECT {sql.select_list(Job, 'j')}, b.state, b.consecutive_failures "
        f"FROM {job} j LEFT JOIN {sql.table(CircuitBreaker)} b ON b.job_type = j.job_type "
        "WHERE j.id = %s AND j.instance_id = %s"
    )
    params: list[object] = [job_id, instance_id]
    if external_only:
        statement += " AND j.external = %s"
        params.append(True)
    if connection.features.has_select_for_update_of:
        statement += " FOR UPDATE OF j"
    return statement, params


def job_with_breaker(rows: list[tuple[object, ...]]) -> tuple[Job, Breaker] | None:
    """The job and its breaker from the rows of ``report_lock`` (None: no such job)."""
    if not rows:
        return None
    row = rows[0]
    width = sql.column_count(Job)
    state, failures = row[width:]
    return sql.build(Job, row[:width]), (None if state is None else (state, failures))  # type: ignore[return-value]


def _instance_index() -> int:
    return [f.attname for f in Job._meta.concrete_fields].index("instance_id")


def lock_due_jobs(
    job_ids: list[int],
    *,
    worker_id: str,
    now: datetime,
    lock_seconds: float,
    ahead: int = 0,
    ahead_types: Sequence[str] = (),
) -> list[tuple[Job, ProcessInstance]]:
    """``lock_due_job`` for a set: every job of ``job_ids`` that may run now is leased in
    one statement (ascending ids; on PostgreSQL a job another transaction holds is
    skipped, not waited for), and returned with its instance (not locked). ``ahead``:
    lease up to that many more due jobs of ``ahead_types`` besides, the longest due
    first (jobs waiting for a worker: their own messages then find them taken). On
    PostgreSQL the audit chain heads of the leased jobs' instances are locked in the same
    round trip (the order a single job's lease takes: job, then head)."""
    ids = sorted(set(job_ids))
    if not ids:
        return []
    job, instance = sql.table(Job), sql.table(ProcessInstance)
    postgres = sql.is_postgres()

    def listed(values: Sequence[object]) -> tuple[str, list[object]]:
        if postgres:
            return "= ANY(%s)", [list(values)]
        return f"IN ({', '.join(['%s'] * len(values))})", list(values)

    may_run = (
        "c.state = %s AND c.external = %s AND c.due_at <= %s "
        f"AND NOT EXISTS (SELECT 1 FROM {instance} i WHERE i.id = c.instance_id AND i.suspended) "
        f"AND NOT EXISTS (SELECT 1 FROM {sql.table(CircuitBreaker)} b "
        "WHERE b.job_type = c.job_type AND b.state <> %s)"
    )
    may_run_params = [JobState.PENDING, False, sql.when(now), BreakerState.CLOSED]
    lock = " FOR UPDATE OF c SKIP LOCKED" if postgres else ""
    named, named_params = listed(ids)
    selects = [
        f"SELECT id FROM (SELECT c.id FROM {job} c WHERE c.id {named} AND {may_run} "
        f"ORDER BY c.id{lock}) AS n"
    ]
    candidate_params = [*named_params, *may_run_params]
    if ahead > 0 and ahead_types:
        types, types_params = listed(sorted(set(ahead_types)))
        selects.append(
            f"SELECT id FROM (SELECT c.id FROM {job} c WHERE c.state = %s AND c.job_type {types} "
            f"AND NOT c.id {named} AND {may_run} ORDER BY c.state, c.due_at, c.id "
            f"LIMIT %s{lock}) AS a"
        )
        candidate_params += [JobState.PENDING, *types_params, *named_params, *may_run_params]
        candidate_params.append(ahead)
    # The ids first, then the rows by primary key: an ``OR`` of two ``IN`` lists here made
    # PostgreSQL scan the whole job table (0.5 s with a million finished jobs).
    chosen = " UNION ALL ".join(selects)
    candidates = f"id = ANY(ARRAY({chosen}))" if postgres else f"id IN ({chosen})"
    update = (
        f"UPDATE {job} SET state = %s, attempts = attempts + 1, "
        "lock_owner = %s || '#' || CAST(attempts + 1 AS TEXT), lock_expires_at = %s "
        f"WHERE {candidates}"
    )
    until = sql.when(now + timedelta(seconds=lock_seconds))
    params = [JobState.LOCKED, worker_id, until, *candidate_params]
    width = sql.column_count(Job)
    if postgres:
        rows, heads = sql.fetch_pipelined(
            (
                f"WITH j AS ({update} RETURNING {sql.select_list(Job, job)}) "
                f"SELECT j.*, {sql.select_list(ProcessInstance, 'i')} "
                f"FROM j JOIN {instance} i ON i.id = j.instance_id ORDER BY j.id",
                params,
            ),
            (
                f"SELECT stream, seq, hash FROM {sql.table(AuditChainHead)} "
                f"WHERE stream IN (SELECT 'instance:' || instance_id FROM {job} "
                "WHERE state = %s AND lock_expires_at = %s "
                "AND lock_owner = %s || '#' || CAST(attempts AS TEXT)) "
                "ORDER BY stream FOR UPDATE",
                (JobState.LOCKED, until, worker_id),
            ),
        )
        for stream, seq, hash_ in heads:
            sql.remember_audit_head(stream, (seq, hash_))
        pairs = [(row[:width], row[width:]) for row in rows]
    else:
        leased = sorted(
            sql.fetchall(f"{update} RETURNING {sql.select_list(Job, job)}", params),
            key=lambda row: row[0],
        )
        owners = sorted({row[_instance_index()] for row in leased})
        instances = (
            {
                values[0]: values
                for values in sql.fetchall(
                    f"SELECT {sql.select_list(ProcessInstance, 'i')} FROM {instance} i "
                    f"WHERE i.id IN ({', '.join(['%s'] * len(owners))})",
                    owners,
                )
            }
            if owners
            else {}
        )
        pairs = [(row, instances[row[_instance_index()]]) for row in leased]
    found = []
    for values, instance_values in pairs:
        leased_job = sql.build(Job, values)
        leased_job.instance = sql.build(ProcessInstance, instance_values)  # type: ignore[assignment]
        found.append((leased_job, leased_job.instance))
    return found  # type: ignore[return-value]


def lock_jobs_for_report(job_ids: list[int]) -> dict[int, tuple[Job, Breaker]]:
    """Lock the jobs of ``job_ids`` (ascending ids; the caller holds their instances) and
    read each one's breaker alongside, in one statement: ``report_lock`` for a set."""
    ids = sorted(set(job_ids))
    if not ids:
        return {}
    postgres = sql.is_postgres()
    statement = (
        f"SELECT {sql.select_list(Job, 'j')}, b.state, b.consecutive_failures "
        f"FROM {sql.table(Job)} j LEFT JOIN {sql.table(CircuitBreaker)} b "
        "ON b.job_type = j.job_type WHERE j.id "
        + ("= ANY(%s)" if postgres else f"IN ({', '.join(['%s'] * len(ids))})")
        + " ORDER BY j.id"
    )
    if connection.features.has_select_for_update_of:
        statement += " FOR UPDATE OF j"
    found = {}
    for row in sql.fetchall(statement, [ids] if postgres else ids):
        located = job_with_breaker([row])
        assert located is not None
        found[located[0].pk] = located
    return found
