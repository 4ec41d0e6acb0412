"""Console fixtures: the four kinds of users and a small deployed order process."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from bpmn_engine.services import deploy_definition

ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="order" name="Order" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:userTask id="Review" name="Review order"/>
    <bpmn:serviceTask id="Charge" camunda:type="external" camunda:topic="test-flaky"/>
    <bpmn:userTask id="Ship" name="Ship"/>
    <bpmn:endEvent id="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Charge"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Charge" targetRef="Ship"/>
    <bpmn:sequenceFlow id="f4" sourceRef="Ship" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>"""


def make_user(name: str, group: str | None = None, password: str | None = None, **flags) -> User:
    """A user in ``group``; without a password (unusable: tests log in with force_login,
    which spares the slow password hash)."""
    user = User.objects.create_user(name, password=password, **flags)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def people(db) -> dict[str, User]:
    return {
        "developer": make_user("developer", "process-developers", is_staff=True),
        "admin": User.objects.create_superuser("admin", password=None),
        "sally": make_user("sally", "sales"),
        "audrey": make_user("audrey", "auditors"),
    }


@pytest.fixture
def order(db):
    return deploy_definition(name="order", resources={"order.bpmn": ORDER}).definitions[0]
