"""``manage.py validate_bpmn``: runs under pytest-django (no database needed)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest

pytest.importorskip("django")

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.skipif(
    not apps.ready,
    reason="needs pytest-django (run without -p no:django)",
)

VALID = """<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="p" isExecutable="true">
    <startEvent id="start"/><sequenceFlow id="f1" sourceRef="start" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>"""
DANGLING = VALID.replace('targetRef="end"', 'targetRef="Task_9"')


def _run(*files: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("validate_bpmn", *[str(f) for f in files], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_valid_file_prints_ok(tmp_path: Path) -> None:
    good = tmp_path / "good.bpmn"
    good.write_text(VALID)
    out, _err = _run(good)
    assert out.strip() == f"OK {good}"


def test_invalid_file_prints_each_problem_and_fails(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.bpmn", tmp_path / "bad.bpmn"
    good.write_text(VALID)
    bad.write_text(DANGLING)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("validate_bpmn", str(good), str(bad), stdout=out, stderr=err)
    assert f"OK {good}" in out.getvalue()
    assert (
        f"{bad}:4: f1: Expected sequence flow 'f1' to end at an element, but 'Task_9' does "
        "not exist" in err.getvalue()
    )


def test_unparseable_file_fails(tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<definitions")
    with pytest.raises(CommandError):
        _run(broken)
