"""Operator views of engine rows in the Django admin (read-mostly: the engine owns them)."""

from django.contrib import admin, messages

from bpmn_engine import models, services
from bpmn_engine.errors import EngineError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows change only through engine services, never by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "source", "deployed_at", "deployed_by")


@admin.register(models.ProcessDefinition)
class ProcessDefinitionAdmin(ReadOnlyAdmin):
    list_display = ("key", "version", "name", "deployment", "suspended")
    list_filter = ("suspended",)
    search_fields = ("key", "name")


@admin.register(models.ProcessInstance)
class ProcessInstanceAdmin(ReadOnlyAdmin):
    list_display = ("id", "definition", "business_key", "status", "started_at", "ended_at")
    list_filter = ("status",)
    search_fields = ("business_key",)
    exclude = ("state",)


@admin.register(models.UserTask)
class UserTaskAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "instance", "state", "assignee", "priority", "due_at")
    list_filter = ("state",)


@admin.register(models.Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("id", "job_type", "instance", "state", "retries", "due_at", "lock_owner")
    list_filter = ("state", "external")


@admin.register(models.Timer)
class TimerAdmin(ReadOnlyAdmin):
    list_display = ("id", "node_id", "instance", "definition", "kind", "due_at", "state")
    list_filter = ("state", "kind")


@admin.register(models.Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "node_id", "instance", "state", "created_at")
    list_filter = ("state", "kind")
    readonly_fields = (
        "instance",
        "job",
        "node_id",
        "kind",
        "message",
        "details",
        "state",
        "created_at",
        "resolved_at",
    )
    actions = ("retry_incidents",)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("bpmn_engine.change_incident")

    @admin.action(description="Retry the selected incidents", permissions=["change"])
    def retry_incidents(self, request, queryset) -> None:
        """Each open incident is retried through the engine (one transaction each)."""
        retried, refused = 0, []
        for incident in queryset.filter(state="open"):
            try:
                services.retry_incident(incident_id=incident.pk, user=request.user)
                retried += 1
            except EngineError as exc:
                refused.append(f"{incident.pk}: {exc}")
        self.message_user(request, f"Retried {retried} incident(s).", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)


@admin.register(models.EventSubscription)
class EventSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "event_name", "correlation_key", "instance", "definition")
    list_filter = ("kind",)
