"""Task and start forms: which form a user task or a definition's start event shows, and
submitting it. A submission is validated on the server against the form (whatever the
browser checked) and then completes the task through ``complete_user_task`` or starts the
instance through ``start_instance``, where the permission policy is enforced again; the
audit trail records the submitted values with the completion or start.

A form is, in this order: the generated form (``camunda:formData``), a Camunda Form
deployed as a ``.form`` resource (``camunda:formRef`` / ``zeebe:formDefinition formId``
with their binding, or ``camunda:formKey="camunda-forms:deployment:<name>.form"``), a
form embedded in the process (Camunda 8 ``zeebe:userTaskForm``, key
``camunda-forms:bpmn:<id>``),
another form key (an external form: shown as its key, completed without fields), or none.
Tasks and starts without a form take their values as they are (Camunda's behaviour)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bpmn_engine import permissions
from bpmn_engine.bpmn.model import StartEvent, UserTask, UserTaskAssignment
from bpmn_engine.errors import FormValidationError, NotFoundError
from bpmn_engine.forms import (
    FormSpec,
    clean_submission,
    form_js_form,
    generated_form,
    parse_form_json,
)
from bpmn_engine.forms.validation import initial_values, options_for
from bpmn_engine.models import ProcessDefinition, ProcessInstance
from bpmn_engine.models import UserTask as UserTaskRow
from bpmn_engine.persistence.definitions_cache import process_for
from bpmn_engine.selectors.forms import deployment_form, form_by_id
from bpmn_engine.selectors.tasks import task_variables
from bpmn_engine.services.instances import start_instance
from bpmn_engine.services.user_tasks import complete_user_task, require_completable

DEPLOYMENT_FORM_PREFIX = "camunda-forms:deployment:"
EMBEDDED_FORM_PREFIX = "camunda-forms:bpmn:"  # zeebe:userTaskForm of the process

MAX_BUSINESS_KEY = 255
NONE = "none"
EXTERNAL = "external"


@dataclass(frozen=True)
class ResolvedForm:
    """What to show: ``kind`` is ``generated``, ``form-js``, ``external`` or ``none``;
    ``initial`` the values fields show first (variables of their keys, else defaults);
    ``options`` each choice field's options (form-js ``valuesKey`` ones resolved);
    ``data`` what the form-js viewer is given (``initial`` plus ``valuesKey`` lists)."""

    kind: str
    spec: FormSpec | None = None
    form_key: str = ""
    initial: dict[str, Any] = field(default_factory=dict)
    options: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def has_fields(self) -> bool:
        return self.spec is not None


def _resolve(
    form: UserTaskAssignment | None,
    *,
    form_key: str,
    deployment_id: int,
    variables: dict[str, Any],
    embedded: Mapping[str, str],
) -> ResolvedForm:
    spec: FormSpec | None = None
    if form is not None and form.form_fields:
        spec = generated_form(form.form_fields)
    elif form is not None and form.form_ref:
        schema = form_by_id(
            form_ref=form.form_ref,
            binding=form.form_ref_binding,
            version=form.form_ref_version,
            deployment_id=deployment_id,
        )
        if schema is None:
            raise NotFoundError(
                f"Expected to find the deployed form {form.form_ref!r}, but none is deployed"
            )
        spec = form_js_form(schema)
    elif form_key.startswith(DEPLOYMENT_FORM_PREFIX):
        name = form_key.removeprefix(DEPLOYMENT_FORM_PREFIX)
        schema = deployment_form(deployment_id=deployment_id, name=name)
        if schema is None:
            raise NotFoundError(
                f"Expected to find the form {name!r} in deployment {deployment_id}, but it "
                "is not there"
            )
        spec = form_js_form(schema)
    elif form_key.startswith(EMBEDDED_FORM_PREFIX):
        text = embedded.get(form_key.removeprefix(EMBEDDED_FORM_PREFIX))
        if text is None:
            raise NotFoundError(
                f"Expected the process to embed the form {form_key!r}, but it does not"
            )
        spec = form_js_form(parse_form_json(text))
    if spec is None:
        return ResolvedForm(kind=EXTERNAL if form_key else NONE, form_key=form_key)
    initial = initial_values(spec, variables)
    options = {f.key: options_for(f, variables) for f in spec.fields if f.options or f.options_key}
    data = dict(initial)
    for f in spec.fields:
        if f.options_key and f.options_key in variables:
            data[f.options_key] = variables[f.options_key]
    return ResolvedForm(
        kind=spec.source,
        spec=spec,
        form_key=form_key,
        initial=initial,
        options=options,
        data=data,
        variables=variables,
    )


def _visible_task(task_id: int, user: Any) -> UserTaskRow:
    task = (
        permissions.visible_tasks(user)
        .select_related("instance__definition")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFoundError(f"Expected to find user task {task_id}, but it does not exist")
    return task


def task_form(*, task_id: int, user: Any) -> ResolvedForm:
    """The form of user task ``task_id`` for ``user`` (``NotFoundError`` if hidden)."""
    return _form_of(_visible_task(task_id, user))


def completion_form(*, task_id: int, user: Any, claim: bool = False) -> ResolvedForm:
    """The form of a task ``user`` is about to complete, once the permission policy and
    the task's state allow the completion (``require_completable``): a user who may not
    work on the task learns nothing from the form's validation, not even its fields."""
    task = _visible_task(task_id, user)
    require_completable(user, task, claim=claim)
    return _form_of(task)


def _form_of(task: UserTaskRow) -> ResolvedForm:
    definition = task.instance.definition
    process = process_for(definition)
    node = process.all_nodes.get(task.node_id)
    assignment = node.assignment if isinstance(node, UserTask) else None
    return _resolve(
        assignment,
        form_key=task.form_key or "",
        deployment_id=definition.deployment_id,
        variables=task_variables(task),
        embedded=process.user_task_forms,
    )


def submit_task_form(
    *,
    task_id: int,
    user: Any,
    values: Any,
    claim: bool = False,
    now: datetime | None = None,
) -> UserTaskRow:
    """Validate ``values`` against the task's form, then complete the task with them as
    typed variables (``FormValidationError`` with per-field messages changes nothing).

    The checks come in a fixed order, so nobody learns more than they may: not visible
    (``NotFoundError``), may not work on it (``ForbiddenError``), not completable by them
    now (not open, delegated, held by another), and only then the values."""
    form = completion_form(task_id=task_id, user=user, claim=claim)
    variables = _cleaned(form, values)
    return complete_user_task(task_id=task_id, user=user, variables=variables, claim=claim, now=now)


def _cleaned(form: ResolvedForm, values: Any) -> dict[str, Any]:
    if form.spec is None:
        return clean_passthrough(values)
    return clean_submission(form.spec, values, variables=form.variables)


def clean_passthrough(values: Any) -> dict[str, Any]:
    """Values of a formless task or start: any object of names to values (the engine
    checks each value can be stored)."""
    if values is None:
        return {}
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise FormValidationError(
            "Expected the values as an object of names to values, but got something else",
            {"__all__": ("Expected the form values as an object of field names to values.",)},
        )
    return dict(values)


# --- start forms -------------------------------------------------------------------------
def _definition(definition_id: int, user: Any) -> ProcessDefinition:
    definition = ProcessDefinition.objects.filter(pk=definition_id).first()
    if definition is None:
        raise NotFoundError(
            f"Expected to find process definition {definition_id}, but it does not exist"
        )
    permissions.require_start(user, definition)
    return definition


def none_start_event(definition: ProcessDefinition) -> StartEvent | None:
    """The process-level start event without a trigger (the one a person starts)."""
    for start in process_for(definition).start_events():
        if not start.event_definitions:
            return start
    return None


def start_form(*, definition_id: int, user: Any) -> ResolvedForm:
    """The start event's form of ``definition_id`` for a user who may start it (404 if
    the definition is hidden from them, 403 if they see but may not start it)."""
    return _start_form_of(_definition(definition_id, user))


def _start_form_of(definition: ProcessDefinition) -> ResolvedForm:
    start = none_start_event(definition)
    form = start.form if start is not None else None
    return _resolve(
        form,
        form_key=(form.form_key or "") if form is not None else "",
        deployment_id=definition.deployment_id,
        variables={},
        embedded=process_for(definition).user_task_forms,
    )


def submit_start_form(
    *,
    definition_id: int,
    user: Any,
    values: Any,
    business_key: str | None = None,
    now: datetime | None = None,
) -> ProcessInstance:
    """Validate ``values`` against the start form, then start an instance with them."""
    definition = _definition(definition_id, user)
    variables = _cleaned(_start_form_of(definition), values)
    start = none_start_event(definition)
    key = (business_key or "").strip()
    if len(key) > MAX_BUSINESS_KEY:
        raise FormValidationError(
            f"Expected a business key of at most {MAX_BUSINESS_KEY} characters",
            {"business_key": (f"Enter at most {MAX_BUSINESS_KEY} characters.",)},
        )
    return start_instance(
        definition_id=definition.pk,
        variables=variables,
        business_key=key or None,
        start_event_id=start.id if start is not None else None,
        user=user,
        now=now,
    )
