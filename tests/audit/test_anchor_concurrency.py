"""Concurrent writers never fork a chain; anchor runs beside writers: no writer waits for
the anchor, and the next anchor catches up with every head."""

from __future__ import annotations

from itertools import pairwise

import pytest

from bpmn_engine.models import AuditAnchoredHead, AuditChainHead, AuditEvent
from bpmn_engine.services import deploy_definition, set_variables, start_instance
from bpmn_engine.services.audit_anchors import anchor_audit_chains
from tests.audit.test_tamper_evidence import verify
from tests.services.conftest import deploy
from tests.services.diagrams import flows, process
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


def test_writers_on_one_stream_at_once_extend_it_without_a_fork(users):
    """Four commands on one instance and four deployments (the system chain) at once: each
    stream stays one gapless chain, every event linked to the one before it."""
    deploy("user_task/approval.bpmn")
    instance = start_instance(
        definition_key="approval",
        variables={"amount": 0, "dueDate": "2026-03-04T09:00:00+00:00"},
    )

    def change(amount: int):
        return lambda: set_variables(instance_id=instance.pk, variables={"amount": amount})

    def deployment(n: int):
        xml = process(
            f"p{n}", '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>' + flows(("s", "e"))
        )
        return lambda: deploy_definition(name=f"p{n}", resources={f"p{n}.bpmn": xml})

    outcomes = run_at_once(
        [change(n) for n in range(1, WRITERS + 1)] + [deployment(n) for n in range(WRITERS)]
    )
    assert outcomes == ["done"] * (2 * WRITERS)
    for stream in (f"instance:{instance.pk}", "system"):
        chain = list(AuditEvent.objects.filter(stream=stream).order_by("seq"))
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        assert all(e.prev_hash == before.hash for before, e in pairwise(chain))
    changed = AuditEvent.objects.filter(
        stream=f"instance:{instance.pk}", event_type="variable.updated"
    )
    assert changed.count() == WRITERS
    assert AuditEvent.objects.filter(stream="system").count() >= WRITERS + 1
    assert verify() == "OK"
