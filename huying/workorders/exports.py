"""XLSX exports of the work-order lists and statistics: the dispatcher console's list with
its filters, the unit inbox, the statistics tables and the red/black list.

openpyxl in write-only mode, rows read from the database in chunks (``iterator``), so an
export holds one chunk in memory, never the whole list. At most :func:`export_limit` rows
(100,000 unless ``WORKORDERS_EXPORT_LIMIT`` says otherwise) are written; a longer list ends
with a row saying so. Columns are headed in the reader's language (Chinese by default),
times read ``2026-11-26 14:30``, rates are percentages (``95.3%``) and a rate with nothing to
measure is ``—``. Phone numbers are always masked in exports: a file travels further than a
page. Every export is recorded in the audit log (:func:`do_record_export`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from huying.accounts.models import mask_mobile
from huying.audit.actions import record
from huying.audit.models import AuditEntry
from huying.handling.models import Assignment
from huying.workorders.models import WorkOrder
from huying.workorders.stats import RedBlack, StatsRow, category_tree

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_LIMIT = 100_000
CHUNK_SIZE = 2000
EMPTY = "—"


def export_limit() -> int:
    return int(getattr(settings, "WORKORDERS_EXPORT_LIMIT", DEFAULT_LIMIT))


@dataclass(frozen=True)
class Rate:
    """A share 0–1 written as a percentage cell; ``None`` is written as "—"."""

    value: float | None


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 12


@dataclass
class Export:
    file: IO[bytes]
    rows: int
    total: int
    truncated: bool


def _cell(sheet: Any, value: Any) -> Any:
    if value is None:
        value = EMPTY
    if isinstance(value, Rate):
        if value.value is None:
            return _cell(sheet, EMPTY)
        cell = WriteOnlyCell(sheet, value=round(value.value, 4))
        cell.number_format = "0.0%"
        return cell
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(sheet, value=local.replace(tzinfo=None, second=0, microsecond=0))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    return value


def write_xlsx(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    total: int | None = None,
    limit: int | None = None,
) -> Export:
    """Write a header row and up to ``limit`` rows into a temporary file (rewound). When
    there are more rows (``total`` known, or one more row read), a last row says how many
    were left out."""
    limit = export_limit() if limit is None else limit
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    more = False
    for row in rows:
        if written >= limit:
            more = True
            break
        sheet.append([_cell(sheet, value) for value in row])
        written += 1
    total = max(total if total is not None else written, written + (1 if more else 0))
    truncated = more or total > written
    if truncated:
        sheet.append(
            [
                _cell(
                    sheet,
                    _(
                        "Only the first %(limit)s of %(total)s rows were exported. "
                        "Narrow the filters to export the rest."
                    )
                    % {"limit": f"{written:,}", "total": f"{total:,}"},
                )
            ]
        )
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return Export(file=output, rows=written, total=total, truncated=truncated)


def response(export: Export, stem: str) -> FileResponse:
    filename = f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    result = FileResponse(export.file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    result["X-Export-Rows"] = str(export.rows)
    if export.truncated:
        result["X-Export-Truncated"] = "true"
    return result


def do_record_export(actor: Any, *, what: str, export: Export, filters: dict[str, Any]) -> AuditEntry:
    """Record that ``actor`` exported ``what`` (console, inbox, stats, red_black) with
    ``filters``. The caller has already checked that the person may read what was exported
    (the same checks as the page or endpoint); exporting is itself an auditable act."""
    return record(
        actor,
        "workorder.export",
        None,
        {
            "what": what,
            "format": "xlsx",
            "rows": export.rows,
            "total": export.total,
            "truncated": "yes" if export.truncated else "no",
            "filters": "; ".join(f"{k}={v}" for k, v in filters.items() if v not in (None, "")),
        },
        object_type=WorkOrder._meta.label_lower,
    )


# --- the console's order list ------------------------------------------------------------
def order_columns() -> list[Column]:
    return [
        Column(_("Order number"), 20),
        Column(_("Received at"), 17),
        Column(_("Channel"), 12),
        Column(_("Nature"), 10),
        Column(_("Urgency"), 8),
        Column(_("First-level category"), 12),
        Column(_("Category"), 16),
        Column(_("Street"), 14),
        Column(_("Community"), 14),
        Column(_("Address"), 24),
        Column(_("Status"), 10),
        Column(_("Returned"), 8),
        Column(_("Content"), 60),
        Column(_("Caller"), 10),
        Column(_("Caller's phone"), 14),
    ]


def order_rows(orders: QuerySet[WorkOrder], viewer: Any) -> Iterator[list[Any]]:
    """``orders`` should be annotated with ``was_returned`` (as the console does)."""
    tops = {n.code: n.name for n in category_tree().values() if n.level == 1}
    yes, no = _("Yes"), _("No")
    for order in orders.iterator(chunk_size=CHUNK_SIZE):
        category = order.category
        yield [
            order.number,
            order.received_at,
            order.get_channel_display(),
            order.get_nature_display(),
            order.get_urgency_display(),
            tops.get(category.code[:2], "") if category else "",
            category.name if category else "",
            order.street.name if order.street else "",
            order.community.name if order.community else "",
            order.address,
            order.get_status_display(),
            yes if getattr(order, "was_returned", False) else no,
            order.content,
            order.caller_name_for(viewer),
            mask_mobile(order.caller_phone),
        ]


# --- the unit inbox -----------------------------------------------------------------------
def assignment_columns() -> list[Column]:
    return [
        Column(_("Order number"), 20),
        Column(_("Handling unit"), 22),
        Column(pgettext("assignment", "Role"), 10),
        Column(_("Tier"), 6),
        Column(_("Status"), 10),
        Column(_("Dispatched at"), 17),
        Column(_("Accept by"), 17),
        Column(_("Resolve by"), 17),
        Column(_("Accepted at"), 17),
        Column(_("Resolved at"), 17),
        Column(_("Supervision level"), 8),
        Column(_("Content"), 60),
    ]


def assignment_rows(assignments: QuerySet[Assignment]) -> Iterator[list[Any]]:
    """The orders of each chunk of assignments are read in one query (no N+1)."""
    chunk: list[Assignment] = []
    for assignment in assignments.select_related("unit").iterator(chunk_size=CHUNK_SIZE):
        chunk.append(assignment)
        if len(chunk) == CHUNK_SIZE:
            yield from _assignment_chunk(chunk)
            chunk = []
    yield from _assignment_chunk(chunk)


def _assignment_chunk(chunk: list[Assignment]) -> Iterator[list[Any]]:
    if not chunk:
        return
    orders = WorkOrder.objects.only("id", "number", "content").in_bulk([a.case_id for a in chunk])
    for a in chunk:
        order = orders.get(a.case_id)
        yield [
            order.number if order else "",
            a.unit.name,
            a.get_role_display(),
            a.tier,
            a.get_status_display(),
            a.assigned_at,
            a.accept_due,
            a.resolve_due,
            a.accepted_at,
            a.resolved_at,
            a.supervision_level,
            order.content if order else "",
        ]


# --- statistics and the red/black list ---------------------------------------------------
RATE_NAMES = (
    "response_rate",
    "completion_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_rate",
    "return_rate",
    "reopen_rate",
)


def rate_titles() -> dict[str, str]:
    return {
        "response_rate": _("Response rate"),
        "completion_rate": _("Completion rate"),
        "resolution_rate": _("Resolution rate"),
        "satisfaction_rate": _("Satisfaction rate"),
        "on_time_rate": _("On-time completion rate"),
        "return_rate": _("Return rate"),
        "reopen_rate": _("Reopen rate"),
    }


def stats_columns(group_by: str) -> list[Column]:
    first = {
        "unit": _("Handling unit"),
        "street": _("Street"),
        "category": _("First-level category"),
        "period": _("Period"),
    }[group_by]
    columns = [Column(first, 22)]
    if group_by != "unit":
        columns += [
            Column(_("Received"), 9),
            Column(_("Dispatched"), 9),
            Column(_("Open"), 9),
            Column(_("Finished"), 9),
        ]
    columns += [
        Column(_("Assignments"), 9),
        Column(_("Accepted in time"), 9),
        Column(_("Resolved"), 9),
        Column(_("Rated"), 9),
    ]
    columns += [Column(title, 11) for title in rate_titles().values()]
    columns += [Column(_("Overdue"), 8), Column(_("Called up to tier 2"), 9), Column(_("Called up to tier 3"), 9)]
    return columns


def stats_rows(rows: Iterable[StatsRow], group_by: str) -> Iterator[list[Any]]:
    for row in rows:
        m = row.metrics
        values: list[Any] = [row.label]
        if group_by != "unit":
            values += [row.received, row.dispatched, row.open, row.finished]
        values += [m.assigned, m.accepted_in_time, m.resolved, m.rated]
        values += [Rate(getattr(m, name)) for name in RATE_NAMES]
        values += [row.overdue, row.tier2, row.tier3]
        yield values


def red_black_columns() -> list[Column]:
    return [
        Column(_("List"), 8),
        Column(_("Rank"), 6),
        Column(_("Handling unit"), 24),
        Column(_("Score"), 8),
        Column(_("Assignments"), 9),
        Column(_("Response rate"), 11),
        Column(_("Resolution rate"), 11),
        Column(_("Satisfaction rate"), 11),
        Column(_("Completion rate"), 11),
        Column(_("On-time completion rate"), 11),
    ]


def red_black_rows(result: RedBlack) -> Iterator[list[Any]]:
    lists = ((_("Red list"), result.red), (_("Black list"), result.black), (_("Full ranking"), result.ranking))
    for name, items in lists:
        for item in items:
            m = item.row.metrics
            yield [
                name,
                item.rank,
                item.row.label,
                item.score,
                m.assigned,
                Rate(m.response_rate),
                Rate(m.resolution_rate),
                Rate(m.satisfaction_rate),
                Rate(m.completion_rate),
                Rate(m.on_time_rate),
            ]
