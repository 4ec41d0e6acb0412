"""Commands racing on one instance each extend its audit chain from the head they find
with the instance lock (read with the lock, not before it): after concurrent completions
the chain has no gap, no duplicate and verifies."""

from __future__ import annotations

import functools

import pytest
from django.contrib.auth.models import User

from bpmn_engine.models import AuditEvent
from bpmn_engine.services import (
    claim_user_task,
    complete_user_task,
    deploy_definition,
    start_instance,
)
from tests.audit.test_tamper_evidence import verify
from tests.services.test_concurrency import run_at_once, wide_join_diagram

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_completions_leave_one_whole_chain_per_instance():
    user = User.objects.create_user("worker")
    deploy_definition(name="wide", resources={"wide.bpmn": wide_join_diagram(8)})
    for _ in range(5):
        instance = start_instance(definition_key="wide_join")
        tasks = list(instance.user_tasks.all())
        for task in tasks:
            claim_user_task(task_id=task.pk, user=user)
        outcomes = run_at_once(
            [functools.partial(complete_user_task, task_id=task.pk, user=user) for task in tasks]
        )
        assert outcomes == ["done"] * len(tasks), outcomes
        seqs = list(
            AuditEvent.objects.filter(stream=f"instance:{instance.pk}")
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        assert seqs == list(range(1, len(seqs) + 1))
        assert sum(1 for _ in seqs) > 8 * 3  # every completion wrote its events
        assert verify(instance.pk) == "OK"
