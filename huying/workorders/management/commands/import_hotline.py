"""Import a 12345 hotline export (CSV or XLSX) as work orders, with a per-row report.

    python manage.py import_hotline export.xlsx --district 440103 --report report.xlsx

Columns: docs/workorders.md ("Import format"). Rerunning the same file imports nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from huying.workorders.importers import (
    OUTCOME_LABELS,
    ImportFileError,
    default_district_code,
    import_hotline_file,
    write_report_xlsx,
)


class Command(BaseCommand):
    help = "Import a 12345 hotline export (CSV or XLSX) as work orders and report each row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV (UTF-8, UTF-8 with BOM or GB18030) or XLSX file.")
        parser.add_argument(
            "--district",
            default="",
            help="Division code of the district for rows without one (default: the only district "
            "with a command centre).",
        )
        parser.add_argument("--report", default="", help="Also write the per-row report to this XLSX file.")

    def handle(self, *args: Any, **options: Any) -> None:
        district = options["district"] or default_district_code()
        try:
            report = import_hotline_file(options["file"], district=district)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        widths = (6, 24, 10, 22)
        header = (_("Row"), _("Hotline order id"), _("Outcome"), _("Work order number"), _("Reason"))
        self.stdout.write("  ".join(h.ljust(w) for h, w in zip(header, (*widths, 0), strict=True)).rstrip())
        for r in report.rows:
            cells = (str(r.row), r.external_id, str(OUTCOME_LABELS[r.outcome]), r.number, r.reason)
            self.stdout.write("  ".join(c.ljust(w) for c, w in zip(cells, (*widths, 0), strict=True)).rstrip())
        if options["report"]:
            path = write_report_xlsx(report, options["report"])
            self.stdout.write(_("Report written to %(path)s") % {"path": path})
        self.stdout.write(f"imported={report.imported} duplicate={report.duplicates} rejected={report.rejected}")
