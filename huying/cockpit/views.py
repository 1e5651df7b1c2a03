"""The cockpit page, the wall screen and the JSON they poll (thin: the figures are data.py's)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from huying.cockpit import data


def _poll_seconds(request: HttpRequest, default: int) -> int:
    """``?refresh=N`` (5 to 3600 seconds) sets the polling interval of the page."""
    try:
        value = int(request.GET.get("refresh", default))
    except ValueError:
        return default
    return min(max(value, 5), 3600)


def _text() -> dict[str, Any]:
    """The words the script writes when it redraws a list or a chart."""
    return {
        "received": _("Received"),
        "orders": _("orders"),
        "people": pgettext("topic people", "people"),
        "ratings": _("ratings"),
        "trendNew": pgettext("topic trend", "New"),
        "trendRising": pgettext("topic trend", "Rising"),
        "noOrders": _("No orders this month."),
        "noTopics": _("No hot topics yet."),
        "noAlerts": _("Nothing new or rising."),
        "notEnough": _("Not enough assignments yet."),
        "noKey": _("No key proposals yet."),
        "noActs": _("No acts recorded this year."),
        "mapFailed": _("The map could not be loaded; the list has the same figures."),
        "steps": [
            pgettext("proposal step", "Filed"),
            pgettext("proposal step", "Assigned"),
            pgettext("proposal step", "Replied"),
            pgettext("proposal step", "Completed"),
        ],
    }


def _render(request: HttpRequest, template: str) -> HttpResponse:
    user: Any = request.user
    figures = data.build(user)
    context = {
        "figures": figures,
        "wo": figures["workorders"],
        "cp": figures["cppcc"],
        "text": _text(),
        "refresh": _poll_seconds(request, figures["refresh"]),
        "active_area": "dashboard" if user.has_role("leader") or user.is_administrator else "console",
    }
    return render(request, template, context)


@require_safe
@login_required
def page(request: HttpRequest) -> HttpResponse:
    return _render(request, "cockpit/page.html")


@require_safe
@login_required
def screen(request: HttpRequest) -> HttpResponse:
    return _render(request, "cockpit/screen.html")


@require_safe
def data_json(request: HttpRequest) -> JsonResponse:
    """What the pages poll. Anonymous visitors and people who may not open the cockpit
    answer 403 (a script gets no login page)."""
    user: Any = request.user
    try:
        figures = data.build(user)
    except PermissionDenied as exc:
        return JsonResponse({"message": str(exc), "errors": {"__all__": [str(exc)]}}, status=403)
    response = JsonResponse(figures, json_dumps_params={"ensure_ascii": False})
    add_never_cache_headers(response)
    return response
