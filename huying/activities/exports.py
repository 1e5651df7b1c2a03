"""An activity's roster as an XLSX workbook (openpyxl, write-only; text cells are always
text, never formulas)."""

from __future__ import annotations

import tempfile
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from huying.activities.models import Activity, Participation


def headers() -> list[str]:
    return [
        _("Member's name"),
        _("Sector"),
        _("Special committee"),
        _("Status"),
        _("Checked in at"),
        _("Checked in by"),
        _("Reason for leave"),
        _("Note on the leave"),
    ]


def roster_rows(activity: Activity) -> list[list[Any]]:
    from huying.activities.views import roster_queryset

    rows = []
    for p in roster_queryset(activity):
        role = p.member_role
        rows.append(
            [
                p.member.real_name,
                str(role.sector) if role and role.sector else "",
                role.special_committee.name if role and role.special_committee else "",
                p.get_status_display(),
                timezone.localtime(p.checked_in_at).strftime("%Y-%m-%d %H:%M") if p.checked_in_at else "",
                p.get_check_in_method_display(),
                p.leave_reason,
                p.leave_note,
            ]
        )
    return rows


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return value


def write_xlsx(activity: Activity, rows: list[list[Any]]) -> IO[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Roster"))
    sheet.column_dimensions["A"].width = 16
    title = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", activity.title))
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    when = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
    sheet.append([_cell(sheet, f"{activity.get_kind_display()} · {when} · {activity.place}")])
    bold = Font(bold=True)
    header_cells = []
    for text in headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output


__all__ = ["Participation", "headers", "roster_rows", "write_xlsx"]
