from django.urls import path

from console.views import definitions, deploy, incidents, instances

app_name = "console"

urlpatterns = [
    path("", definitions.definition_list, name="definitions"),
    path("deploy/", deploy.deploy, name="deploy"),
    path("deployments/<int:deployment_id>/", deploy.deployment, name="deployment"),
    path("definitions/<str:key>/", definitions.definition_detail, name="definition"),
    path(
        "definitions/<str:key>/v<int:version>/",
        definitions.definition_detail,
        name="definition-version",
    ),
    path(
        "definitions/<str:key>/v<int:version>/diff/",
        definitions.definition_diff,
        name="definition-diff",
    ),
    path(
        "definitions/<str:key>/v<int:version>/heatmap/",
        definitions.definition_heatmap,
        name="definition-heatmap",
    ),
    path("definitions/<str:key>/v<int:version>/start/", definitions.start, name="start"),
    path("instances/", instances.instance_list, name="instances"),
    path("instances/<int:instance_id>/", instances.instance_detail, name="instance"),
    path("instances/<int:instance_id>/cancel/", instances.cancel, name="cancel"),
    path("instances/<int:instance_id>/suspend/", instances.suspend, name="suspend"),
    path("instances/<int:instance_id>/resume/", instances.resume, name="resume"),
    path("instances/<int:instance_id>/move/", instances.move, name="move"),
    path("instances/<int:instance_id>/variables/", instances.set_variable, name="variables"),
    path("incidents/", incidents.incident_list, name="incidents"),
    path("incidents/retry/", incidents.retry, name="retry"),
]
