from django.urls import path

from auditor import views

app_name = "audit"

urlpatterns = [
    path("", views.instance_list, name="instances"),
    path("export.<str:fmt>", views.set_export, name="set-export"),
    path("instances/<int:instance_id>/", views.instance_timeline, name="timeline"),
    path("instances/<int:instance_id>/report/", views.instance_report, name="report"),
    path("instances/<int:instance_id>/export.<str:fmt>", views.instance_export, name="export"),
]
