"""Commands racing on one instance each extend its audit chain from the head they find
with the instance lock (read with the lock, not before it): after concurrent completions
the chain has no gap, no duplicate and verifies."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from bpmn_engine.models import AuditEvent
from bpmn_engine.services import (
    deploy_definition,
    start_instance,
)
from tests.audit.test_tamper_evidence import verify
from tests.services.test_concurrency import (
    complete_every_task_at_once,
    wide_join_diagram,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_completions_leave_one_whole_chain_per_instance():
    user = User.objects.create_user("worker")
    deploy_definition(name="wide", resources={"wide.bpmn": wide_join_diagram(8)})
    for _ in range(5):
        instance = start_instance(definition_key="wide_join")
        outcomes = complete_every_task_at_once(instance, user)
        assert outcomes == ["done"] * 8, outcomes
        seqs = list(
            AuditEvent.objects.filter(stream=f"instance:{instance.pk}")
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        assert seqs == list(range(1, len(seqs) + 1))
        assert sum(1 for _ in seqs) > 8 * 3  # every completion wrote its events
        assert verify(instance.pk) == "OK"
