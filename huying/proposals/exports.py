"""The statistics of a session as an XLSX workbook: one sheet per table of the page
(openpyxl in write-only mode). Headers follow the active language; rates are numbers
formatted as percentages; text cells are always text (never formulas)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from huying.proposals.stats import STATUS_COUNTS, STATUS_LABELS, Row, SessionStats, Share

PERCENT = "0.0%"


class Rate(float):
    """A value written with the percentage format."""


def _status_headers(first: str) -> list[str]:
    return [first, *(str(STATUS_LABELS[name]) for name in STATUS_COUNTS), _("Filing rate")]


def _status_rows(rows: Iterable[Row]) -> list[list[Any]]:
    return [[r.label, *(getattr(r.counts, name) for name in STATUS_COUNTS), _rate(r.counts.filing_rate)] for r in rows]


def _share_rows(shares: Iterable[Share]) -> list[list[Any]]:
    return [[s.label, s.count, _rate(s.share)] for s in shares]


def _rate(value: float | None) -> Rate | None:
    return None if value is None else Rate(value)


def tables(stats: SessionStats) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(sheet title, headers, rows) for every table of the statistics page."""
    totals = stats.totals
    overview = [[str(STATUS_LABELS[name]), getattr(totals, name)] for name in STATUS_COUNTS]
    overview += [
        [_("Filing rate"), _rate(totals.filing_rate)],
        [_("Replies accepted"), stats.replies],
        [_("On-time reply rate"), _rate(stats.on_time_rate)],
        [_("Ratings"), stats.ratings],
        [_("Satisfaction rate"), _rate(stats.satisfaction_rate)],
    ]
    units = [
        [
            u.name,
            u.proposals,
            u.lead,
            u.co,
            u.separate,
            u.replied,
            u.replied_on_time,
            _rate(u.on_time_rate),
            u.rated,
            _rate(u.satisfaction_rate),
        ]
        for u in stats.by_unit
    ]
    return [
        (_("Overview"), [_("Figure"), _("Value")], overview),
        (_("By submitter"), _status_headers(_("Submitter")), _status_rows(stats.by_submitter_kind)),
        (_("By category"), _status_headers(_("Category")), _status_rows(stats.by_category)),
        (_("By sector"), _status_headers(_("Sector")), _status_rows(stats.by_sector)),
        (_("By special committee"), _status_headers(_("Special committee")), _status_rows(stats.by_committee)),
        (
            _("By handling unit"),
            [
                _("Handling unit"),
                _("Proposals"),
                _("Lead or sole unit"),
                _("Co-handling unit"),
                _("Separate handling unit"),
                _("Replied"),
                _("Replied on time"),
                _("On-time reply rate"),
                _("Ratings"),
                _("Satisfaction rate"),
            ],
            units,
        ),
        (_("Reply classes"), [_("Reply class"), _("Replies"), _("Share")], _share_rows(stats.reply_classes)),
        (_("Satisfaction"), [_("Rating"), _("Ratings"), _("Share")], _share_rows(stats.satisfaction)),
    ]


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    if isinstance(value, Rate):
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = PERCENT
        return cell
    return value


def write_xlsx(stats: SessionStats) -> IO[bytes]:
    """The workbook in a temporary file, rewound (the response closes it)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in tables(stats):
        sheet = workbook.create_sheet(title=title[:31])
        sheet.column_dimensions["A"].width = 36
        header_cells = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output
