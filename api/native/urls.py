"""Routes of the native API, /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from api.native import external_tasks as et
from api.native.auth import TokenView
from api.native.deployments import DeploymentViewSet, ProcessDefinitionViewSet
from api.native.events import MessageView, SignalView
from api.native.incidents import IncidentViewSet
from api.native.instances import ProcessInstanceViewSet
from api.native.tasks import TaskViewSet

router = SimpleRouter()
router.register("deployments", DeploymentViewSet, basename="deployment")
router.register("process-definitions", ProcessDefinitionViewSet, basename="process-definition")
router.register("process-instances", ProcessInstanceViewSet, basename="process-instance")
router.register("tasks", TaskViewSet, basename="task")
router.register("incidents", IncidentViewSet, basename="incident")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("messages/", MessageView.as_view(), name="api-messages"),
    path("signals/", SignalView.as_view(), name="api-signals"),
    path("external-tasks/fetch-and-lock/", et.FetchAndLockView.as_view(), name="api-fetch-lock"),
    path("external-tasks/<int:pk>/complete/", et.CompleteView.as_view()),
    path("external-tasks/<int:pk>/failure/", et.FailureView.as_view()),
    path("external-tasks/<int:pk>/bpmn-error/", et.BpmnErrorView.as_view()),
    path("external-tasks/<int:pk>/extend-lock/", et.ExtendLockView.as_view()),
    path("external-tasks/<int:pk>/unlock/", et.UnlockView.as_view()),
    *router.urls,
]
