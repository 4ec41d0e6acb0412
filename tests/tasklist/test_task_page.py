"""The task page and its actions for every role: admin, process developer, business users
(sally and sam in sales, frank in finance), auditor (audrey) and anonymous."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from bpmn_engine.models import TaskComment, UserTask
from bpmn_engine.models.work import DelegationState, UserTaskState
from bpmn_engine.services import claim_user_task, deploy_definition, start_instance

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ACTIONS = ["claim", "unclaim", "complete", "delegate", "resolve", "assign", "comment"]
QUOTE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="quote" name="Quote" isExecutable="true" camunda:candidateStarterGroups="sales">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Prepare"/>
    <bpmn:userTask id="Prepare" name="Prepare quote" camunda:candidateGroups="sales"
      camunda:priority="70" camunda:dueDate="P2D"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Prepare" targetRef="Invoice"/>
    <bpmn:userTask id="Invoice" name="Send invoice" camunda:candidateGroups="finance"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Invoice" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def people(db) -> dict[str, User]:
    groups = {
        n: Group.objects.create(name=n)
        for n in ("sales", "finance", "auditors", "process-developers")
    }

    def person(name: str, *group_names: str, **flags) -> User:
        user = User.objects.create_user(name, **flags)
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


@pytest.fixture
def task(people) -> UserTask:
    """Sally's team's open "Prepare quote" task, with a hostile variable."""
    deploy_definition(name="quote", resources={"quote.bpmn": QUOTE})
    instance = start_instance(
        definition_key="quote",
        business_key="Q-2026-17",
        variables={"customer": "ACME Ltd", "amount": 1200, "note": XSS, "lines": [{"sku": "A1"}]},
        user=people["sally"],
        now=T0,
    )
    return instance.user_tasks.get()


def client_for(people, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(people[who])
    return client


def url(name: str, task: UserTask) -> str:
    return reverse(f"tasklist:{name}", args=[task.pk])


def fresh(task: UserTask) -> UserTask:
    return UserTask.objects.get(pk=task.pk)


def post(client: Client, name: str, task: UserTask, **data):
    return client.post(url(name, task), data, follow=True)


# --- the page ---------------------------------------------------------------------------
def test_a_sales_user_sees_the_task_its_process_dates_and_variables(people, task):
    response = client_for(people, "sally").get(url("task", task))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Prepare quote", "Quote", "quote", "version 1", "Q-2026-17", "ACME Ltd", "1200"):
        assert text in html
    assert 'datetime="2026-03-04T09:00:00+00:00"' in html  # due in two days
    assert "<dd>70</dd>" in html
    assert 'id="claim-button"' in html
    assert 'id="complete-button"' not in html  # claim first


@pytest.mark.parametrize("who", ["admin", "developer", "sally", "sam"])
def test_every_involved_user_and_every_manager_sees_the_page(people, task, who):
    assert client_for(people, who).get(url("task", task)).status_code == 200


@pytest.mark.parametrize("who", ["frank", "audrey"])
def test_outsiders_get_not_found_on_the_page_exactly_like_a_missing_task(people, task, who):
    client = client_for(people, who)
    hidden = client.get(url("task", task))
    missing = client.get(reverse("tasklist:task", args=[task.pk + 999]))
    assert hidden.status_code == missing.status_code == 404
    assert "Prepare quote" not in hidden.content.decode()


@pytest.mark.parametrize("who", ["frank", "audrey"])
@pytest.mark.parametrize("action", ACTIONS)
def test_outsiders_get_not_found_on_every_action_and_nothing_changes(people, task, who, action):
    data = {"delegate_to": "frank", "assignee": "frank", "text": "hello"}
    response = client_for(people, who).post(url(action, task), data)
    assert response.status_code == 404
    row = fresh(task)
    assert (row.state, row.assignee, row.owner) == (UserTaskState.OPEN, "", "")
    assert not TaskComment.objects.exists()


def test_outsiders_get_not_found_even_with_invalid_input(people, task):
    """Form errors would tell that the task exists: visibility is checked first."""
    client = client_for(people, "frank")
    assert client.post(url("delegate", task), {"delegate_to": ""}).status_code == 404
    assert client.post(url("comment", task), {"text": ""}).status_code == 404


def test_the_auditor_claiming_a_sales_task_gets_not_found(people, task):
    response = client_for(people, "audrey").post(url("claim", task))
    assert response.status_code == 404
    assert fresh(task).assignee == ""


@pytest.mark.parametrize("action", ["task", *ACTIONS])
def test_anonymous_users_are_sent_to_log_in_and_change_nothing(people, task, action):
    client = client_for(people, "anonymous")
    response = client.get(url(action, task)) if action == "task" else client.post(url(action, task))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert fresh(task).assignee == ""


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_refuse_get(people, task, action):
    assert client_for(people, "sally").get(url(action, task)).status_code == 405


def test_a_post_without_a_csrf_token_is_refused(people, task):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["sally"])
    assert client.post(url("claim", task)).status_code == 403
    assert fresh(task).assignee == ""


# --- claim, release, complete -----------------------------------------------------------
def test_claiming_redirects_to_the_page_with_a_message(people, task):
    client = client_for(people, "sally")
    response = client.post(url("claim", task))
    assert response.status_code == 302 and response["Location"] == url("task", task)
    page = client.get(response["Location"]).content.decode()
    assert "You hold this task now." in page
    assert fresh(task).assignee == "sally"
    assert 'id="complete-button"' in page and 'id="unclaim-button"' in page


def test_a_task_held_by_someone_else_cannot_be_claimed(people, task):
    claim_user_task(task_id=task.pk, user=people["sam"])
    response = post(client_for(people, "sally"), "claim", task)
    assert "sam holds it" in response.content.decode()
    assert fresh(task).assignee == "sam"


def test_releasing_gives_the_task_back(people, task):
    client = client_for(people, "sally")
    client.post(url("claim", task))
    response = post(client, "unclaim", task)
    assert "back with its candidates" in response.content.decode()
    assert fresh(task).assignee == ""


def test_a_task_without_a_form_completes_with_its_button_and_the_next_goes_to_finance(people, task):
    sally = client_for(people, "sally")
    sally.post(url("claim", task))
    response = sally.post(url("complete", task))
    assert response.status_code == 302
    assert fresh(task).state == UserTaskState.COMPLETED
    invoice = UserTask.objects.get(node_id="Invoice", state=UserTaskState.OPEN)
    assert client_for(people, "frank").get(url("task", invoice)).status_code == 200
    assert sally.get(url("task", invoice)).status_code == 404
    done = sally.get(url("task", task)).content.decode()
    assert "nothing is left to do" in done and "by sally" in done


def test_completing_an_unclaimed_task_says_to_claim_it_first(people, task):
    response = post(client_for(people, "sally"), "complete", task)
    assert "nobody holds it" in response.content.decode()
    assert fresh(task).state == UserTaskState.OPEN


def test_a_manager_not_involved_sees_the_task_but_may_not_claim_it(people, task):
    client = client_for(people, "developer")
    page = client.get(url("task", task)).content.decode()
    assert "can see this task but not work on it" in page
    assert client.post(url("claim", task)).status_code == 403
    assert fresh(task).assignee == ""


def test_an_admin_claims_and_completes_any_task(people, task):
    client = client_for(people, "admin")
    client.post(url("claim", task))
    client.post(url("complete", task))
    assert fresh(task).state == UserTaskState.COMPLETED


# --- delegate, resolve, assign ----------------------------------------------------------
def test_the_holder_delegates_and_the_delegate_resolves_it_back(people, task):
    sally, sam = client_for(people, "sally"), client_for(people, "sam")
    sally.post(url("claim", task))
    assert "Delegated to sam." in post(sally, "delegate", task, delegate_to="sam").content.decode()
    row = fresh(task)
    assert (row.owner, row.assignee, row.delegation_state) == (
        "sally",
        "sam",
        DelegationState.PENDING,
    )
    page = sam.get(url("task", task)).content.decode()
    assert 'id="resolve-button"' in page and 'id="complete-button"' not in page
    assert sam.post(url("complete", task)).status_code == 302
    assert fresh(task).state == UserTaskState.OPEN  # a delegate resolves, never completes
    sam.post(url("resolve", task))
    row = fresh(task)
    assert (row.assignee, row.delegation_state) == ("sally", DelegationState.RESOLVED)


def test_delegating_to_an_unknown_user_or_an_auditor_is_refused_with_a_message(people, task):
    sally = client_for(people, "sally")
    sally.post(url("claim", task))
    for target in ("nobody", "audrey"):
        response = post(sally, "delegate", task, delegate_to=target)
        assert "no such user may hold tasks" in response.content.decode()
    assert post(sally, "delegate", task, delegate_to="").status_code == 200
    assert fresh(task).assignee == "sally"


def test_a_business_user_not_holding_the_task_may_not_delegate_it(people, task):
    assert (
        client_for(people, "sally").post(url("delegate", task), {"delegate_to": "sam"}).status_code
        == 403
    )
    assert fresh(task).assignee == ""


@pytest.mark.parametrize("who", ["admin", "developer"])
def test_managers_assign_and_clear_the_assignee(people, task, who):
    client = client_for(people, who)
    assert f'action="{url("assign", task)}"' in client.get(url("task", task)).content.decode()
    assert "Assigned to sam." in post(client, "assign", task, assignee="sam").content.decode()
    assert fresh(task).assignee == "sam"
    post(client, "assign", task, assignee="")
    assert fresh(task).assignee == ""


def test_a_business_user_may_not_assign(people, task):
    client = client_for(people, "sally")
    assert f'action="{url("assign", task)}"' not in client.get(url("task", task)).content.decode()
    assert client.post(url("assign", task), {"assignee": "sam"}).status_code == 403
    assert fresh(task).assignee == ""


# --- comments, escaping, timeline -------------------------------------------------------
def test_comments_are_stored_and_shown_escaped(people, task):
    client = client_for(people, "sally")
    response = post(client, "comment", task, text=XSS)
    html = response.content.decode()
    assert "Comment added." in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert TaskComment.objects.get().text == XSS
    assert XSS not in html


def test_variables_business_key_and_names_are_escaped_and_no_inline_script_runs(people):
    hostile = QUOTE.replace(b'name="Prepare quote"', b'name="&lt;script&gt;bad()&lt;/script&gt;"')
    deploy_definition(name="quote", resources={"quote.bpmn": hostile})
    instance = start_instance(
        definition_key="quote", business_key=XSS, variables={XSS: XSS}, user=people["sally"]
    )
    response = client_for(people, "sally").get(url("task", instance.user_tasks.get()))
    html = response.content.decode()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;bad()&lt;/script&gt;" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_structured_variables_are_shown_as_json(people, task):
    html = client_for(people, "sally").get(url("task", task)).content.decode()
    assert "&quot;sku&quot;: &quot;A1&quot;" in html


def test_the_timeline_shows_what_ran_and_who_acted_on_visible_tasks_only(people, task):
    sally, frank = client_for(people, "sally"), client_for(people, "frank")
    sally.post(url("claim", task))
    sally.post(url("complete", task))
    invoice = UserTask.objects.get(node_id="Invoice")
    frank.post(url("claim", invoice))
    timeline = sally.get(url("task", task)).content.decode().split('id="timeline-title"')[1]
    assert "<strong>sally</strong> claimed Prepare quote" in timeline
    assert "<strong>sally</strong> completed Prepare quote" in timeline
    assert "started Send invoice" in timeline
    assert "frank" not in timeline
    assert (
        "<strong>frank</strong> claimed Send invoice"
        in frank.get(url("task", invoice)).content.decode()
    )


def test_the_timeline_is_in_order_and_names_whom_a_task_went_to(people, task):
    sally = client_for(people, "sally")
    sally.post(url("claim", task))
    sally.post(url("delegate", task), {"delegate_to": "sam"})
    html = sally.get(url("task", task)).content.decode()
    timeline = html.split('id="timeline-title"')[1]
    order = ["started Start", "completed Start", "started Prepare quote", "claimed Prepare"]
    positions = [timeline.index(text) for text in order]
    assert positions == sorted(positions)
    assert "claimed Prepare quote →" not in timeline
    assert "delegated Prepare quote → sam" in timeline


def test_the_page_reads_in_a_bounded_number_of_queries(people, task, django_assert_max_num_queries):
    client = client_for(people, "sally")
    for n in range(5):
        client.post(url("comment", task), {"text": f"note {n}"})
    # 10 for the page, the rest the layout's navigation (console and audit links)
    with django_assert_max_num_queries(16):
        assert client.get(url("task", task)).status_code == 200
