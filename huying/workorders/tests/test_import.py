from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from huying.workorders.importers import DUPLICATE, IMPORTED, REJECTED, import_hotline_file
from huying.workorders.models import WorkOrder

HEADER = [
    "工单编号",
    "来电时间",
    "来电人",
    "来电号码",
    "诉求内容",
    "诉求类型",
    "分类编码",
    "事发地址",
    "纬度",
    "经度",
    "街道",
]
ROWS = [
    [
        "H001",
        "2026-03-01 09:30:00",
        "张三",
        "13812341234",
        "路口有人乱摆卖",
        "投诉",
        "010101",
        "沙面大街1号",
        "23.108",
        "113.243",
        "沙面街道",
    ],
    ["H002", "2026-03-01 10:00:00", "李四", "020-81234567", "井盖松动", "求助", "0402", "", "", "", ""],
    ["H003", "", "王五", "12345", "电话不对", "投诉", "010101", "", "", "", ""],  # bad phone
    ["H004", "", "赵六", "13900001111", "", "投诉", "", "", "", "", ""],  # no content
    ["H005", "", "钱七", "13900002222", "分类不存在", "投诉", "990101", "", "", "", ""],  # unknown category
    ["H006", "", "孙八", "13900003333", "坐标在海外", "投诉", "", "", "48.85", "2.35", ""],  # Paris
    ["H001", "", "张三", "13812341234", "同一工单再次导出", "投诉", "010101", "", "", "", ""],  # repeated id
    ["", "", "", "", "", "", "", "", "", "", ""],  # blank line
    ["H007", "", "", "", "匿名反映噪音扰民", "举报", "05", "", "", "", "不存在街道"],  # unknown street
]


def write_csv(path: Path, encoding: str) -> Path:
    lines = [",".join(HEADER)] + [",".join(row) for row in ROWS]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_xlsx(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize("kind", ["utf-8", "utf-8-sig", "gb18030", "xlsx"])
def test_report_counts_and_rerun_imports_nothing(tree: Any, tmp_path: Path, kind: str) -> None:
    path = write_xlsx(tmp_path / "export.xlsx") if kind == "xlsx" else write_csv(tmp_path / "export.csv", kind)
    report = import_hotline_file(path, district="440103")
    assert (report.imported, report.duplicates, report.rejected) == (2, 1, 5)
    outcome = {(r.row, r.external_id): r for r in report.rows}
    assert outcome[(2, "H001")].outcome == IMPORTED and outcome[(2, "H001")].number.startswith("荔湾-")
    assert outcome[(4, "H003")].outcome == REJECTED and outcome[(4, "H003")].reason.startswith("来电号码:")
    assert outcome[(5, "H004")].reason.startswith("诉求内容:")
    assert outcome[(6, "H005")].reason.startswith("分类编码:")
    assert "纬度" in outcome[(7, "H006")].reason or "经度" in outcome[(7, "H006")].reason
    assert outcome[(8, "H001")].outcome == DUPLICATE
    assert outcome[(10, "H007")].reason.startswith("街道:")
    order = WorkOrder.objects.get(external_id="H001")
    assert timezone.localtime(order.received_at).isoformat() == "2026-03-01T09:30:00+08:00"
    assert order.street == tree.street

    again = import_hotline_file(path, district="440103")
    assert (again.imported, again.duplicates, again.rejected) == (0, 3, 5)
    assert WorkOrder.objects.count() == 2


def test_missing_column_is_named(tree: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("编号,内容\nX1,abc\n", encoding="utf-8")
    with pytest.raises(CommandError, match="工单编号"):
        call_command("import_hotline", str(path), "--district", "440103", stdout=StringIO())
    assert not WorkOrder.objects.exists()


def test_command_prints_the_table_and_writes_the_report(tree: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", "utf-8")
    out = StringIO()
    report_path = tmp_path / "report.xlsx"
    # Only one district has a command centre: --district may be left out.
    call_command("import_hotline", str(path), "--report", str(report_path), stdout=out)
    text = out.getvalue()
    assert "H001" in text and "H003" in text
    assert text.strip().endswith("imported=2 duplicate=1 rejected=5")
    sheet = load_workbook(report_path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "H001" and len([r for r in rows[1:] if r and r[1]]) == 8


def test_unreadable_file(tree: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError):
        call_command("import_hotline", str(path), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("import_hotline", str(tmp_path / "missing.csv"), stdout=StringIO())
