"""Pages of the human task inbox."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page after login: who you are and where to go."""
    groups = sorted(request.user.groups.values_list("name", flat=True))
    return render(request, "tasklist/home.html", {"groups": groups})
