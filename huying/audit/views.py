"""The audit log pages: browse with filters, one entry, and exports. Administrators only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from huying.audit import exports
from huying.audit.actions import check_may_read_audit_log, do_record_export
from huying.audit.filters import filtered_entries, known_object_types
from huying.audit.labels import action_label, changes_of, object_type_label
from huying.audit.models import AuditEntry

PAGE_SIZE = 50

View = Callable[..., HttpResponseBase]


def administrators_only(view: View) -> View:
    """Anonymous visitors go to the login page; everyone but administrators gets a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        check_may_read_audit_log(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _decorate(entry: AuditEntry) -> AuditEntry:
    entry.action_label = action_label(entry.action, entry.object_type)  # type: ignore[attr-defined]
    entry.object_type_label = object_type_label(entry.object_type)  # type: ignore[attr-defined]
    entry.change_list = changes_of(entry.object_type, entry.changes)  # type: ignore[attr-defined]
    return entry


@require_safe
@administrators_only
def index(request: HttpRequest) -> HttpResponse:
    form, entries = filtered_entries(request.user, request.GET)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        _decorate(entry)
    filter_query = request.GET.copy()
    filter_query.pop("page", None)
    return render(
        request,
        "audit/index.html",
        {
            "form": form,
            "page_obj": page,
            "object_types": known_object_types(),
            "filter_query": filter_query.urlencode(),
            "active_area": "console",
        },
    )


@require_safe
@administrators_only
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(AuditEntry.objects.visible_to(request.user).select_related("actor"), pk=pk)
    return render(request, "audit/detail.html", {"entry": _decorate(entry), "active_area": "console"})


@require_safe
@administrators_only
def export(request: HttpRequest, file_format: str) -> HttpResponseBase:
    """The filtered list as a file. The export itself is recorded in the audit log."""
    if file_format not in ("xlsx", "csv"):
        raise Http404
    form, entries = filtered_entries(request.user, request.GET)
    if not form.is_valid():
        return render(
            request,
            "audit/index.html",
            {"form": form, "page_obj": None, "object_types": known_object_types(), "active_area": "console"},
            status=400,
        )
    entry = do_record_export(request.user, file_format=file_format, filters=form.active_filters(), rows=entries.count())
    # Entries recorded from now on (this export's own included) are not part of the file.
    entries = entries.filter(pk__lt=entry.pk)
    filename = f"audit-log-{timezone.localtime():%Y%m%d-%H%M%S}.{file_format}"
    if file_format == "xlsx":
        return FileResponse(
            exports.write_xlsx(exports.stream(entries)),
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(exports.csv_lines(exports.stream(entries)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
