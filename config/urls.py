"""Top-level URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from api.camunda_rest.repository import well_known_webapps
from api.health import healthz
from api.schema_pages import RedocPage, SwaggerPage
from console.metrics import metrics
from tasklist.views import inbox as tasklist_inbox

urlpatterns = [
    path("", include("tasklist.urls")),
    # "home" is the inbox too (the login redirect and older links name it)
    path("", tasklist_inbox.all_tasks, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("audit/", include("auditor.urls")),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("console/", include("console.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerPage.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocPage.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/", include("api.urls")),
    # The Camunda 7 REST subset, under both of Camunda's base paths.
    path("engine-rest/", include("api.camunda_rest.urls")),
    path("rest/", include("api.camunda_rest.urls")),
    path(".well-known/camunda-automation-platform/webapps", well_known_webapps),
]
