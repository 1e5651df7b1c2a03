"""The monthly reports' REST API under ``/api/v1/reports`` (docs/reports.md): the list of
the reports the caller reads, one report's key figures with its download links, and
generating one for a scope and period. Same rules as the pages."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from huying.core.api_types import Id, PageNumberPagination
from huying.organisations.models import Organisation
from huying.reports import access
from huying.reports.actions import do_generate_report
from huying.reports.figures import parse_period
from huying.reports.models import MonthlyReport

router = Router(tags=["reports"])


class MonthlyReportOut(Schema):
    id: int
    title: str
    scope_id: int
    scope: str
    kind: str
    period_start: datetime.date
    period_end: datetime.date
    is_month: bool
    status: str
    version: int
    generated_at: datetime.datetime | None
    pdf_url: str | None
    xlsx_url: str | None
    page_url: str

    @staticmethod
    def resolve_scope(obj: MonthlyReport) -> str:
        return obj.scope.name

    @staticmethod
    def resolve_pdf_url(obj: MonthlyReport) -> str | None:
        return reverse("reports:download", args=[obj.pk, "pdf"]) if obj.file_of("pdf") else None

    @staticmethod
    def resolve_xlsx_url(obj: MonthlyReport) -> str | None:
        return reverse("reports:download", args=[obj.pk, "xlsx"]) if obj.file_of("xlsx") else None

    @staticmethod
    def resolve_page_url(obj: MonthlyReport) -> str:
        return obj.get_absolute_url()


class ReportDetailOut(MonthlyReportOut):
    figures: dict[str, Any]


class ReportFilters(Schema):
    scope: Id | None = None


class GenerateIn(Schema):
    scope: Id
    month: str = Field("", max_length=7, description="A month, YYYY-MM; or give start and end.")
    start: datetime.date | None = None
    end: datetime.date | None = None


def _reports(request: HttpRequest) -> Any:
    return MonthlyReport.objects.visible_to(request.user).select_related("scope").prefetch_related("files")


@router.get("", response=list[MonthlyReportOut], summary="The monthly reports the caller reads, newest first")
@paginate(PageNumberPagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilters]) -> Any:
    access.check_may_read_reports(request.user)
    qs = _reports(request)
    if filters.scope is not None:
        qs = qs.filter(scope_id=filters.scope)
    return qs


@router.get("/{pk}", response=ReportDetailOut, summary="One report: its key figures and download links")
def get_report(request: HttpRequest, pk: Id) -> Any:
    access.check_may_read_reports(request.user)
    return get_object_or_404(_reports(request), pk=pk)


@router.post("", response={201: ReportDetailOut}, summary="Generate (or make again) a report for a scope and period")
def generate_report(request: HttpRequest, payload: GenerateIn) -> Any:
    """``month`` (YYYY-MM) or ``start`` and ``end`` (inclusive); neither: the previous month.
    A report of the same scope and period is made again (``version`` + 1)."""
    access.check_may_read_reports(request.user)
    scope = Organisation.objects.filter(pk=payload.scope).first()
    if scope is None:
        raise ValidationError({"scope": [_("No such organisation.")]})
    period = parse_period(month=payload.month, start=payload.start, end=payload.end)
    result = do_generate_report(request.user, scope, period)
    return Status(201, _reports(request).get(pk=result.report.pk))
