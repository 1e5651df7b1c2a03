from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from huying.core.navigation import AREAS, entries_for, may_enter, panels_for
from huying.core.roles import CONSOLE_ROLES, Role
from huying.core.startup import demo_progress


def landing_area(user: object) -> str:
    """Where a person lands after logging in, by the first role that has a home."""
    if not getattr(user, "is_authenticated", False):
        return "public"
    roles = user.role_set  # type: ignore[attr-defined]
    if Role.LEADER in roles:
        return "dashboard"
    if Role.MEMBER in roles:
        return "duty"
    if roles & CONSOLE_ROLES:
        return "console"
    return "public"


# Icons for the public zone's planned functions, in the order of AREAS["public"].planned.
_PUBLIC_PLANNED_ICONS = ("reception", "debate", "suggest", "report")


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(AREAS[landing_area(request.user)].url_name)
    public_area = AREAS["public"]
    entries = entries_for(request.user, "public")
    # A planned function that a module has since registered shows as its entry, the rest
    # stay marked as coming.
    live = {str(entry.title) for entry in entries}
    return render(
        request,
        "core/home.html",
        {
            "public_area": public_area,
            "public_entries": entries,
            "public_planned": [
                {"title": title, "icon": icon}
                for title, icon in zip(public_area.planned, _PUBLIC_PLANNED_ICONS, strict=False)
                if str(title) not in live
            ],
        },
    )


@require_safe
def area(request: HttpRequest, area_key: str) -> HttpResponse:
    area = AREAS[area_key]
    if not may_enter(request.user, area):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(area.refusal)
    panels = panels_for(request.user, area_key)
    stylesheets = list(dict.fromkeys(sheet for panel, _context in panels for sheet in panel.stylesheets))
    return render(
        request,
        "core/area.html",
        {
            "area": area,
            "entries": entries_for(request.user, area_key),
            "panels": panels,
            "stylesheets": stylesheets,
            "active_area": area_key,
        },
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("You do not have permission to open this page.")
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: no context processors, so nothing that could have
    # caused the error (database, session) is touched again.
    return HttpResponseServerError(loader.render_to_string("500.html"))


@require_safe
def demo_progress_bar(request: HttpRequest) -> HttpResponse:
    """The first start's progress bar (htmx polls it): empty once the demo is loaded, so the
    bar disappears."""
    return render(request, "core/includes/demo_progress.html", {"demo_progress": demo_progress()})
