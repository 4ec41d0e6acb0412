"""Round trips of a job's report on PostgreSQL, counted at the wire (libpq's protocol trace:
each ``Sync`` the client sends ends one round trip). The report locks the job in the
round trip that locks its instance and reads the instance's audit chain heads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from bpmn_engine.models import Job
from bpmn_engine.services import start_instance
from bpmn_engine.services.job_batches import execute_jobs
from bpmn_engine.services.job_outcomes import Completed, LeaseHolder, apply_outcome
from bpmn_engine.services.job_runner import claim_job_to_run, execute_job
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork
from tests.jobs.conftest import deploy_service_process

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def frontend_messages(tmp_path: Path, block: Callable[[], object]) -> list[str]:
    """The protocol messages the client sent while ``block`` ran (libpq's trace)."""
    connection.ensure_connection()
    path = tmp_path / "protocol.trace"
    pgconn = connection.connection.pgconn
    with path.open("w") as out:
        pgconn.trace(out.fileno())
        try:
            block()
        finally:
            pgconn.untrace()
    messages = []
    for line in path.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 4 and parts[1] == "F":
            messages.append(parts[3])
    return messages


def split_round_trips(messages: list[str]) -> list[list[str]]:
    """``messages`` one list per round trip (a ``Sync`` closes each, and a simple
    ``Query``, a savepoint say, is one); a ``Sync`` after nothing is no list."""
    trips: list[list[str]] = [[]]
    for message in messages:
        if message == "Sync":
            trips.append([])
        elif message == "Query":
            trips.extend([["Query"], []])
        else:
            trips[-1].append(message)
    return [trip for trip in trips if trip]


def round_trips(tmp_path: Path, block: Callable[[], object]) -> list[list[str]]:
    """The protocol messages the client sent while ``block`` ran, one list per round trip."""
    return split_round_trips(frontend_messages(tmp_path, block))


@command
def lock_for_report(job_id: int, lock_owner: str, instance_id: int) -> Job:
    """What a report does before its step: the instance, its audit heads and the job
    locked (the step itself would follow)."""
    work = UnitOfWork(now=timezone.now())
    holder = LeaseHolder(lock_owner, instance_id=instance_id)
    job = apply_outcome(work, job_id=job_id, holder=holder, outcome=Completed({}))
    work.queue.clear()  # the locks only
    return job


def test_a_report_locks_its_instance_and_its_job_in_one_round_trip(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("round trips are PostgreSQL's")
    deploy_service_process("doubling", "test-double", "test-increment")
    instance = start_instance(definition_key="doubling", variables={"amount": 1})
    job = Job.objects.get(instance=instance, node_id="S0")
    claimed = claim_job_to_run(job_id=job.pk, worker_id="w1")
    assert claimed is not None
    lease = claimed[0]
    trips = round_trips(tmp_path, lambda: lock_for_report(job.pk, lease.lock_owner, instance.pk))
    # the instance and its parent, their audit chain heads, then the job with its breaker:
    # three statements, one round trip (two before)
    executed = [trip.count("Execute") for trip in trips if "Execute" in trip]
    assert executed == [3], trips


def test_a_batch_of_jobs_takes_fewer_round_trips_than_the_same_jobs_one_by_one(tmp_path, journal):
    if connection.vendor != "postgresql":
        pytest.skip("round trips are PostgreSQL's")
    deploy_service_process("doubling", "test-double")
    instances = [
        start_instance(definition_key="doubling", variables={"amount": n}) for n in range(8)
    ]
    jobs = [Job.objects.get(instance=i).pk for i in instances]
    one_by_one = round_trips(
        tmp_path, lambda: [execute_job(job_id=pk, worker_id="w1") for pk in jobs[:4]]
    )
    together = round_trips(tmp_path, lambda: execute_jobs(job_ids=jobs[4:], worker_id="w1"))
    assert Job.objects.filter(pk__in=jobs, state="completed").count() == 8
    # 4 jobs: 45 round trips one by one, 16 together (lease, report, their commits)
    assert len(together) * 2 < len(one_by_one), (one_by_one, together)
