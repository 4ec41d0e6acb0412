"""Anchors catch what per-instance chains and their head rows cannot: a whole instance's
events removed, or a chain cut back with its head row rewritten to match."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bpmn_engine.models import AuditChainHead, AuditEvent
from bpmn_engine.services import set_variables, start_instance
from bpmn_engine.services.audit_anchors import anchor_audit_chains
from tests.audit.test_tamper_evidence import TABLE, raw, triggers_off, verify
from tests.services.conftest import T0, deploy

pytestmark = pytest.mark.django_db


def started(amounts: tuple[int, ...] = (2, 3)) -> int:
    row = start_instance(
        definition_key="approval",
        variables={"amount": 1, "dueDate": "2026-03-04T09:00:00+00:00"},
        now=T0,
    )
    for amount in amounts:
        set_variables(instance_id=row.pk, variables={"amount": amount})
    return row.pk


@pytest.fixture
def two_instances(users) -> tuple[int, int]:
    deploy("user_task/approval.bpmn")
    return started(), started()


def anchors() -> list[dict]:
    return [
        json.loads(e.data)["heads"]
        for e in AuditEvent.objects.filter(stream="anchor").order_by("seq")
    ]


def stream(instance_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(stream=f"instance:{instance_id}").order_by("seq"))


def test_an_anchor_records_each_moved_head_once_and_nothing_when_none_moved(two_instances):
    first, second = two_instances
    run = anchor_audit_chains()
    assert run.streams == len(anchors()[0]) >= 2
    last = stream(first)[-1]
    assert anchors()[0][f"instance:{first}"] == [last.seq, last.hash]

    assert anchor_audit_chains().events == 0  # nothing moved
    set_variables(instance_id=second, variables={"amount": 9})
    again = anchor_audit_chains()
    assert list(anchors()[-1]) == [f"instance:{second}"]
    assert again.head_seq == 2
    assert verify() == "OK"


def test_a_whole_instance_stream_removed_after_its_anchor_is_reported(two_instances):
    first, second = two_instances
    anchor_audit_chains()
    anchored_seq = stream(first)[-1].seq
    with triggers_off():
        raw(f"DELETE FROM {TABLE} WHERE stream = %s", [f"instance:{first}"])
        raw("DELETE FROM bpmn_engine_auditchainhead WHERE stream = %s", [f"instance:{first}"])
    report = verify()
    assert f"instance:{first} #{anchored_seq} (chain head)" in report
    assert "whole stream removed" in report
    assert f"instance:{second}" not in report
    assert "whole stream removed" in verify(first)


def test_a_tail_cut_off_with_its_head_row_rewritten_is_reported(two_instances):
    first, _ = two_instances
    anchor_audit_chains()
    events = stream(first)
    keep, cut = events[-3], events[-2:]
    with triggers_off():
        raw(f"DELETE FROM {TABLE} WHERE id IN (%s, %s)", [cut[0].pk, cut[1].pk])
    AuditChainHead.objects.filter(stream=f"instance:{first}").update(seq=keep.seq, hash=keep.hash)
    for report in (verify(), verify(first)):
        assert f"instance:{first} #{cut[-1].seq} (chain head)" in report
        assert "tail cut off" in report


def test_events_after_the_last_anchor_are_anchored_by_the_next_run(two_instances):
    first, _ = two_instances
    anchor_audit_chains()
    set_variables(instance_id=first, variables={"amount": 5})
    anchor_audit_chains()
    last = stream(first)[-1]
    with triggers_off():
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [last.pk])
    AuditChainHead.objects.filter(stream=f"instance:{first}").update(
        seq=last.seq - 1, hash=last.prev_hash
    )
    assert f"instance:{first} #{last.seq} (chain head)" in verify(first)


def test_a_rewritten_anchor_chain_fails_against_an_anchor_hash_kept_outside(two_instances):
    anchor_audit_chains()
    out = StringIO()
    call_command("verify_audit", stdout=out)
    kept = out.getvalue().split()[-1]
    assert len(kept) == 64
    with triggers_off():
        raw(f"DELETE FROM {TABLE} WHERE stream = 'anchor'")
    AuditChainHead.objects.filter(stream="anchor").delete()
    assert verify() == "OK"  # nothing inside the database can tell any more
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", "--anchor-hash", kept, stdout=StringIO(), stderr=err)
    assert "no anchor has the hash" in err.getvalue()


def test_anchor_audit_command_reports_the_anchor_head(two_instances):
    out = StringIO()
    call_command("anchor_audit", stdout=out)
    head = AuditChainHead.objects.get(stream="anchor")
    assert f"anchor head #{head.seq} {head.hash}" in out.getvalue()
