"""The read side: what each selector returns, and that it stays within its query budget
however many rows it lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from bpmn_engine.errors import NotFoundError
from bpmn_engine.models import UserTask
from bpmn_engine.selectors import (
    activity_history,
    external_task_list,
    incident_list,
    instance_detail,
    instance_list,
    job_list,
    task_variables,
    user_task_detail,
    user_task_list,
    user_tasks_with_variables,
)
from bpmn_engine.services import (
    claim_user_task,
    complete_job,
    complete_user_task,
    start_instance,
)
from bpmn_engine.services.external_tasks import TopicRequest, fetch_and_lock
from tests.services.conftest import deploy

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _reviews(reviewers=("ann", "bob", "cy"), quorum=3):
    return start_instance(
        definition_key="parallel_reviews",
        variables={"reviewers": list(reviewers), "quorum": quorum},
        business_key="R-1",
    )


@pytest.fixture
def reviews():
    deploy("multi_instance/parallel_reviews.bpmn")
    return _reviews()


def test_instance_list_reads_many_instances_and_their_definitions_in_one_query(
    reviews, django_assert_max_num_queries
):
    for _ in range(4):
        _reviews()
    with django_assert_max_num_queries(1):
        rows = [(i.pk, i.definition.key) for i in instance_list(status="active")]
    assert len(rows) == 5
    assert {key for _, key in rows} == {"parallel_reviews"}
    assert list(instance_list(business_key="nope")) == []


def test_instance_detail_names_active_activities_and_root_variables(
    reviews, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        detail = instance_detail(instance_id=reviews.pk)
    roles = sorted(a.loop_role for a in detail.active_activities)
    assert roles == ["body", "instance", "instance", "instance"]
    assert detail.active_node_ids == {"Review"}
    assert detail.incidents == []
    assert detail.variables["reviewers"] == ["ann", "bob", "cy"]
    assert "reviewer" not in detail.variables  # an iteration's own variable


def test_instance_detail_respects_a_prefiltered_queryset(reviews):
    from bpmn_engine.models import ProcessInstance

    hidden = ProcessInstance.objects.exclude(pk=reviews.pk)
    with pytest.raises(NotFoundError):
        instance_detail(instance_id=reviews.pk, queryset=hidden)


def test_each_multi_instance_task_sees_its_own_element_variable(
    reviews, django_assert_max_num_queries
):
    tasks = user_task_list(instance_id=reviews.pk)
    with django_assert_max_num_queries(2):
        details = user_tasks_with_variables(tasks)
    seen = {d.task.assignee: d.variables["reviewer"] for d in details}
    assert seen == {"ann": "ann", "bob": "bob", "cy": "cy"}
    assert {d.variables["loopCounter"] for d in details} == {0, 1, 2}
    assert all(d.variables["nrOfInstances"] == 3 for d in details)


def test_user_task_list_lists_tasks_with_instance_and_candidates_in_two_queries(
    reviews, django_assert_max_num_queries
):
    _reviews()
    with django_assert_max_num_queries(2):
        rows = [
            (t.instance.definition.key, [c.identity for c in t.candidates.all()])
            for t in user_task_list()
        ]
    assert len(rows) == 6
    assert [t.assignee for t in user_task_list(assignee="bob")] == ["bob", "bob"]


def test_user_task_detail_reads_one_task_in_two_queries(reviews, django_assert_max_num_queries):
    task = UserTask.objects.get(instance=reviews, assignee="bob")
    with django_assert_max_num_queries(2):
        detail = user_task_detail(task_id=task.pk)
    assert detail.variables["reviewer"] == "bob"
    assert detail.task.instance.definition.key == "parallel_reviews"
    with pytest.raises(NotFoundError):
        user_task_detail(task_id=task.pk, queryset=UserTask.objects.exclude(pk=task.pk))


def test_a_completed_task_shows_the_instance_variables(reviews):
    bob = User.objects.create_user("bob")
    task = UserTask.objects.get(instance=reviews, assignee="bob")
    claim_user_task(task_id=task.pk, user=bob)
    complete_user_task(task_id=task.pk, user=bob, variables={"verdict": "ok"})
    task.refresh_from_db()
    variables = task_variables(task)
    assert "reviewer" not in variables
    assert variables["verdict"] == "ok"


def test_history_marks_the_multi_instance_body_apart_from_its_instances(
    reviews, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        rows = [(h.node_id, h.loop_role, h.state) for h in activity_history(instance_id=reviews.pk)]
    assert rows[0] == ("Start", "", "completed")
    assert rows[1] == ("Review", "body", "active")
    assert sorted(rows[2:]) == [("Review", "instance", "active")] * 3


def test_history_of_a_call_activity_names_the_instance_it_called(
    django_assert_max_num_queries,
):
    deploy("call_activity/order.bpmn", "call_activity/credit_check.bpmn")
    order = start_instance(definition_key="order")
    child = order.children.get()
    with django_assert_max_num_queries(1):
        calls = [
            (h.node_id, h.called_instance_id, h.called_instance.definition.key)
            for h in activity_history(instance_id=order.pk)
            if h.called_instance_id
        ]
    assert calls == [("CheckCredit", child.pk, "credit_check")]
    plain = activity_history(instance_id=order.pk, node_id="Start").get()
    assert plain.called_instance_id is None and plain.loop_role == ""


def test_incident_list_shows_open_incidents_with_their_instance(django_assert_max_num_queries):
    deploy("multi_instance/parallel_reviews.bpmn")
    for _ in range(3):
        start_instance(
            definition_key="parallel_reviews", variables={"reviewers": "ann", "quorum": 1}
        )
    _reviews()
    with django_assert_max_num_queries(1):
        rows = [(i.kind, i.node_id, i.instance.definition.key) for i in incident_list()]
    assert rows == [("multi-instance", "Review", "parallel_reviews")] * 3
    assert incident_list(kind="expression").count() == 0
    [broken] = [i for i in instance_list() if i.business_key is None][:1]
    detail = instance_detail(instance_id=broken.pk)
    assert [i.kind for i in detail.incidents] == ["multi-instance"]


def test_job_and_external_task_lists_follow_the_lock(django_assert_max_num_queries):
    deploy("saga/trip_booking.bpmn")
    trips = [start_instance(definition_key="trip_booking", now=T0) for _ in range(3)]
    with django_assert_max_num_queries(1):
        jobs = [(j.job_type, j.instance.definition.key) for j in job_list()]
    assert jobs == [("book-flight", "trip_booking")] * 3
    [locked] = fetch_and_lock(
        worker_id="w1", topics=[TopicRequest(name="book-flight")], max_tasks=1, now=T0
    )
    with django_assert_max_num_queries(1):
        held = list(external_task_list(topic="book-flight", locked=True, now=T0))
    assert [t.pk for t in held] == [locked.id]
    assert [t.pk for t in external_task_list(worker_id="w1")] == [locked.id]
    assert external_task_list(locked=False, now=T0).count() == 2
    later = T0 + timedelta(hours=1)
    assert external_task_list(locked=False, now=later).count() == 3
    complete_job(job_id=job_list(instance_id=trips[1].pk).get().pk, now=T0)
    assert job_list(instance_id=trips[1].pk).get().job_type == "book-hotel"
    assert job_list(states=("completed",)).count() == 1
    assert job_list(external=False).count() == 0
