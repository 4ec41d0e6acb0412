"""Rows as Camunda 7 REST DTOs (ids as strings, dates in Camunda's format)."""

from __future__ import annotations

from typing import Any

from api.camunda_rest.variables import camunda_date, to_typed
from bpmn_engine.models import (
    ActivityHistory,
    Deployment,
    Incident,
    ProcessDefinition,
    ProcessInstance,
    UserTask,
)
from bpmn_engine.services.external_tasks import LockedExternalTask

# Our element tags to Camunda's activity types (history).
ACTIVITY_TYPES = {"endEvent": "noneEndEvent"}


def sid(pk: int | None) -> str | None:
    return None if pk is None else str(pk)


def definition_dto(d: ProcessDefinition) -> dict[str, Any]:
    return {
        "id": str(d.pk),
        "key": d.key,
        "category": "http://procession.example/bpmn",
        "description": None,
        "name": d.name or None,
        "version": d.version,
        "resource": d.resource.name,
        "deploymentId": str(d.deployment_id),
        "diagram": None,
        "suspended": d.suspended,
        "tenantId": None,
        "versionTag": d.version_tag or None,
        "historyTimeToLive": None,
        "startableInTasklist": True,
    }


def deployment_dto(d: Deployment, base_url: str) -> dict[str, Any]:
    return {
        "links": [{"method": "GET", "href": f"{base_url}/deployment/{d.pk}", "rel": "self"}],
        "id": str(d.pk),
        "name": d.name,
        "source": d.source or None,
        "deploymentTime": camunda_date(d.deployed_at),
        "tenantId": None,
    }


def instance_dto(i: ProcessInstance, base_url: str) -> dict[str, Any]:
    return {
        "links": [{"method": "GET", "href": f"{base_url}/process-instance/{i.pk}", "rel": "self"}],
        "id": str(i.pk),
        "definitionId": str(i.definition_id),
        "definitionKey": i.definition.key,
        "businessKey": i.business_key,
        "caseInstanceId": None,
        "ended": i.status != "active",
        "suspended": bool(i.suspended),
        "tenantId": None,
    }


def task_dto(t: UserTask) -> dict[str, Any]:
    return {
        "id": str(t.pk),
        "name": t.name or None,
        "assignee": t.assignee or None,
        "owner": getattr(t, "owner", "") or None,
        "created": camunda_date(t.created_at),
        "lastUpdated": None,
        "due": camunda_date(t.due_at),
        "followUp": camunda_date(t.follow_up_at),
        "delegationState": (getattr(t, "delegation_state", "") or "").upper() or None,
        "description": None,
        "executionId": str(t.instance_id),
        "parentTaskId": None,
        "priority": t.priority,
        "processDefinitionId": str(t.instance.definition_id),
        "processInstanceId": str(t.instance_id),
        "caseExecutionId": None,
        "caseDefinitionId": None,
        "caseInstanceId": None,
        "taskDefinitionKey": t.node_id,
        "suspended": bool(t.instance.suspended),
        "formKey": t.form_key or None,
        "camundaFormRef": None,
        "tenantId": None,
        "taskState": {"open": "Created", "completed": "Completed"}.get(t.state, "Deleted"),
    }


def activity_dto(row: ActivityHistory, instance: ProcessInstance) -> dict[str, Any]:
    activity_type = ACTIVITY_TYPES.get(row.node_type, row.node_type)
    if getattr(row, "loop_role", "") == "body":
        activity_type = "multiInstanceBody"
    duration = row.duration
    return {
        "id": str(row.pk),
        "parentActivityInstanceId": None,
        "activityId": row.node_id
        + ("#multiInstanceBody" if activity_type == "multiInstanceBody" else ""),
        "activityName": row.name or None,
        "activityType": activity_type,
        "processDefinitionKey": instance.definition.key,
        "processDefinitionId": str(instance.definition_id),
        "processInstanceId": str(instance.pk),
        "executionId": str(instance.pk),
        "taskId": None,
        "assignee": row.actor or None,
        "calledProcessInstanceId": sid(getattr(row, "called_instance_id", None)),
        "calledCaseInstanceId": None,
        "startTime": camunda_date(row.started_at),
        "endTime": camunda_date(row.ended_at),
        "durationInMillis": int(duration.total_seconds() * 1000) if duration else None,
        "canceled": row.state == "cancelled",
        "completeScope": False,
        "tenantId": None,
        "removalTime": None,
        "rootProcessInstanceId": str(instance.pk),
    }


def incident_dto(i: Incident) -> dict[str, Any]:
    return {
        "id": str(i.pk),
        "processDefinitionId": str(i.instance.definition_id),
        "processInstanceId": str(i.instance_id),
        "executionId": str(i.instance_id),
        "incidentTimestamp": camunda_date(i.created_at),
        "incidentType": "failedExternalTask"
        if i.job_id and i.job and i.job.external
        else ("failedJob" if i.job_id else i.kind),
        "activityId": i.node_id,
        "failedActivityId": i.node_id,
        "causeIncidentId": str(i.pk),
        "rootCauseIncidentId": str(i.pk),
        "configuration": sid(i.job_id),
        "tenantId": None,
        "incidentMessage": i.message,
        "jobDefinitionId": None,
        "annotation": None,
    }


def locked_task_dto(t: LockedExternalTask) -> dict[str, Any]:
    return {
        "activityId": t.activity_id,
        "activityInstanceId": f"{t.activity_id}:{t.id}",
        "errorMessage": t.error_message or None,
        "errorDetails": None,
        "executionId": str(t.instance_id),
        "id": str(t.id),
        "lockExpirationTime": camunda_date(t.lock_expiration_time),
        "processDefinitionId": str(t.process_definition_id),
        "processDefinitionKey": t.process_definition_key,
        "processDefinitionVersionTag": None,
        "processInstanceId": str(t.instance_id),
        "tenantId": None,
        "retries": t.retries,
        "suspended": False,
        "workerId": t.worker_id,
        "priority": t.priority,
        "topicName": t.topic_name,
        "businessKey": t.business_key,
        "createTime": None,
        "variables": to_typed(t.variables),
        "extensionProperties": {k: str(v) for k, v in t.headers.items()},
    }
