"""Shapes of the native API (responses are built from rows and selector results)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from bpmn_engine.models import (
    Deployment,
    Incident,
    ProcessDefinition,
    ProcessInstance,
    TokenRow,
    UserTask,
    VariableRow,
)

INSTANCE_STATES = ("active", "completed", "terminated", "cancelled", "suspended")


def instance_state(instance: ProcessInstance) -> str:
    if instance.status == "active" and getattr(instance, "suspended", False):
        return "suspended"
    return instance.status


class DefinitionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    version = serializers.IntegerField()


class DefinitionSummarySerializer(DefinitionRefSerializer):
    name = serializers.CharField()


class DeploymentSerializer(serializers.ModelSerializer):
    definitions = DefinitionSummarySerializer(many=True, read_only=True)
    resources = serializers.SerializerMethodField()

    class Meta:
        model = Deployment
        fields = ("id", "name", "source", "deployed_at", "definitions", "resources")

    def get_resources(self, obj: Deployment) -> list[str]:
        return [r.name for r in obj.resources.all()]


class DeploymentUploadSerializer(serializers.Serializer):
    file = serializers.ListField(child=serializers.FileField(), min_length=1)
    name = serializers.CharField(required=False, max_length=255)
    duplicate_filtering = serializers.BooleanField(required=False, default=False)


class DeploymentErrorSerializer(serializers.Serializer):
    file = serializers.CharField(allow_null=True)
    line = serializers.IntegerField(allow_null=True)
    element_id = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ProcessDefinitionSerializer(serializers.ModelSerializer):
    deployment = serializers.IntegerField(source="deployment_id")
    xml = serializers.SerializerMethodField()

    class Meta:
        model = ProcessDefinition
        fields = (
            "id",
            "key",
            "version",
            "name",
            "version_tag",
            "suspended",
            "deployment",
            "created_at",
            "xml",
        )

    def get_xml(self, obj: ProcessDefinition) -> str | None:
        if not self.context.get("with_xml"):
            return None
        return bytes(obj.resource.content).decode("utf-8", errors="replace")


class StartSerializer(serializers.Serializer):
    variables = serializers.DictField(required=False, default=dict)
    business_key = serializers.CharField(
        required=False, allow_null=True, default=None, max_length=255
    )


class IncidentSerializer(serializers.ModelSerializer):
    process_instance = serializers.IntegerField(source="instance_id")
    element_id = serializers.CharField(source="node_id")
    job = serializers.IntegerField(source="job_id", allow_null=True)

    class Meta:
        model = Incident
        fields = (
            "id",
            "process_instance",
            "element_id",
            "kind",
            "message",
            "details",
            "state",
            "job",
            "created_at",
            "resolved_at",
        )


class ProcessInstanceSummarySerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    definition = serializers.SerializerMethodField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)

    class Meta:
        model = ProcessInstance
        fields = ("id", "business_key", "state", "definition", "parent", "started_at", "ended_at")

    def get_state(self, obj: ProcessInstance) -> str:
        return instance_state(obj)

    @extend_schema_field(DefinitionRefSerializer)
    def get_definition(self, obj: ProcessInstance) -> dict[str, Any]:
        d = obj.definition
        return {"id": d.pk, "key": d.key, "version": d.version}


class ProcessInstanceSerializer(ProcessInstanceSummarySerializer):
    variables = serializers.SerializerMethodField()
    active_activities = serializers.SerializerMethodField()
    incidents = serializers.SerializerMethodField()

    class Meta(ProcessInstanceSummarySerializer.Meta):
        fields = (
            *ProcessInstanceSummarySerializer.Meta.fields,
            "variables",
            "active_activities",
            "incidents",
        )

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_variables(self, obj: ProcessInstance) -> dict[str, Any]:
        rows = VariableRow.objects.filter(instance=obj, scope_id="root").order_by("name")
        return {row.name: row.value for row in rows}

    def get_active_activities(self, obj: ProcessInstance) -> list[str]:
        nodes = (
            TokenRow.objects.filter(instance=obj).order_by("id").values_list("node_id", flat=True)
        )
        return list(dict.fromkeys(nodes))

    @extend_schema_field(IncidentSerializer(many=True))
    def get_incidents(self, obj: ProcessInstance) -> list[dict[str, Any]]:
        rows = Incident.objects.filter(instance=obj, state="open").order_by("created_at", "id")
        return IncidentSerializer(rows, many=True).data


class VariablesSerializer(serializers.Serializer):
    variables = serializers.DictField()


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    element_id = serializers.CharField()
    element_type = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    state = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    actor = serializers.CharField(allow_blank=True)
    called_instance = serializers.IntegerField(allow_null=True)
    multi_instance_body = serializers.BooleanField()


class TaskSerializer(serializers.ModelSerializer):
    process_instance = serializers.IntegerField(source="instance_id")
    element_id = serializers.CharField(source="node_id")
    candidate_users = serializers.SerializerMethodField()
    candidate_groups = serializers.SerializerMethodField()

    class Meta:
        model = UserTask
        fields = (
            "id",
            "name",
            "process_instance",
            "element_id",
            "state",
            "assignee",
            "candidate_users",
            "candidate_groups",
            "priority",
            "due_at",
            "follow_up_at",
            "form_key",
            "created_at",
            "completed_at",
            "completed_by",
        )

    def get_candidate_users(self, obj: UserTask) -> list[str]:
        return sorted(c.identity for c in obj.candidates.all() if c.kind == "user")

    def get_candidate_groups(self, obj: UserTask) -> list[str]:
        return sorted(c.identity for c in obj.candidates.all() if c.kind == "group")


class TaskDetailSerializer(TaskSerializer):
    variables = serializers.SerializerMethodField()
    form_fields = serializers.JSONField(read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = (*TaskSerializer.Meta.fields, "variables", "form_fields")

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_variables(self, obj: UserTask) -> dict[str, Any]:
        return self.context.get("variables", {})


class CompleteTaskSerializer(serializers.Serializer):
    variables = serializers.DictField(required=False, default=dict)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(allow_blank=True, allow_null=True, max_length=150)


class MessageSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    business_key = serializers.CharField(required=False, allow_null=True, max_length=255)
    correlation_key = serializers.CharField(required=False, allow_null=True, max_length=255)
    correlation_keys = serializers.DictField(required=False, allow_null=True)
    process_instance = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    variables = serializers.DictField(required=False, default=dict)
    all = serializers.BooleanField(required=False, default=False)


class CorrelationResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=("execution", "start"))
    process_instance = ProcessInstanceSummarySerializer()


class MessageResultSerializer(serializers.Serializer):
    results = CorrelationResultSerializer(many=True)


class SignalSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    variables = serializers.DictField(required=False, default=dict)


class SignalResultSerializer(serializers.Serializer):
    delivered = serializers.IntegerField()


class TopicSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    lock_duration_ms = serializers.IntegerField(min_value=1, max_value=86_400_000)
    variables = serializers.ListField(
        child=serializers.CharField(), required=False, allow_null=True
    )
    business_key = serializers.CharField(required=False, allow_null=True, max_length=255)
    process_definition_key = serializers.CharField(required=False, allow_null=True, max_length=255)


class FetchAndLockSerializer(serializers.Serializer):
    worker_id = serializers.CharField(max_length=255)
    max_tasks = serializers.IntegerField(min_value=1, max_value=100, default=1)
    use_priority = serializers.BooleanField(default=False)
    topics = TopicSerializer(many=True, allow_empty=False)
    async_response_timeout_ms = serializers.IntegerField(
        min_value=0, max_value=1_800_000, required=False, default=0
    )


class LockedTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    topic_name = serializers.CharField()
    worker_id = serializers.CharField()
    process_instance = serializers.IntegerField(source="instance_id")
    activity_id = serializers.CharField()
    business_key = serializers.CharField(allow_null=True)
    process_definition_key = serializers.CharField()
    process_definition_id = serializers.IntegerField()
    lock_expiration_time = serializers.DateTimeField()
    retries = serializers.IntegerField(allow_null=True)
    error_message = serializers.CharField(allow_blank=True)
    priority = serializers.IntegerField()
    variables = serializers.DictField()
    headers = serializers.DictField(child=serializers.CharField())


class WorkerSerializer(serializers.Serializer):
    worker_id = serializers.CharField(max_length=255)


class ExternalCompleteSerializer(WorkerSerializer):
    variables = serializers.DictField(required=False, default=dict)


class ExternalFailureSerializer(WorkerSerializer):
    error_message = serializers.CharField(allow_blank=True, max_length=10_000)
    error_details = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100_000
    )
    retries = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    retry_timeout_ms = serializers.IntegerField(min_value=0, max_value=86_400_000, default=0)


class ExternalBpmnErrorSerializer(WorkerSerializer):
    error_code = serializers.CharField(max_length=255)
    error_message = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    variables = serializers.DictField(required=False, default=dict)


class ExtendLockSerializer(WorkerSerializer):
    new_duration_ms = serializers.IntegerField(min_value=0, max_value=86_400_000)


class ExtendLockResultSerializer(serializers.Serializer):
    lock_expiration_time = serializers.DateTimeField()


class RetrySerializer(serializers.Serializer):
    retries = serializers.IntegerField(min_value=1, max_value=1000, default=1)


def paginated(child: type[serializers.Serializer]) -> serializers.Serializer:
    """The page envelope of a list that is not a plain list action."""
    return inline_serializer(
        f"Paginated{child.__name__.removesuffix('Serializer')}List",
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": child(many=True),
        },
    )
