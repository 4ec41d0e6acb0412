"""Deployed decisions: lookup by key (latest, a version, or within a deployment) and
evaluation as a service (management command, REST API) or from business-rule tasks."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from bpmn_engine.dmn import DecisionError, DecisionModel, DmnParseError, parse_dmn
from bpmn_engine.dmn import model as dm
from bpmn_engine.dmn.json_values import from_json
from bpmn_engine.errors import DecisionEvaluationError, NotFoundError
from bpmn_engine.expressions.errors import ExpressionError
from bpmn_engine.models import DecisionDefinition, DeploymentResource, ProcessDefinition
from bpmn_engine.runtime.decisions import Provider, ResolvedDecision, result_list


@lru_cache(maxsize=128)
def _model(resource_id: int, checksum: str) -> DecisionModel:
    """The parsed model of a DMN resource (cached by row and content checksum; DMN
    resources of the same deployment serve as its imports)."""
    resource = DeploymentResource.objects.get(pk=resource_id)
    main = parse_dmn(bytes(resource.content))
    imported = {}
    for other in resource.deployment.resources.exclude(pk=resource_id):
        if other.name.lower().endswith(".dmn"):
            try:
                parsed = parse_dmn(bytes(other.content))
            except DmnParseError:
                continue
            imported[parsed.namespace] = parsed
    return DecisionModel(main, imported)


def find_decision(
    key: str,
    *,
    binding: str = "latest",
    version: str | int | None = None,
    deployment_id: int | None = None,
) -> DecisionDefinition | None:
    """The deployed decision ``key``: the latest version; with the ``version`` binding the
    version numbered ``version``; with the ``deployment`` binding the one deployed in
    ``deployment_id`` (the calling process definition's deployment)."""
    rows = DecisionDefinition.objects.filter(key=key)
    if binding == "version":
        try:
            number = int(str(version))
        except ValueError:
            return None
        return rows.filter(version=number).first()
    if binding == "deployment":
        return rows.filter(deployment_id=deployment_id).order_by("-version").first()
    return rows.order_by("-version").first()


def provider_for(definition_id: int | None) -> Provider:
    """The runtime's decision lookup for instances of process definition
    ``definition_id`` (its deployment is read only when a task asks for that binding)."""

    def resolve(key: str, binding: str, version: str | None) -> ResolvedDecision | None:
        deployment_id = None
        if binding == "deployment":
            deployment_id = (
                ProcessDefinition.objects.filter(pk=definition_id)
                .values_list("deployment_id", flat=True)
                .first()
            )
        row = find_decision(key, binding=binding, version=version, deployment_id=deployment_id)
        if row is None:
            return None
        return ResolvedDecision(
            key, row.version, row.pk, _model(row.resource_id, row.resource.checksum)
        )

    return resolve


def input_types(model: DecisionModel, key: str) -> dict[str, str | None]:
    """typeRef of each input data of the model (to convert JSON text to temporal values)."""
    types: dict[str, str | None] = {i.name: i.type_ref for i in model.definitions.inputs}
    for decision in model.definitions.decisions:
        table = decision.expression
        if isinstance(table, dm.DecisionTable):
            for column in table.inputs:
                types.setdefault(column.text.strip(), column.type_ref)
    return types


def _evaluate(row: DecisionDefinition, variables: Mapping[str, Any]) -> tuple[Any, Any]:
    """The model of ``row`` and its evaluation with JSON ``variables``."""
    key = row.key
    model = _model(row.resource_id, row.resource.checksum)
    types = input_types(model, key)
    try:
        inputs = {name: from_json(value, types.get(name)) for name, value in variables.items()}
        return model, model.evaluate(key, inputs)
    except (DecisionError, ExpressionError, ValueError) as exc:
        raise DecisionEvaluationError(f"Decision '{key}' failed: {exc}") from None


def evaluate_decision(
    *, key: str, variables: Mapping[str, Any], version: int | None = None
) -> dict[str, Any]:
    """Evaluate the deployed decision or decision service ``key``; the answer maps the
    decision's name to its value (a decision service: each output decision's name)."""
    row = find_decision(key, binding="version" if version else "latest", version=version)
    if row is None:
        raise NotFoundError(f"Expected a deployed decision '{key}', but there is none")
    model, evaluation = _evaluate(row, variables)
    element = model.definitions.decision(key)
    if isinstance(element, dm.DecisionService) and len(element.outputs) > 1:
        return dict(evaluation.value)
    if isinstance(element, dm.DecisionService):
        (output,) = element.outputs
        target = model.definitions.element(output.href)
        return {getattr(target, "name", key): evaluation.value}
    return {row.name or key: evaluation.value}


def evaluate_decision_rules(
    *, variables: Mapping[str, Any], key: str | None = None, definition_id: int | None = None
) -> list[dict[str, Any]]:
    """Camunda 7's answer: evaluate the latest version of ``key`` (or the version whose
    row is ``definition_id``) and give one map of output name to value per matched rule
    (a literal expression: one map named after its decision)."""
    if key is not None:
        row = find_decision(key)
        what = f"key '{key}'"
    else:
        row = DecisionDefinition.objects.filter(pk=definition_id).first()
        what = f"id '{definition_id}'"
    if row is None:
        raise NotFoundError(f"Expected a deployed decision with {what}, but there is none")
    model, evaluation = _evaluate(row, variables)
    return result_list(evaluation, model, row.key)
