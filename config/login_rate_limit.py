"""The login rate limit (django-axes): its authentication backend and the client address.

``client_ip`` is the client's IP address, resistant to forged headers.

Without trusted proxies (``PROCESSION_PROXY_COUNT=0``, the default) it is ``REMOTE_ADDR``
and ``X-Forwarded-For`` is ignored. Behind N trusted proxies it is the address the
outermost trusted proxy saw: the N-th entry from the right of ``X-Forwarded-For`` (each
proxy appends the address it received from, so entries left of that are the client's
own claims and are never believed)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


class LoginRateLimitBackend(AxesStandaloneBackend):
    """Refuses a locked-out (username, IP) pair before any password is checked.

    Every HTTP login path (the login page, the admin, the API's basic authentication)
    passes its request; a caller without one (a management command, the test client's
    ``login``) has no client address to limit and is passed on to the next backend."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = int(getattr(settings, "PROCESSION_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
