"""Anchor runs beside writers: no chain forks, no writer waits for the anchor, and the
next anchor catches up with every head."""

from __future__ import annotations

import pytest

from bpmn_engine.models import AuditAnchoredHead, AuditChainHead
from bpmn_engine.services import set_variables, start_instance
from bpmn_engine.services.audit_anchors import anchor_audit_chains
from tests.audit.test_tamper_evidence import verify
from tests.services.conftest import deploy
from tests.services.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS, ROUNDS = 4, 8


def test_anchors_taken_while_instances_write_keep_every_chain_whole(users):
    deploy("user_task/approval.bpmn")
    ids = [
        start_instance(
            definition_key="approval",
            variables={"amount": 0, "dueDate": "2026-03-04T09:00:00+00:00"},
        ).pk
        for _ in range(WRITERS)
    ]

    def writer(instance_id: int):
        def run() -> None:
            for amount in range(1, ROUNDS + 1):
                set_variables(instance_id=instance_id, variables={"amount": amount})

        return run

    def anchorer() -> None:
        for _ in range(ROUNDS):
            anchor_audit_chains()

    outcomes = run_at_once([writer(i) for i in ids] + [anchorer, anchorer])
    assert outcomes == ["done"] * (WRITERS + 2)
    anchor_audit_chains()
    heads = dict(AuditChainHead.objects.exclude(stream="anchor").values_list("stream", "seq"))
    assert dict(AuditAnchoredHead.objects.values_list("stream", "seq")) == heads
    assert verify() == "OK"
