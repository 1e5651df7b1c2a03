"""Audit log exports: XLSX (openpyxl, write-only, streamed from the database) and CSV.

Both read the entries with ``iterator(chunk_size=...)``, so exporting a hundred thousand
rows holds one chunk in memory, not the whole log. Headers follow the active language.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from huying.audit.labels import action_label, changes_text, object_type_label
from huying.audit.models import AuditEntry

CHUNK_SIZE = 2000
# Spreadsheet programs run a cell starting with these as a formula ("CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def headers() -> list[str]:
    return [
        _("Time"),
        _("Actor"),
        _("Login name"),
        _("Action"),
        _("Action code"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Changes"),
        _("IP address"),
        _("Channel"),
    ]


COLUMN_WIDTHS = [20, 14, 14, 18, 18, 14, 10, 24, 60, 16, 10]


def row_of(entry: AuditEntry) -> list[Any]:
    return [
        timezone.localtime(entry.created_at).replace(tzinfo=None, microsecond=0),
        entry.actor_name,
        entry.actor.username if entry.actor_id and entry.actor else "",
        action_label(entry.action, entry.object_type),
        entry.action,
        object_type_label(entry.object_type),
        entry.object_id,
        entry.object_repr,
        changes_text(entry.object_type, entry.changes),
        entry.ip_address or "",
        entry.get_channel_display(),
    ]


def rows_of(entries: Iterable[AuditEntry]) -> Iterator[list[Any]]:
    for entry in entries:
        yield row_of(entry)


def stream(queryset: Any) -> Iterator[AuditEntry]:
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def write_xlsx(entries: Iterable[AuditEntry]) -> IO[bytes]:
    """Write the entries into a temporary .xlsx file and return it, rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Audit log")[:31])
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for title in headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows_of(entries):
        cells: list[Any] = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cells.append(cell)
            elif isinstance(value, dt.datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output


def _csv_value(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(entries: Iterable[AuditEntry], language: str | None = None) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly.

    The lines are produced while the response streams, after the view has returned, so
    the language is fixed now, when the generator is made."""
    return _csv_lines(entries, language or translation.get_language())


def _csv_lines(entries: Iterable[AuditEntry], language: str) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    with translation.override(language):
        yield "\ufeff".encode() + writer.writerow(headers()).encode()
        for row in rows_of(entries):
            yield writer.writerow([_csv_value(v) for v in row]).encode()
