"""API test fixtures: one user per role, clients logged in as them, deployed diagrams."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from bpmn_engine.services import deploy_definition
from tests.api import diagrams

ROLES = ("admin", "developer", "sally", "frank", "audrey", "worker")


@pytest.fixture
def users(db) -> dict[str, User]:
    groups = {
        name: Group.objects.get_or_create(name=name)[0]
        for name in ("sales", "finance", "auditors", "process-developers", "external-workers")
    }
    made = {"admin": User.objects.create_superuser("admin", password="procession")}
    for name, group in (
        ("developer", "process-developers"),
        ("sally", "sales"),
        ("frank", "finance"),
        ("audrey", "auditors"),
        ("worker", "external-workers"),
    ):
        made[name] = User.objects.create_user(name, password="procession")
        made[name].groups.add(groups[group])
    return made


@pytest.fixture
def client_for(users):
    """``client_for("sally")`` is an API client logged in as sally; None is anonymous."""

    def make(name: str | None) -> APIClient:
        client = APIClient()
        if name is not None:
            client.force_authenticate(users[name])
        return client

    return make


def deploy_xml(**resources: str):
    return deploy_definition(
        name="tests", resources={f"{k}.bpmn": v.encode() for k, v in resources.items()}
    )


@pytest.fixture
def order(db):
    return deploy_xml(order=diagrams.ORDER).definitions[0]


@pytest.fixture
def payment(db):
    return deploy_xml(payment=diagrams.PAYMENT).definitions[0]


@pytest.fixture
def work(db):
    return deploy_xml(work=diagrams.WORK).definitions[0]
