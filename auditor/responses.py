"""The HTTP answer for an audit export, shared by the auditor pages and the API."""

from __future__ import annotations

from django.http import StreamingHttpResponse

from bpmn_engine.services.audit_exports import Export


def export_response(export: Export) -> StreamingHttpResponse:
    """Stream ``export`` as a download under its own file name."""
    response = StreamingHttpResponse(export.lines, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
