"""The yearly duty report (page context and PDF) and the rankings' XLSX export."""

from __future__ import annotations

import io
import tempfile
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from huying.duty import queries
from huying.duty.models import DutyEntry


def report_context(member: Any, year: int) -> dict[str, Any]:
    """Who the member is (CPPCC, sector, special committee), the year's counts and points
    per kind and the list of acts."""
    role = queries.describe_members([member]).get(member.pk)
    figures = queries.year_figures(member, year)
    acts = list(
        DutyEntry.objects.filter(member=member, year=year, retracted_at__isnull=True).order_by("occurred_at", "id")
    )
    return {
        "year": year,
        "role": role,
        "figures": figures,
        "acts": [(a, queries.kind_label(a.kind), queries.qualifier_label(a.kind, a.qualifier)) for a in acts],
        "groups": [(queries.group_label(g), n) for g, n in figures.groups.items()],
        "generated": timezone.localdate(),
    }


def _date(value: Any) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def report_pdf(member: Any, year: int) -> IO[bytes]:
    """The yearly duty report as an A4 PDF (reportlab, the built-in CID font STSong-Light)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = "STSong-Light"
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER, textColor=colors.red)
    subtitle = ParagraphStyle("subtitle", fontName=font, fontSize=12, leading=18, alignment=TA_CENTER)
    heading = ParagraphStyle("heading", fontName=font, fontSize=14, leading=22, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16)
    context = report_context(member, year)
    role = context["role"]
    figures = context["figures"]
    story: list[Any] = [
        Paragraph(escape(_("Yearly duty report of a CPPCC member")), title),
        Paragraph(escape(_("Year %(year)d") % {"year": year}), subtitle),
        Spacer(1, 3 * mm),
        HRFlowable(width="100%", thickness=2, color=colors.red),
        Spacer(1, 4 * mm),
    ]
    who = [
        [_("Member"), member.real_name or member.username],
        [_("CPPCC"), role.organisation.name if role and role.organisation else "—"],
        [_("Sector"), role.sector.name if role and role.sector else "—"],
        [_("Special committee"), role.special_committee.name if role and role.special_committee else "—"],
        [_("Points"), str(figures.points)],
        [_("Acts"), str(figures.acts)],
    ]
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 10.5),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    table = Table(who, colWidths=[35 * mm, 130 * mm])
    table.setStyle(grid)
    story += [table, Paragraph(escape(_("Acts and points by kind")), heading)]
    counts = [[_("Kind of act"), _("Qualifier"), _("Count"), _("Points")]]
    counts += [[line.label, line.qualifier_label or "—", str(line.count), str(line.points)] for line in figures.lines]
    counts.append([_("Total"), "", str(figures.acts), str(figures.points)])
    table = Table(counts, colWidths=[65 * mm, 40 * mm, 30 * mm, 30 * mm], repeatRows=1)
    table.setStyle(grid)
    story += [table, Paragraph(escape(_("Acts of the year")), heading)]
    rows = [[_("Date"), _("Kind of act"), _("Title"), _("Points")]]
    for entry, label, qualifier in context["acts"]:
        kind = f"{label}（{qualifier}）" if qualifier else label
        rows.append(
            [
                _date(timezone.localtime(entry.occurred_at)),
                Paragraph(escape(kind), body),
                Paragraph(escape(entry.title or "—"), body),
                str(entry.points),
            ]
        )
    if len(rows) == 1:
        story.append(Paragraph(escape(_("No acts recorded in this year.")), body))
    else:
        table = Table(rows, colWidths=[30 * mm, 40 * mm, 80 * mm, 15 * mm], repeatRows=1)
        table.setStyle(grid)
        story.append(table)
    story += [
        Spacer(1, 8 * mm),
        Paragraph(escape(_("Generated on %(date)s") % {"date": _date(context["generated"])}), body),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=_("Yearly duty report of a CPPCC member"),
        author=member.real_name,
    ).build(story)
    buffer.seek(0)
    return buffer


def _text(value: Any) -> Any:
    if isinstance(value, str):
        # Text cells are always text: never a formula.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def rankings_xlsx(viewer: Any, data: dict[str, Any]) -> IO[bytes]:
    """The whole ranking (not only the page shown) as an XLSX workbook."""
    values, target = data["values"], data["target"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(values["year"]))
    bold = Font(bold=True)
    headers = [
        _("Rank"),
        _("Member"),
        _("CPPCC"),
        _("Sector"),
        _("Special committee"),
        _("Acts"),
        _("Points"),
        _("Below threshold"),
    ]
    title = WriteOnlyCell(sheet, value=_text(f"{target} · {values['year']}"))
    title.font = bold
    sheet.append([title])
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    members = list(data["members"])
    roles = queries.describe_members(members)
    for user in members:
        role = roles.get(user.pk)
        row = [
            user.rank,
            user.real_name,
            role.organisation.name if role and role.organisation else "",
            role.sector.name if role and role.sector else "",
            role.special_committee.name if role and role.special_committee else "",
            user.acts,
            user.points,
            _("yes") if user.points < values["threshold"] else "",
        ]
        sheet.append([_text(v) for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - returned open, closed by the response
    workbook.save(handle)
    handle.seek(0)
    return handle
