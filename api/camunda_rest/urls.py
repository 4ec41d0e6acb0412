"""Camunda 7 REST paths (no trailing slashes, as Camunda serves them)."""

from django.urls import path

from api.camunda_rest import decisions as dec
from api.camunda_rest import external as ext
from api.camunda_rest import forms
from api.camunda_rest import history as hist
from api.camunda_rest import repository as repo
from api.camunda_rest import runtime as run

urlpatterns = [
    path("version", repo.VersionView.as_view()),
    path("deployment", repo.DeploymentListView.as_view()),
    path("deployment/count", repo.DeploymentCountView.as_view()),
    path("deployment/create", repo.DeploymentCreateView.as_view()),
    path("deployment/<str:pk>", repo.DeploymentDetailView.as_view()),
    path("process-definition", repo.DefinitionListView.as_view()),
    path("process-definition/count", repo.DefinitionCountView.as_view()),
    path("process-definition/key/<str:key>", repo.DefinitionDetailView.as_view()),
    path("process-definition/key/<str:key>/xml", repo.DefinitionXmlView.as_view()),
    path("process-definition/key/<str:key>/start", repo.DefinitionStartView.as_view()),
    path(
        "process-definition/key/<str:key>/form-variables",
        forms.DefinitionFormVariablesView.as_view(),
    ),
    path("process-definition/key/<str:key>/submit-form", forms.DefinitionSubmitFormView.as_view()),
    path(
        "process-definition/key/<str:key>/tenant-id/<str:tenant>/start",
        repo.DefinitionStartView.as_view(),
    ),
    path("process-definition/<str:pk>", repo.DefinitionDetailView.as_view()),
    path("process-definition/<str:pk>/xml", repo.DefinitionXmlView.as_view()),
    path("process-definition/<str:pk>/start", repo.DefinitionStartView.as_view()),
    path("process-definition/<str:pk>/form-variables", forms.DefinitionFormVariablesView.as_view()),
    path("process-definition/<str:pk>/submit-form", forms.DefinitionSubmitFormView.as_view()),
    path("decision-definition/key/<str:key>/evaluate", dec.DecisionEvaluateView.as_view()),
    path("decision-definition/<str:pk>/evaluate", dec.DecisionEvaluateView.as_view()),
    path("process-instance", run.InstanceListView.as_view()),
    path("process-instance/count", run.InstanceCountView.as_view()),
    path("process-instance/<str:pk>", run.InstanceDetailView.as_view()),
    path("process-instance/<str:pk>/variables", run.InstanceVariablesView.as_view()),
    path("process-instance/<str:pk>/variables/<str:name>", run.InstanceVariableView.as_view()),
    path("task", run.TaskListView.as_view()),
    path("task/count", run.TaskCountView.as_view()),
    path("task/<str:pk>", run.TaskDetailView.as_view()),
    path("task/<str:pk>/form", forms.TaskFormView.as_view()),
    path("task/<str:pk>/form-variables", forms.TaskFormVariablesView.as_view()),
    path("task/<str:pk>/claim", run.TaskClaimView.as_view()),
    path("task/<str:pk>/unclaim", run.TaskUnclaimView.as_view()),
    path("task/<str:pk>/assignee", run.TaskAssigneeView.as_view()),
    path("task/<str:pk>/complete", run.TaskCompleteView.as_view()),
    path("task/<str:pk>/submit-form", forms.TaskSubmitFormView.as_view()),
    path("message", run.MessageView.as_view()),
    path("signal", run.SignalView.as_view()),
    path("history/activity-instance", hist.ActivityHistoryView.as_view()),
    path("history/activity-instance/count", hist.ActivityHistoryCountView.as_view()),
    path("incident", hist.IncidentListView.as_view()),
    path("incident/count", hist.IncidentCountView.as_view()),
    path("external-task/fetchAndLock", ext.FetchAndLockView.as_view()),
    path("external-task/<str:pk>/complete", ext.CompleteView.as_view()),
    path("external-task/<str:pk>/failure", ext.FailureView.as_view()),
    path("external-task/<str:pk>/bpmnError", ext.BpmnErrorView.as_view()),
    path("external-task/<str:pk>/extendLock", ext.ExtendLockView.as_view()),
    path("external-task/<str:pk>/unlock", ext.UnlockView.as_view()),
]
