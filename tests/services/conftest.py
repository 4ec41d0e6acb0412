"""Helpers for service-layer tests: deploy fixture diagrams, demo users, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from bpmn_engine.services import deploy_definition

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bpmn"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def deploy(*relative_paths: str, name: str | None = None):
    resources = {Path(p).name: (FIXTURES / p).read_bytes() for p in relative_paths}
    return deploy_definition(name=name or Path(relative_paths[0]).stem, resources=resources)


@pytest.fixture
def users(db):
    sales, _ = Group.objects.get_or_create(name="sales")
    finance, _ = Group.objects.get_or_create(name="finance")
    sally = User.objects.create_user("sally", password="procession")
    sally.groups.add(sales)
    frank = User.objects.create_user("frank", password="procession")
    frank.groups.add(finance)
    sam = User.objects.create_user("sam", password="procession")
    sam.groups.add(sales)
    return {"sally": sally, "frank": frank, "sam": sam}
