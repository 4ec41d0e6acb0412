"""Deploying diagrams: validate, store, version, and open start-event subscriptions.

Resources are chosen by suffix: BPMN (``.bpmn``, ``.bpmn20.xml``, ``.xml``), DMN
(``.dmn``) and Camunda Forms (``.form``: form-js JSON, checked by ``bpmn_engine.forms``
so that every deployed form can be rendered and validated); other files are stored as
they are."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from bpmn_engine.audit.writer import Actor, Entry, record_entries
from bpmn_engine.bpmn import ValidationIssue, check_bpmn
from bpmn_engine.bpmn.issues import error
from bpmn_engine.bpmn.model import Definitions, Process
from bpmn_engine.dmn import DmnParseError, parse_dmn
from bpmn_engine.dmn.model import Definitions as DmnDefinitions
from bpmn_engine.errors import DeploymentInvalidError, FormSchemaError
from bpmn_engine.forms import parse_form_json
from bpmn_engine.jobs.handlers import registered_job_types
from bpmn_engine.models import (
    DecisionDefinition,
    Deployment,
    DeploymentResource,
    EventSubscription,
    ProcessDefinition,
    Timer,
)
from bpmn_engine.models.audit import AuditEventType
from bpmn_engine.models.work import TimerState
from bpmn_engine.runtime.start_events import start_events
from bpmn_engine.services.transactions import command

BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml", ".xml")
DMN_SUFFIXES = (".dmn", ".dmn11.xml")
FORM_SUFFIXES = (".form",)


@dataclass
class DeploymentResult:
    """``definitions`` lists the definitions of this deployment (new or reused versions);
    ``duplicate`` is True when nothing changed and an earlier deployment was returned."""

    deployment: Deployment
    definitions: list[ProcessDefinition]
    duplicate: bool = False
    warnings: dict[str, tuple[ValidationIssue, ...]] = field(default_factory=dict)
    decisions: list[DecisionDefinition] = field(default_factory=list)


def _check(resources: Mapping[str, bytes]) -> tuple[dict[str, Any], dict[str, Any]]:
    parsed: dict[str, Any] = {}
    problems: dict[str, tuple[ValidationIssue, ...]] = {}
    warnings: dict[str, tuple[ValidationIssue, ...]] = {}
    for name, content in resources.items():
        if name.lower().endswith(FORM_SUFFIXES):
            try:
                parsed[name] = parse_form_json(content)
            except FormSchemaError as exc:
                problems[name] = (error("invalid-form", str(exc)),)
            continue
        if name.lower().endswith(DMN_SUFFIXES):
            try:
                parsed[name] = parse_dmn(content)
            except DmnParseError as exc:  # also not XML, too large, DOCTYPE, ...
                problems[name] = exc.issues
            continue
        if not name.lower().endswith(BPMN_SUFFIXES):
            continue
        report = check_bpmn(content)
        if report.errors or report.definitions is None:
            problems[name] = tuple(report.errors)
        elif embedded := _embedded_form_problems(report.definitions):
            problems[name] = embedded
        else:
            parsed[name] = report.definitions
            warnings[name] = tuple(report.warnings)
    if problems:
        summary = "; ".join(
            f"{name}: {issue.element_id or '-'} (line {issue.line}): {issue.message}"
            for name, issues in problems.items()
            for issue in issues
        )
        raise DeploymentInvalidError(
            f"Expected to deploy valid BPMN, DMN and forms, but found errors: {summary}", problems
        )
    if not parsed:
        raise DeploymentInvalidError(
            "Expected at least one BPMN, DMN or form resource, but got none", {}
        )
    return parsed, warnings


def _embedded_form_problems(definitions: Definitions) -> tuple[ValidationIssue, ...]:
    """Camunda 8 forms embedded in a process (``zeebe:userTaskForm``) are checked like
    ``.form`` resources."""
    found = []
    for process in definitions.processes.values():
        for form_id, text in process.user_task_forms.items():
            try:
                parse_form_json(text)
            except FormSchemaError as exc:
                found.append(error("invalid-form", f"zeebe:userTaskForm {form_id}: {exc}"))
    return tuple(found)


@command
def deploy_definition(
    *,
    name: str,
    resources: Mapping[str, bytes],
    source: str = "",
    deployed_by: Any = None,
    duplicate_filtering: bool = True,
    now: datetime | None = None,
) -> DeploymentResult:
    """Validate every resource, then store them; each executable process becomes a new
    version of its key, unless ``duplicate_filtering`` finds it unchanged."""
    now = now or timezone.now()
    parsed, warnings = _check(resources)
    checksums = {n: hashlib.sha256(resources[n]).hexdigest() for n in parsed}
    if duplicate_filtering:
        earlier = _unchanged_deployment(name, source, checksums)
        if earlier is not None:
            return DeploymentResult(
                earlier,
                list(earlier.definitions.all()),
                duplicate=True,
                warnings=warnings,
                decisions=list(earlier.decision_definitions.all()),
            )
    deployment = Deployment.objects.create(
        name=name,
        source=source,
        deployed_by=deployed_by if getattr(deployed_by, "pk", None) else None,
    )
    created = []
    created_decisions: list[DecisionDefinition] = []
    for resource_name, content in resources.items():
        resource = DeploymentResource.objects.create(
            deployment=deployment,
            name=resource_name,
            content=content,
            checksum=hashlib.sha256(content).hexdigest(),
        )
        definitions = parsed.get(resource_name)
        if isinstance(definitions, DmnDefinitions):
            created_decisions.extend(_new_decisions(deployment, resource, definitions))
            continue
        if not isinstance(definitions, Definitions):  # a form (or an attachment)
            continue
        for process in definitions.executable_processes():
            definition = _new_version(deployment, resource, process)
            _open_start_events(definition, definitions, process, now)
            created.append(definition)
    _audit_deployment(deployment, created, resources, deployed_by=deployed_by, now=now)
    return DeploymentResult(deployment, created, warnings=warnings, decisions=created_decisions)


def _audit_deployment(
    deployment: Deployment,
    created: list[ProcessDefinition],
    resources: Mapping[str, bytes],
    *,
    deployed_by: Any,
    now: datetime,
) -> None:
    """One event per new definition version (so auditors of that definition see it), or
    one for the deployment when it holds no executable process."""
    actor = Actor.of(user=deployed_by)
    data = {
        "deployment_id": deployment.pk,
        "name": deployment.name,
        "source": deployment.source,
        "resources": {n: hashlib.sha256(c).hexdigest() for n, c in resources.items()},
    }
    targets: list[ProcessDefinition | None] = list(created) or [None]
    record_entries(
        Entry(
            event_type=AuditEventType.DEPLOYMENT_CREATED,
            actor=actor,
            occurred_at=now,
            definition_id=d.pk if d else None,
            element_id=d.key if d else "",
            data=data | ({"key": d.key, "version": d.version} if d else {}),
        )
        for d in targets
    )


def _unchanged_deployment(name: str, source: str, checksums: dict[str, str]) -> Deployment | None:
    latest = Deployment.objects.filter(name=name, source=source).order_by("-pk").first()
    if latest is None:
        return None
    deployed = dict(latest.resources.values_list("name", "checksum"))
    return latest if deployed == checksums else None


def _new_decisions(
    deployment: Deployment, resource: DeploymentResource, definitions: DmnDefinitions
) -> list[DecisionDefinition]:
    """A new version of every decision and decision service of a DMN resource."""
    created = []
    for element in (*definitions.decisions, *definitions.services):
        key = element.id or element.name
        latest = (
            DecisionDefinition.objects.select_for_update()
            .filter(key=key)
            .order_by("-version")
            .first()
        )
        created.append(
            DecisionDefinition.objects.create(
                key=key,
                version=(latest.version + 1) if latest else 1,
                name=element.name,
                deployment=deployment,
                resource=resource,
                checksum=resource.checksum,
            )
        )
    return created


def _new_version(
    deployment: Deployment, resource: DeploymentResource, process: Process
) -> ProcessDefinition:
    latest = (
        ProcessDefinition.objects.select_for_update()
        .filter(key=process.id)
        .order_by("-version")
        .first()
    )
    return ProcessDefinition.objects.create(
        key=process.id,
        version=(latest.version + 1) if latest else 1,
        name=process.name or "",
        version_tag=process.version_tag or "",
        deployment=deployment,
        resource=resource,
        checksum=resource.checksum,
        candidate_starter_groups=list(process.candidate_starter_groups),
        candidate_starter_users=list(process.candidate_starter_users),
        engine_job_types=registered_job_types(),
    )


def _open_start_events(
    definition: ProcessDefinition, definitions: Definitions, process: Process, now: datetime
) -> None:
    """The new version's message, signal and timer start events (``runtime.start_events``
    decides which) replace the old version's."""
    EventSubscription.objects.filter(definition__key=definition.key).delete()
    Timer.objects.filter(
        definition__key=definition.key, instance__isnull=True, state=TimerState.SCHEDULED
    ).update(state=TimerState.CANCELLED)
    opened = start_events(process, definitions, now)
    EventSubscription.objects.bulk_create(
        EventSubscription(
            kind=s.kind,
            event_name=s.event_name,
            definition=definition,
            node_id=s.node_id,
            created_at=now,
        )
        for s in opened.subscriptions
    )
    Timer.objects.bulk_create(
        Timer(
            definition=definition,
            wait_id="",
            node_id=t.node_id,
            kind=t.kind,
            expression=t.expression,
            due_at=t.occurrence.due_at,
            fired_count=t.occurrence.fired_count,
            repetitions_left=t.occurrence.repetitions_left,
            created_at=now,
        )
        for t in opened.timers
    )
