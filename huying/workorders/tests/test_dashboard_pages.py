"""The dashboard, statistics and red/black pages and their API: who may open them, what
they show, bad input, query counts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from conftest import SharedPeople
from huying.workorders import actions
from huying.workorders.tests.metrics_data import NOW, Month, T, _order, build_shared_month, shared_month

pytestmark = pytest.mark.django_db


# The month is built once per module (SHARED_PEOPLE_MODULES, root conftest.py) and each
# test reads its own copy; what a test adds is rolled back with its savepoint.
build_shared_data = build_shared_month


@pytest.fixture
def month(_shared_people: SharedPeople | None) -> Month:
    return shared_month(_shared_people)


DASHBOARD = "/workorders/dashboard/"
STATS = "/workorders/stats/"
RED_BLACK = "/workorders/stats/red-black/"
API = "/api/v1/workorders"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def chart_data(html: str) -> dict[str, Any]:
    start = html.index('<script id="dashboard-data" type="application/json">') + len(
        '<script id="dashboard-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


# --- dashboard --------------------------------------------------------------------------------
def test_dashboard_shows_the_district(client: Any, month: Month, settings: Any) -> None:
    settings.WORKORDERS_RANKING_MIN_VOLUME = 1
    client.force_login(month.dispatcher)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "指挥中心驾驶舱" in html
    data = response.context["data"]
    # Open and overdue now whenever received: O6 (September) waits to be accepted too.
    assert (data.received, data.today_received, data.open_now, data.overdue_now) == (5, 0, 3, 2)
    assert data.totals.metrics.response_rate == 0.5
    assert "50.0%" in html  # 响应率 tile
    assert [(c.name, c.count) for c in data.categories] == [("市容环境", 3), ("环境卫生", 1), ("市政设施", 1)]
    focus = {f.name: (f.count, [(c.name, c.count) for c in f.children]) for f in data.focus}
    assert focus == {"六乱": (2, [("乱摆卖", 1), ("乱张贴", 1)]), "五类车": (1, [("非法营运摩托车", 1)])}
    overdue = data.overdue
    assert [(i.order.number, i.assignment.unit.name) for i in overdue] == [
        (month.orders["O6"].number, "沙面街道"),  # the most overdue first
        (month.orders["O4"].number, "荔湾区人民政府"),
    ]
    assert overdue[0].overdue_hours > overdue[1].overdue_hours > 0
    assert month.orders["O7"].number not in html  # another district
    chart = chart_data(html)
    assert chart["geo"]["districts"] == ["440103"]
    assert chart["geo"]["url"].endswith("geo/guangzhou_districts.geojson")
    shamian = {s["name"]: s["value"] for s in chart["streets"]}["沙面街道"]
    assert shamian[2] == 3 and shamian[0] == pytest.approx((113.243 * 2 + 113.245) / 3)
    assert len(chart["trend"]["days"]) == 30 and chart["trend"]["days"][-1] == "2026-10-23"
    assert dict(zip(chart["trend"]["days"], chart["trend"]["values"], strict=True))["2026-10-12"] == 5
    # Red/black list of the month, with its figures.
    assert [i.row.label for i in data.red_black.ranking][:1] == ["沙面街道"]
    # Accessible fallbacks: every chart has a data table.
    assert html.count('data-chart="') == 5 and html.count("<summary>数据表</summary>") == 5
    assert "<script>" not in html and ' style="' not in html


def test_dashboard_filters_by_street_and_period(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    data = client.get(DASHBOARD, {"street": month.hualin.pk}).context["data"]
    assert (data.received, data.open_now, data.overdue_now) == (2, 2, 1)
    assert data.totals.metrics.assigned == 2  # a4 and a4b, joined to their order's street
    assert [i.order.number for i in data.overdue] == [month.orders["O4"].number]
    data = client.get(DASHBOARD, {"period": "last_month"}).context["data"]
    assert data.received == 1 and data.totals.metrics.assigned == 1  # O6 in September
    data = client.get(DASHBOARD, {"period": "year", "trend": "90"}).context["data"]
    assert data.received == 6 and len(data.trend) == 90


@pytest.mark.parametrize(("params", "field"), [({"period": "week"}, "period"), ({"trend": "7"}, "trend")])
def test_dashboard_bad_filters(client: Any, month: Month, params: dict[str, str], field: str) -> None:
    client.force_login(month.dispatcher)
    response = client.get(DASHBOARD, params)
    assert response.status_code == 400 and field in response.context["errors"]


def test_dashboard_street_outside_the_area_is_refused(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    response = client.get(DASHBOARD, {"street": month.yuexiu_street.pk})
    assert response.status_code == 400 and "street" in response.context["errors"]


def test_another_district_sees_nothing_of_this_one(client: Any, month: Month) -> None:
    client.force_login(month.other_dispatcher)
    response = client.get(DASHBOARD)
    data = response.context["data"]
    assert (data.received, data.open_now, data.overdue_now) == (1, 1, 1)  # its own O7
    assert "沙面街道" not in response.content.decode()
    assert chart_data(response.content.decode())["geo"]["districts"] == ["440104"]


@pytest.mark.parametrize("person", ["alice", "dora", "bob", "charlie"])
def test_dashboard_refuses_others(client: Any, month: Month, person: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(person))
    response = client.get(DASHBOARD)
    assert response.status_code == 403
    assert "调度员" in response.content.decode()


def test_leader_and_admin_open_the_dashboard(client: Any, month: Month, admin: Any) -> None:
    client.force_login(month.leader)
    response = client.get(DASHBOARD)
    assert response.context["data"].received == 5
    assert {s.name for s in response.context["streets"]} == {"沙面街道", "华林街道"}
    client.force_login(admin)
    response = client.get(DASHBOARD)
    assert response.context["data"].received == 6
    # The streets of districts with a command centre, not every street there is.
    assert {s.name for s in response.context["streets"]} == {"沙面街道", "华林街道", "北京街道"}


def test_anonymous_must_log_in(client: Any, db: None) -> None:
    for url in (DASHBOARD, STATS, RED_BLACK, f"{STATS}export.xlsx", "/workorders/console/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_dashboard_query_count_is_constant(client: Any, month: Month, django_assert_num_queries: Any) -> None:
    client.force_login(month.dispatcher)
    client.get(DASHBOARD)
    with django_assert_num_queries(18) as before:
        client.get(DASHBOARD)
    with time_machine.travel(T, tick=False):
        for n in range(20, 30):
            order = _order(month.dispatcher, str(n), category="010103")
            actions.do_dispatch(month.dispatcher, order, month.hualin, category=order.category)
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(DASHBOARD)
    assert response.context["data"].received == 15


# --- statistics page ---------------------------------------------------------------------------
def test_stats_page_tables(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    october = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
    response = client.get(STATS, october)
    assert response.status_code == 200
    html = response.content.decode()
    assert "沙面街道" in html and "33.3%" in html and "—" in html
    assert response.context["rows"][0].label == "沙面街道"
    rows = client.get(STATS, {**october, "group_by": "street"}).context["rows"]
    assert {r.label: r.received for r in rows} == {"沙面街道": 3, "华林街道": 2}
    rows = client.get(STATS, {**october, "group_by": "category"}).context["rows"]
    assert [r.label for r in rows] == ["市容环境", "环境卫生", "市政设施"]
    rows = client.get(STATS, {**october, "group_by": "period", "granularity": "week"}).context["rows"]
    assert len(rows) == 5 and sum(r.received for r in rows) == 5
    assert "/workorders/stats/export.xlsx?" in html


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-10-31", "date_to": "2026-10-01"}, "date_to"),
        ({"group_by": "colour"}, "group_by"),
        ({"group_by": "period", "granularity": "hour"}, "granularity"),
        ({"group_by": "period", "date_from": "2024-01-01", "date_to": "2026-01-01"}, "granularity"),
    ],
)
def test_stats_page_bad_input(client: Any, month: Month, params: dict[str, str], field: str) -> None:
    client.force_login(month.dispatcher)
    response = client.get(STATS, params)
    assert response.status_code == 400 and field in response.context["errors"]
    assert response.context["rows"] == []
    if "date_from" in params:  # what was typed stays in the field
        assert f'value="{params["date_from"]}"' in response.content.decode()


def test_units_see_their_own_statistics(client: Any, month: Month) -> None:
    client.force_login(month.street_handler)
    rows = client.get(STATS, {"date_from": "2026-10-01", "date_to": "2026-10-31"}).context["rows"]
    assert [r.label for r in rows] == ["沙面街道"]


@pytest.mark.parametrize("person", ["alice", "dora", "bob"])
def test_stats_pages_refuse_others(client: Any, month: Month, person: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(person))
    for url in (STATS, RED_BLACK, f"{STATS}export.xlsx", f"{RED_BLACK}export.xlsx"):
        assert client.get(url).status_code == 403


def test_red_black_page(client: Any, month: Month, settings: Any) -> None:
    settings.WORKORDERS_RANKING_MIN_VOLUME = 1
    client.force_login(month.dispatcher)
    response = client.get(RED_BLACK, {"month": "2026-10"})
    assert response.status_code == 200
    result = response.context["result"]
    assert [i.row.label for i in result.ranking] == ["沙面街道", "荔湾区城市管理和综合执法局", "荔湾区人民政府"]
    html = response.content.decode()
    assert "红榜" in html and "黑榜" in html and "65.0" in html
    assert client.get(RED_BLACK, {"month": "2026-99"}).status_code == 400


# --- API ---------------------------------------------------------------------------------------
def test_api_stats(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    response = client.get(f"{API}/stats", {"group_by": "unit", "date_from": "2026-10-01", "date_to": "2026-10-31"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["group_by"], body["date_from"], body["date_to"]) == ("unit", "2026-10-01", "2026-10-31")
    rows = {r["label"]: r for r in body["rows"]}
    assert rows["沙面街道"]["assigned"] == 3 and rows["沙面街道"]["response_rate"] == pytest.approx(1 / 3)
    assert rows["荔湾区人民政府"]["satisfaction_rate"] is None and rows["荔湾区人民政府"]["received"] is None
    body = client.get(f"{API}/stats", {"group_by": "period", "granularity": "month", "date_from": "2026-10-01"}).json()
    assert [(r["key"], r["received"]) for r in body["rows"]] == [("2026-10-01", 5)]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"group_by": "colour"}, "group_by"), ({"date_from": "yesterday"}, "date_from"), ({"format": "pdf"}, "format")],
)
def test_api_stats_bad_input(client: Any, month: Month, params: dict[str, str], field: str) -> None:
    client.force_login(month.dispatcher)
    response = client.get(f"{API}/stats", params)
    assert response.status_code == 422 and field in response.json()["errors"]


def test_api_red_black_and_dashboard(client: Any, month: Month, settings: Any) -> None:
    settings.WORKORDERS_RANKING_MIN_VOLUME = 1
    client.force_login(month.dispatcher)
    body = client.get(f"{API}/stats/red-black", {"month": "2026-10", "size": 1}).json()
    assert [i["unit"] for i in body["red"]] == ["沙面街道"] and [i["unit"] for i in body["black"]] == ["荔湾区人民政府"]
    assert body["red"][0]["score"] == 65.0 and body["weights"]["satisfaction_rate"] == 0.4
    assert client.get(f"{API}/stats/red-black", {"month": "10/2026"}).status_code == 422
    body = client.get(f"{API}/dashboard").json()
    assert (body["received"], body["open_now"], body["overdue_now"]) == (5, 3, 2)
    assert body["totals"]["response_rate"] == 0.5
    assert [o["number"] for o in body["overdue"]] == [month.orders["O6"].number, month.orders["O4"].number]
    assert body["overdue"][1]["stage"] == "accept" and body["overdue"][1]["unit"] == "荔湾区人民政府"
    assert {f["name"]: f["count"] for f in body["focus"]} == {"六乱": 2, "五类车": 1}
    assert client.get(f"{API}/dashboard", {"street": month.yuexiu_street.pk}).status_code == 422


@pytest.mark.parametrize("person", ["alice", "dora", "bob"])
def test_api_refuses_others(client: Any, month: Month, person: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(person))
    for url in (f"{API}/stats", f"{API}/stats/red-black", f"{API}/dashboard"):
        response = client.get(url)
        assert response.status_code == 403 and response.json()["message"]


def test_api_other_district_and_units(client: Any, month: Month) -> None:
    client.force_login(month.other_dispatcher)
    rows = client.get(f"{API}/stats", {"date_from": "2026-10-01", "date_to": "2026-10-31"}).json()["rows"]
    assert [r["label"] for r in rows] == ["北京街道"]
    client.force_login(month.street_handler)
    assert client.get(f"{API}/dashboard").status_code == 403


def test_order_detail_route_still_answers(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    number = month.orders["O1"].number
    assert client.get(f"{API}/{number}").json()["number"] == number


def test_shell_entries(month: Month, alice: Any, admin: Any) -> None:
    from huying.core.navigation import entries_for

    def keys(user: Any, area: str) -> set[str]:
        return {e.key for e in entries_for(user, area)} & {"workorders_dashboard", "workorders_stats"}

    assert keys(month.dispatcher, "console") == {"workorders_dashboard", "workorders_stats"}
    assert keys(month.leader, "dashboard") == {"workorders_dashboard", "workorders_stats"}
    assert keys(month.street_handler, "console") == {"workorders_stats"}
    assert keys(admin, "console") == keys(admin, "dashboard") == {"workorders_dashboard", "workorders_stats"}
    assert keys(alice, "console") == keys(alice, "dashboard") == set()
