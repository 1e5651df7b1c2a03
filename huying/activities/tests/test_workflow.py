"""The activity's and the participants' moves, allowed and refused, with named people;
capacity, leave, check-in, finishing into the duty record, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huying.activities import actions, reminders
from huying.activities.choices import ActivityStatus, InvitationMode, ParticipationStatus
from huying.activities.models import Activity, ActivityEvent, Participation, Reminder
from huying.activities.tests.factories import make_activity
from huying.activities.tests.people import START, build_shared_data  # noqa: F401
from huying.audit.models import AuditEntry
from huying.duty.models import DutyEntry
from huying.handling.models import Notification

P = ParticipationStatus
pytestmark = pytest.mark.django_db


def part(activity: Activity, member) -> Participation:
    return Participation.objects.get(activity=activity, member=member)


def test_publish_invites_by_committee_and_by_name(now, cast, alice, bob) -> None:
    activity = make_activity(cast.frank, cast.economics, publish=False)
    activity.invite_committees.set([cast.economics])
    activity.invite_members.set([cast.erin])
    actions.do_publish(cast.frank, activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED
    assert {p.member_id: p.status for p in activity.participations.all()} == {
        alice.pk: P.INVITED,
        cast.erin.pk: P.INVITED,
    }
    assert Notification.objects.filter(case_id=activity.pk, recipient_user=alice).count() == 1
    assert ActivityEvent.objects.filter(activity=activity, kind="published").count() == 1
    assert AuditEntry.objects.filter(action="activity.published", object_id=str(activity.pk)).exists()


def test_publish_with_rules_inviting_nobody_is_refused(now, cast) -> None:
    activity = make_activity(cast.frank, cast.economics, publish=False)
    with pytest.raises(ValidationError):
        actions.do_publish(cast.frank, activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DRAFT


def test_who_may_organise(now, cast, alice, bob, charlie, dora) -> None:
    # committee staff of another committee, a member, an outsider, the public: refused
    for person in (cast.gina, alice, charlie, dora, cast.leo):
        with pytest.raises(PermissionDenied):
            make_activity(person, cast.economics, publish=False)
    # the CPPCC's own staff organise for its committees too
    assert make_activity(bob, cast.economics, publish=False, levels=["provincial"]).pk
    activity = make_activity(cast.frank, cast.economics, levels=["provincial"])
    for person in (cast.gina, alice, cast.leo):
        with pytest.raises(PermissionDenied):
            actions.do_cancel(person, activity, reason="天气")
    actions.do_cancel(bob, activity, reason="台风预警")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED
    with pytest.raises(ValidationError):
        actions.do_publish(bob, activity)


def test_visibility(now, cast, alice, bob, charlie, dora) -> None:
    draft = make_activity(cast.frank, cast.economics, publish=False)
    published = make_activity(cast.frank, cast.economics, members=[cast.erin])
    opened = make_activity(cast.gina, cast.culture, mode=InvitationMode.OPEN)

    def seen(user) -> set[int]:
        return set(Activity.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(cast.frank) == {draft.pk, published.pk}
    assert seen(cast.gina) == {opened.pk}
    assert seen(bob) == {draft.pk, published.pk, opened.pk}
    assert seen(cast.leo) == {published.pk, opened.pk}
    assert seen(cast.erin) == {published.pk, opened.pk}
    assert seen(alice) == {opened.pk}
    assert seen(charlie) == set() and seen(dora) == set()
    roster = Participation.objects.visible_to
    assert roster(alice).count() == 0
    assert roster(cast.gina).filter(activity=published).count() == 0
    assert roster(cast.frank).filter(activity=published).count() == 1


def test_member_answers_and_leave(now, cast, alice) -> None:
    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics])
    assert part(activity, alice).status == P.INVITED
    actions.do_sign_up(alice, activity)
    actions.do_decline(alice, activity)
    assert part(activity, alice).status == P.DECLINED
    actions.do_sign_up(alice, activity)
    with pytest.raises(ValidationError) as refused:
        actions.do_ask_leave(alice, activity, reason="  ")
    assert "reason" in refused.value.message_dict
    actions.do_ask_leave(alice, activity, reason="出差")
    # another member, a public person: not in the roster
    with pytest.raises(PermissionDenied):
        actions.do_ask_leave(cast.erin, activity, reason="出差")
    row = part(activity, alice)
    assert (row.status, row.leave_reason) == (P.LEAVE_REQUESTED, "出差")
    # the member cannot decide their own leave; committee staff of another committee neither
    for person in (alice, cast.gina, cast.leo):
        with pytest.raises(PermissionDenied):
            actions.do_decide_leave(person, row, approve=True)
    with pytest.raises(ValidationError):
        actions.do_decide_leave(cast.frank, row, approve=False, note="")
    actions.do_decide_leave(cast.frank, row, approve=False, note="会议重要，请安排出席")
    assert part(activity, alice).status == P.LEAVE_REFUSED
    assert Notification.objects.filter(recipient_user=alice, text__contains="会议重要").exists()
    with pytest.raises(ValidationError):
        actions.do_decide_leave(cast.frank, part(activity, alice), approve=True)
    actions.do_ask_leave(alice, activity, reason="家中急事")
    actions.do_decide_leave(cast.frank, part(activity, alice), approve=True, note="")
    assert part(activity, alice).status == P.LEAVE_APPROVED
    # an approved leave is not turned back into a sign-up
    with pytest.raises(ValidationError):
        actions.do_decline(alice, activity)


def test_open_sign_up_deadline_and_eligibility(now, cast, alice, bob, time_machine) -> None:
    activity = make_activity(cast.gina, cast.culture, mode=InvitationMode.OPEN)
    actions.do_sign_up(alice, activity)
    assert part(activity, alice).status == P.SIGNED_UP
    # signing up twice changes nothing
    actions.do_sign_up(alice, activity)
    assert activity.participations.count() == 1
    with pytest.raises(PermissionDenied):
        actions.do_sign_up(bob, activity)  # not a member
    time_machine.move_to(START - dt.timedelta(hours=12), tick=False)
    with pytest.raises(ValidationError) as closed:
        actions.do_sign_up(cast.erin, activity)
    assert closed.value.code == "closed"
    invited_only = make_activity(
        cast.frank, cast.economics, members=[cast.erin], starts_at=START + dt.timedelta(days=3)
    )
    with pytest.raises(PermissionDenied):
        actions.do_sign_up(alice, invited_only)


def test_sign_up_beyond_capacity_is_refused(now, cast, alice) -> None:
    activity = make_activity(cast.gina, cast.culture, mode=InvitationMode.OPEN, capacity=1)
    actions.do_sign_up(cast.erin, activity)
    with pytest.raises(ValidationError) as full:
        actions.do_sign_up(alice, activity)
    assert full.value.code == "full"
    assert not Participation.objects.filter(activity=activity, member=alice, status=P.SIGNED_UP).exists()
    # a seat given back is taken
    actions.do_decline(cast.erin, activity)
    actions.do_sign_up(alice, activity)
    assert part(activity, alice).status == P.SIGNED_UP


def test_check_in_by_qr_once_in_the_window(now, cast, alice, time_machine) -> None:
    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics])
    actions.do_sign_up(alice, activity)
    token = activity.checkin_token
    with pytest.raises(ValidationError) as early:
        actions.do_check_in(alice, activity, token=token)
    assert early.value.code == "too_early"
    time_machine.move_to(START - dt.timedelta(minutes=30), tick=False)
    with pytest.raises(PermissionDenied):
        actions.do_check_in(alice, activity, token="not-the-code")
    with pytest.raises(PermissionDenied):
        actions.do_check_in(cast.erin, activity, token=token)  # not taking part
    row, first = actions.do_check_in(alice, activity, token=token)
    assert first and row.status == P.ATTENDED and row.check_in_method == "qr"
    row, again = actions.do_check_in(alice, activity, token=token)
    assert not again and row.status == P.ATTENDED
    assert ActivityEvent.objects.filter(participation=row, kind="checked_in").count() == 1
    # a renewed code refuses the old one
    actions.do_rotate_token(cast.frank, activity)
    with pytest.raises(PermissionDenied):
        actions.do_check_in(alice, activity, token=token)
    time_machine.move_to(START + dt.timedelta(hours=4), tick=False)
    other = make_activity(cast.frank, cast.economics, members=[cast.erin], starts_at=START + dt.timedelta(days=1))
    time_machine.move_to(START + dt.timedelta(days=1, hours=4), tick=False)
    with pytest.raises(ValidationError) as late:
        actions.do_check_in(cast.erin, other, token=other.checkin_token)
    assert late.value.code == "too_late"


def test_finish_records_outcomes_in_the_duty_record(now, tree, cast, alice, bob, time_machine) -> None:
    activity = make_activity(bob, tree.province_cppcc, levels=["provincial"])
    actions.do_ask_leave(cast.erin, activity, reason="出国访问")
    actions.do_decide_leave(bob, part(activity, cast.erin), approve=True)
    with pytest.raises(ValidationError):
        actions.do_finish(bob, activity, report="提前")  # not started
    time_machine.move_to(START + dt.timedelta(hours=1), tick=False)
    with pytest.raises(PermissionDenied):  # a committee's staff do not manage the CPPCC's own activity
        actions.do_mark_attendance(cast.frank, part(activity, alice), present=True)
    actions.do_mark_attendance(bob, part(activity, alice), present=True)
    with pytest.raises(PermissionDenied):
        actions.do_finish(cast.gina, activity, report="x")
    with pytest.raises(ValidationError):
        actions.do_finish(bob, activity, report=" ")
    actions.do_finish(bob, activity, report="视察了码头建设。")
    assert part(activity, alice).status == P.ATTENDED
    assert part(activity, cast.erin).status == P.EXCUSED

    def entries(member) -> list[tuple[str, str]]:
        return list(DutyEntry.objects.filter(member=member, retracted_at=None).values_list("kind", "qualifier"))

    assert entries(alice) == [("activity.attended", "inspection")]
    assert entries(cast.erin) == [("activity.leave", "")]
    # finishing again is refused and records nothing twice
    with pytest.raises(ValidationError):
        actions.do_finish(bob, activity, report="again")
    # a correction afterwards: the old entry retracted, the new one recorded
    actions.do_mark_attendance(bob, part(activity, alice), present=False)
    assert part(activity, alice).status == P.ABSENT
    assert entries(alice) == [("activity.absent", "")]
    actions.do_mark_attendance(bob, part(activity, alice), present=True)
    assert entries(alice) == [("activity.attended", "inspection")]
    assert DutyEntry.objects.filter(member=alice).count() == 2  # the absence kept, retracted


def test_not_checked_in_is_absent_without_leave(now, cast, alice, time_machine) -> None:
    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics], members=[cast.erin])
    actions.do_decline(cast.erin, activity)
    time_machine.move_to(START + dt.timedelta(hours=5), tick=False)
    actions.do_finish(cast.frank, activity, report="完成")
    assert part(activity, alice).status == P.ABSENT
    assert part(activity, cast.erin).status == P.DECLINED
    assert DutyEntry.objects.filter(member=alice, kind="activity.absent").count() == 1
    assert not DutyEntry.objects.filter(member=cast.erin).exists()


def test_staff_ticks_follow_the_rules(now, cast, alice, time_machine) -> None:
    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics], members=[cast.erin])
    row = part(activity, alice)
    with pytest.raises(ValidationError):
        actions.do_mark_attendance(cast.frank, row, present=True)  # too early
    time_machine.move_to(START, tick=False)
    with pytest.raises(PermissionDenied):
        actions.do_set_attendance(cast.gina, activity, [row.pk])
    assert actions.do_set_attendance(cast.frank, activity, [row.pk]) == 1
    assert actions.do_set_attendance(cast.frank, activity, [row.pk]) == 0
    assert part(activity, alice).check_in_method == "staff"
    assert actions.do_set_attendance(cast.frank, activity, []) == 1
    assert part(activity, alice).status == P.SIGNED_UP


def test_stale_version_is_refused(now, cast) -> None:
    activity = make_activity(cast.frank, cast.economics, publish=False)
    with pytest.raises(ValidationError) as stale:
        actions.do_update_activity(cast.frank, activity, expected_version=activity.version + 1, title="新")
    assert "version" in stale.value.message_dict
    actions.do_update_activity(cast.frank, activity, expected_version=activity.version, title="新标题")
    activity.refresh_from_db()
    assert activity.title == "新标题" and activity.version == 2


def test_reminders_are_sent_once_per_slot(now, cast, alice, time_machine) -> None:
    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics], members=[cast.erin])
    actions.do_decline(cast.erin, activity)
    assert reminders.sweep().reminders == 0  # two days before: nothing yet
    time_machine.move_to(START - dt.timedelta(hours=20), tick=False)
    assert reminders.sweep().reminders == 1
    assert reminders.sweep().reminders == 0
    time_machine.move_to(START - dt.timedelta(hours=1), tick=False)
    assert reminders.sweep().reminders == 1
    assert reminders.sweep().reminders == 0
    assert set(Reminder.objects.filter(activity=activity).values_list("member_id", "slot")) == {
        (alice.pk, "24h"),
        (alice.pk, "2h"),
    }
    assert Notification.objects.filter(recipient_user=alice, text__contains="提醒").count() == 2
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("activity_reminders", stdout=out)
    assert "reminders=0" in out.getvalue()
    assert not Notification.objects.filter(recipient_user=cast.erin, text__contains="提醒").exists()


def test_every_recorded_action_has_a_chinese_label() -> None:
    import re

    from django.utils import translation

    from huying.activities.choices import EventKind
    from huying.audit.labels import action_label

    codes = [f"activity.{k}" for k in ("create", "update", "report", "photos", "token", "export")]
    codes += [f"activity.{k}" for k in ("published", "cancelled", "finished")]
    codes += [f"participation.{k}" for k in EventKind.values]
    with translation.override("zh-hans"):
        for code in codes:
            assert re.search(r"[\u4e00-\u9fff]", action_label(code)), code


def test_more_refusals(now, cast, alice, time_machine) -> None:
    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics])
    # who takes part is settled once published; the time may still move
    with pytest.raises(ValidationError):
        actions.do_update_activity(cast.frank, activity, levels=["provincial"])
    with pytest.raises(ValidationError):
        actions.do_update_activity(cast.frank, activity, mode=InvitationMode.OPEN)
    actions.do_update_activity(cast.frank, activity, place="南沙客运港")
    with pytest.raises(PermissionDenied):
        actions.do_update_activity(cast.gina, activity, place="x")
    with pytest.raises(ValidationError):
        actions.do_add_photos(cast.frank, activity, [])  # only once finished
    time_machine.move_to(START + dt.timedelta(minutes=5), tick=False)
    with pytest.raises(ValidationError) as started:
        actions.do_decline(alice, activity)
    assert started.value.code == "started"
    with pytest.raises(ValidationError) as closed:
        actions.do_sign_up(alice, activity)
    assert closed.value.code == "closed"
    actions.do_finish(cast.frank, activity, report="完成")
    for move in (
        lambda: actions.do_cancel(cast.frank, activity, reason="x"),
        lambda: actions.do_update_activity(cast.frank, activity, title="x"),
        lambda: actions.do_ask_leave(alice, activity, reason="x"),
        lambda: actions.do_check_in(alice, activity, token=activity.checkin_token),
    ):
        with pytest.raises(ValidationError):
            move()
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.FINISHED


def test_notices_link_to_the_activity(client, now, cast, alice) -> None:
    from django.urls import reverse

    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics])
    actions.do_cancel(cast.frank, activity, reason="台风")
    client.force_login(alice)
    page = client.get(reverse("handling:notifications")).content.decode()
    assert "活动已取消" in page and "履职活动" in page
    notice = Notification.objects.filter(recipient_user=alice, text__contains="取消").get()
    opened = client.post(f"/notifications/{notice.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == reverse("activities:detail", args=[activity.pk])


def test_backfill_restores_missing_entries(now, cast, alice, time_machine) -> None:
    from huying.activities import duty

    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics])
    time_machine.move_to(START + dt.timedelta(hours=4), tick=False)
    actions.do_finish(cast.frank, activity, report="完成")
    DutyEntry.objects.filter(member=alice).delete()
    assert duty.backfill() == 1
    assert duty.backfill() == 1
    assert list(DutyEntry.objects.filter(member=alice).values_list("kind", flat=True)) == ["activity.absent"]


def test_duty_timeline_links_to_the_activity(now, cast, alice, time_machine) -> None:
    from huying.duty.queries import source_links

    activity = make_activity(cast.frank, cast.economics, committees=[cast.economics])
    time_machine.move_to(START + dt.timedelta(hours=4), tick=False)
    actions.do_finish(cast.frank, activity, report="完成")
    rows = list(DutyEntry.objects.filter(member=alice))
    assert source_links(rows, alice) == {("activities.activity", activity.pk): f"/activities/{activity.pk}/"}
    assert source_links(rows, cast.gina) == {}
