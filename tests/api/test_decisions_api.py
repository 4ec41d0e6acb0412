"""POST /api/v1/decision-definitions/key/{key}/evaluate/: the documented shapes."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from bpmn_engine.services import deploy_definition

pytestmark = pytest.mark.django_db

PRICING = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"
  name="d" namespace="n">
  <inputData id="i_amount" name="amount"><variable name="amount" typeRef="number"/></inputData>
  <inputData id="i_day" name="day"><variable name="day" typeRef="date"/></inputData>
  <decision id="price" name="Price">
    <variable name="Price"/>
    <informationRequirement><requiredInput href="#i_amount"/></informationRequirement>
    <informationRequirement><requiredInput href="#i_day"/></informationRequirement>
    <context>
      <contextEntry><variable name="total"/>
        <literalExpression><text>amount * 1.10</text></literalExpression></contextEntry>
      <contextEntry><variable name="due"/>
        <literalExpression><text>day + duration("P30D")</text></literalExpression></contextEntry>
      <contextEntry><variable name="weekday"/>
        <literalExpression><text>day of week(day)</text></literalExpression></contextEntry>
    </context>
  </decision>
  <decision id="strict" name="Strict">
    <decisionTable id="t"><input id="c"><inputExpression><text>amount</text></inputExpression>
    </input><output id="o" name="r"/>
    <rule id="r1"><inputEntry><text>&gt; 1</text></inputEntry><outputEntry><text>1</text>
    </outputEntry></rule>
    <rule id="r2"><inputEntry><text>&gt; 2</text></inputEntry><outputEntry><text>2</text>
    </outputEntry></rule></decisionTable>
  </decision>
</definitions>"""


@pytest.fixture
def pricing(db):
    return deploy_definition(name="pricing", resources={"pricing.dmn": PRICING})


def test_evaluate_answers_exact_decimals_and_iso_dates(client_for, pricing):
    response = client_for("sally").post(
        "/api/v1/decision-definitions/key/price/evaluate/",
        data='{"variables": {"amount": 0.1, "day": "2026-12-01"}}',
        content_type="application/json",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert '"total":0.110' in text  # the decimal digits, never through a float
    assert json.loads(text) == {
        "result": {"Price": {"total": 0.11, "due": "2026-12-31", "weekday": "Tuesday"}}
    }


def test_dates_beyond_year_9999_and_before_year_1_travel_as_iso_text(client_for, pricing):
    response = client_for("sally").post(
        "/api/v1/decision-definitions/key/price/evaluate/",
        data='{"variables": {"amount": 1, "day": "-2021-12-15"}}',
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["result"]["Price"]["due"] == "-2020-01-14"
    response = client_for("sally").post(
        "/api/v1/decision-definitions/key/price/evaluate/",
        data='{"variables": {"amount": 1, "day": "99999-12-15"}}',
        content_type="application/json",
    )
    assert response.json()["result"]["Price"]["due"] == "100000-01-14"


def test_an_evaluation_error_is_a_problem_document(client_for, pricing):
    response = client_for("sally").post(
        "/api/v1/decision-definitions/key/strict/evaluate/",
        data={"variables": {"amount": 5}},
        format="json",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "UNIQUE" in response.json()["detail"]


def test_an_unknown_decision_is_404(client_for, pricing):
    response = client_for("sally").post(
        "/api/v1/decision-definitions/key/nothing/evaluate/",
        data={"variables": {}},
        format="json",
    )
    assert response.status_code == 404


def test_the_management_command_prints_the_result(pricing, capsys):
    call_command("evaluate_decision", "price", "--var", "amount=10", "--var", "day=2026-12-01")
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"Price": {"total": 11, "due": "2026-12-31", "weekday": "Tuesday"}}
