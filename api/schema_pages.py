"""Swagger UI and ReDoc pages over the OpenAPI schema, served from the pinned
drf-spectacular-sidecar static files (no CDN, no inline script: the strict CSP holds)."""

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SwaggerPage(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    permission_classes = (AllowAny,)


class RedocPage(SpectacularRedocView):
    template_name = "api/redoc.html"
    permission_classes = (AllowAny,)
