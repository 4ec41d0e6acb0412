"""Camunda 7 generated forms (camunda:formData): spec, coercion, constraints, defaults."""

from __future__ import annotations

import pytest

from bpmn_engine.bpmn import parse_bpmn
from bpmn_engine.errors import FormSchemaError, FormValidationError, InvalidCommandError
from bpmn_engine.forms import clean_submission, generated_form, initial_values

ORDER_FORM = [
    {
        "id": "amount",
        "label": "Amount",
        "type": "long",
        "constraints": [{"name": "required"}, {"name": "min", "config": "1"}],
    },
    {
        "id": "customer",
        "label": "Customer",
        "type": "string",
        "constraints": [
            {"name": "required"},
            {"name": "minlength", "config": "2"},
            {"name": "maxlength", "config": "40"},
        ],
    },
    {"id": "approved", "label": "Approved", "type": "boolean"},
    {
        "id": "region",
        "label": "Region",
        "type": "enum",
        "enum_values": {"north": "North", "south": "South"},
    },
    {"id": "due", "label": "Due", "type": "date", "properties": {"datePattern": "dd/MM/yyyy"}},
    {
        "id": "ref",
        "label": "Reference",
        "type": "string",
        "default_value": "ORD-${amount}",
        "constraints": [{"name": "readonly"}],
    },
]


def errors_of(spec, values):
    with pytest.raises(FormValidationError) as caught:
        clean_submission(spec, values)
    return caught.value.field_errors


def test_valid_values_become_typed_variables():
    spec = generated_form(ORDER_FORM)
    cleaned = clean_submission(
        spec,
        {
            "amount": "250",
            "customer": "ACME",
            "approved": "on",
            "region": "south",
            "due": "24/12/2026",
        },
    )
    assert cleaned == {
        "amount": 250,
        "customer": "ACME",
        "approved": True,
        "region": "south",
        "due": "2026-12-24",
    }
    assert type(cleaned["amount"]) is int


def test_json_values_keep_their_types_and_iso_dates_are_accepted():
    spec = generated_form(ORDER_FORM)
    cleaned = clean_submission(
        spec, {"amount": 7, "customer": "Bo", "approved": False, "due": "2026-01-31"}
    )
    assert cleaned == {"amount": 7, "customer": "Bo", "approved": False, "due": "2026-01-31"}


def test_every_broken_rule_is_reported_per_field_with_a_friendly_message():
    errors = errors_of(
        generated_form(ORDER_FORM),
        {"amount": "0", "customer": "A", "region": "west", "due": "31.12.2026"},
    )
    assert errors == {
        "amount": ("Enter 1 or more.",),
        "customer": ("Enter at least 2 characters.",),
        "region": ("Choose one of the offered options.",),
        "due": ("Enter a valid date as dd/MM/yyyy or YYYY-MM-DD.",),
    }


def test_missing_required_fields_are_named():
    errors = errors_of(generated_form(ORDER_FORM), {"customer": "  ", "approved": True})
    assert errors == {
        "amount": ("This field is required.",),
        "customer": ("This field is required.",),
    }
    errors = errors_of(generated_form(ORDER_FORM), {})
    assert set(errors) == {"amount", "customer"}


def test_the_form_validation_error_is_a_typed_invalid_command():
    with pytest.raises(InvalidCommandError) as caught:
        clean_submission(generated_form(ORDER_FORM), {"amount": "x"})
    assert caught.value.code == "form-invalid"
    assert "amount: Enter a whole number." in str(caught.value)


@pytest.mark.parametrize(
    "value", [True, "12.5", "1e3", [], {"a": 1}, 2**63, "99999999999999999999"]
)
def test_a_long_accepts_only_a_whole_64_bit_number(value):
    errors = errors_of(generated_form(ORDER_FORM), {"amount": value, "customer": "Bo"})
    assert set(errors) == {"amount"}


def test_unknown_fields_are_refused_not_stored():
    errors = errors_of(
        generated_form(ORDER_FORM), {"amount": 5, "customer": "Bo", "is_admin": True}
    )
    assert errors == {"is_admin": ("This field is not part of the form.",)}


def test_readonly_fields_are_ignored_on_submit():
    cleaned = clean_submission(
        generated_form(ORDER_FORM), {"amount": 5, "customer": "Bo", "ref": "forged"}
    )
    assert "ref" not in cleaned


def test_huge_text_is_refused_without_a_maxlength_too():
    spec = generated_form([{"id": "note", "type": "string"}])
    errors = errors_of(spec, {"note": "x" * 1_000_000})
    assert errors == {"note": ("Enter at most 10000 characters (it has 1000000).",)}
    errors = errors_of(spec, {"note": "nul\x00byte"})
    assert set(errors) == {"note"}


@pytest.mark.parametrize("values", [None, [], "amount=5", 5])
def test_values_that_are_not_an_object_are_refused(values):
    assert set(errors_of(generated_form(ORDER_FORM), values)) == {"__all__"}


def test_text_fields_refuse_non_text():
    errors = errors_of(generated_form(ORDER_FORM), {"amount": 1, "customer": 12345})
    assert errors == {"customer": ("Enter text.",)}


def test_initial_values_prefer_variables_then_evaluate_expression_defaults():
    spec = generated_form(ORDER_FORM)
    assert initial_values(spec, {"amount": 12}) == {"amount": 12, "ref": "ORD-12"}
    assert initial_values(spec, {"ref": "kept"})["ref"] == "kept"


def test_defaults_are_typed_and_a_default_that_does_not_fit_shows_nothing():
    spec = generated_form(
        [
            {"id": "ok", "type": "boolean", "default_value": "false"},
            {"id": "n", "type": "long", "default_value": "${3 * 4}"},
            {"id": "bad", "type": "long", "default_value": "twelve"},
        ]
    )
    assert initial_values(spec, {}) == {"ok": False, "n": 12}


def test_an_expression_default_that_fails_shows_nothing():
    spec = generated_form([{"id": "x", "type": "string", "default_value": "${missing.deep}"}])
    assert initial_values(spec, {}) == {}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"id": "x", "type": "file"}, "custom type 'file'"),
        ({"id": "x", "constraints": [{"name": "validator", "config": "a.B"}]}, "'validator'"),
        ({"id": "x", "constraints": [{"name": "maxlength", "config": "lots"}]}, "whole number"),
        ({"id": "x", "constraints": [{"name": "min", "config": "1"}]}, "on a long field"),
        ({"id": "x", "constraints": [{"name": "pattern", "config": "(a)\\1"}]}, "backreferences"),
        ({"id": ""}, "have an id"),
    ],
)
def test_what_cannot_be_checked_is_refused_when_the_form_is_read(field, message):
    with pytest.raises(FormSchemaError, match=message):
        generated_form([field])


def test_duplicate_field_ids_are_refused():
    with pytest.raises(FormSchemaError, match="unique"):
        generated_form([{"id": "a"}, {"id": "a"}])


def test_a_parsed_diagram_form_becomes_the_same_spec_as_its_stored_copy():
    xml = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">
  <process id="p" isExecutable="true">
    <userTask id="t">
      <extensionElements><camunda:formData>
        <camunda:formField id="amount" label="Amount" type="long">
          <camunda:validation><camunda:constraint name="max" config="10"/></camunda:validation>
        </camunda:formField>
        <camunda:formField id="region" type="enum">
          <camunda:value id="n" name="North"/><camunda:value id="s" name="South"/>
        </camunda:formField>
      </camunda:formData></extensionElements>
    </userTask>
  </process>
</definitions>"""
    node = parse_bpmn(xml).processes["p"].node("t")
    spec = generated_form(node.assignment.form_fields)
    assert [(f.key, f.kind) for f in spec.fields] == [("amount", "integer"), ("region", "choice")]
    assert [o.label for o in spec.fields[1].options] == ["North", "South"]
    errors = errors_of(spec, {"amount": 11})
    assert errors == {"amount": ("Enter 10 or less.",)}
