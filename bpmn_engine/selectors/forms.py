"""Deployed Camunda Forms (``.form`` resources): found by resource name in a deployment
(``camunda:formKey="camunda-forms:deployment:x.form"``) or by their ``id``
(``camunda:formRef`` / ``zeebe:formDefinition formId``) with Camunda's bindings.

Forms are few and never change once deployed, so they are parsed once per resource and
kept in memory (keyed by primary key and checksum, like the parsed diagrams)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bpmn_engine.forms import form_id, parse_form_json
from bpmn_engine.models import DeploymentResource

FORM_SUFFIX = ".form"


@lru_cache(maxsize=256)
def _schema(resource_id: int, checksum: str) -> dict[str, Any]:
    content = DeploymentResource.objects.values_list("content", flat=True).get(pk=resource_id)
    return parse_form_json(bytes(content))


def _forms(**filters: Any) -> list[tuple[int, dict[str, Any]]]:
    """``(deployment id, schema)`` of matching ``.form`` resources, oldest first."""
    rows = (
        DeploymentResource.objects.filter(name__endswith=FORM_SUFFIX, **filters)
        .order_by("deployment_id", "pk")
        .values_list("pk", "checksum", "deployment_id")
    )
    return [(deployment_id, _schema(pk, checksum)) for pk, checksum, deployment_id in rows]


def deployment_form(*, deployment_id: int, name: str) -> dict[str, Any] | None:
    """The form resource ``name`` of one deployment."""
    found = _forms(deployment_id=deployment_id, name=name)
    return found[0][1] if found else None


def form_by_id(
    *, form_ref: str, binding: str | None, version: str | None, deployment_id: int
) -> dict[str, Any] | None:
    """The form whose ``id`` is ``form_ref``: ``deployment`` binding takes the one deployed
    with the diagram, ``version`` the n-th deployed (1 first), ``latest`` (the default)
    the newest."""
    binding = (binding or "latest").strip().lower()
    if binding == "deployment":
        matches = [s for _, s in _forms(deployment_id=deployment_id) if form_id(s) == form_ref]
        return matches[-1] if matches else None
    matches = [s for _, s in _forms() if form_id(s) == form_ref]
    if binding == "version":
        try:
            index = int(str(version or "").strip()) - 1
        except ValueError:
            return None
        return matches[index] if 0 <= index < len(matches) else None
    return matches[-1] if matches else None
