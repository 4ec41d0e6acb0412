"""People and the demo order intake (a generated form for sales, a form-js form for
finance) for form tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from bpmn_engine.services import deploy_definition

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bpmn" / "forms"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(name="people")
def people_fixture(db) -> dict[str, User]:
    groups = {
        n: Group.objects.get_or_create(name=n)[0]
        for n in ("sales", "finance", "auditors", "process-developers")
    }

    def person(name: str, *group_names: str, **flags) -> User:
        user = User.objects.create_user(name, password="procession", **flags)
        user.groups.add(*(groups[g] for g in group_names))
        return user

    return {
        "admin": person("admin", is_superuser=True, is_staff=True),
        "developer": person("developer", "process-developers", is_staff=True),
        "sally": person("sally", "sales"),
        "sam": person("sam", "sales"),
        "frank": person("frank", "finance"),
        "audrey": person("audrey", "auditors"),
    }


def deploy_order_intake():
    """The demo diagram and its ``payment_check.form``, deployed together."""
    return deploy_definition(
        name="Order intake with forms",
        resources={
            "order_intake.bpmn": (FIXTURES / "order_intake.bpmn").read_bytes(),
            "payment_check.form": (FIXTURES / "payment_check.form").read_bytes(),
        },
    ).definitions[0]
