"""Shared pieces of the native views: role gates and documented problem responses."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied

ProblemSerializer = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
    },
)


def problems(*codes: int) -> dict[int, Any]:
    """Problem-detail responses for ``extend_schema(responses=...)``."""
    return {code: OpenApiResponse(ProblemSerializer) for code in codes}


def require(allowed: bool, *, hide: bool = False) -> None:
    """Refuse with 403 (or 404 when the caller may not even know the object exists)."""
    if not allowed:
        raise NotFound() if hide else PermissionDenied()


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter that compares in UTC (any offset the parser accepts,
    even one the database would refuse, such as -17:13)."""

    def filter(self, qs, value):
        if value is not None:
            value = value.astimezone(UTC)
        return super().filter(qs, value)
