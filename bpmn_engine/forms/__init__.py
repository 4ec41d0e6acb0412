"""Task and start forms from the diagram, without Django: Camunda 7 generated forms
(``camunda:formData``) and Camunda Forms (form-js JSON) become one ``FormSpec``;
``clean_submission`` turns submitted values into typed process variables or raises
``FormValidationError`` with a friendly message per field."""

from bpmn_engine.forms.formjs import form_id, form_js_form, parse_form_json
from bpmn_engine.forms.generated import field_dict, generated_form
from bpmn_engine.forms.spec import FieldSpec, FormSpec, Option
from bpmn_engine.forms.validation import clean_submission, initial_values, options_for

__all__ = [
    "FieldSpec",
    "FormSpec",
    "Option",
    "clean_submission",
    "field_dict",
    "form_id",
    "form_js_form",
    "generated_form",
    "initial_values",
    "options_for",
    "parse_form_json",
]
