"""Camunda 7 REST: POST /engine-rest/decision-definition/key/{key}/evaluate and
/decision-definition/{id}/evaluate, with typed variables and per-rule typed results."""

from __future__ import annotations

import json

import pytest

from bpmn_engine.models import DecisionDefinition
from bpmn_engine.services import deploy_definition

pytestmark = pytest.mark.django_db

APPROVERS = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"
  name="d" namespace="n">
  <decision id="approver" name="Approver">
    <decisionTable id="t" hitPolicy="COLLECT">
      <input id="c1"><inputExpression typeRef="number"><text>amount</text></inputExpression>
      </input>
      <input id="c2"><inputExpression typeRef="string"><text>category</text></inputExpression>
      </input>
      <output id="o1" name="group" typeRef="string"/>
      <output id="o2" name="limit" typeRef="number"/>
      <rule id="r1"><inputEntry><text>&lt; 1000</text></inputEntry><inputEntry><text>-</text>
        </inputEntry><outputEntry><text>"accounting"</text></outputEntry>
        <outputEntry><text>999.5</text></outputEntry></rule>
      <rule id="r2"><inputEntry><text>-</text></inputEntry><inputEntry><text>"Misc"</text>
        </inputEntry><outputEntry><text>"sales"</text></outputEntry>
        <outputEntry><text>5000000000</text></outputEntry></rule>
      <rule id="r3"><inputEntry><text>&gt;= 1000</text></inputEntry><inputEntry><text>-</text>
        </inputEntry><outputEntry><text>"management"</text></outputEntry>
        <outputEntry><text>10</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="strict" name="Strict">
    <decisionTable id="u"><input id="c"><inputExpression><text>amount</text></inputExpression>
    </input><output id="o" name="r"/>
    <rule id="s1"><inputEntry><text>&gt; 1</text></inputEntry><outputEntry><text>1</text>
    </outputEntry></rule>
    <rule id="s2"><inputEntry><text>&gt; 2</text></inputEntry><outputEntry><text>2</text>
    </outputEntry></rule></decisionTable>
  </decision>
  <decision id="due" name="Due">
    <literalExpression><text>date("2026-12-01") + duration("P30D")</text></literalExpression>
  </decision>
</definitions>"""

BODY = {"variables": {"amount": {"value": 30.5, "type": "Double"}, "category": {"value": "Misc"}}}


@pytest.fixture
def approvers(db):
    return deploy_definition(name="approvers", resources={"approvers.dmn": APPROVERS})


def _post(client, path: str, body: dict):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_evaluate_by_key_answers_one_map_of_typed_outputs_per_matched_rule(client_for, approvers):
    response = _post(
        client_for("sally"), "/engine-rest/decision-definition/key/approver/evaluate", BODY
    )
    assert response.status_code == 200
    assert response.json() == [
        {
            "group": {"type": "String", "value": "accounting", "valueInfo": {}},
            "limit": {"type": "Double", "value": 999.5, "valueInfo": {}},
        },
        {
            "group": {"type": "String", "value": "sales", "valueInfo": {}},
            "limit": {"type": "Long", "value": 5000000000, "valueInfo": {}},
        },
    ]


def test_evaluate_by_id_takes_that_version(client_for, approvers):
    changed = APPROVERS.replace(b'"accounting"', b'"finance"')
    deploy_definition(name="approvers", resources={"approvers.dmn": changed})
    first = DecisionDefinition.objects.get(key="approver", version=1)
    by_id = _post(client_for("sally"), f"/rest/decision-definition/{first.pk}/evaluate", BODY)
    by_key = _post(client_for("sally"), "/rest/decision-definition/key/approver/evaluate", BODY)
    assert by_id.json()[0]["group"]["value"] == "accounting"
    assert by_key.json()[0]["group"]["value"] == "finance"


def test_a_literal_expression_answers_one_entry_named_after_its_decision(client_for, approvers):
    response = _post(client_for("sally"), "/engine-rest/decision-definition/key/due/evaluate", {})
    assert response.json() == [{"Due": {"type": "String", "value": "2026-12-31", "valueInfo": {}}}]


def test_errors_have_camundas_status_and_type(client_for, approvers):
    sally = client_for("sally")
    failed = _post(
        sally,
        "/engine-rest/decision-definition/key/strict/evaluate",
        {"variables": {"amount": {"value": 5, "type": "Integer"}}},
    )
    assert failed.status_code == 500
    assert failed.json()["type"] == "RestException" and "UNIQUE" in failed.json()["message"]
    missing = _post(sally, "/engine-rest/decision-definition/key/nothing/evaluate", {})
    assert (missing.status_code, missing.json()["type"]) == (404, "InvalidRequestException")
    bad_id = _post(sally, "/engine-rest/decision-definition/abc/evaluate", {})
    assert bad_id.status_code == 404
    untyped = _post(
        sally, "/engine-rest/decision-definition/key/approver/evaluate", {"variables": {"a": 1}}
    )
    assert untyped.status_code == 400


def test_evaluating_needs_the_policys_permission(client_for, approvers):
    path = "/engine-rest/decision-definition/key/approver/evaluate"
    denied = _post(client_for("audrey"), path, BODY)
    assert (denied.status_code, denied.json()["type"]) == (403, "AuthorizationException")
    assert _post(client_for(None), path, BODY).status_code == 401
