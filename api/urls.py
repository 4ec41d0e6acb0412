"""REST API routes under /api/.

The native API lives under ``v1/``. Further API modules add one include line each below,
e.g. ``path("v1/audit/", include("audit.api_urls"))``."""

from django.urls import include, path

urlpatterns = [
    path("v1/", include("api.native.urls")),
    path("v1/audit/", include("api.audit")),
    path("v1/decision-definitions/", include("api.decisions")),
]
