"""load_demo never touches real accounts and refuses production; deploy_bpmn checks a
file's size before reading it; a text is never taken for a file name; deployments are
limited in resource size and count."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection

from bpmn_engine.bpmn import check_bpmn
from bpmn_engine.errors import LimitExceededError
from bpmn_engine.models import Deployment
from bpmn_engine.services import deploy_definition

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
APPROVAL = ROOT / "fixtures" / "bpmn" / "user_task" / "approval.bpmn"


def test_load_demo_leaves_an_existing_account_with_a_demo_primary_key_alone():
    ops = User.objects.create_superuser("ops", "ops@example.org", "s3cret-ops", pk=1)
    sally = User.objects.create_user("sally", password="sallys-own", pk=4)
    with connection.cursor() as cursor:  # as if created normally: the id sequence moves on
        for statement in connection.ops.sequence_reset_sql(no_style(), [User]):
            cursor.execute(statement)
    call_command("load_demo", verbosity=0)
    ops.refresh_from_db()
    sally.refresh_from_db()
    assert (ops.pk, ops.username) == (1, "ops")
    assert ops.check_password("s3cret-ops")
    assert sally.check_password("sallys-own")
    assert not sally.groups.exists()
    admin = User.objects.get(username="admin")
    assert admin.pk != 1
    assert admin.check_password("procession")


def test_load_demo_creates_the_missing_demo_users_in_their_groups():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert User.objects.filter(username="sally").count() == 1
    assert list(User.objects.get(username="frank").groups.values_list("name", flat=True)) == [
        "finance"
    ]


def test_load_demo_refuses_to_run_without_debug(settings):
    settings.PROCESSION_DEMO_DATA = False  # what DEBUG=false sets
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", verbosity=0)
    assert not User.objects.exists()
    assert not Deployment.objects.exists()


def test_load_demo_refuses_to_run_in_a_process_started_with_debug_false(tmp_path):
    environment = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PROCESSION_VAR_DIR": str(tmp_path),
    }
    finished = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode != 0
    assert "DEBUG is false" in finished.stderr


def test_deploy_bpmn_refuses_a_file_over_the_limit_before_reading_it(tmp_path):
    huge = tmp_path / "huge.bpmn"
    with huge.open("wb") as handle:  # sparse: 150 MB that occupy no disk
        handle.truncate(150 * 1024 * 1024)
    with pytest.raises(CommandError, match="at most"):
        call_command("deploy_bpmn", str(huge), verbosity=0)
    assert not Deployment.objects.exists()


def test_deploy_bpmn_answers_a_limit_with_a_command_error(settings, tmp_path):
    settings.PROCESSION_MAX_RESOURCES_PER_DEPLOYMENT = 1
    copies = []
    for name in ("a.bpmn", "b.bpmn"):
        copies.append(tmp_path / name)
        copies[-1].write_bytes(
            APPROVAL.read_bytes().replace(b'id="approval"', f'id="{name[0]}"'.encode())
        )
    with pytest.raises(CommandError, match="at most 1 resources"):
        call_command("deploy_bpmn", *map(str, copies), verbosity=0)


def test_a_text_is_never_read_as_a_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(APPROVAL.parent)
    assert check_bpmn(APPROVAL).ok
    assert not check_bpmn("approval.bpmn").ok  # the name of an existing file: still text
    assert not check_bpmn(str(APPROVAL)).ok


def test_a_deployment_resource_over_the_size_limit_is_refused(settings):
    settings.PROCESSION_MAX_RESOURCE_BYTES = 1_000
    with pytest.raises(LimitExceededError) as refused:
        deploy_definition(name="big", resources={"notes.txt": b"x" * 1_001})
    assert refused.value.limit == "PROCESSION_MAX_RESOURCE_BYTES"
    assert refused.value.code == "limit-exceeded"
    assert not Deployment.objects.exists()


def test_too_many_resources_in_one_deployment_are_refused(settings):
    settings.PROCESSION_MAX_RESOURCES_PER_DEPLOYMENT = 3
    with pytest.raises(LimitExceededError, match="at most 3 resources"):
        deploy_definition(name="many", resources={f"r{i}.txt": b"x" for i in range(4)})
