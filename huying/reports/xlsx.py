"""The report's tables as an Excel workbook, one sheet per section; rates are number cells
formatted as percentages, "—" where there is nothing to measure (as the statistics
exports). Cells are written as values, never formulas."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

PERCENT = "0.0%"


def _sheet(
    wb: Workbook, title: str, header: list[str], rows: list[list[Any]], percent_cols: frozenset[int] = frozenset()
) -> None:
    ws = wb.create_sheet(title=title[:31])
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for v in row:
            if isinstance(v, str) and v.startswith(("=", "+", "-", "@")):
                v = "'" + v
            values.append("—" if v is None else v)
        ws.append(values)
    for col in percent_cols:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
            if isinstance(cell.value, float):
                cell.number_format = PERCENT
    for i, _h in enumerate(header):
        ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = 16 if i else 26


RANK_HEADER = [
    "排名",
    "名称",
    "派单数",
    "响应率",
    "解决率",
    "满意率",
    "办结率",
    "按时办结率",
    "超期",
    "重办",
    "综合得分",
]


def _ranking_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            x["rank"],
            x["label"],
            x["assigned"],
            x["response_rate"],
            x["resolution_rate"],
            x["satisfaction_rate"],
            x["completion_rate"],
            x["on_time_rate"],
            x["overdue"],
            x["reopened"],
            x["score"],
        ]
        for x in rows
    ]


def report_xlsx(figures: dict[str, Any]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    period = figures["period"]
    if figures["kind"] == "hotline":
        v, r = figures["volume"], figures["rates"]
        _sheet(
            wb,
            "总体情况",
            ["指标", "本期", "上期", "环比", "去年同期", "同比"],
            [
                ["报告", figures["title"], None, None, None, None],
                ["期间", f"{period['start']} 至 {period['end']}", None, None, None, None],
                [
                    "受理量",
                    v["received"],
                    v["previous_received"],
                    v["change_previous"],
                    v["last_year_received"],
                    v["change_last_year"],
                ],
                ["已派单", v["dispatched"], None, None, None, None],
                ["已办结", v["finished"], None, None, None, None],
                ["在办", v["open"], None, None, None, None],
            ],
            frozenset({3, 5}),
        )
        pr = figures["previous_rates"]
        names = [
            ("响应率", "response_rate"),
            ("解决率", "resolution_rate"),
            ("满意率", "satisfaction_rate"),
            ("办结率", "completion_rate"),
            ("按时办结率", "on_time_rate"),
        ]
        _sheet(wb, "三率", ["指标", "本期", "上期"], [[n, r[k], pr[k]] for n, k in names], frozenset({1, 2}))
        _sheet(wb, "承办单位排名", RANK_HEADER, _ranking_rows(figures["units"]), frozenset({3, 4, 5, 6, 7}))
        _sheet(
            wb,
            "街道排名",
            [*RANK_HEADER[:2], "受理量", *RANK_HEADER[2:]],
            [
                [*row[:2], x.get("received"), *row[2:]]
                for row, x in zip(_ranking_rows(figures["streets"]), figures["streets"], strict=True)
            ],
            frozenset({4, 5, 6, 7, 8}),
        )
        _sheet(
            wb,
            "诉求分类",
            ["分类", "受理量", "占比", "已办结", "满意率"],
            [
                [c["label"], c["received"], c["share"], c["finished"], c["satisfaction_rate"]]
                for c in figures["categories"]
            ],
            frozenset({2, 4}),
        )
        _sheet(
            wb,
            "热点问题",
            ["序号", "话题", "关键词", "地点", "诉求数", "人数", "例子"],
            [
                [
                    t["rank"],
                    t["title"],
                    "、".join(t["keywords"]),
                    t["place"],
                    t["cases"],
                    t["people"],
                    "；".join(t["examples"]),
                ]
                for t in figures["topics"]
            ],
        )
        _sheet(
            wb,
            "超期和重办",
            ["类别", "工单编号", "承办单位", "分类", "街道", "诉求内容", "超期（小时）", "重办次数"],
            [["合计：超期", None, None, None, None, None, figures["overdue"]["count"], None]]
            + [
                [
                    "超期",
                    x["number"],
                    x["unit"],
                    x["category"],
                    x["street"],
                    x["content"],
                    x["overdue_hours"],
                    x["reopened"],
                ]
                for x in figures["overdue"]["items"]
            ]
            + [["合计：重办", None, None, None, None, None, None, figures["reopened"]["count"]]]
            + [
                [
                    "重办",
                    x["number"],
                    x["unit"],
                    x["category"],
                    x["street"],
                    x["content"],
                    x["overdue_hours"],
                    x["reopened"],
                ]
                for x in figures["reopened"]["items"]
            ],
        )
    else:
        p, o = figures["proposals"], figures["opinions"]
        if p:
            _sheet(
                wb,
                "提案办理",
                ["指标", "数值"],
                [
                    ["届次", p["session"]],
                    ["本期收到", p["received_in_period"]],
                    ["上期收到", p["received_previous"]],
                    ["累计收到", p["submitted"]],
                    ["立案", p["filed"]],
                    ["立案率", p["filing_rate"]],
                    ["交办（件次）", p["assigned"]],
                    ["已答复", p["replied"]],
                    ["按时答复率", p["on_time_rate"]],
                    ["测评", p["ratings"]],
                    ["满意率", p["satisfaction_rate"]],
                ],
                frozenset({1}),
            )
            _sheet(
                wb,
                "承办单位",
                ["序号", "承办单位", "承办", "已答复", "按时答复率", "满意率"],
                [
                    [u["rank"], u["label"], u["proposals"], u["replied"], u["on_time_rate"], u["satisfaction_rate"]]
                    for u in p["units"]
                ],
                frozenset({4, 5}),
            )
        prev = o["previous"]
        _sheet(
            wb,
            "社情民意",
            ["指标", "本期", "上期"],
            [
                ["收到", o["received"], prev["received"]],
                ["采用", o["adopted"], prev["adopted"]],
                ["领导批示", o["instructions"], prev["instructions"]],
            ],
        )
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
