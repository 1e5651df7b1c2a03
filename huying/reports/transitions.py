"""The only code that writes a report's ``status``: generating → ready or failed; a ready
or failed report is generated again (generating) on regeneration."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from huying.reports.choices import ReportStatus
from huying.reports.models import MonthlyReport

MOVES: dict[str, tuple[set[str], str]] = {
    "start": ({ReportStatus.GENERATING, ReportStatus.READY, ReportStatus.FAILED}, ReportStatus.GENERATING),
    "finish": ({ReportStatus.GENERATING}, ReportStatus.READY),
    "fail": ({ReportStatus.GENERATING}, ReportStatus.FAILED),
}


def move(report: MonthlyReport, name: str, *, error: str = "") -> None:
    sources, target = MOVES[name]
    if report.status not in sources:
        raise ValidationError(
            _("A report that is %(status)s cannot be %(move)s.") % {"status": report.status, "move": name}
        )
    report.status = target
    report.error = error[:300]
    MonthlyReport.objects.filter(pk=report.pk).update(status=target, error=report.error)
