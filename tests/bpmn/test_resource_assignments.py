"""BPMN ``potentialOwner`` / ``humanPerformer`` resource assignments on user tasks, as
Activiti, Flowable and Camunda read them."""

from __future__ import annotations

from bpmn_engine.bpmn import parse_bpmn
from tests.bpmn.helpers import linear


def assignment_of(task: str):
    return parse_bpmn(linear(task)).process("p").node("t").assignment


def owner(text: str, element: str = "potentialOwner") -> str:
    return (
        f"<{element}><resourceAssignmentExpression><formalExpression>{text}"
        f"</formalExpression></resourceAssignmentExpression></{element}>"
    )


def test_user_and_group_owners_become_candidates_and_plain_names_are_groups():
    a = assignment_of(
        f'<userTask id="t">{owner("user(kermit), group(management), sales")}</userTask>'
    )
    assert a.candidate_users == ("kermit",)
    assert a.candidate_groups == ("management", "sales")
    assert a.assignee is None


def test_a_flowable_vacation_request_owner_and_performer():
    # as in Flowable's VacationRequest example: a group owner, an expression performer
    a = assignment_of(
        f'<userTask id="t" name="Handle vacation request">{owner("management")}'
        f"{owner('${employeeName}', 'humanPerformer')}</userTask>"
    )
    assert a.candidate_groups == ("management",)
    assert a.assignee == "${employeeName}"


def test_a_human_performer_written_as_user_names_the_assignee():
    assert (
        assignment_of(
            f'<userTask id="t">{owner("user(fozzie)", "humanPerformer")}</userTask>'
        ).assignee
        == "fozzie"
    )


def test_vendor_attributes_and_owners_merge_without_duplicates():
    owners = owner("group(sales), user(kermit), ${team}")
    a = assignment_of(
        '<userTask id="t" camunda:assignee="gonzo" camunda:candidateGroups="sales">'
        f"{owners}{owner('piggy', 'humanPerformer')}</userTask>"
    )
    assert a.candidate_groups == ("sales", "${team}")
    assert a.candidate_users == ("kermit",)
    assert a.assignee == "gonzo"


def test_an_owner_given_only_by_resource_ref_assigns_nobody():
    # MIWG reference diagrams point at a <resource> instead of an expression
    a = assignment_of(
        '<userTask id="t"><potentialOwner id="po"><resourceRef>r1</resourceRef>'
        "</potentialOwner></userTask>"
    )
    assert (a.candidate_users, a.candidate_groups, a.assignee) == ((), (), None)
