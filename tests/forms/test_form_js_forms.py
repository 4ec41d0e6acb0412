"""Camunda Forms (form-js JSON): schema checks, coercion, validation, hostile input."""

from __future__ import annotations

import json
import time

import pytest

from bpmn_engine.errors import FormSchemaError, FormValidationError
from bpmn_engine.forms import clean_submission, form_js_form, parse_form_json

SCHEMA = {
    "id": "invoice-check",
    "type": "default",
    "schemaVersion": 16,
    "components": [
        {"type": "text", "text": "# Check the invoice"},
        {
            "type": "textfield",
            "key": "iban",
            "label": "IBAN",
            "validate": {
                "required": True,
                "pattern": "^[A-Z]{2}[0-9]{2}[A-Z0-9]{4,30}$",
                "patternErrorMessage": "Enter an IBAN such as DE44500105175407324931.",
            },
        },
        {
            "type": "textarea",
            "key": "notes",
            "label": "Notes",
            "validate": {"minLength": 3, "maxLength": 20},
        },
        {
            "type": "number",
            "key": "total",
            "label": "Total",
            "decimalDigits": 2,
            "validate": {"min": 0.5, "max": 10000},
        },
        {
            "type": "checkbox",
            "key": "confirmed",
            "label": "Confirmed",
            "validate": {"required": True},
        },
        {
            "type": "group",
            "label": "Routing",
            "components": [
                {
                    "type": "select",
                    "key": "department",
                    "label": "Department",
                    "values": [
                        {"label": "Finance", "value": "fin"},
                        {"label": "Sales", "value": "sal"},
                    ],
                },
                {
                    "type": "checklist",
                    "key": "copies",
                    "label": "Copies to",
                    "values": [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}],
                },
                {"type": "taglist", "key": "tags", "label": "Tags", "valuesKey": "knownTags"},
                {
                    "type": "radio",
                    "key": "speed",
                    "label": "Speed",
                    "values": [{"label": "Normal", "value": "normal"}],
                },
            ],
        },
        {"type": "datetime", "key": "paid_on", "subtype": "date", "dateLabel": "Paid on"},
        {"type": "datetime", "key": "paid_at", "subtype": "datetime", "dateLabel": "Paid at"},
        {"type": "datetime", "key": "cutoff", "subtype": "time", "timeLabel": "Cut-off"},
        {
            "type": "textfield",
            "key": "mail",
            "label": "Mail",
            "validate": {"validationType": "email"},
        },
        {"type": "textfield", "key": "invoice_id", "label": "Invoice", "readonly": True},
        {"type": "textfield", "key": "approver", "label": "Approver", "disabled": True},
        {"type": "button", "action": "submit", "label": "Submit"},
    ],
}
VALID = {"iban": "DE44500105175407324931", "confirmed": True}


def errors_of(values, schema=SCHEMA, variables=None):
    with pytest.raises(FormValidationError) as caught:
        clean_submission(form_js_form(schema), values, variables=variables)
    return caught.value.field_errors


def test_the_schema_becomes_fields_in_order_with_groups_flattened():
    spec = form_js_form(SCHEMA)
    assert spec.form_id == "invoice-check"
    assert [f.key for f in spec.fields] == [
        "iban", "notes", "total", "confirmed", "department", "copies", "tags", "speed",
        "paid_on", "paid_at", "cutoff", "mail", "invoice_id", "approver",
    ]  # fmt: skip
    assert [f.key for f in spec.editable][-2:] == ["cutoff", "mail"]
    assert spec.field("paid_on").label == "Paid on"


def test_a_full_submission_is_coerced_to_typed_variables():
    cleaned = clean_submission(
        form_js_form(SCHEMA),
        VALID
        | {
            "notes": "All fine",
            "total": 12.5,
            "department": "fin",
            "copies": ["b", "a"],
            "tags": ["urgent"],
            "speed": "normal",
            "paid_on": "2026-03-02",
            "paid_at": "2026-03-02T09:30",
            "cutoff": "17:00",
            "mail": "ap@example.com",
        },
        variables={"knownTags": [{"label": "Urgent", "value": "urgent"}, "later"]},
    )
    assert cleaned["total"] == 12.5 and cleaned["copies"] == ["b", "a"]
    assert cleaned["paid_at"] == "2026-03-02T09:30:00"
    assert cleaned["cutoff"] == "17:00:00"
    assert cleaned["tags"] == ["urgent"]


def test_numbers_come_back_as_int_when_whole():
    cleaned = clean_submission(form_js_form(SCHEMA), VALID | {"total": "40.00"})
    assert cleaned["total"] == 40 and type(cleaned["total"]) is int


def test_pattern_required_and_custom_messages():
    errors = errors_of({"iban": "not an iban", "confirmed": False})
    assert errors == {
        "iban": ("Enter an IBAN such as DE44500105175407324931.",),
        "confirmed": ("This field is required.",),
    }


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"notes": "  a  "}, "notes", "Enter at least 3 characters."),
        ({"notes": "x" * 21}, "notes", "Enter at most 20 characters."),
        ({"total": 0.25}, "total", "Enter 0.5 or more."),
        ({"total": 10000.01}, "total", "Enter 10000 or less."),
        ({"total": 1.234}, "total", "Enter at most 2 decimal digits."),
        ({"total": "NaN"}, "total", "Enter a number."),
        ({"total": True}, "total", "Enter a number."),
        ({"department": "hr"}, "department", "Choose one of the offered options."),
        ({"department": ["fin"]}, "department", "Choose one of the offered options."),
        ({"copies": ["a", "a"]}, "copies", "Choose each option at most once."),
        ({"copies": "a"}, "copies", "Choose from the offered options."),
        ({"tags": ["urgent"]}, "tags", "Choose one of the offered options."),
        ({"paid_on": "02.03.2026"}, "paid_on", "Enter a valid date as YYYY-MM-DD."),
        ({"paid_at": "soon"}, "paid_at", "Enter a valid date and time as YYYY-MM-DDTHH:MM."),
        ({"cutoff": "25:00"}, "cutoff", "Enter a valid time as HH:MM."),
        ({"mail": "not-mail"}, "mail", "Enter a valid email address."),
    ],
)
def test_each_constraint_has_a_friendly_message(values, field, message):
    assert errors_of(VALID | values) == {field: (message,)}


def test_readonly_disabled_and_expression_fields_are_ignored_on_submit():
    cleaned = clean_submission(
        form_js_form(SCHEMA), VALID | {"invoice_id": "forged", "approver": "me"}
    )
    assert "invoice_id" not in cleaned and "approver" not in cleaned


def test_unknown_keys_are_refused():
    assert errors_of(VALID | {"__proto__": {}, "admin": True}) == {
        "__proto__": ("This field is not part of the form.",),
        "admin": ("This field is not part of the form.",),
    }


def test_a_catastrophic_pattern_runs_in_linear_time():
    schema = {
        "components": [
            {"type": "textfield", "key": "x", "validate": {"pattern": "^(a+)+$", "maxLength": 9000}}
        ]
    }
    started = time.perf_counter()
    errors = errors_of({"x": "a" * 5000 + "!"}, schema)
    # Python's re takes longer than the age of the universe here; RE2 microseconds
    assert errors == {"x": ("Enter a value in the expected format.",)}
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("component", "message"),
    [
        ({"type": "filepicker", "key": "f"}, "component type 'filepicker'"),
        ({"type": "dynamiclist", "key": "d", "components": []}, "component type 'dynamiclist'"),
        ({"type": "textfield", "key": "a.b"}, "nested data"),
        ({"type": "group", "path": "p", "components": []}, "a group with a path"),
        ({"type": "textfield", "key": "x", "validate": {"min": "=limit"}}, "FEEL min"),
        ({"type": "textfield", "key": "x", "readonly": "=done"}, "readonly by an expression"),
        ({"type": "select", "key": "s", "valuesExpression": "=opts"}, "by an expression"),
        ({"type": "select", "key": "s"}, "without 'values'"),
        ({"type": "textfield", "key": "x", "validate": {"pattern": "(?=a)"}}, "lookaround"),
        ({"type": "textfield", "key": "x", "validate": {"pattern": "a" * 1001}}, "at most 1000"),
        ({"type": "number", "key": "n", "validate": {"max": "lots"}}, "not a number"),
        ({"type": "datetime", "key": "d", "subtype": "week"}, "subtype 'week'"),
        ({"type": "textfield"}, "plain name"),
        ("textfield", "object with a type"),
    ],
)
def test_what_the_server_cannot_check_is_refused(component, message):
    with pytest.raises(FormSchemaError, match=message):
        form_js_form({"components": [component]})


def test_duplicate_keys_are_refused():
    component = {"type": "textfield", "key": "a"}
    with pytest.raises(FormSchemaError, match="a repeat"):
        form_js_form({"components": [component, component]})


def test_a_hide_condition_relaxes_required_but_not_the_type():
    schema = {
        "components": [
            {
                "type": "number",
                "key": "n",
                "validate": {"required": True},
                "conditional": {"hide": "=skip"},
            }
        ]
    }
    assert clean_submission(form_js_form(schema), {}) == {}
    assert errors_of({"n": "x"}, schema) == {"n": ("Enter a number.",)}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "a JSON object"),
        (b'{"id": "x"}', "'components' list"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b" " * (1 << 20) + b"{}", "at most 1048576 bytes"),
    ],
)
def test_a_form_resource_must_be_form_js_json(content, message):
    with pytest.raises(FormSchemaError, match=message):
        parse_form_json(content)


def test_a_form_resource_parses_to_its_schema():
    assert parse_form_json(json.dumps(SCHEMA).encode()) == SCHEMA
