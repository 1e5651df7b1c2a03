"""/api/v1/duty with named people: one's own record, a managed member's record, rankings
and the points rules, refused to whoever may not."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from huying.duty.acts import record
from huying.duty.models import DutyEntry, PointRule

pytestmark = pytest.mark.django_db
YEAR = 2025


def _at(month: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(YEAR, month, 10, 9))


@pytest.fixture
def acts(members, erin, hugo, tree):
    record(members, "consultation.speech", source=tree.province_cppcc, occurred_at=_at(3), title="发言一")
    record(members, "consultation.speech", source=tree.city_cppcc, occurred_at=_at(7), title="发言二")
    record(hugo, "consultation.speech", source=tree.province_cppcc, occurred_at=_at(4), title="发言三")
    return {"alice": members, "erin": erin, "hugo": hugo}


def test_my_record_and_year(client, acts):
    client.force_login(acts["alice"])
    body = client.get(f"/api/v1/duty/me/entries?year={YEAR}").json()
    assert [e["title"] for e in body["items"]] == ["发言二", "发言一"]
    assert body["items"][0]["points"] == 3 and body["items"][0]["kind_label"]
    assert client.get("/api/v1/duty/me/entries?kind=proposal.filed").json()["count"] == 0
    year = client.get(f"/api/v1/duty/me/years/{YEAR}").json()
    assert (year["points"], year["acts"]) == (6, 2)
    assert any(k["key"] == "proposal.filed" for k in client.get("/api/v1/duty/kinds").json())


@pytest.mark.parametrize(
    ("viewer", "status"), [("erin", 404), ("dora", 404), ("carl", 200), ("frank", 200), ("bob", 200)]
)
def test_a_members_record_is_read_by_those_who_manage_him(client, acts, request, viewer, status):
    client.force_login(request.getfixturevalue(viewer))
    hugo = acts["hugo"]
    assert client.get(f"/api/v1/duty/members/{hugo.pk}/entries").status_code == status
    assert client.get(f"/api/v1/duty/members/{hugo.pk}/years/{YEAR}").status_code == status


def test_rankings(client, acts, bob, lena, alice, tree, committee):
    client.force_login(bob)
    body = client.get(
        f"/api/v1/duty/rankings?scope=cppcc&target={tree.province_cppcc.pk}&year={YEAR}&threshold=4"
    ).json()
    assert [(r["member_name"], r["points"], r["rank"], r["below_threshold"]) for r in body["items"]] == [
        ("王丽", 6, 1, False),
        ("胡国", 3, 2, True),
        ("周燕", 0, 3, True),
    ]
    client.force_login(lena)  # a leader at the city CPPCC: not the province's ranking
    assert (
        client.get(f"/api/v1/duty/rankings?scope=cppcc&target={tree.province_cppcc.pk}&year={YEAR}").status_code == 404
    )
    body = client.get(f"/api/v1/duty/rankings?scope=cppcc&target={tree.city_cppcc.pk}&year={YEAR}").json()
    assert [r["member_name"] for r in body["items"]] == ["胡国"]
    client.force_login(alice)
    assert client.get(f"/api/v1/duty/rankings?scope=cppcc&target={tree.city_cppcc.pk}&year={YEAR}").status_code == 403


def test_rules_crud(client, acts, bob, alice):
    payload = {"kind": "consultation.speech", "points": 5, "valid_from": f"{YEAR}-06-01"}
    client.force_login(alice)
    assert client.post("/api/v1/duty/rules", payload, content_type="application/json").status_code == 403
    client.force_login(bob)
    response = client.post("/api/v1/duty/rules", payload, content_type="application/json")
    assert response.status_code == 422 and "valid_from" in response.json()["errors"]  # overlaps the default
    default = PointRule.objects.get(kind="consultation.speech")
    change = {"kind": "consultation.speech", "points": 3, "valid_from": "2020-01-01", "valid_to": f"{YEAR}-05-31"}
    assert client.put(f"/api/v1/duty/rules/{default.pk}", change, content_type="application/json").status_code == 200
    created = client.post("/api/v1/duty/rules", payload, content_type="application/json")
    assert created.status_code == 201
    assert sorted(DutyEntry.objects.filter(member=acts["alice"]).values_list("points", flat=True)) == [3, 5]
    client.force_login(alice)
    assert client.delete(f"/api/v1/duty/rules/{created.json()['id']}").status_code == 403
    client.force_login(bob)
    assert client.delete(f"/api/v1/duty/rules/{created.json()['id']}").status_code == 204
    assert sorted(DutyEntry.objects.filter(member=acts["alice"]).values_list("points", flat=True)) == [0, 3]
    assert client.delete("/api/v1/duty/rules/999999").status_code == 404


def test_years_out_of_range_are_refused_not_crashing(client, alice):
    client.force_login(alice)
    assert client.get("/api/v1/duty/me/years/0").status_code == 422
    assert client.get("/api/v1/duty/me/years/32767").status_code == 422
    assert client.get("/api/v1/duty/me/entries?year=0").status_code == 422
    assert client.get("/duty/record/ledger/1999/").status_code == 404
    assert client.get("/duty/record/?year=0").status_code == 200  # the form ignores it
