"""The pages: members on their reports, the 信息 desk, leaders' issues; each refused to the
people it is not for."""

from __future__ import annotations

from typing import Any

from django.test import Client

from huying.opinions import actions
from huying.opinions.choices import AdoptionLevel, ReportStatus
from huying.opinions.models import Issue, OpinionReport
from huying.opinions.tests.conftest import (
    TEXT,
    build_shared_data,  # noqa: F401 - shared people (root conftest)
    received,
    submitted,
)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_member_writes_and_submits(alice: Any, erin: Any) -> None:
    c = client_for(alice)
    assert c.get("/opinions/").status_code == 200
    page = c.get("/opinions/new/")
    assert page.status_code == 200 and "id_situation" in page.content.decode()
    response = c.post("/opinions/new/", {**TEXT, "then": "submit"})
    report = OpinionReport.objects.get(author=alice)
    assert response.status_code == 302 and report.status == ReportStatus.SUBMITTED
    detail = c.get(f"/opinions/{report.pk}/").content.decode()
    assert TEXT["title"] in detail and "timeline" in detail
    # Another member sees nothing of it; the similar hints show it to them as a title only.
    assert client_for(erin).get(f"/opinions/{report.pk}/").status_code == 404
    hints = client_for(erin).get("/opinions/similar/", {"title": "老旧小区加装电梯", "situation": "老年人上下楼困难"})
    assert TEXT["title"] in hints.content.decode()


def test_refusals(alice: Any, dora: Any, wei: Any, lingdao: Any, xinxi: Any) -> None:
    report = submitted(alice)
    for person in (dora, wei):
        c = client_for(person)
        assert c.get("/opinions/").status_code == 403
        assert c.get("/opinions/desk/").status_code == 403
        assert c.get(f"/opinions/{report.pk}/").status_code == 404
        assert c.post(f"/opinions/{report.pk}/act/receive/").status_code == 404
    assert client_for(alice).get("/opinions/desk/").status_code == 403
    assert client_for(alice).post(f"/opinions/{report.pk}/act/receive/").status_code == 403
    assert client_for(lingdao).get("/opinions/issues/").status_code == 200
    assert Client().get("/opinions/").status_code == 302
    assert OpinionReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_staff_desk_edit_adopt_and_the_author_answers(alice: Any, xinxi: Any, erin: Any) -> None:
    report = submitted(alice)
    staff = client_for(xinxi)
    queue = staff.get("/opinions/desk/").content.decode()
    assert report.title in queue
    staff.post(f"/opinions/{report.pk}/act/receive/", {"version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED
    assert staff.get(f"/opinions/{report.pk}/edit/").status_code == 200
    staff.post(
        f"/opinions/{report.pk}/edit/",
        {**TEXT, "suggestion": "建议设立专项补贴。", "version": report.version, "note": "精简"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.EDITED
    # Reject needs the confirmation box; nothing changes without it.
    staff.post(f"/opinions/{report.pk}/act/reject/", {"reason": "重复", "version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.EDITED
    staff.post(f"/opinions/{report.pk}/act/adopt/", {"level": "province", "version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.ADOPTED
    member = client_for(alice)
    page = member.get(f"/opinions/{report.pk}/").content.decode()
    assert "<del>简化审批，</del>" in page
    edit = report.edits.get()
    member.post(f"/opinions/edits/{edit.pk}/answer/", {"answer": "comment", "comment": "同意精简"})
    edit.refresh_from_db()
    assert edit.response == "commented"
    assert client_for(erin).post(f"/opinions/edits/{edit.pk}/answer/", {"answer": "agree"}).status_code == 404


def test_merge_and_issue_pages(alice: Any, erin: Any, xinxi: Any, lingdao: Any, tree: Any) -> None:
    one, two = received(alice, xinxi), received(erin, xinxi, title="社区电梯补贴")
    staff = client_for(xinxi)
    response = staff.post("/opinions/desk/merge/", {"reports": [one.pk, two.pk], "title": "综合：加装电梯"})
    combined = OpinionReport.objects.get(title="综合：加装电梯")
    assert response.status_code == 302 and combined.sources.count() == 2
    actions.do_adopt(xinxi, combined, level=AdoptionLevel.PROVINCE)
    assert combined.title in staff.get("/opinions/issues/").content.decode()
    staff.post("/opinions/issues/new/", {"cppcc": tree.province_cppcc.pk, "reports": [combined.pk]})
    issue = Issue.objects.get()
    assert "社情民意" in staff.get(f"/opinions/issues/{issue.pk}/").content.decode()
    staff.post(f"/opinions/issues/{issue.pk}/", {"step": "publish", "recipients": [lingdao.pk]})
    issue.refresh_from_db()
    assert issue.number == 1
    leader = client_for(lingdao)
    assert "第1期" in leader.get("/opinions/issues/").content.decode() or issue.display_name
    pdf = leader.get(f"/opinions/issues/{issue.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client_for(alice).get(f"/opinions/issues/{issue.pk}/").status_code in (403, 404)
    leader.post(
        f"/opinions/{combined.pk}/act/instruct/", {"text": "请研究。", "level": "province", "requires_handling": ""}
    )
    assert combined.instructions.get().leader_user == lingdao


def test_lists_take_the_same_queries_for_more_reports(alice: Any, xinxi: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> tuple[int, ...]:
        found = []
        for user, path in (
            (alice, "/opinions/"),
            (xinxi, "/opinions/desk/?status=adopted"),
            (alice, "/api/v1/opinions"),
        ):
            c = client_for(user)
            c.get(path)  # warm the session and caches
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(path).status_code == 200
            found.append(len(ctx.captured_queries))
        return tuple(found)

    def add(n: int) -> None:
        for i in range(n):
            report = received(alice, xinxi, title=f"信息{i}")
            actions.do_adopt(xinxi, report, level=AdoptionLevel.PROVINCE)

    add(2)
    few = counts()
    add(4)
    assert counts() == few
