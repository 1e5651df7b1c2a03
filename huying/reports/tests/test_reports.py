"""Monthly reports on the hand-built October of the work-order statistics
(huying/workorders/tests/metrics_data.py): the report's numbers are the statistics
functions' numbers, the PDF and the Excel file carry them, generation is once per scope
and period (notified once), and who reads and generates what."""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from conftest import SharedPeople
from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.handling.models import Notification
from huying.reports import access
from huying.reports.actions import do_generate_monthly, do_generate_report
from huying.reports.figures import compute, month_period
from huying.reports.models import MonthlyReport
from huying.reports.tests.pdftext import page_count, pdf_text
from huying.workorders import stats
from huying.workorders.tests.metrics_data import NOW, Month, build_shared_month, shared_month

pytestmark = pytest.mark.django_db

OCTOBER = month_period(datetime.date(2026, 10, 1))


def build_shared_data(shared: SharedPeople) -> dict[str, Any]:
    data = build_shared_month(shared)
    tree = shared.tree
    data["lingdao"] = UserFactory(username="quzhang", roles=[(Role.LEADER, tree.district_gov)])
    data["cppcc_leader"] = UserFactory(username="zhuxi", roles=[(Role.LEADER, tree.province_cppcc)])
    return data


@pytest.fixture
def month(_shared_people: SharedPeople | None) -> Month:
    return shared_month(_shared_people)


@pytest.fixture
def people(_shared_people: SharedPeople | None) -> dict[str, Any]:
    assert _shared_people is not None
    return {**_shared_people.people, **_shared_people.data}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _session(tree: Any, member: Any, staff: Any) -> Any:
    from huying.proposals import actions as p

    session = p.do_create_session(None, cppcc=tree.province_cppcc, term=13, number=3, is_current=True)
    proposal = p.do_save_draft(
        member,
        session=session,
        title="关于加强老旧小区加装电梯工作的建议",
        summary="电梯",
        situation="老旧小区多，加装电梯进展慢。",
        analysis="审批环节多。",
        suggestions="简化审批。",
    ).proposal
    p.do_submit(member, proposal)
    p.do_file(staff, proposal)
    return session


# --- the numbers ----------------------------------------------------------------------------
def test_report_numbers_are_the_statistics_functions_numbers(month: Month) -> None:
    district = month.tree.district_gov
    scope = stats.Scope.of_district(district)
    start, end = OCTOBER.bounds()
    f = compute(district, "hotline", OCTOBER, now=NOW)

    days = stats.period_stats(start, end, granularity="day", scope=scope, now=NOW)
    assert f["volume"]["received"] == sum(r.received for r in days) > 0
    assert f["volume"]["finished"] == sum(r.finished for r in days)
    assert [n for _d, n in f["daily"]] == [r.received for r in days]
    total = stats.totals(start, end, scope=scope, now=NOW)
    for name in ("response_rate", "resolution_rate", "satisfaction_rate", "completion_rate", "on_time_rate"):
        assert f["rates"][name] == getattr(total.metrics, name)
    assert f["overdue"]["count"] == total.overdue == 1
    assert f["reopened"]["count"] == total.metrics.reopened == 1
    assert [x["number"] for x in f["reopened"]["items"]]

    units = {r.label: r for r in stats.unit_stats(start, end, scope=scope, now=NOW)}
    assert {u["label"] for u in f["units"]} == set(units)
    for u in f["units"]:
        row = units[u["label"]]
        assert (u["assigned"], u["response_rate"], u["satisfaction_rate"]) == (
            row.metrics.assigned,
            row.metrics.response_rate,
            row.metrics.satisfaction_rate,
        )
        assert u["score"] == stats.composite_score(row)
    ranked = [u for u in f["units"] if u["rank"]]
    assert [u["rank"] for u in ranked] == list(range(1, len(ranked) + 1))
    assert [u["score"] for u in ranked] == sorted((u["score"] for u in ranked), reverse=True)

    streets = {r.label: r for r in stats.street_stats(start, end, scope=scope, now=NOW)}
    assert {s["label"]: s["received"] for s in f["streets"]} == {k: r.received for k, r in streets.items()}
    categories = {r.label: r.received for r in stats.category_stats(start, end, scope=scope, now=NOW) if r.received}
    assert {c["label"]: c["received"] for c in f["categories"]} == categories
    assert f["red_black"] is not None  # a calendar month carries its red/black list
    assert f["title"] == "荔湾区有呼必应工作月度分析报告（2026年10月）"
    assert f["issuer"] == "荔湾区指挥中心"


def test_cppcc_half_is_the_proposal_statistics(month: Month, people: dict[str, Any]) -> None:
    from huying.proposals.stats import session_stats

    session = _session(month.tree, people["alice"], people["bob"])
    f = compute(month.tree.province_cppcc, "cppcc", OCTOBER, now=NOW)
    s = session_stats(session)
    p = f["proposals"]
    assert (p["submitted"], p["filed"], p["replied"], p["satisfaction_rate"]) == (
        s.totals.submitted,
        s.totals.filed,
        s.replied,
        s.satisfaction_rate,
    )
    assert p["submitted"] == p["filed"] == 1
    assert f["opinions"]["received"] == 0 and f["opinions"]["adoption_rate"] is None


# --- generation, files, notices ---------------------------------------------------------------
def test_generation_files_and_a_single_notice(month: Month, people: dict[str, Any]) -> None:
    district = month.tree.district_gov
    leader = people["lingdao"]
    first = do_generate_report(None, district, OCTOBER, now=NOW)
    report = first.report
    # Both leaders of the district (the statistics month has one, this module adds one).
    assert first.generated and first.notified == 2 and report.status == "ready" and report.version == 1

    pdf = report.file_of("pdf").file.read()
    assert pdf.startswith(b"%PDF-") and page_count(pdf) >= 2
    text = pdf_text(pdf)
    for expected in ("荔湾区有呼必应工作月度分析报告", "荔湾区指挥中心", "一、总体情况", "三、承办单位", "— 2 —"):
        assert expected in text
    assert f"全区共受理群众诉求{report.figures['volume']['received']}件" in text

    wb = load_workbook(BytesIO(report.file_of("xlsx").file.read()))
    assert {"总体情况", "三率", "承办单位排名", "街道排名", "诉求分类", "热点问题", "超期和重办"} <= set(wb.sheetnames)
    units = list(wb["承办单位排名"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2]) for r in units] == [(u["label"], u["assigned"]) for u in report.figures["units"]]
    assert wb["总体情况"]["B4"].value == report.figures["volume"]["received"]

    notices = Notification.objects.filter(recipient_user=leader, case_id=report.pk)
    assert notices.count() == 1 and "荔湾区有呼必应工作月度分析报告" in notices.get().text

    # The scheduled run and the command keep the existing report and tell no one again.
    again = do_generate_monthly(period=OCTOBER, scopes=[district])
    assert [r.generated for r in again] == [False]
    call_command("monthly_report", "--period", "2026-10", "--scope", str(district.pk), stdout=BytesIO_text())
    # On demand: made again in place, version 2, one row, still one notice.
    redo = do_generate_report(leader, district, OCTOBER, now=NOW)
    assert redo.generated and redo.notified == 0 and redo.report.version == 2
    assert MonthlyReport.objects.filter(scope=district).count() == 1
    assert redo.report.files.count() == 2 and notices.count() == 1


class BytesIO_text:
    def __init__(self) -> None:
        self.out: list[str] = []

    def write(self, text: str) -> None:
        self.out.append(text)

    def flush(self) -> None:
        pass


def test_command_makes_the_report_of_a_scope_once(month: Month) -> None:
    out = BytesIO_text()
    for _ in range(2):
        call_command(
            "monthly_report", "--start", "2026-10-05", "--end", "2026-10-15", "--scope", "荔湾区人民政府", stdout=out
        )
    assert MonthlyReport.objects.count() == 1
    assert out.out[0].startswith("generated") and out.out[1].startswith("exists")
    report = MonthlyReport.objects.get()
    assert not report.is_month and report.title == "荔湾区有呼必应工作分析报告（2026年10月5日至2026年10月15日）"


# --- who ---------------------------------------------------------------------------------------
def _client(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_who_reads_and_generates(month: Month, people: dict[str, Any]) -> None:
    tree = month.tree
    session_owner = people["alice"]
    _session(tree, session_owner, people["bob"])
    hotline = do_generate_report(None, tree.district_gov, OCTOBER, now=NOW).report
    cppcc = do_generate_report(None, tree.province_cppcc, OCTOBER, now=NOW).report
    expected = {
        "lingdao": {hotline.pk},  # district leader: the work-order report
        "dispatcher": {hotline.pk},  # the district's command centre
        "cppcc_leader": {cppcc.pk},  # the CPPCC half only
        "bob": {cppcc.pk},  # CPPCC agency staff
        "admin": {hotline.pk, cppcc.pk},
        "charlie": set(),  # unit staff: refused
        "street_handler": set(),
        "alice": set(),  # member
        "dora": set(),  # public
    }
    for name, ids in expected.items():
        user = people[name]
        assert set(MonthlyReport.objects.visible_to(user).values_list("pk", flat=True)) == ids, name
        c = _client(user)
        archive = c.get("/reports/")
        assert archive.status_code == (200 if ids else 403), name
        for report in (hotline, cppcc):
            page = c.get(f"/reports/{report.pk}/")
            assert page.status_code == (200 if report.pk in ids else 403 if not ids else 404), name
        if hotline.pk in ids:
            pdf = c.get(f"/reports/{hotline.pk}/pdf/")
            assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
            assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    anonymous = _client(None).get("/reports/")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert list(access.generatable_scopes(people["dispatcher"])) == [tree.district_gov]
    assert list(access.generatable_scopes(people["cppcc_leader"])) == [tree.province_cppcc]


def test_generate_from_the_page_validates(month: Month, people: dict[str, Any]) -> None:
    tree = month.tree
    c = _client(people["dispatcher"])
    bad = [
        {"scope": tree.district_gov.pk, "month": "2026-13"},
        {"scope": tree.district_gov.pk, "start": "2026-10-10", "end": "2026-10-01"},
        {"scope": tree.district_gov.pk, "start": "2026-10-10"},
        {"scope": tree.district_gov.pk, "month": "2026-10", "start": "2026-10-01", "end": "2026-10-02"},
        {"scope": tree.province_cppcc.pk, "month": "2026-10"},  # not his scope
        {"scope": tree.district_gov.pk, "month": "2099-01"},  # not begun
    ]
    for data in bad:
        assert c.post("/reports/generate/", data).status_code == 422, data
    assert not MonthlyReport.objects.exists()
    ok = c.post("/reports/generate/", {"scope": tree.district_gov.pk, "month": "2026-10"})
    report = MonthlyReport.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/reports/{report.pk}/"
    page = c.get(ok["Location"]).content.decode()
    assert report.title in page and "下载PDF" in page
    # Unit staff may not generate either.
    assert _client(people["charlie"]).post("/reports/generate/", {"scope": tree.district_gov.pk}).status_code == 403


def test_api(month: Month, people: dict[str, Any]) -> None:
    tree = month.tree
    c = _client(people["lingdao"])
    made = c.post(
        "/api/v1/reports",
        {"scope": tree.district_gov.pk, "start": "2026-10-01", "end": "2026-10-20"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["version"] == 1 and body["pdf_url"] == f"/reports/{body['id']}/pdf/"
    assert body["figures"]["volume"]["received"] >= 1
    listed = c.get("/api/v1/reports").json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    assert c.get(f"/api/v1/reports/{body['id']}").status_code == 200
    bad = c.post(
        "/api/v1/reports", {"scope": tree.district_gov.pk, "month": "10/2026"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "month" in bad.json()["errors"]
    nowhere = c.post("/api/v1/reports", {"scope": 999999}, content_type="application/json")
    assert nowhere.status_code == 422 and "scope" in nowhere.json()["errors"]
    charlie = _client(people["charlie"])
    assert charlie.get("/api/v1/reports").status_code == 403
    assert charlie.get(f"/api/v1/reports/{body['id']}").status_code == 403
    other = _client(people["cppcc_leader"])
    assert other.get(f"/api/v1/reports/{body['id']}").status_code == 404
