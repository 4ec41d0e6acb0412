"""Deploying diagrams: validation, versions, duplicate filtering."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bpmn_engine.errors import DeploymentInvalidError
from bpmn_engine.models import Deployment, ProcessDefinition, ProcessInstance
from bpmn_engine.services import deploy_definition, start_instance
from tests.services.conftest import FIXTURES, deploy

pytestmark = pytest.mark.django_db

APPROVAL = (FIXTURES / "user_task" / "approval.bpmn").read_bytes()


def test_first_deployment_creates_version_one():
    result = deploy("user_task/approval.bpmn")
    [definition] = result.definitions
    assert (definition.key, definition.version) == ("approval", 1)
    assert definition.name == "Discount approval"


def test_unchanged_diagram_is_not_deployed_again():
    first = deploy("user_task/approval.bpmn")
    second = deploy("user_task/approval.bpmn")
    assert second.duplicate is True
    assert second.deployment.pk == first.deployment.pk
    assert ProcessDefinition.objects.filter(key="approval").count() == 1


def test_changed_diagram_becomes_a_new_version_and_running_instances_keep_theirs():
    deploy("user_task/approval.bpmn")
    running = start_instance(definition_key="approval", variables={"dueDate": None})
    changed = APPROVAL.replace(b'name="Review discount"', b'name="Review the discount"')
    result = deploy_definition(name="approval", resources={"approval.bpmn": changed})
    assert result.definitions[0].version == 2
    running.refresh_from_db()
    assert running.definition.version == 1
    newer = start_instance(definition_key="approval", variables={"dueDate": None})
    assert newer.definition.version == 2
    assert newer.user_tasks.get().name == "Review the discount"
    assert running.user_tasks.get().name == "Review discount"


def test_invalid_diagram_is_refused_and_nothing_is_stored():
    broken = APPROVAL.replace(b'targetRef="Decision"', b'targetRef="Nowhere"')
    with pytest.raises(DeploymentInvalidError) as caught:
        deploy_definition(name="approval", resources={"approval.bpmn": broken})
    assert "Nowhere" in str(caught.value)
    assert "approval.bpmn" in caught.value.issues
    assert Deployment.objects.count() == 0
    assert ProcessDefinition.objects.count() == 0
    assert ProcessInstance.objects.count() == 0


def test_deploy_bpmn_command_prints_key_and_version():
    out = StringIO()
    call_command("deploy_bpmn", str(FIXTURES / "user_task" / "approval.bpmn"), stdout=out)
    assert out.getvalue().strip() == "approval version 1"


def test_deploy_bpmn_command_reports_errors_with_file_and_line(tmp_path):
    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(APPROVAL.replace(b'targetRef="Decision"', b'targetRef="Nowhere"'))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("deploy_bpmn", str(broken), stderr=err)
    assert err.getvalue().startswith("broken.bpmn:")
    assert "Nowhere" in err.getvalue()
