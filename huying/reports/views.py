"""Pages of the monthly reports: the archive (list per scope, downloads, the form that
generates a report for any period), a report's key figures, the files. Thin: reads through
``MonthlyReport.objects.visible_to``, the one write through :mod:`huying.reports.actions`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.reports import access
from huying.reports.actions import do_generate_report
from huying.reports.choices import FileFormat, ReportStatus
from huying.reports.figures import previous_month
from huying.reports.forms import GenerateForm
from huying.reports.models import MonthlyReport

PAGE_SIZE = 24


def _archive(request: HttpRequest, form: GenerateForm, status: int = 200) -> HttpResponse:
    user = request.user
    reports = MonthlyReport.objects.visible_to(user).select_related("scope").prefetch_related("files")
    scopes = list(access.generatable_scopes(user))
    chosen = request.GET.get("scope", "")
    if chosen.isdigit():
        reports = reports.filter(scope_id=int(chosen))
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/archive.html",
        {"page": page, "form": form, "scopes": scopes, "chosen": chosen, "active_area": "console"},
        status=status,
    )


@require_safe
@login_required
def archive(request: HttpRequest) -> HttpResponse:
    access.check_may_read_reports(request.user)
    default = previous_month(timezone.localdate())
    form = GenerateForm(initial={"month": f"{default.start:%Y-%m}"}, scopes=access.generatable_scopes(request.user))
    return _archive(request, form)


@require_POST
@login_required
def generate(request: HttpRequest) -> HttpResponse:
    access.check_may_read_reports(request.user)
    form = GenerateForm(request.POST, scopes=access.generatable_scopes(request.user))
    if not form.is_valid():
        return _archive(request, form, status=422)
    try:
        result = do_generate_report(request.user, form.cleaned_data["scope"], form.period)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _archive(request, form, status=422)
    messages.success(
        request,
        _("The report %(title)s is ready (version %(v)d).")
        % {"title": result.report.title, "v": result.report.version},
    )
    return redirect(result.report)


def access_report(request: HttpRequest, pk: int) -> MonthlyReport:
    access.check_may_read_reports(request.user)
    return get_object_or_404(MonthlyReport.objects.visible_to(request.user).select_related("scope"), pk=pk)


@require_safe
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report(request, pk)
    f = report.figures
    context = {"report": report, "f": f, "active_area": "console", "ready": report.status == ReportStatus.READY}
    if f.get("kind") == "hotline":
        context["top_units"] = f["units"][:10]
        context["top_streets"] = f["streets"][:10]
    return render(request, "reports/detail.html", context)


@require_safe
@login_required
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    if fmt not in FileFormat.values:
        raise Http404(_("No such file."))
    report = access_report(request, pk)
    stored = report.files.filter(fmt=fmt).first()
    if stored is None:
        raise Http404(_("The report has no such file yet."))
    if not request.user.is_authenticated:  # pragma: no cover - login_required
        raise PermissionDenied
    return stored.download(filename=f"{report.title}.{fmt}")
