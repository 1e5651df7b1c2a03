"""Every write of the monthly reports: :func:`do_generate_report` (the page, the API, the
command, the monthly task and the demo all call it) and the scheduled run over every
scope (:func:`do_generate_monthly`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.audit.actions import record
from huying.handling import notify
from huying.handling.choices import NotificationKind
from huying.handling.models import Notification
from huying.organisations.models import Organisation
from huying.reports import access, transitions
from huying.reports.choices import FileFormat, ReportStatus
from huying.reports.figures import Period, compute, previous_month
from huying.reports.models import MonthlyReport, ReportFile

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class Generated:
    report: MonthlyReport
    generated: bool  # False: it existed and was left as it was
    notified: int  # notices sent now (0 after the first generation)


def leaders_of(scope: Organisation) -> list[User]:
    """Who is told of a new report: the leaders holding their role at the scope itself."""
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__is_active=True,
            role_assignments__role=Role.LEADER,
            role_assignments__organisation=scope,
        ).distinct()
    )


def do_generate_report(
    actor: Any,
    scope: Organisation,
    period: Period,
    *,
    now: datetime | None = None,
    replace: bool = True,
) -> Generated:
    """Make (or, with ``replace``, make again) the report of ``scope`` for ``period``.

    ``actor``: a person who may generate for the scope (checked), or ``None`` for the
    scheduler and the command. One row per scope and period: regenerating replaces the
    figures and both files and counts up ``version``; without ``replace`` an existing
    ready report is left alone (the scheduled run is idempotent). The scope's leaders are
    notified once, when the report is first ready."""
    kind = access.kind_of_scope(scope)
    if kind is None:
        raise ValidationError({"scope": [_("Reports are made for a government or a CPPCC committee.")]})
    if actor is not None:
        access.check_may_generate(actor, scope)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            report, created = MonthlyReport.objects.select_for_update().get_or_create(
                scope=scope,
                period_start=period.start,
                period_end=period.end,
                defaults={"kind": kind, "is_month": period.is_month, "created_at": now},
            )
            if not created and not replace and report.status == ReportStatus.READY:
                return Generated(report, generated=False, notified=0)
            if not created:
                transitions.move(report, "start")
                report.version += 1
            figures = compute(scope, kind, period, now=now)
            old = list(report.files.all())
            old_names = [f.file.name for f in old]
            ReportFile.objects.filter(pk__in=[f.pk for f in old]).delete()
            uploader = actor if getattr(actor, "is_authenticated", False) else None
            # ReportLab, Pillow, openpyxl and numpy: loaded when a report is made, not when a process starts.
            from huying.reports.pdf import report_pdf
            from huying.reports.xlsx import report_xlsx

            for fmt, content_type, data in (
                (FileFormat.PDF, PDF_TYPE, report_pdf(figures)),
                (FileFormat.XLSX, XLSX_TYPE, report_xlsx(figures)),
            ):
                stored = ReportFile(
                    report=report,
                    fmt=fmt,
                    content_type=content_type,
                    size=len(data),
                    original_name=f"{figures['title']}.{fmt}",
                    uploaded_by=uploader,
                )
                stored.file.save(f"report.{fmt}", ContentFile(data), save=False)
                stored.save()
            report.kind = kind
            report.is_month = period.is_month
            report.figures = figures
            report.generated_at = now
            report.generated_by = uploader
            report.save(update_fields=["kind", "is_month", "figures", "generated_at", "generated_by", "version"])
            transitions.move(report, "finish")
            record(actor, "report.generate", report, {"version": report.version, "period": period.as_dict()})
            notified = _notify_once(report, now)
            if old_names:
                storage = ReportFile._meta.get_field("file").storage  # type: ignore[attr-defined]

                def delete_old() -> None:
                    for name in old_names:
                        storage.delete(name)

                transaction.on_commit(delete_old)
    except Exception as exc:
        existing = MonthlyReport.objects.filter(scope=scope, period_start=period.start, period_end=period.end).first()
        if existing is not None and existing.status == ReportStatus.GENERATING:
            transitions.move(existing, "fail", error=str(exc))
        raise
    return Generated(report, generated=True, notified=notified)


def _notify_once(report: MonthlyReport, now: datetime) -> int:
    # Conditional update: two generations racing for the first notice send it once.
    if report.notified_at is not None:
        return 0
    if not MonthlyReport.objects.filter(pk=report.pk, notified_at__isnull=True).update(notified_at=now):
        return 0
    report.notified_at = now
    text = notify.render(_("The report %(title)s is ready.") % {"title": f"《{report.title}》"})
    case_type = ContentType.objects.get_for_model(MonthlyReport)
    rows = [
        Notification(
            recipient_user=leader,
            kind=NotificationKind.STATUS,
            case_type=case_type,
            case_id=report.pk,
            text=text,
            created_at=now,
        )
        for leader in leaders_of(report.scope)
    ]
    return len(notify.send(rows))


def do_generate_monthly(
    *, today: date | None = None, period: Period | None = None, scopes: list[Organisation] | None = None
) -> list[Generated]:
    """The scheduled run (the first of each month): the previous month's report of every
    scope that has none yet. Idempotent: a second run makes nothing and notifies no one.
    A scope whose report fails is logged and the others still run."""
    today = today or timezone.localdate()
    period = period or previous_month(today)
    results = []
    for scope in scopes if scopes is not None else list(access.report_scopes()):
        try:
            results.append(do_generate_report(None, scope, period, replace=False))
        except Exception:
            logger.exception("monthly report of %s for %s failed", scope.name, period.as_dict())
    return results
