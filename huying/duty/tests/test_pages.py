"""The duty record's pages with named people: a member reads only his own record; staff,
committee staff and leaders read the members they manage; the public reads nothing. The
rankings flag members below the threshold and export; the rules page recomputes."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from huying.duty.acts import ActKind, record, register_kind
from huying.duty.models import DutyEntry, PointRule

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture(autouse=True)
def _kind() -> None:
    register_kind(ActKind("testing.spoke", "spoke", group="consultation", qualifiers={"long": "long"}))


def _at(month: int, day: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(YEAR, month, day, 9))


@pytest.fixture
def acts(members, erin, hugo, tree) -> dict[str, Any]:
    """alice: 3 speeches (9 pts) in 2025; erin: 1 (3 pts); hugo (city CPPCC): none."""
    record(members, "consultation.speech", source=tree.province_cppcc, occurred_at=_at(3), title="关于营商环境的发言")
    record(members, "consultation.speech", source=tree.city_cppcc, occurred_at=_at(5), title="关于养老服务的发言")
    record(members, "consultation.speech", source=tree.province_gov, occurred_at=_at(5, 20), title="关于教育的发言")
    record(erin, "consultation.speech", source=tree.province_cppcc, occurred_at=_at(6), title="关于乡村振兴的发言")
    return {"alice": members, "erin": erin, "hugo": hugo}


def test_a_member_reads_his_own_record_by_month(client, acts):
    client.force_login(acts["alice"])
    page = client.get("/duty/record/").content.decode()
    assert "关于营商环境的发言" in page and "关于乡村振兴的发言" not in page
    page = client.get(f"/duty/record/?year={YEAR}&group=consultation").content.decode()
    assert page.index("关于教育的发言") < page.index("关于营商环境的发言")  # newest first
    assert client.get(f"/duty/record/?start={YEAR}-05-01&end={YEAR}-05-31").content.decode().count("duty-act ") == 2
    ledger = client.get(f"/duty/record/ledger/{YEAR}/").content.decode()
    assert "关于养老服务的发言" in ledger
    assert client.get(f"/duty/record/report/{YEAR}/").status_code == 200
    pdf = client.get(f"/duty/record/report/{YEAR}.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("viewer", "reads"),
    [
        ("alice", set()),  # another member: nothing of erin's or hugo's
        ("erin", {"erin"}),  # herself
        ("dora", set()),  # the public
        ("charlie", set()),  # unit staff
        ("bob", {"erin", "hugo"}),  # province CPPCC staff: the province and below
        ("carl", {"hugo"}),  # city CPPCC staff: the city only
        ("lena", {"hugo"}),  # leader at the city CPPCC
        ("frank", {"hugo"}),  # the proposals committee's staff: its members
        ("admin", {"erin", "hugo"}),
    ],
)
def test_who_reads_whose_record(client, acts, request, viewer, reads):
    person = request.getfixturevalue(viewer)
    client.force_login(person)
    for name in ("erin", "hugo"):
        member = acts[name]
        status = client.get(f"/duty/record/members/{member.pk}/").status_code
        assert status == (200 if name in reads else 404), (viewer, name)
        pdf = client.get(f"/duty/record/members/{member.pk}/report/{YEAR}.pdf").status_code
        assert pdf == (200 if name in reads else 404)
    visible = set(DutyEntry.objects.visible_to(person).values_list("member__username", flat=True))
    assert visible & {"erin"} == reads & {"erin"}  # the same rule reads the entries (hugo has none)


def test_rankings_flag_and_export(client, acts, bob, committee):
    client.force_login(bob)
    province = acts["alice"].role_assignments.get().organisation
    page = client.get(f"/duty/record/rankings/?scope=cppcc&target={province.pk}&year={YEAR}&threshold=5")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("王丽") < text.index("周燕") < text.index("胡国")
    assert text.count("duty-flagged") == 2  # erin (3) and hugo (0) are below 5
    flagged = client.get(
        f"/duty/record/rankings/?scope=cppcc&target={province.pk}&year={YEAR}&threshold=5&flagged_only=on"
    )
    assert "王丽" not in flagged.content.decode() and "胡国" in flagged.content.decode()
    export = client.get(f"/duty/record/rankings/export.xlsx?scope=committee&target={committee.pk}&year={YEAR}")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[6]) for r in rows] == [(1, "王丽", 9), (2, "胡国", 0)]


def test_rankings_are_refused_to_members_and_the_public(client, acts, dora):
    for person in (acts["alice"], dora):
        client.force_login(person)
        assert client.get("/duty/record/rankings/").status_code == 403
        assert client.get("/duty/record/rankings/export.xlsx").status_code == 403
    client.logout()
    assert client.get("/duty/record/").status_code == 302


def test_committee_staff_rank_only_their_committee(client, acts, frank, committee, tree):
    client.force_login(frank)
    page = client.get(f"/duty/record/rankings/?year={YEAR}").content.decode()
    assert "王丽" in page and "胡国" in page and "周燕" not in page
    assert client.get(f"/duty/record/rankings/?scope=cppcc&target={tree.province_cppcc.pk}").status_code == 404


def test_the_rules_page_saves_and_recomputes(client, acts, bob, alice):
    client.force_login(alice)
    assert client.get("/duty/record/rules/").status_code == 403
    client.force_login(bob)
    rule = PointRule.objects.get(kind="consultation.speech")
    response = client.post(
        f"/duty/record/rules/{rule.pk}/",
        {"kind": "consultation.speech", "points": 3, "valid_from": "2020-01-01", "valid_to": f"{YEAR}-04-30"},
    )
    assert response.status_code == 302
    response = client.post(
        "/duty/record/rules/", {"kind": "consultation.speech", "points": 4, "valid_from": f"{YEAR}-04-01"}
    )
    assert response.status_code == 200 and "valid_from" in response.context["form"].errors  # overlaps
    client.post("/duty/record/rules/", {"kind": "consultation.speech", "points": 4, "valid_from": f"{YEAR}-05-01"})
    assert sorted(DutyEntry.objects.filter(member=acts["alice"]).values_list("points", flat=True)) == [3, 4, 4]


def test_the_record_page_costs_the_same_queries_with_more_acts(client, acts, tree, django_assert_max_num_queries):
    client.force_login(acts["alice"])
    client.get("/duty/record/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/duty/record/")
    for i, source in enumerate((tree.department, tree.street, tree.community, tree.command_centre)):
        record(acts["alice"], "consultation.speech", source=source, occurred_at=_at(8, i + 1), title=f"发言{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/duty/record/")
