"""Inbox fixtures: the demo roles and two processes, one worked by sales, one by finance."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from bpmn_engine.models import UserTask
from bpmn_engine.services import deploy_definition, start_instance

QUOTE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="quote" name="Quote" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Prepare"/>
    <bpmn:userTask id="Prepare" name="Prepare quote" camunda:candidateGroups="sales"
      camunda:priority="${priority}" camunda:dueDate="${due}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Prepare" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>"""

PAYMENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="payment" name="Payment" isExecutable="true">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Pay"/>
    <bpmn:userTask id="Pay" name="Pay supplier" camunda:candidateGroups="finance"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Pay" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>"""


def make_user(name: str, *groups: str, **flags) -> User:
    """A user in ``groups`` without a usable password (tests log in with force_login)."""
    user = User.objects.create_user(name, password=None, **flags)
    user.groups.add(*(Group.objects.get_or_create(name=g)[0] for g in groups))
    return user


@pytest.fixture
def people(db) -> dict[str, User]:
    return {
        "admin": make_user("admin", is_superuser=True, is_staff=True),
        "developer": make_user("developer", "process-developers", is_staff=True),
        "sally": make_user("sally", "sales"),
        "sam": make_user("sam", "sales"),
        "frank": make_user("frank", "finance"),
        "audrey": make_user("audrey", "auditors"),
    }


@pytest.fixture
def processes(db) -> None:
    deploy_definition(name="quote", resources={"quote.bpmn": QUOTE})
    deploy_definition(name="payment", resources={"payment.bpmn": PAYMENT})


def start_quote(
    *,
    business_key: str | None = None,
    priority: int = 50,
    due: datetime | None = None,
    now: datetime | None = None,
    **variables,
) -> UserTask:
    """Start a quote; return its open "Prepare quote" task (candidate group sales)."""
    instance = start_instance(
        definition_key="quote",
        business_key=business_key,
        variables={"priority": priority, "due": due.isoformat() if due else "", **variables},
        now=now,
    )
    return UserTask.objects.get(instance=instance, state="open")


def start_payment(*, business_key: str | None = None, **variables) -> UserTask:
    instance = start_instance(
        definition_key="payment", business_key=business_key, variables=variables
    )
    return UserTask.objects.get(instance=instance, state="open")


@pytest.fixture
def login(client: Client, people):
    """``login("sally")`` -> a client logged in as that demo user."""

    def as_user(name: str) -> Client:
        client.force_login(people[name])
        return client

    return as_user
