"""User tasks over /api/v1/: visibility per role, claim, complete in one call, assign."""

from __future__ import annotations

import pytest

from bpmn_engine.models import UserTask
from bpmn_engine.services import start_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(order):
    row = start_instance(definition_key="order", variables={"amount": 12})
    return UserTask.objects.get(instance=row)


def test_candidate_group_member_sees_task_with_variables_and_form_fields(client_for, task):
    sally = client_for("sally")
    listed = sally.get("/api/v1/tasks/").json()
    assert [t["id"] for t in listed["results"]] == [task.pk]
    assert listed["results"][0]["candidate_groups"] == ["sales"]
    detail = sally.get(f"/api/v1/tasks/{task.pk}/").json()
    assert detail["variables"] == {"amount": 12}
    assert [f["id"] for f in detail["form_fields"]] == ["approved"]


def test_other_business_users_see_nothing_and_get_404(client_for, task):
    frank = client_for("frank")
    assert frank.get("/api/v1/tasks/").json()["count"] == 0
    assert frank.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert frank.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 404


def test_anonymous_gets_no_tasks(client_for, task):
    assert client_for(None).get("/api/v1/tasks/").status_code in (401, 403)


def test_auditor_sees_no_task_and_may_not_claim_or_complete(client_for, task):
    """Auditors read history and audit events, never the inbox (the one policy)."""
    audrey = client_for("audrey")
    assert audrey.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert audrey.get("/api/v1/tasks/").json()["count"] == 0
    assert audrey.post(f"/api/v1/tasks/{task.pk}/claim/").status_code in (403, 404)
    complete = audrey.post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
    assert complete.status_code in (403, 404)
    task.refresh_from_db()
    assert task.state == "open" and task.assignee == ""


def test_filters(client_for, task):
    dev = client_for("developer")
    assert dev.get("/api/v1/tasks/?candidate_group=sales").json()["count"] == 1
    assert dev.get("/api/v1/tasks/?candidate_group=finance").json()["count"] == 0
    assert dev.get("/api/v1/tasks/?element_id=Approve").json()["count"] == 1
    assert dev.get(f"/api/v1/tasks/?process_instance={task.instance_id}").json()["count"] == 1
    assert dev.get("/api/v1/tasks/?due_before=2000-01-01T00:00:00Z").json()["count"] == 0


def test_claim_unclaim_and_conflicting_claim(client_for, users, task):
    sally = client_for("sally")
    assert sally.post(f"/api/v1/tasks/{task.pk}/claim/").json()["assignee"] == "sally"
    other = users["frank"]
    other.groups.add(*users["sally"].groups.all())
    taken = client_for("frank").post(f"/api/v1/tasks/{task.pk}/claim/")
    assert taken.status_code == 409
    assert taken.json()["type"] == "urn:procession:problem:task-already-claimed"
    assert sally.post(f"/api/v1/tasks/{task.pk}/unclaim/").json()["assignee"] == ""


def test_candidate_completes_an_unclaimed_task_in_one_call(client_for, task):
    done = client_for("sally").post(
        f"/api/v1/tasks/{task.pk}/complete/", {"variables": {"approved": True}}, format="json"
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "completed"
    assert done.json()["completed_by"] == "sally"
    task.refresh_from_db()
    assert task.instance.variable_rows.get(name="approved").value is True


def test_completing_twice_is_a_conflict(client_for, task):
    sally = client_for("sally")
    sally.post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
    again = sally.post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
    assert again.status_code == 409


def test_assign_is_for_admins_and_developers(client_for, task):
    assert (
        client_for("sally")
        .post(f"/api/v1/tasks/{task.pk}/assign/", {"assignee": "sally"})
        .status_code
        == 403
    )
    assigned = client_for("developer").post(
        f"/api/v1/tasks/{task.pk}/assign/", {"assignee": "sally"}, format="json"
    )
    assert assigned.json()["assignee"] == "sally"
    cleared = client_for("admin").post(
        f"/api/v1/tasks/{task.pk}/assign/", {"assignee": None}, format="json"
    )
    assert cleared.json()["assignee"] == ""
