"""Django forms built from a form spec: widgets per field type, values posted by an HTML
form (no JavaScript) coerced like JSON ones, readonly fields never read."""

from __future__ import annotations

from django.http import QueryDict
from django.template.loader import render_to_string

from bpmn_engine.forms import clean_submission, form_js_form, generated_form
from bpmn_engine.services.task_forms import ResolvedForm
from tasklist.forms import SpecForm, form_view, submitted_values
from tests.forms.test_form_js_forms import SCHEMA
from tests.tasklist.form_fixtures import XSS


def resolved_for(spec, **extra) -> ResolvedForm:
    options = {f.key: f.options for f in spec.fields if f.options}
    return ResolvedForm(kind=spec.source, spec=spec, options=options, **extra)


def post(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if isinstance(value, list):
            data.setlist(f"f-{key}", value)
        else:
            data[f"f-{key}"] = value
    return data


def test_each_field_type_gets_a_fitting_widget():
    spec = form_js_form(SCHEMA)
    form = SpecForm(spec, options={f.key: f.options for f in spec.fields})
    widgets = {name: field.widget_type for name, field in ((b.name, b) for b in form)}
    assert widgets == {
        "iban": "text", "notes": "textarea", "total": "number", "confirmed": "checkbox",
        "department": "select", "copies": "checkboxselectmultiple", "tags": "selectmultiple",
        "speed": "radioselect", "paid_on": "text", "paid_at": "text", "cutoff": "text",
        "mail": "text", "invoice_id": "text", "approver": "text",
    }  # fmt: skip
    html = str(form["paid_on"]) + str(form["paid_at"]) + str(form["cutoff"])
    assert 'type="date"' in html and 'type="datetime-local"' in html and 'type="time"' in html
    assert "disabled" in str(form["invoice_id"])
    assert 'step="0.01"' in str(form["total"]) and 'min="0.5"' in str(form["total"])


def test_html_form_values_are_coerced_like_json_and_readonly_ones_never_read():
    spec = form_js_form(SCHEMA)
    resolved = resolved_for(spec)
    values = submitted_values(
        resolved,
        post(
            iban="DE44500105175407324931",
            confirmed="on",
            total="12.50",
            copies=["a", "b"],
            speed="normal",
            invoice_id="forged",
        ),
    )
    assert "invoice_id" not in values
    cleaned = clean_submission(spec, values)
    assert cleaned["total"] == 12.5 and cleaned["confirmed"] is True
    assert cleaned["copies"] == ["a", "b"] and cleaned["speed"] == "normal"


def test_a_bound_form_shows_the_validators_messages_on_its_fields():
    spec = generated_form([{"id": "amount", "type": "long", "constraints": [{"name": "required"}]}])
    form = SpecForm(spec, data=post(amount="ten"))
    assert not form.is_valid()
    assert {k: list(v) for k, v in form.errors.items()} == {"amount": ["Enter a whole number."]}
    assert SpecForm(spec, data=post(amount="10")).is_valid()


def test_the_partial_escapes_labels_descriptions_and_options():
    schema = {
        "components": [
            {
                "type": "select",
                "key": "pick",
                "label": XSS,
                "description": XSS,
                "values": [{"label": XSS, "value": "a"}],
            }
        ]
    }
    spec = form_js_form(schema)
    view = form_view(resolved_for(spec, data={"pick": XSS}), action="/x/", submit_label=XSS)
    html = render_to_string("tasklist/_form.html", {"form_view": view})
    assert "<script>alert" not in html and "<img src=x" not in html
    assert html.count("&lt;script&gt;") >= 4
    assert '"\\u003Cscript\\u003E' in html  # json_script escapes the embedded schema
