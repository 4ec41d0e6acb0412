"""Content-Security-Policy on every response, and a decorator for a view to relax it.

The policy comes from ``settings.CONTENT_SECURITY_POLICY`` (directive -> sources). A view
that needs more (e.g. an API explorer loading its own inline script) declares exactly the
sources it adds with ``@csp_extend(...)`` instead of weakening the policy everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"
DEFAULT_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    # bpmn-js and form-js inject <style> elements at run time
    "style-src": ("'self'", "'unsafe-inline'"),
    "img-src": ("'self'", "data:"),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "frame-ancestors": ("'none'",),
    "form-action": ("'self'",),
}
_EXTRA_ATTR = "_csp_extra"


def policy_text(policy: dict[str, tuple[str, ...]]) -> str:
    """``{"default-src": ("'self'",)}`` -> ``"default-src 'self'"``."""
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def merged(
    base: dict[str, tuple[str, ...]], extra: dict[str, Iterable[str]]
) -> dict[str, tuple[str, ...]]:
    """``base`` with ``extra``'s sources added to each named directive (no duplicates)."""
    result = dict(base)
    for name, sources in extra.items():
        current = list(result.get(name, base.get("default-src", ())))
        current += [source for source in sources if source not in current]
        result[name] = tuple(current)
    return result


def csp_extend(**directives: Iterable[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add sources to directives for one view: ``@csp_extend(script_src=["'unsafe-inline'"])``
    (underscores stand for dashes). Works on function views and on ``View.as_view()``."""
    extra = {name.replace("_", "-"): tuple(sources) for name, sources in directives.items()}

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            setattr(response, _EXTRA_ATTR, extra)
            return response

        return wrapped

    return decorate


class ContentSecurityPolicyMiddleware:
    """Sets the policy header on every response that has none yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        configured = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        self.policy = {k: tuple(v) for k, v in (configured or DEFAULT_POLICY).items()}
        self.header = policy_text(self.policy)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER in response:
            return response
        extra = getattr(response, _EXTRA_ATTR, None)
        response[HEADER] = policy_text(merged(self.policy, extra)) if extra else self.header
        return response
