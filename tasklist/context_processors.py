"""Template context shared by the tasklist pages: which navigation links to show."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from bpmn_engine import permissions


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav.console`` and ``nav.audit``: asked of the one policy, only when a template
    reads them (pages without the tasklist navigation pay nothing)."""
    user = getattr(request, "user", None)

    def links() -> dict[str, bool]:
        return {
            "console": permissions.can_operate(user),
            "audit": permissions.can_read_audit(user),
        }

    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {"nav": SimpleLazyObject(links)}
