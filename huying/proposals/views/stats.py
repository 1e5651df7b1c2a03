"""The statistics page of proposals and its XLSX export (agency staff, leaders,
administrators). Thin: the figures come from :mod:`huying.proposals.stats`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from huying.accounts.choices import Role
from huying.proposals import actions, exports
from huying.proposals.models import Session
from huying.proposals.stats import as_json, session_stats, sessions_for


def _chosen(request: HttpRequest, sessions: list[Session]) -> Session:
    if not sessions:
        raise PermissionDenied(
            _("Proposal statistics are open to CPPCC agency staff, CPPCC leaders and administrators.")
        )
    wanted = request.GET.get("session", "")
    if wanted:
        for session in sessions:
            if str(session.pk) == wanted:
                return session
        raise Http404(_("No such session."))
    return next((s for s in sessions if s.is_current), sessions[0])


def _sessions(request: HttpRequest) -> list[Session]:
    return list(sessions_for(request.user).order_by("cppcc__path", "-term", "-number"))


@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    sessions = _sessions(request)
    session = _chosen(request, sessions)
    stats = session_stats(session)
    context = {
        "stats": stats,
        "sessions": sessions,
        "session": session,
        "chart_data": as_json(stats),
        # The review queue is the agency staff's; leaders reach this page from their dashboard.
        "may_review": request.user.has_role(Role.AGENCY_STAFF),  # type: ignore[union-attr]
        "active_area": "dashboard" if request.user.has_role(Role.LEADER) else "console",  # type: ignore[union-attr]
    }
    return render(request, "proposals/stats/index.html", context)


@require_safe
@login_required
def export(request: HttpRequest) -> FileResponse:
    """The tables of the page as an XLSX workbook; the export is recorded in the audit log."""
    session = _chosen(request, _sessions(request))
    stats = session_stats(session)
    actions.do_record_stats_export(request.user, session, file_format="xlsx")
    return FileResponse(
        exports.write_xlsx(stats),
        as_attachment=True,
        filename=f"proposal-statistics-{session.pk}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
