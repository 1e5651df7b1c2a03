"""Import 12345 hotline exports (CSV in UTF-8 / UTF-8 with BOM / GB18030, or XLSX).

Each row goes through :func:`huying.workorders.actions.do_intake` on the hotline channel, in
its own transaction: a bad row is reported and the next one is read; a row whose hotline id
was imported (or pushed) before is reported as a duplicate and changes nothing, so running
the same file twice imports nothing the second time. Used by ``manage.py import_hotline``
and, later, by the dispatcher's import page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.workorders.actions import do_intake
from huying.workorders.choices import Channel
from huying.workorders.training_data import TrainingDataError, _header_name, iter_rows

# Field → the column headers it is read from (first match wins; case-insensitive).
COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("工单编号", "热线工单号", "工单号", "external_id"),
    "received_at": ("来电时间", "受理时间", "received_at"),
    "caller_name": ("来电人", "来电人姓名", "姓名", "caller_name"),
    "caller_phone": ("来电号码", "联系电话", "caller_phone"),
    "anonymous": ("是否匿名", "匿名", "anonymous"),
    "content": ("诉求内容", "内容", "content"),
    "nature": ("诉求类型", "诉求性质", "nature"),
    "urgency": ("紧急程度", "urgency"),
    "category": ("分类编码", "category"),
    "address": ("事发地址", "地址", "address"),
    "latitude": ("纬度", "latitude"),
    "longitude": ("经度", "longitude"),
    "district": ("行政区划代码", "区划代码", "district"),
    "street": ("街道", "street"),
    "community": ("社区", "community"),
    "area_class": ("区域类别", "area_class"),
}
REQUIRED_FIELDS = ("external_id", "content")

IMPORTED = "imported"
DUPLICATE = "duplicate"
REJECTED = "rejected"
OUTCOME_LABELS = {
    IMPORTED: pgettext_lazy("import result", "imported"),
    DUPLICATE: pgettext_lazy("import result", "duplicate"),
    REJECTED: pgettext_lazy("import result", "rejected"),
}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, no header, missing column)."""


@dataclass(frozen=True)
class RowOutcome:
    row: int  # line or sheet row number, header = 1
    external_id: str
    outcome: str
    number: str = ""
    reason: str = ""


@dataclass
class ImportReport:
    rows: list[RowOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def imported(self) -> int:
        return self.count(IMPORTED)

    @property
    def duplicates(self) -> int:
        return self.count(DUPLICATE)

    @property
    def rejected(self) -> int:
        return self.count(REJECTED)


def default_district_code() -> str:
    """The division code of the only district that has a command centre, or ""."""
    centres = list(
        Organisation.objects.filter(kind=OrgKind.COMMAND_CENTRE, parent__isnull=False).select_related("parent")[:2]
    )
    if len(centres) == 1 and centres[0].parent is not None:
        return centres[0].parent.division_code
    return ""


def _positions(header: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    folded = [name.casefold() for name in header]
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    for key, candidates in COLUMNS.items():
        for candidate in candidates:
            if candidate.casefold() in folded:
                index = folded.index(candidate.casefold())
                positions[key] = index
                names[key] = header[index]
                break
    missing = [COLUMNS[key][0] for key in REQUIRED_FIELDS if key not in positions]
    if missing:
        raise ImportFileError(
            _("Missing column(s): %(missing)s. The file has: %(available)s.")
            % {"missing": ", ".join(missing), "available": ", ".join(h for h in header if h) or "-"}
        )
    return positions, names


def _reason(error: ValidationError, names: dict[str, str]) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for key, messages in error.message_dict.items():
        column = names.get(key) or (COLUMNS[key][0] if key in COLUMNS else key)
        parts.append(f"{column}: {' '.join(messages)}")
    return "; ".join(parts)


def import_hotline_file(
    path: str | Path,
    *,
    actor: Any = None,
    district: str = "",
    progress: Callable[[RowOutcome], None] | None = None,
) -> ImportReport:
    """Import every row of ``path``; ``district`` (a division code) applies to rows
    without a district column value. Raises ImportFileError for file-level problems."""
    source = Path(path)
    if not source.is_file():
        raise ImportFileError(_("File not found: %(path)s") % {"path": source})
    try:
        rows = iter_rows(source)
        header: list[str] | None = None
        header_row = 0
        for row in rows:
            header_row += 1
            names = [_header_name(cell) for cell in row]
            if any(names):
                header = names
                break
        if header is None:
            raise ImportFileError(_("The file is empty: expected a header row naming the columns."))
        positions, names_used = _positions(header)
        report = ImportReport()
        line = header_row
        for row in rows:
            line += 1
            if not any(str(cell).strip() for cell in row):
                continue
            data = {key: (row[index].strip() if index < len(row) else "") for key, index in positions.items()}
            if not data.get("district"):
                data["district"] = district
            external_id = data.get("external_id", "")
            try:
                result = do_intake(actor, data, Channel.HOTLINE)
            except ValidationError as error:
                outcome = RowOutcome(line, external_id, REJECTED, reason=_reason(error, names_used))
            except PermissionDenied as error:
                outcome = RowOutcome(line, external_id, REJECTED, reason=str(error))
            else:
                outcome = RowOutcome(
                    line,
                    external_id,
                    IMPORTED if result.created else DUPLICATE,
                    number=result.order.number,
                    reason=""
                    if result.created
                    else _("Already imported as %(number)s.") % {"number": result.order.number},
                )
            report.rows.append(outcome)
            if progress is not None:
                progress(outcome)
    except TrainingDataError as error:
        raise ImportFileError(str(error)) from error
    return report


def write_report_xlsx(report: ImportReport, path: str | Path) -> Path:
    """The per-row report as a workbook (one sheet, a header row, one row per data row)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Import report"))
    sheet.append([_("Row"), _("Hotline order id"), _("Outcome"), _("Work order number"), _("Reason")])
    for r in report.rows:
        sheet.append([r.row, r.external_id, str(OUTCOME_LABELS[r.outcome]), r.number, r.reason])
    sheet.append([])
    sheet.append(
        [
            _("Total"),
            "",
            _("imported %(i)d, duplicate %(d)d, rejected %(r)d")
            % {"i": report.imported, "d": report.duplicates, "r": report.rejected},
        ]
    )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target
