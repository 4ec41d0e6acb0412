"""Exports re-verify offline with the standard-library script; one changed byte fails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bpmn_engine.audit.export import csv_lines, jsonl_lines
from bpmn_engine.models import AuditEvent
from bpmn_engine.services import set_variables, start_instance
from tests.services.conftest import T0, deploy

pytestmark = pytest.mark.django_db
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_export.py"


@pytest.fixture
def instances(users):
    deploy("user_task/approval.bpmn")
    rows = [
        start_instance(
            definition_key="approval",
            variables={"amount": n, "dueDate": "2026-03-04T09:00:00+00:00", "note": 'a,b\n"c"'},
            now=T0,
        )
        for n in range(3)
    ]
    set_variables(instance_id=rows[1].pk, variables={"amount": "ünïcode ✓"})
    return rows


def export(tmp_path: Path, lines, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(lines))
    return path


def offline(path: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the verifier isolated from the project and site-packages (-I -S)."""
    return subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), str(path), *extra],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_an_export_verifies_offline_and_holds_every_event(instances, tmp_path, kind):
    lines = jsonl_lines if kind == "jsonl" else csv_lines
    path = export(tmp_path, lines(AuditEvent.objects.all(), scope={}), f"all.{kind}")
    result = offline(path)
    assert result.returncode == 0, result.stderr
    total = AuditEvent.objects.count()
    assert result.stdout.startswith(f"OK {total} events")


def test_a_jsonl_export_round_trips_to_the_live_table(instances, tmp_path):
    one = instances[1]
    events = AuditEvent.objects.filter(instance_id=one.pk)
    path = export(tmp_path, jsonl_lines(events, scope={"instance": one.pk}), "one.jsonl")
    *rows, manifest = [json.loads(line) for line in path.read_text().splitlines()]
    live = list(events.order_by("id").values_list("id", "hash", "data"))
    assert [(r["id"], r["hash"], r["data"]) for r in rows] == live
    assert manifest["manifest"]["events"] == len(live)
    assert manifest["manifest"]["streams"][f"instance:{one.pk}"]["last_hash"] == live[-1][1]


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_changing_any_single_byte_fails_verification(instances, tmp_path, kind):
    lines = jsonl_lines if kind == "jsonl" else csv_lines
    events = AuditEvent.objects.filter(instance_id=instances[0].pk)
    original = b"".join(lines(events, scope={}))
    step = max(len(original) // 40, 1)
    for offset in range(0, len(original), step):
        tampered = bytearray(original)
        tampered[offset] = (tampered[offset] + 1) % 256
        path = tmp_path / f"tampered.{kind}"
        path.write_bytes(bytes(tampered))
        result = offline(path)
        assert result.returncode == 1, f"byte {offset} changed but the export still verified"
        assert result.stderr.startswith("BROKEN")


def test_a_known_head_proves_the_chain_was_not_rewritten(instances, tmp_path):
    one = instances[0]
    first_hash = AuditEvent.objects.filter(instance_id=one.pk).order_by("seq").first().hash
    path = export(tmp_path, jsonl_lines(AuditEvent.objects.all(), scope={}), "all.jsonl")
    heads = tmp_path / "heads.json"
    heads.write_text(json.dumps({f"instance:{one.pk}": first_hash}))
    assert offline(path, "--heads", str(heads)).returncode == 0
    heads.write_text(json.dumps({f"instance:{one.pk}": "f" * 64}))
    assert offline(path, "--heads", str(heads)).returncode == 1


def test_a_set_export_selects_the_events_of_the_filtered_instances_only(instances):
    from django.contrib.auth.models import User

    from bpmn_engine.selectors.audit import AuditFilter, audited_events

    chosen = start_instance(definition_key="approval", business_key="K-7", now=T0)
    start_instance(definition_key="approval", business_key="K-8", now=T0)
    auditor = User.objects.create_superuser("auditor-1")
    selected = audited_events(user=auditor, filters=AuditFilter(business_key="K-7"))
    expected = AuditEvent.objects.filter(instance_id=chosen.pk)
    assert expected.exists()
    assert sorted(selected.values_list("pk", flat=True)) == sorted(
        expected.values_list("pk", flat=True)
    )
