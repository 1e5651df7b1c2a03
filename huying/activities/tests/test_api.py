"""/api/v1/activities: the same rules as the pages, with the named people."""

from __future__ import annotations

import datetime as dt

import pytest

from huying.activities.models import Activity, Participation
from huying.activities.tests.factories import make_activity
from huying.activities.tests.people import START, build_shared_data  # noqa: F401

pytestmark = pytest.mark.django_db
BASE = "/api/v1/activities"


def test_staff_create_publish_roster_and_member_answers(client, now, cast, alice, time_machine) -> None:
    client.force_login(cast.frank)
    body = {
        "organiser_id": cast.economics.pk,
        "kind": "consultation",
        "title": "民营经济发展协商座谈",
        "starts_at": START.isoformat(),
        "ends_at": (START + dt.timedelta(hours=2)).isoformat(),
        "place": "省政协第一会议室",
        "capacity": 30,
        "committee_ids": [cast.economics.pk],
        "member_ids": [cast.erin.pk],
    }
    bad = client.post(BASE, {**body, "ends_at": START.isoformat()}, content_type="application/json")
    assert bad.status_code == 422 and "ends_at" in bad.json()["errors"]
    created = client.post(BASE, body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "draft" and data["may_manage"] and data["checkin_url"].endswith("/")
    pk = data["id"]
    stale = client.post(f"{BASE}/{pk}/publish", {"version": data["version"] + 5}, content_type="application/json")
    assert stale.status_code == 422 and "version" in stale.json()["errors"]
    published = client.post(f"{BASE}/{pk}/publish", {"version": data["version"]}, content_type="application/json")
    assert published.json()["status"] == "published"
    roster = client.get(f"{BASE}/{pk}/participants").json()
    assert {r["member_name"] for r in roster} == {"王丽", "林怡"}

    client.force_login(alice)
    listed = client.get(BASE, {"upcoming": "true"}).json()
    assert [(i["id"], i["my_status"]) for i in listed["items"]] == [(pk, "invited")]
    assert client.get(f"{BASE}/{pk}").json()["checkin_url"] is None
    assert client.post(f"{BASE}/{pk}/sign-up").json()["status"] == "signed_up"
    refused = client.post(f"{BASE}/{pk}/leave", {"reason": " "}, content_type="application/json")
    assert refused.status_code == 422
    assert client.post(f"{BASE}/{pk}/publish", {"version": 1}, content_type="application/json").status_code == 403
    assert client.get(f"{BASE}/{pk}/participants").status_code == 403
    token = Activity.objects.get(pk=pk).checkin_token
    time_machine.move_to(START - dt.timedelta(minutes=10), tick=False)
    client.force_login(alice)
    wrong = client.post(f"{BASE}/{pk}/check-in", {"token": "x" * 20}, content_type="application/json")
    assert wrong.status_code == 403
    first = client.post(f"{BASE}/{pk}/check-in", {"token": token}, content_type="application/json").json()
    again = client.post(f"{BASE}/{pk}/check-in", {"token": token}, content_type="application/json").json()
    assert (first["first"], again["first"]) == (True, False)
    assert again["participation"]["status"] == "attended" and again["participation"]["check_in_method"] == "qr"

    client.force_login(cast.erin)
    assert client.post(f"{BASE}/{pk}/leave", {"reason": "出差"}, content_type="application/json").status_code == 200
    row = Participation.objects.get(activity_id=pk, member=cast.erin)
    decision = {"approve": False, "note": ""}
    own = client.post(f"{BASE}/participants/{row.pk}/leave-decision", decision, content_type="application/json")
    assert own.status_code == 403  # her own row: she sees it, she does not decide it
    client.force_login(cast.frank)
    assert (
        client.post(
            f"{BASE}/participants/{row.pk}/leave-decision", decision, content_type="application/json"
        ).status_code
        == 422
    )
    decided = client.post(
        f"{BASE}/participants/{row.pk}/leave-decision", {"approve": True, "note": ""}, content_type="application/json"
    )
    assert decided.json()["status"] == "leave_approved"
    early = client.post(f"{BASE}/{pk}/finish", {"version": 1, "report": "x"}, content_type="application/json")
    assert early.status_code == 422
    time_machine.move_to(START + dt.timedelta(hours=3), tick=False)
    client.force_login(cast.frank)
    version = client.get(f"{BASE}/{pk}").json()["version"]
    finished = client.post(
        f"{BASE}/{pk}/finish", {"version": version, "report": "形成三条建议。"}, content_type="application/json"
    )
    assert finished.json()["status"] == "finished"
    statuses = {r["member_name"]: r["status"] for r in client.get(f"{BASE}/{pk}/participants").json()}
    assert statuses == {"王丽": "attended", "林怡": "excused"}
    alice_row = Participation.objects.get(activity_id=pk, member=alice)
    corrected = client.post(
        f"{BASE}/participants/{alice_row.pk}/attendance", {"present": False}, content_type="application/json"
    )
    assert corrected.json()["status"] == "absent"


def test_who_sees_what(client, now, cast, charlie, dora) -> None:
    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics])
    assert client.get(BASE).status_code == 401
    for person in (cast.gina, charlie, dora):
        client.force_login(person)
        assert client.get(BASE).json()["count"] == 0
        assert client.get(f"{BASE}/{activity.pk}").status_code == 404
        assert client.get(f"{BASE}/{activity.pk}/participants").status_code == 404
    client.force_login(cast.leo)
    assert client.get(f"{BASE}/{activity.pk}").json()["may_manage"] is False
    assert client.get(f"{BASE}/{activity.pk}/participants").status_code == 403
    client.force_login(cast.gina)
    body = {
        "organiser_id": cast.economics.pk,
        "kind": "inspection",
        "title": "x",
        "starts_at": START.isoformat(),
        "ends_at": (START + dt.timedelta(hours=2)).isoformat(),
        "place": "y",
        "levels": ["provincial"],
    }
    assert client.post(BASE, body, content_type="application/json").status_code == 403


def test_lists_do_not_grow_queries_with_rows(client, now, cast, alice) -> None:
    def counted(url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    make_activity(cast.frank, cast.economics, committees=[cast.economics])
    client.force_login(alice)
    few = (counted(BASE), counted("/activities/"))
    client.force_login(cast.frank)
    few_staff = (counted("/activities/manage/"),)
    for day in range(1, 5):
        make_activity(cast.frank, cast.economics, committees=[cast.economics], starts_at=START + dt.timedelta(days=day))
    client.force_login(alice)
    assert (counted(BASE), counted("/activities/")) == few
    client.force_login(cast.frank)
    assert (counted("/activities/manage/"),) == few_staff


def test_far_or_naive_times(client, now, cast) -> None:
    client.force_login(cast.frank)
    body = {"organiser_id": cast.economics.pk, "kind": "meeting", "title": "t", "place": "p", "levels": ["provincial"]}
    far = client.post(
        BASE,
        {**body, "starts_at": "0001-01-01T00:00:00+08:00", "ends_at": "9999-12-31T23:00:00-08:00"},
        content_type="application/json",
    )
    assert far.status_code == 422 and set(far.json()["errors"]) == {"starts_at", "ends_at"}
    naive = client.post(
        BASE,
        {**body, "starts_at": "2026-05-06T09:00:00", "ends_at": "2026-05-06T10:00:00"},
        content_type="application/json",
    )
    assert naive.status_code == 201 and naive.json()["starts_at"] == "2026-05-06T09:00:00+08:00"


def test_photos_and_roster_export(client, now, cast, alice, time_machine, settings, tmp_path) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from huying.activities import actions
    from huying.activities.tests.test_pages import PNG

    settings.MEDIA_ROOT = str(tmp_path)
    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics])
    client.force_login(cast.frank)
    early = client.post(f"{BASE}/{activity.pk}/photos", {"file": SimpleUploadedFile("a.png", PNG)})
    assert early.status_code == 422
    time_machine.move_to(START + dt.timedelta(hours=4), tick=False)
    actions.do_finish(cast.frank, activity, report="完成")
    client.force_login(cast.frank)
    assert client.post(f"{BASE}/{activity.pk}/photos").status_code == 422
    bad = client.post(f"{BASE}/{activity.pk}/photos", {"file": SimpleUploadedFile("a.png", b"GIF89a....")})
    assert bad.status_code == 422
    added = client.post(f"{BASE}/{activity.pk}/photos", {"file": SimpleUploadedFile("a.png", PNG)})
    assert added.status_code == 201
    url = added.json()["url"]
    export = client.get(f"{BASE}/{activity.pk}/roster.xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    assert rows[3][0] == "王丽" and rows[3][3] == "无故缺席"
    client.force_login(alice)
    assert [p["url"] for p in client.get(f"{BASE}/{activity.pk}/photos").json()] == [url]
    assert client.get(url).status_code == 200
    assert client.post(f"{BASE}/{activity.pk}/photos", {"file": SimpleUploadedFile("a.png", PNG)}).status_code == 403
    assert client.get(f"{BASE}/{activity.pk}/roster.xlsx").status_code == 403
    client.force_login(cast.gina)
    assert client.get(url).status_code == 404
