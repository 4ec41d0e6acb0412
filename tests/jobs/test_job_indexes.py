"""The job table keeps one index for its state queries: every query that is not by id or
instance is answered from ``(state, due_at, id)`` in order, and a job's insert and updates
maintain four indexes, not ten."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db import connection

from bpmn_engine.models import Job
from bpmn_engine.models.work import JobState
from bpmn_engine.selectors.jobs import job_list

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def job_indexes() -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Job._meta.db_table)
    return {
        tuple(c["columns"])
        for c in constraints.values()
        if (c["index"] or c["unique"]) and not c["primary_key"]
    }


def test_a_job_row_maintains_only_the_indexes_its_queries_use():
    assert job_indexes() == {  # besides the primary key
        ("idempotency_key",),
        ("instance_id", "wait_id"),
        ("state", "due_at", "id"),
    }


@pytest.mark.parametrize(
    "queryset",
    [
        # the sweeper's due jobs, external fetches, taking along
        lambda: Job.objects.filter(state=JobState.PENDING, external=False, due_at__lte=NOW),
        # expired leases
        lambda: Job.objects.filter(state=JobState.LOCKED, lock_expires_at__lt=NOW),
        # the job lists, completed ones too
        lambda: job_list(states=(JobState.COMPLETED,)),
        lambda: job_list(job_type="mail"),
    ],
    ids=["due", "expired", "completed-list", "active-list-by-type"],
)
def test_state_queries_on_jobs_read_the_state_due_index(queryset):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # tiny tables: a scan would win otherwise
            cursor.execute("SET LOCAL enable_seqscan = off")
    assert re.search(r"\bjob_state_due\b", queryset().explain())
