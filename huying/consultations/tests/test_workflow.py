"""The consultation's moves, who may make them, and what each refused move leaves unchanged."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from huying.audit.models import AuditEntry
from huying.consultations import actions
from huying.consultations.choices import ConsultationStatus, SpeechStatus
from huying.consultations.models import Consultation
from huying.consultations.tests.conftest import DAY, T0, make_consultation
from huying.consultations.transitions import TransitionError
from huying.duty.models import DutyEntry
from huying.handling.history import events_for


def status(c: Consultation) -> str:
    c.refresh_from_db()
    return c.status


def test_staff_of_the_organiser_run_it_through_every_status(frozen: Any, bob: Any, committee: Any) -> None:
    c = make_consultation(bob, committee)
    assert c.status == ConsultationStatus.DRAFT and c.agenda.first().title == "通报情况"
    actions.do_publish(bob, c)
    frozen.move_to(DAY)
    actions.do_open(bob, c)
    actions.do_close(bob, c)
    assert status(c) == ConsultationStatus.CLOSED
    kinds = [e.kind for e in events_for(c)]
    assert kinds == [
        "consultation_created",
        "consultation_published",
        "consultation_opened",
        "consultation_closed",
    ]
    assert AuditEntry.objects.filter(action="consultation.close", object_id=str(c.pk)).exists()


@pytest.mark.parametrize("who", ["alice", "gina", "charlie", "dora"])
def test_only_the_organising_staff_create_and_move(
    who: str, frozen: Any, bob: Any, committee: Any, request: pytest.FixtureRequest
) -> None:
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        make_consultation(person, committee)
    c = make_consultation(bob, committee)
    with pytest.raises(PermissionDenied):
        actions.do_publish(person, c)
    with pytest.raises(PermissionDenied):
        actions.do_update_consultation(person, c, topic="改", kind=c.kind, starts_at=c.starts_at, ends_at=c.ends_at)
    assert status(c) == ConsultationStatus.DRAFT


def test_illegal_moves_are_refused_and_change_nothing(frozen: Any, bob: Any, committee: Any) -> None:
    c = make_consultation(bob, committee)
    for step in (actions.do_open, actions.do_close):
        with pytest.raises(TransitionError):
            step(bob, c)
    actions.do_publish(bob, c)
    with pytest.raises(TransitionError):
        actions.do_publish(bob, c)
    with pytest.raises(TransitionError):
        actions.do_close(bob, c)
    assert status(c) == ConsultationStatus.PUBLISHED
    assert len(events_for(c)) == 2


def test_bad_input_is_refused(frozen: Any, bob: Any, committee: Any, tree: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        make_consultation(bob, committee, video_url="http://meeting.example.com/x", place="")
    assert "video_url" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_consultation(bob, committee, ends_at=DAY - datetime.timedelta(hours=1))
    assert "ends_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_consultation(bob, tree.department)
    assert "organiser" in exc.value.message_dict
    with pytest.raises(ValidationError):
        make_consultation(bob, committee, video_url="", place="")
    assert not Consultation.objects.exists()


def test_who_sees_which_consultation(
    frozen: Any,
    bob: Any,
    committee: Any,
    alice: Any,
    erin: Any,
    gina: Any,
    charlie: Any,
    dora: Any,
    hank: Any,
    admin: Any,
) -> None:
    draft = make_consultation(bob, committee, topic="草稿")
    c = make_consultation(bob, committee)
    actions.do_add_participant(bob, c, kind="member", user=alice)
    actions.do_add_participant(bob, c, kind="official", user=charlie)
    actions.do_publish(bob, c)

    def sees(person: Any) -> set[int]:
        return set(Consultation.objects.visible_to(person).values_list("pk", flat=True))

    assert sees(bob) == sees(admin) == {draft.pk, c.pk}
    assert sees(alice) == sees(erin) == sees(charlie) == {c.pk}  # participants, members of the CPPCC
    assert sees(gina) == sees(dora) == sees(hank) == sees(AnonymousUser()) == set()
    actions.do_update_consultation(
        bob, c, topic=c.topic, kind=c.kind, starts_at=c.starts_at, ends_at=c.ends_at,
        video_url=c.video_url, place=c.place, public_viewing=True,
    )  # fmt: skip
    assert sees(dora) == {c.pk} and sees(AnonymousUser()) == set()


def test_participants_book_before_the_day_and_ask_on_it(
    consultation: Consultation, frozen: Any, alice: Any, erin: Any, charlie: Any, bob: Any
) -> None:
    c = consultation
    with pytest.raises(PermissionDenied):
        actions.do_book_speech(erin, c, summary="我也想说")  # not a participant
    with pytest.raises(ValidationError):
        actions.do_book_speech(alice, c, summary="  ")
    with pytest.raises(TransitionError):
        actions.do_request_speech(alice, c)  # not live yet
    booked = actions.do_book_speech(alice, c, summary="建议加快加装电梯审批")
    with pytest.raises(ValidationError):
        actions.do_book_speech(alice, c, summary="第二次")  # one waiting speech each
    frozen.move_to(DAY - datetime.timedelta(hours=2))  # the day itself: booking has closed
    with pytest.raises(TransitionError):
        actions.do_book_speech(charlie, c, summary="部门回应")
    actions.do_open(bob, c)
    asked = actions.do_request_speech(charlie, c)
    assert (booked.kind, asked.kind) == ("booked", "requested")
    assert [s.pk for s in c.speeches.order_by("position")] == [booked.pk, asked.pk]


def test_the_host_orders_gives_and_skips(
    consultation: Consultation, frozen: Any, alice: Any, charlie: Any, bob: Any, gina: Any
) -> None:
    c = consultation
    first = actions.do_book_speech(alice, c, summary="加装电梯")
    frozen.move_to(DAY)
    actions.do_open(bob, c)
    second = actions.do_request_speech(charlie, c, summary="部门情况")
    with pytest.raises(PermissionDenied):
        actions.do_move_speaker(alice, second, "up")
    with pytest.raises(PermissionDenied):
        actions.do_move_speaker(gina, second, "up")
    order = actions.do_move_speaker(bob, second, "up")
    assert [s.pk for s in order] == [second.pk, first.pk]
    assert [s.pk for s in c.speeches.filter(status="queued").order_by("position")] == [second.pk, first.pk]
    actions.do_move_speaker(bob, second, "up")  # already first: nothing moves
    assert [s.pk for s in c.speeches.filter(status="queued").order_by("position")] == [second.pk, first.pk]
    with pytest.raises(PermissionDenied):
        actions.do_give_speech(alice, first)
    actions.do_skip_speech(bob, second)
    actions.do_give_speech(bob, first, now=DAY + datetime.timedelta(minutes=20))
    with pytest.raises(TransitionError):
        actions.do_give_speech(bob, first)  # already given
    first.refresh_from_db()
    assert first.status == SpeechStatus.GIVEN
    # A member's given speech is in her duty record, once; an official's skipped one is not.
    [entry] = DutyEntry.objects.filter(kind="consultation.speech")
    assert (entry.member_id, entry.source_id, entry.occurred_at) == (
        alice.pk,
        first.pk,
        DAY + datetime.timedelta(minutes=20),
    )


def test_withdrawing_and_closing(consultation: Consultation, frozen: Any, alice: Any, charlie: Any, bob: Any) -> None:
    c = consultation
    mine = actions.do_book_speech(alice, c, summary="加装电梯")
    theirs = actions.do_book_speech(charlie, c, summary="部门情况")
    with pytest.raises(PermissionDenied):
        actions.do_withdraw_speech(charlie, mine)
    actions.do_withdraw_speech(alice, mine)
    again = actions.do_book_speech(alice, c, summary="重新预约")  # a withdrawn one no longer waits
    frozen.move_to(DAY)
    actions.do_open(bob, c)
    actions.do_close(bob, c)
    assert set(c.speeches.values_list("status", flat=True)) == {SpeechStatus.WITHDRAWN}
    with pytest.raises(TransitionError):
        actions.do_give_speech(bob, again)
    assert not DutyEntry.objects.exists()
    assert theirs.pk != again.pk


def test_audit_actions_read_in_chinese() -> None:
    import re

    from django.utils import translation

    from huying.audit.labels import action_label

    codes = [
        "consultation.create", "consultation.update", "consultation.publish", "consultation.open",
        "consultation.close", "consultation.conclude", "consultation.participant_add",
        "consultation.speech_booked", "consultation.speech_requested", "consultation.speech_order",
        "consultation.speech_give", "consultation.speech_skip", "consultation.speech_withdraw",
        "consultation.update_post", "consultation.minutes", "consultation.outcome_save",
        "consultation.outcome_sent", "consultation.outcome_answered", "consultation.outcome_reopened",
    ]  # fmt: skip
    with translation.override("zh-hans"):
        for code in codes:
            assert re.search(r"[\u4e00-\u9fff]", action_label(code)), code


def test_time_is_frozen(frozen: Any) -> None:
    from django.utils import timezone

    assert timezone.now() == T0
