"""The native evaluate endpoint beyond single decisions: .dmn uploads through
/api/v1/deployments/, decision services answered by their output decisions' names, and
times, date-times and durations travelling as ISO text converted by the input's typeRef."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bpmn_engine.models import DecisionDefinition

pytestmark = pytest.mark.django_db

SHIFT = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="shift"
  name="shift" namespace="n">
  <inputData id="i_start" name="start"><variable name="start" typeRef="dateTime"/></inputData>
  <inputData id="i_length" name="length">
    <variable name="length" typeRef="dayTimeDuration"/></inputData>
  <inputData id="i_break" name="break at"><variable name="break at" typeRef="time"/></inputData>
  <decision id="end" name="End">
    <variable name="End" typeRef="dateTime"/>
    <informationRequirement><requiredInput href="#i_start"/></informationRequirement>
    <informationRequirement><requiredInput href="#i_length"/></informationRequirement>
    <literalExpression><text>start + length</text></literalExpression>
  </decision>
  <decision id="pause" name="Pause">
    <variable name="Pause" typeRef="time"/>
    <informationRequirement><requiredInput href="#i_break"/></informationRequirement>
    <literalExpression><text>break at + duration("PT30M")</text></literalExpression>
  </decision>
  <decision id="paid" name="Paid">
    <variable name="Paid" typeRef="dayTimeDuration"/>
    <informationRequirement><requiredDecision href="#end"/></informationRequirement>
    <informationRequirement><requiredInput href="#i_start"/></informationRequirement>
    <literalExpression><text>End - start - duration("PT30M")</text></literalExpression>
  </decision>
  <decisionService id="plan" name="Plan">
    <outputDecision href="#paid"/><outputDecision href="#pause"/>
    <encapsulatedDecision href="#end"/>
    <inputData href="#i_start"/><inputData href="#i_length"/><inputData href="#i_break"/>
  </decisionService>
</definitions>"""


@pytest.fixture
def shift(client_for):
    upload = SimpleUploadedFile("shift.dmn", SHIFT.encode(), content_type="text/xml")
    response = client_for("developer").post(
        "/api/v1/deployments/", {"file": [upload]}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response


def _evaluate(client_for, key: str, variables: dict) -> dict:
    response = client_for("sally").post(
        f"/api/v1/decision-definitions/key/{key}/evaluate/",
        data=json.dumps({"variables": variables}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_dmn_file_uploaded_to_the_deployments_endpoint_deploys_its_decisions(shift):
    keys = set(DecisionDefinition.objects.values_list("key", flat=True))
    assert {"end", "pause", "paid", "plan"} <= keys


def test_a_decision_service_answers_its_output_decisions_by_name(client_for, shift):
    answer = _evaluate(
        client_for,
        "plan",
        {"start": "2026-12-01T08:00:00+01:00", "length": "PT8H15M", "break at": "12:00:00"},
    )
    assert answer == {"result": {"Paid": "PT7H45M", "Pause": "12:30:00"}}


def test_date_times_times_and_durations_travel_as_iso_text(client_for, shift):
    answer = _evaluate(
        client_for, "end", {"start": "2026-12-01T22:00:00@Europe/Paris", "length": "-P1DT2H"}
    )
    assert answer == {"result": {"End": "2026-11-30T20:00:00@Europe/Paris"}}
    answer = _evaluate(client_for, "pause", {"break at": "23:45:00Z"})
    assert answer == {"result": {"Pause": "00:15:00Z"}}
