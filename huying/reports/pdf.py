"""The report as a PDF laid out like a Chinese government analysis report: the title block
(title, period, issuing unit and date in Chinese, a red rule), numbered sections 一、二、…,
tables with rankings, charts drawn with reportlab.graphics, page numbers "— N —", A4.
reportlab with the built-in CID font STSong-Light (as the periodical and the duty report)."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from huying.reports.figures import chinese_date, period_label
from huying.reports.fmt import change_words, num, pct

FONT = "STSong-Light"
RED = colors.HexColor("#c8161d")
GRID = colors.HexColor("#8c8c8c")
HEAD_BG = colors.HexColor("#eef1f6")
PALETTE = [
    colors.HexColor(c) for c in ("#2f5597", "#c8161d", "#548235", "#bf9000", "#7030a0", "#2e75b6", "#c55a11", "#7f7f7f")
]
NUMERALS = "一二三四五六七八九十"
WIDTH = A4[0] - 2 * 28 * mm


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Styles:
    def __init__(self) -> None:
        f = _font()
        self.title = ParagraphStyle("title", fontName=f, fontSize=21, leading=32, alignment=TA_CENTER)
        self.subtitle = ParagraphStyle("subtitle", fontName=f, fontSize=15, leading=24, alignment=TA_CENTER)
        self.meta = ParagraphStyle("meta", fontName=f, fontSize=12, leading=18)
        self.meta_right = ParagraphStyle("meta_r", parent=self.meta, alignment=TA_RIGHT)
        self.h1 = ParagraphStyle(
            "h1", fontName=f, fontSize=15, leading=24, spaceBefore=5 * mm, spaceAfter=2 * mm, keepWithNext=1
        )
        self.h2 = ParagraphStyle(
            "h2", fontName=f, fontSize=13, leading=21, spaceBefore=2 * mm, spaceAfter=1 * mm, keepWithNext=1
        )
        self.body = ParagraphStyle(
            "body", fontName=f, fontSize=12, leading=22, firstLineIndent=24, alignment=TA_JUSTIFY
        )
        self.cell = ParagraphStyle("cell", fontName=f, fontSize=9.5, leading=13)
        self.caption = ParagraphStyle(
            "caption", fontName=f, fontSize=10, leading=14, alignment=TA_CENTER, spaceBefore=1 * mm, spaceAfter=3 * mm
        )
        self.note = ParagraphStyle("note", fontName=f, fontSize=9.5, leading=14, textColor=colors.HexColor("#555555"))


def _table(header: list[str], rows: list[list[Any]], widths: list[float], st: Styles, numeric_from: int = 1) -> Table:
    data = [[Paragraph(_esc(h), st.cell) for h in header]]
    for row in rows:
        data.append([Paragraph(_esc(c), st.cell) if i < numeric_from else _esc(c) for i, c in enumerate(row)])
    table = Table(data, colWidths=[w * WIDTH for w in widths], repeatRows=1, hAlign="CENTER")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    table.setStyle(TableStyle(style))
    return table


def _label(drawing: Drawing, text: str, x: float, y: float, size: float = 9) -> None:
    drawing.add(String(x, y, text, fontName=FONT, fontSize=size, textAnchor="middle"))


def line_chart(points: list[list[Any]], title: str) -> Drawing:
    d = Drawing(WIDTH, 62 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 12 * mm, WIDTH - 18 * mm, 42 * mm
    values = [p[1] for p in points] or [0]
    chart.data = [values]
    chart.lines[0].strokeColor = PALETTE[0]
    chart.lines[0].strokeWidth = 1.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(max(values), 4) * 1.15
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.valueAxis.visibleGrid = True
    step = max(1, len(points) // 10)
    chart.categoryAxis.categoryNames = [p[0][5:] if i % step == 0 else "" for i, p in enumerate(points)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.angle = 0
    d.add(chart)
    _label(d, title, WIDTH / 2, 58 * mm, 10)
    return d


def bar_chart(names: list[str], series: list[list[float]], legend: list[str], title: str, *, percent: bool) -> Drawing:
    d = Drawing(WIDTH, 66 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 14 * mm, 14 * mm, WIDTH - 50 * mm, 42 * mm
    chart.data = series or [[0]]
    chart.valueAxis.valueMin = 0
    top = max([v for s in series for v in s] or [1])
    chart.valueAxis.valueMax = 100 if percent else max(top * 1.15, 4)
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    if percent:
        chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.categoryAxis.categoryNames = [n[:8] for n in names] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    if len(names) > 5:  # long names side by side would overlap: slant them
        chart.y += 6 * mm
        chart.height -= 6 * mm
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dx = 4
        chart.categoryAxis.labels.dy = -2
    chart.barSpacing = 1
    chart.groupSpacing = 8
    for i in range(len(series)):
        chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        chart.bars[i].strokeColor = None
    chart.barLabelFormat = "%.1f" if percent else "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    d.add(chart)
    if len(legend) > 1:
        lg = Legend()
        lg.x, lg.y = WIDTH - 32 * mm, 50 * mm
        lg.fontName = FONT
        lg.fontSize = 9
        lg.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, name in enumerate(legend)]
        d.add(lg)
    _label(d, title, WIDTH / 2, 62 * mm, 10)
    return d


def pie_chart(items: list[tuple[str, int, float | None]], title: str) -> Drawing:
    """Slices by count; the legend gives each share as the tables do (of the whole period,
    not of the slices shown)."""
    d = Drawing(WIDTH, 66 * mm)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 22 * mm, 6 * mm, 50 * mm, 50 * mm
    values = [n for _l, n, _s in items] or [1]
    pie.data = values
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.8
    for i in range(len(values)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    d.add(pie)
    lg = Legend()
    lg.x, lg.y = 88 * mm, 54 * mm
    lg.fontName = FONT
    lg.fontSize = 9
    lg.deltay = 10
    lg.columnMaximum = 8
    lg.alignment = "right"
    lg.colorNamePairs = [
        (PALETTE[i % len(PALETTE)], f"{label}  {n}件（{pct(share)}）") for i, (label, n, share) in enumerate(items)
    ]
    d.add(lg)
    _label(d, title, WIDTH / 2, 62 * mm, 10)
    return d


class _Builder:
    def __init__(self, figures: dict[str, Any]) -> None:
        self.f = figures
        self.st = Styles()
        self.story: list[Any] = []
        self.section = 0
        self.figure_no = 0

    def h1(self, text: str) -> None:
        self.story.append(Paragraph(f"{NUMERALS[self.section]}、{_esc(text)}", self.st.h1))
        self.section += 1

    def h2(self, text: str) -> None:
        self.story.append(Paragraph(_esc(text), self.st.h2))

    def p(self, text: str) -> None:
        self.story.append(Paragraph(_esc(text), self.st.body))

    def chart(self, drawing: Drawing, caption: str) -> None:
        self.figure_no += 1
        self.story.append(KeepTogether([drawing, Paragraph(f"图{self.figure_no}　{_esc(caption)}", self.st.caption)]))

    def table(self, caption: str, header: list[str], rows: list[list[Any]], widths: list[float], **kw: Any) -> None:
        if not rows:
            self.p("本期无相关数据。")
            return
        self.story.append(Paragraph(_esc(caption), self.st.caption))
        self.story.append(_table(header, rows, widths, self.st, **kw))
        self.story.append(Spacer(1, 3 * mm))

    def title_block(self) -> None:
        f = self.f
        period = f["period"]
        start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
        title = f["title"]
        main, _sep, rest = title.partition("（")
        self.story += [
            Spacer(1, 6 * mm),
            Paragraph(_title_lines(main, self.st.title.fontSize), self.st.title),
            Paragraph(
                f"（{_esc(rest)}" if rest else _esc(period_label(start, end, period["is_month"])), self.st.subtitle
            ),
            Spacer(1, 6 * mm),
        ]
        info = Table(
            [
                [
                    Paragraph(_esc(f["issuer"]), self.st.meta),
                    Paragraph(chinese_date(date.fromisoformat(f["generated_on"])), self.st.meta_right),
                ]
            ],
            colWidths=[WIDTH * 0.6, WIDTH * 0.4],
        )
        info.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        self.story += [info, HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=1 * mm, spaceAfter=5 * mm)]


def _title_lines(main: str, size: float) -> str:
    """A title longer than a line breaks before what it is about (…政协 / 提案办理…报告)."""
    if len(main) * size <= WIDTH:
        return _esc(main)
    for word in ("有呼必应", "提案办理"):
        head, found, tail = main.partition(word)
        if found and head:
            return f"{_esc(head)}<br/>{_esc(found + tail)}"
    return _esc(main)


def _period_words(f: dict[str, Any]) -> str:
    p = f["period"]
    return period_label(date.fromisoformat(p["start"]), date.fromisoformat(p["end"]), p["is_month"])


def _hotline(b: _Builder) -> None:
    f = b.f
    v, r, pr = f["volume"], f["rates"], f["previous_rates"]
    words = _period_words(f)
    place = f["scope"].removesuffix("人民政府")
    b.p(f"现将{words}{place}有呼必应平台群众诉求受理、派单办理和评价情况分析如下。")

    b.h1("总体情况")
    sentence = f"{words}，全区共受理群众诉求{num(v['received'])}件"
    comparisons = [c for c in (change_words(v["change_previous"]), change_words(v["change_last_year"], "同比")) if c]
    if comparisons:
        sentence += "，" + "，".join(comparisons)
    sentence += (
        f"；已派单{num(v['dispatched'])}件，已办结{num(v['finished'])}件，尚在办理{num(v['open'])}件。"
        f"本期共派单{num(r['assigned'])}件次，办结{num(r['resolved'])}件次，退单{num(r['returned'])}件次。"
    )
    b.p(sentence)
    ly = v["last_year_received"]
    b.table(
        "表1　受理量对比",
        ["指标", "本期", "上期", "环比", "去年同期", "同比"],
        [
            [
                "受理量（件）",
                num(v["received"]),
                num(v["previous_received"]),
                change_words(v["change_previous"], "") or "—",
                num(ly) if ly is not None else "—",
                change_words(v["change_last_year"], "") or "—",
            ]
        ],
        [0.22, 0.14, 0.14, 0.18, 0.14, 0.18],
    )
    if f["daily"]:
        b.chart(line_chart(f["daily"], "每日受理量（件）"), "本期每日受理量走势")

    b.h1("“三率”情况")
    b.p(
        f"本期响应率{pct(r['response_rate'])}（上期{pct(pr['response_rate'])}），"
        f"解决率{pct(r['resolution_rate'])}（上期{pct(pr['resolution_rate'])}），"
        f"满意率{pct(r['satisfaction_rate'])}（上期{pct(pr['satisfaction_rate'])}）；"
        f"办结率{pct(r['completion_rate'])}，按时办结率{pct(r['on_time_rate'])}。"
        f"共收到群众评价{num(r['rated'])}件，其中满意和基本满意{num(r['satisfied'])}件。"
    )
    names = ["响应率", "解决率", "满意率", "办结率", "按时办结率"]
    keys = ["response_rate", "resolution_rate", "satisfaction_rate", "completion_rate", "on_time_rate"]
    series = [[(x[k] or 0) * 100 for k in keys] for x in (r, pr)]
    b.chart(bar_chart(names, series, ["本期", "上期"], "“三率”及办结情况（%）", percent=True), "“三率”本期与上期对比")

    b.h1("承办单位“三率”排名")
    b.p(
        "按红黑榜综合得分（响应率30%、解决率30%、满意率40%，无可计算的比率不计入并按比例折算）排名；"
        "未产生可计算比率的单位列于表末，不参与排名。"
    )
    _ranking_table(b, "表2　承办单位“三率”排名", f["units"], "承办单位")
    rb = f.get("red_black")
    if rb and (rb["red"] or rb["black"]):
        red = "、".join(x["label"] for x in rb["red"]) or "无"
        black = "、".join(x["label"] for x in rb["black"]) or "无"
        b.p(f"本月红榜：{red}；黑榜：{black}（派单不少于{rb['min_volume']}件的单位参与红黑榜）。")
    top_units = [u for u in f["units"] if u["rank"]][:8]
    if top_units:
        b.chart(
            bar_chart(
                [u["label"] for u in top_units],
                [[u["score"] for u in top_units]],
                ["综合得分"],
                "承办单位综合得分（前8名）",
                percent=True,
            ),
            "承办单位综合得分",
        )

    b.h1("街道“三率”排名")
    _ranking_table(b, "表3　街道“三率”排名", f["streets"], "街道", with_orders=True)

    b.h1("诉求分类和热点问题")
    cats = f["categories"]
    if cats:
        first = cats[0]
        b.p(
            f"从诉求分类看，{first['label']}类诉求最多，共{num(first['received'])}件，占{pct(first['share'])}。"
            + "前五类依次为："
            + "、".join(f"{c['label']}（{c['received']}件）" for c in cats[:5])
            + "。"
        )
        b.chart(pie_chart([(c["label"], c["received"], c["share"]) for c in cats], "诉求分类构成"), "诉求一级分类构成")
        b.table(
            "表4　诉求分类统计",
            ["分类", "受理量（件）", "占比", "已办结（件）", "满意率"],
            [
                [c["label"], num(c["received"]), pct(c["share"]), num(c["finished"]), pct(c["satisfaction_rate"])]
                for c in cats
            ],
            [0.32, 0.17, 0.17, 0.17, 0.17],
        )
    else:
        b.p("本期无分类诉求。")
    topics = f["topics"]
    if topics:
        b.h2("（一）热点问题")
        for t in topics:
            place = f"（{t['place']}）" if t["place"] else ""
            b.p(f"{t['rank']}. {t['title']}{place}：涉及{t['cases']}件诉求、{t['people']}名群众。")
            for example in t["examples"]:
                b.story.append(Paragraph(f"例：“{_esc(example)}”", b.st.note))
    else:
        b.p("本期未形成多人反映的热点问题。")

    b.h1("超期和重办情况")
    od, ro = f["overdue"], f["reopened"]
    b.p(
        f"截至报告生成时，本期派单中超期未办结{num(od['count'])}件次；经群众评价不满意或核查后重办{num(ro['count'])}件次。"
    )
    b.table(
        "表5　超期件（节选）",
        ["工单编号", "承办单位", "诉求内容", "超期（小时）"],
        [[x["number"], x["unit"], x["content"], num(x["overdue_hours"])] for x in od["items"]],
        [0.2, 0.24, 0.39, 0.17],
        numeric_from=3,
    )
    b.table(
        "表6　重办件（节选）",
        ["工单编号", "承办单位", "诉求内容", "重办次数"],
        [[x["number"], x["unit"], x["content"], num(x["reopened"])] for x in ro["items"]],
        [0.2, 0.24, 0.39, 0.17],
        numeric_from=3,
    )

    b.h1("下一步工作建议")
    low = [u["label"] for u in f["units"] if u["rank"]][-3:]
    suggestions = []
    if cats:
        suggestions.append(f"聚焦{cats[0]['label']}等高频诉求，加强源头治理，减少重复诉求。")
    if low:
        suggestions.append(f"对综合得分靠后的{'、'.join(low)}等单位加强督办和业务指导，提升响应和办理质量。")
    if od["count"]:
        suggestions.append(f"对{od['count']}件次超期工单逐件督办，限时办结并回访群众。")
    suggestions.append("持续做好群众回访评价，推动“三率”稳步提升。")
    for i, text in enumerate(suggestions, start=1):
        b.p(f"{i}. {text}")


def _ranking_table(b: _Builder, caption: str, rows: list[dict[str, Any]], what: str, with_orders: bool = False) -> None:
    header = (
        ["排名", what]
        + (["受理量"] if with_orders else [])
        + ["派单数", "响应率", "解决率", "满意率", "办结率", "综合得分"]
    )
    body = []
    for x in rows:
        line = [str(x["rank"] or "—"), x["label"]]
        if with_orders:
            line.append(num(x.get("received", 0)))
        line += [
            num(x["assigned"]),
            pct(x["response_rate"]),
            pct(x["resolution_rate"]),
            pct(x["satisfaction_rate"]),
            pct(x["completion_rate"]),
            num(x["score"]),
        ]
        body.append(line)
    widths = [0.085, 0.27] + ([0.09] if with_orders else []) + [0.09, 0.11, 0.11, 0.11, 0.11, 0.13]
    total = sum(widths)
    b.table(caption, header, body, [w / total for w in widths], numeric_from=2)


def _cppcc(b: _Builder) -> None:
    f = b.f
    words = _period_words(f)
    p, o = f["proposals"], f["opinions"]
    b.p(f"现将{words}{f['scope']}提案办理和社情民意信息工作情况分析如下。")
    b.h1("总体情况")
    if p:
        b.p(
            f"{words}共收到提案{num(p['received_in_period'])}件"
            + (f"，{change_words(p['change_previous'])}" if p["change_previous"] is not None else "")
            + f"；收到社情民意信息{num(o['received'])}篇，采用{num(o['adopted'])}篇次，获领导批示{num(o['instructions'])}件次。"
        )
    else:
        b.p(
            f"{words}收到社情民意信息{num(o['received'])}篇，采用{num(o['adopted'])}篇次，获领导批示{num(o['instructions'])}件次。"
        )
    b.h1("提案办理情况")
    if p:
        b.p(
            f"{p['session']}累计收到提案{num(p['submitted'])}件，立案{num(p['filed'])}件，立案率{pct(p['filing_rate'])}，"
            f"待审查{num(p['pending'])}件；交办承办单位{num(p['assigned'])}件次，已答复{num(p['replied'])}件次，"
            f"按时答复率{pct(p['on_time_rate'])}；收到委员测评{num(p['ratings'])}件次，满意率{pct(p['satisfaction_rate'])}。"
        )
        b.table(
            "表1　提案办理情况",
            ["收到", "立案", "立案率", "交办（件次）", "已答复", "按时答复率", "满意率"],
            [
                [
                    num(p["submitted"]),
                    num(p["filed"]),
                    pct(p["filing_rate"]),
                    num(p["assigned"]),
                    num(p["replied"]),
                    pct(p["on_time_rate"]),
                    pct(p["satisfaction_rate"]),
                ]
            ],
            [1 / 7] * 7,
            numeric_from=0,
        )
        sat = [(x["label"], x["count"], x["share"]) for x in p["satisfaction"] if x["count"]]
        if sat:
            b.chart(pie_chart(sat, "委员测评结果"), "提案办理测评结果构成")
        if p["categories"]:
            cats = p["categories"]
            b.chart(
                bar_chart(
                    [c["label"] for c in cats],
                    [[c["submitted"] for c in cats], [c["filed"] for c in cats]],
                    ["收到", "立案"],
                    "提案分类（件）",
                    percent=False,
                ),
                "提案分类统计",
            )
        b.h1("承办单位答复情况")
        b.table(
            "表2　承办单位答复情况",
            ["序号", "承办单位", "承办（件）", "已答复", "按时答复率", "满意率"],
            [
                [
                    str(u["rank"]),
                    u["label"],
                    num(u["proposals"]),
                    num(u["replied"]),
                    pct(u["on_time_rate"]),
                    pct(u["satisfaction_rate"]),
                ]
                for u in p["units"]
            ],
            [0.08, 0.37, 0.13, 0.12, 0.15, 0.15],
            numeric_from=2,
        )
    else:
        b.p("本委员会暂无提案会议届次数据。")
    b.h1("社情民意信息工作")
    prev = o["previous"]
    b.p(
        f"本期收到社情民意信息{num(o['received'])}篇（上期{num(prev['received'])}篇"
        + (f"，{change_words(o['change_previous'])}" if o["change_previous"] is not None else "")
        + f"），采用{num(o['adopted'])}篇次，获领导批示{num(o['instructions'])}件次。"
    )
    b.table(
        "表3　社情民意信息",
        ["指标", "本期", "上期"],
        [
            ["收到（篇）", num(o["received"]), num(prev["received"])],
            ["采用（篇次）", num(o["adopted"]), num(prev["adopted"])],
            ["领导批示（件次）", num(o["instructions"]), num(prev["instructions"])],
        ],
        [0.4, 0.3, 0.3],
    )
    b.h1("下一步工作建议")
    b.p("1. 加强提案办理督办，提高按时答复率和委员满意度。")
    b.p("2. 围绕群众关注的热点难点问题，组织委员深入调研，提高社情民意信息的质量和采用率。")


def _page_number(canvas: Any, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 11)
    canvas.drawCentredString(A4[0] / 2, 14 * mm, f"— {doc.page} —")
    canvas.restoreState()


def report_pdf(figures: dict[str, Any]) -> bytes:
    b = _Builder(figures)
    b.title_block()
    (_hotline if figures["kind"] == "hotline" else _cppcc)(b)
    b.story.append(Spacer(1, 8 * mm))
    b.story.append(Paragraph(_esc(figures["issuer"]), b.st.meta_right))
    b.story.append(Paragraph(chinese_date(date.fromisoformat(figures["generated_on"])), b.st.meta_right))
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=28 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=figures["title"],
        author=figures["issuer"],
        subject=figures["title"],
    )
    doc.build(b.story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
