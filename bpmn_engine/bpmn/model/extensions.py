"""Vendor extensions in neutral form: I/O mappings, forms, assignments, jobs, loops."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bpmn_engine.bpmn.model.base import empty_mapping


@dataclass(frozen=True, kw_only=True, eq=False)
class Parameter:
    """One input/output mapping entry.

    ``kind`` is ``expression`` (``value`` is expression or template text), ``literal``,
    ``list`` (``items``), ``map`` (``entries``) or ``script`` (``value`` is script text,
    ``script_format`` its language). Zeebe ``source``/``target`` pairs use ``expression``
    (``literal`` for a static source without ``=``); a dotted Zeebe target (``order.total``)
    also sets ``path`` (``("order", "total")``).
    """

    name: str
    kind: str = "expression"
    value: str | None = None
    items: tuple[Parameter, ...] = ()
    entries: Mapping[str, Parameter] = empty_mapping()
    script_format: str | None = None
    path: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class IoMapping:
    """``camunda:inputOutput`` / ``zeebe:ioMapping``: inputs into the activity's local scope,
    outputs from it back to the enclosing scope."""

    inputs: tuple[Parameter, ...] = ()
    outputs: tuple[Parameter, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class VariableMapping:
    """``camunda:in``/``camunda:out`` (call activities) in neutral form.

    Exactly one of ``source`` (a variable name), ``source_expression`` or ``all_variables``
    is set; ``business_key`` marks ``camunda:in businessKey="..."`` (``source_expression``
    then holds the key expression).
    """

    source: str | None = None
    source_expression: str | None = None
    target: str | None = None
    all_variables: bool = False
    local: bool = False
    business_key: bool = False


@dataclass(frozen=True, kw_only=True, eq=False)
class FormFieldConstraint:
    name: str  # required, readonly, minlength, maxlength, min, max, pattern ...
    config: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class FormField:
    """``camunda:formField``: typed field of a generated task form."""

    id: str
    label: str | None = None
    type: str = "string"  # string, long, boolean, date, enum, ...
    default_value: str | None = None
    enum_values: Mapping[str, str] = empty_mapping()  # id -> label, in document order
    constraints: tuple[FormFieldConstraint, ...] = ()
    properties: Mapping[str, str] = empty_mapping()


@dataclass(frozen=True, kw_only=True, eq=False)
class UserTaskAssignment:
    """Who may work a user task, and its form; values may be expressions."""

    assignee: str | None = None
    candidate_users: tuple[str, ...] = ()
    candidate_groups: tuple[str, ...] = ()
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: str | None = None
    form_key: str | None = None
    form_ref: str | None = None  # camunda:formRef / zeebe:formDefinition formId
    form_ref_binding: str | None = None
    form_ref_version: str | None = None
    form_fields: tuple[FormField, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class JobDefinition:
    """How a service/send/business-rule task is carried out.

    ``implementation``: ``type`` (a handler/topic, incl. ``camunda:type="external"`` and
    ``zeebe:taskDefinition``), ``class``, ``expression``, ``delegateExpression``,
    ``connector`` or ``decision`` (business rule). ``external`` marks work fetched by
    external workers. ``retries`` (an integer or expression text) and ``retry_time_cycle``
    (``R5/PT1M`` or ``PT10M,PT20M``) shape retries.
    """

    implementation: str = "type"
    type: str | None = None
    external: bool = False
    retries: str | None = None
    retry_time_cycle: str | None = None
    result_variable: str | None = None
    headers: Mapping[str, str] = empty_mapping()
    priority: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class MultiInstanceLoopCharacteristics:
    """Parallel or sequential multi-instance, from the BPMN elements or vendor attributes."""

    tag: str = "multiInstanceLoopCharacteristics"
    line: int = 0
    is_sequential: bool = False
    loop_cardinality: str | None = None
    collection: str | None = None  # expression or variable name of the input collection
    element_variable: str | None = None
    completion_condition: str | None = None
    output_collection: str | None = None
    output_element: str | None = None  # expression evaluated per instance


@dataclass(frozen=True, kw_only=True, eq=False)
class StandardLoopCharacteristics:
    tag: str = "standardLoopCharacteristics"
    line: int = 0
    loop_condition: str | None = None
    test_before: bool = False
    loop_maximum: int | None = None


LoopCharacteristics = MultiInstanceLoopCharacteristics | StandardLoopCharacteristics
