"""The pages: members on their phones, the organising staff in the work console; who is
refused what; the roster export's content; photos through a checked download."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from huying.activities import actions
from huying.activities.choices import ActivityStatus, InvitationMode, ParticipationStatus
from huying.activities.models import Activity, ActivityPhoto, Participation
from huying.activities.tests.factories import make_activity
from huying.activities.tests.people import START, build_shared_data  # noqa: F401

P = ParticipationStatus
pytestmark = pytest.mark.django_db
# The smallest valid PNG (1×1).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)


def test_member_pages_and_answers(client, now, cast, alice) -> None:
    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics])
    client.force_login(alice)
    page = client.get(reverse("activities:mine")).content.decode()
    assert activity.title in page and "已邀请" in page
    detail = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "报名" in detail and "请假" in detail and "签到二维码" not in detail
    client.post(reverse("activities:act", args=[activity.pk, "sign_up"]))
    assert Participation.objects.get(activity=activity, member=alice).status == P.SIGNED_UP
    response = client.post(reverse("activities:act", args=[activity.pk, "leave"]), {"reason": ""}, follow=True)
    assert "请填写请假事由" in response.content.decode()
    client.post(reverse("activities:act", args=[activity.pk, "leave"]), {"reason": "外出考察"})
    assert Participation.objects.get(activity=activity, member=alice).status == P.LEAVE_REQUESTED
    # a member cannot publish, see the roster or the QR code
    assert client.post(reverse("activities:act", args=[activity.pk, "cancel"]), {"reason": "x"}).status_code == 403
    for name in ("roster", "qr", "roster_export", "edit"):
        assert client.get(reverse(f"activities:{name}", args=[activity.pk])).status_code == 403
    assert client.get(reverse("activities:manage")).status_code == 403


def test_outsiders_see_nothing(client, now, cast, charlie, dora) -> None:
    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics])
    for person in (charlie, dora, cast.gina, cast.erin):
        client.force_login(person)
        assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 404
        assert client.get(reverse("activities:roster", args=[activity.pk])).status_code == 404
    client.force_login(cast.gina)
    assert activity.title not in client.get(reverse("activities:manage")).content.decode()
    client.logout()
    assert client.get(reverse("activities:mine")).status_code == 302


def test_staff_creates_publishes_and_runs_the_roster(
    client, now, cast, alice, time_machine, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(cast.frank)
    assert "新建活动" in client.get(reverse("activities:manage")).content.decode()
    form = client.get(reverse("activities:new")).content.decode()
    assert "经济委员会" in form and "文化文史和学习委员会" in form
    data = {
        "organiser": cast.economics.pk,
        "kind": "research",
        "title": "制造业转型升级调研",
        "description": "走访企业",
        "starts_at": "2026-05-06T09:00",
        "ends_at": "2026-05-06T12:00",
        "place": "佛山市顺德区",
        "capacity": "",
        "mode": "invited",
        "committees": [str(cast.economics.pk)],
        "members": "林怡",
    }
    response = client.post(reverse("activities:new"), {**data, "title": ""})
    assert response.status_code == 422 and "请填写活动名称" in response.content.decode()
    response = client.post(reverse("activities:new"), data)
    activity = Activity.objects.get(title="制造业转型升级调研")
    assert response.status_code == 302 and activity.status == ActivityStatus.DRAFT
    client.post(reverse("activities:act", args=[activity.pk, "publish"]), {"version": activity.version})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED
    assert set(activity.participations.values_list("member__username", flat=True)) == {"alice", "erin"}
    actions.do_ask_leave(cast.erin, activity, reason="在外地出差")
    roster = client.get(reverse("activities:roster", args=[activity.pk])).content.decode()
    assert "在外地出差" in roster and "批准请假" in roster
    erin_row = Participation.objects.get(activity=activity, member=cast.erin)
    client.post(reverse("activities:roster", args=[activity.pk]), {"verb": "approve", "participation": erin_row.pk})
    assert Participation.objects.get(pk=erin_row.pk).status == P.LEAVE_APPROVED
    qr = client.get(reverse("activities:qr", args=[activity.pk])).content.decode()
    assert "<svg" in qr and "http" not in qr.split("<svg", 1)[1].split("</svg>", 1)[0][:20]
    time_machine.move_to(START, tick=False)
    client.force_login(cast.frank)  # sessions are short: log in again on the day
    alice_row = Participation.objects.get(activity=activity, member=alice)
    saved = client.post(
        reverse("activities:roster", args=[activity.pk]), {"verb": "attendance", "present": [alice_row.pk]}, follow=True
    )
    assert "出勤情况已保存" in saved.content.decode()
    assert Participation.objects.get(pk=alice_row.pk).status == P.ATTENDED
    export = client.get(reverse("activities:roster_export", args=[activity.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "制造业转型升级调研"
    assert rows[2][:4] == ["姓名", "界别", "专门委员会", "状态"]
    by_name = {r[0]: r for r in rows[3:]}
    assert by_name["王丽"][3] == "已出席" and by_name["王丽"][5] == "工作人员签到"
    assert by_name["林怡"][3] == "已准假" and by_name["林怡"][6] == "在外地出差"
    client.post(
        reverse("activities:act", args=[activity.pk, "finish"]),
        {"report": "调研了三家企业。", "version": activity.version},
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.FINISHED
    upload = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    client.post(reverse("activities:act", args=[activity.pk, "photos"]), {"photos": [upload]})
    photo = ActivityPhoto.objects.get(activity=activity)
    bad = SimpleUploadedFile("x.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = client.post(reverse("activities:act", args=[activity.pk, "photos"]), {"photos": [bad]}, follow=True)
    assert ActivityPhoto.objects.filter(activity=activity).count() == 1
    assert client.get(reverse("activities:photo", args=[photo.pk])).status_code == 200
    client.force_login(alice)
    assert client.get(reverse("activities:photo", args=[photo.pk])).status_code == 200
    assert "调研了三家企业" in client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    client.force_login(cast.gina)
    assert client.get(reverse("activities:photo", args=[photo.pk])).status_code == 404


def test_check_in_page(client, now, cast, alice, time_machine) -> None:
    activity = make_activity(cast.gina, cast.culture, mode=InvitationMode.OPEN)
    actions.do_sign_up(alice, activity)
    url = reverse("activities:checkin", args=[activity.pk, activity.checkin_token])
    client.force_login(alice)
    response = client.post(url)
    assert response.status_code == 422 and "签到" in response.content.decode()
    time_machine.move_to(START - dt.timedelta(hours=1), tick=False)
    client.force_login(alice)
    assert "立即签到" in client.get(url).content.decode()  # opening the link checks in no one
    assert Participation.objects.get(activity=activity, member=alice).status == P.SIGNED_UP
    first = client.post(url).content.decode()
    assert "签到成功" in first
    again = client.post(url).content.decode()
    assert "已经签到" in again
    wrong = client.post(reverse("activities:checkin", args=[activity.pk, "old-code"]))
    assert wrong.status_code == 403
