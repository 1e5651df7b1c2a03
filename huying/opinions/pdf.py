"""《社情民意》第N期 as a PDF, laid out as the periodical is printed: the masthead 社情民意 in
large red type, the issue number, the office and the date, a red rule, then each report
(title, submitter, 情况 / 分析 / 建议). reportlab with the built-in CID font STSong-Light (no
font file needed)."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from huying.opinions.models import Issue

FONT = "STSong-Light"
RED = colors.HexColor("#c8161d")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    return [Paragraph(_escape(line.strip()), style) for line in text.splitlines() if line.strip()]


def chinese_date(day: object) -> str:
    return f"{day.year}年{day.month}月{day.day}日"  # type: ignore[attr-defined]


def issue_pdf(issue: Issue) -> bytes:
    font = _font()
    masthead = ParagraphStyle("masthead", fontName=font, fontSize=48, leading=60, textColor=RED, alignment=TA_CENTER)
    number = ParagraphStyle("number", fontName=font, fontSize=14, leading=20, alignment=TA_CENTER)
    meta = ParagraphStyle("meta", fontName=font, fontSize=12, leading=16)
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER, spaceBefore=8 * mm)
    byline = ParagraphStyle("byline", fontName=font, fontSize=12, leading=18, alignment=TA_CENTER, spaceAfter=4 * mm)
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=20, spaceBefore=3 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=21, firstLineIndent=24, alignment=TA_JUSTIFY)

    when = timezone.localtime(issue.published_at).date() if issue.published_at else timezone.localdate()
    number_text = f"{issue.year}年 第{issue.number}期" if issue.number else "（编辑中）"
    office = f"{issue.cppcc.name}办公厅"
    story: list = [
        Paragraph("社情民意", masthead),
        Paragraph(number_text, number),
        Spacer(1, 4 * mm),
    ]
    info = Table(
        [
            [
                Paragraph(_escape(office), meta),
                Paragraph(chinese_date(when), ParagraphStyle("r", parent=meta, alignment=2)),
            ]
        ],
        colWidths=["60%", "40%"],
    )
    info.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story += [info, HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=2 * mm, spaceAfter=4 * mm)]
    for item in issue.items.select_related("report", "report__author", "report__collective"):
        report = item.report
        story.append(Paragraph(_escape(report.title), title))
        story.append(Paragraph(_escape(report.submitter_name), byline))
        for label, text in (
            ("一、情况", report.situation),
            ("二、分析", report.analysis),
            ("三、建议", report.suggestion),
        ):
            if text.strip():
                story.append(Paragraph(label, heading))
                story += _paragraphs(text, body)
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=26 * mm,
        rightMargin=26 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=f"社情民意 {number_text}",
        author=office,
    )
    doc.build(story)
    return buffer.getvalue()
