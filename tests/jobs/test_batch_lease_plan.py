"""A batch lease finds the jobs it takes first, then reads them by primary key: however
many finished jobs the table holds, leasing a batch costs the same."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bpmn_engine.models import Job
from bpmn_engine.persistence import job_rows
from bpmn_engine.services import start_instance
from tests.jobs.conftest import deploy_service_process

pytestmark = pytest.mark.django_db


def test_a_batch_lease_reads_the_jobs_it_takes_by_primary_key_not_by_scanning_the_table():
    if connection.vendor != "postgresql":
        pytest.skip("query plans of the PostgreSQL statement")
    deploy_service_process("doubling", "test-double")
    named, *waiting = [
        Job.objects.get(instance=start_instance(definition_key="doubling")).pk for _ in range(3)
    ]
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        leased = job_rows.lock_due_jobs(
            [named],
            worker_id="w1",
            now=timezone.now(),
            lock_seconds=60,
            ahead=7,
            ahead_types=["test-double"],
        )
        assert sorted(job.pk for job, _ in leased) == sorted([named, *waiting])
        statement = next(q["sql"] for q in captured.captured_queries if "UPDATE" in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: a scan would win
            cursor.execute(f"EXPLAIN {statement}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    # An ``OR`` of two ``IN`` lists read every row of the job table (0.5 s at a million).
    assert f"Seq Scan on {Job._meta.db_table}" not in plan
