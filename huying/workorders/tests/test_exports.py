"""XLSX exports read back with openpyxl: columns in Chinese, times as 2026-10-12 09:00,
rates as percentages, phones masked, the cap, the audit entry, who may export."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from conftest import SharedPeople
from huying.audit.models import AuditEntry
from huying.workorders.tests.metrics_data import NOW, Month, build_shared_month, shared_month

pytestmark = pytest.mark.django_db


# The month is built once per module (SHARED_PEOPLE_MODULES, root conftest.py) and each
# test reads its own copy; what a test adds is rolled back with its savepoint.
build_shared_data = build_shared_month


@pytest.fixture
def month(_shared_people: SharedPeople | None) -> Month:
    return shared_month(_shared_people)


CONSOLE = "/workorders/console/export.xlsx"
INBOX = "/workorders/inbox/export.xlsx"
STATS = "/workorders/stats/export.xlsx"
RED_BLACK = "/workorders/stats/red-black/export.xlsx"
OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def sheet(response: Any) -> Any:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return book.worksheets[0]


def values(ws: Any) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def exports_recorded(what: str) -> list[AuditEntry]:
    return [e for e in AuditEntry.objects.filter(action="workorder.export") if e.changes.get("what") == what]


def test_console_export_with_filters(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    ws = sheet(client.get(CONSOLE, {"status": "all"}))
    rows = values(ws)
    header = rows[0]
    assert header[:4] == ["工单编号", "受理时间", "渠道", "诉求性质"]
    assert "来电号码" in header and "一级分类" in header
    numbers = [r[0] for r in rows[1:]]
    assert sorted(numbers) == sorted(month.orders[k].number for k in ("O1", "O2", "O3", "O4", "O5", "O6"))
    by_number = {r[0]: r for r in rows[1:]}
    o1 = by_number[month.orders["O1"].number]
    assert o1[header.index("一级分类")] == "市容环境" and o1[header.index("类别")] == "乱摆卖"
    assert o1[header.index("来电号码")] == "138****1234"  # never whole in a file
    assert by_number[month.orders["O3"].number][header.index("已退单")] == "是"
    # Times as 2026-10-12 08:30 (local), not as text and not in UTC.
    cell = ws.cell(row=1 + numbers.index(month.orders["O1"].number) + 1, column=2)
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    assert cell.value.strftime("%Y-%m-%d %H:%M") == "2026-10-12 08:30"
    (entry,) = exports_recorded("console")
    assert entry.actor == month.dispatcher and entry.changes["rows"] == "6" and entry.changes["truncated"] == "no"


def test_console_export_matches_the_console_list(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    for params in ({}, {"status": "all", "street": month.hualin.pk}, {"status": "all", "category": "01"}):
        page = client.get("/workorders/console/", params).context["page"]
        listed = sorted(o.number for o in page.object_list)
        exported = sorted(r[0] for r in values(sheet(client.get(CONSOLE, params)))[1:])
        assert listed == exported, params


def test_export_is_capped_with_a_message(client: Any, month: Month, settings: Any) -> None:
    settings.WORKORDERS_EXPORT_LIMIT = 2
    client.force_login(month.dispatcher)
    response = client.get(CONSOLE, {"status": "all"})
    assert response["X-Export-Truncated"] == "true"
    rows = values(sheet(response))
    assert len(rows) == 1 + 2 + 1
    assert "仅导出前 2 行" in rows[-1][0] and "共 6 行" in rows[-1][0]
    (entry,) = exports_recorded("console")
    assert (entry.changes["rows"], entry.changes["total"], entry.changes["truncated"]) == ("2", "6", "yes")


def test_inbox_export(client: Any, month: Month) -> None:
    client.force_login(month.street_handler)
    rows = values(sheet(client.get(INBOX)))
    assert rows[0][:3] == ["工单编号", "承办单位", "办理方式"]
    # The same list as the shared inbox's work-order tab: open ones by default, all with show=all.
    for params, shown in (({}, {}), ({"show": "all"}, {"state": "all"})):
        page = client.get("/inbox/", {"workflow": "workorder", **shown})
        listed = [row.card.number for row, _steps in page.context["items"]]
        assert [r[0] for r in values(sheet(client.get(INBOX, params)))[1:]] == listed
    assert month.orders["O6"].number in [r[0] for r in rows[1:]]  # September's, still to accept
    rows = values(sheet(client.get(INBOX, {"show": "all"})))
    assert {month.orders[k].number for k in ("O1", "O2", "O3")} <= {r[0] for r in rows[1:]}
    assert sorted(e.changes["filters"] for e in exports_recorded("inbox")) == ["show=all"] * 2 + ["show=open"] * 2


def test_stats_export_rates_as_percentages(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    ws = sheet(client.get(STATS, {**OCTOBER, "group_by": "unit"}))
    rows = values(ws)
    header = rows[0]
    assert header[0] == "承办单位" and "响应率" in header and "满意率" in header and "二呼" in header
    by_unit = {r[0]: r for r in rows[1:]}
    street = by_unit["沙面街道"]
    assert street[header.index("派单数")] == 3
    assert street[header.index("响应率")] == pytest.approx(0.3333)
    row_number = [r[0] for r in rows].index("沙面街道") + 1
    assert ws.cell(row=row_number, column=header.index("响应率") + 1).number_format == "0.0%"
    assert by_unit["荔湾区人民政府"][header.index("满意率")] == "—"
    ws = sheet(client.get(STATS, {**OCTOBER, "group_by": "street"}))
    rows = values(ws)
    assert rows[0][:2] == ["街道", "受理量"] and {r[0]: r[1] for r in rows[1:]} == {"沙面街道": 3, "华林街道": 2}
    assert len(exports_recorded("stats")) == 2


def test_red_black_export(client: Any, month: Month, settings: Any) -> None:
    settings.WORKORDERS_RANKING_MIN_VOLUME = 1
    client.force_login(month.dispatcher)
    rows = values(sheet(client.get(RED_BLACK, {"month": "2026-10"})))
    assert rows[0][:4] == ["榜单", "名次", "承办单位", "综合得分"]
    assert rows[1][:4] == ["红榜", 1, "沙面街道", 65.0]
    assert [r[2] for r in rows[1:] if r[0] == "完整排名"] == [
        "沙面街道",
        "荔湾区城市管理和综合执法局",
        "荔湾区人民政府",
    ]
    assert exports_recorded("red_black")[0].changes["filters"] == "month=2026-10"


def test_api_xlsx(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    rows = values(sheet(client.get("/api/v1/workorders/stats", {**OCTOBER, "format": "xlsx"})))
    assert rows[0][0] == "承办单位" and len(rows) == 4
    rows = values(sheet(client.get("/api/v1/workorders/stats/red-black", {"month": "2026-10", "format": "xlsx"})))
    assert rows[0][0] == "榜单"
    assert len(exports_recorded("stats")) == 1 and len(exports_recorded("red_black")) == 1


def test_bad_export_parameters(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    response = client.get(STATS, {"date_from": "soon"})
    assert response.status_code == 400 and "2026-10-01" in response.content.decode()
    assert client.get(RED_BLACK, {"month": "13-2026"}).status_code == 400
    assert not AuditEntry.objects.filter(action="workorder.export").exists()


@pytest.mark.parametrize(
    ("person", "url"),
    [
        ("street_handler", CONSOLE),  # not a dispatcher
        ("charlie", CONSOLE),
        ("alice", CONSOLE),
        ("dora", INBOX),
        ("alice", INBOX),
        ("dispatcher", INBOX),  # the inbox is the units'
        ("alice", STATS),
        ("dora", RED_BLACK),
    ],
)
def test_who_may_not_export(client: Any, month: Month, person: str, url: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(person))
    assert client.get(url).status_code == 403
    assert not AuditEntry.objects.filter(action="workorder.export").exists()


def test_console_export_follows_the_search(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    number = month.orders["O2"].number
    for params in ({"q": number}, {"q": number.rsplit("-", 1)[1]}, {"q": "沙面"}):
        page = client.get("/workorders/console/", params).context["page"]
        listed = sorted(o.number for o in page.object_list)
        exported = sorted(r[0] for r in values(sheet(client.get(CONSOLE, params)))[1:])
        assert listed == exported, params
    assert sorted(r[0] for r in values(sheet(client.get(CONSOLE, {"q": number})))[1:]) == [number]
    assert number in str(exports_recorded("console")[-1].changes)
