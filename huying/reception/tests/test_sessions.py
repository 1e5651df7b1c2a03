"""Sessions: who schedules them, the status moves (allowed, refused, event rows, audit),
who sees a cancelled one, the sweep that opens and ends them on time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from huying.audit.models import AuditEntry
from huying.reception import actions
from huying.reception.choices import SessionStatus
from huying.reception.models import ReceptionSession, SessionEvent
from huying.reception.tests.conftest import NOW, schedule

pytestmark = pytest.mark.django_db


def test_a_member_schedules_their_own_session_in_their_cppcc(alice: Any, tree: Any) -> None:
    s = schedule(alice)
    assert (s.host, s.cppcc, s.status, s.created_by) == (alice, tree.province_cppcc, SessionStatus.SCHEDULED, alice)
    assert AuditEntry.objects.filter(action="reception.create", object_id=str(s.pk)).exists()


def test_staff_of_the_members_cppcc_schedule_for_a_member(alice: Any, bob: Any, admin: Any) -> None:
    assert schedule(bob, host=alice).host == alice
    assert schedule(admin, host=alice).host == alice


@pytest.mark.parametrize("who", ["cindy", "erin", "citizen", "charlie"])
def test_others_may_not_schedule_for_a_member(request: pytest.FixtureRequest, alice: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        schedule(request.getfixturevalue(who), host=alice)
    assert not ReceptionSession.objects.exists()


def test_only_members_host(citizen: Any, bob: Any, dora: Any) -> None:
    for person in (citizen, bob, dora):
        with pytest.raises(PermissionDenied):
            schedule(person)
    with pytest.raises(ValidationError) as info:
        schedule(bob, host=citizen)
    assert "host" in info.value.message_dict
    with pytest.raises(PermissionDenied):
        schedule(AnonymousUser())


def test_bad_input_names_the_fields_and_creates_nothing(alice: Any) -> None:
    with pytest.raises(ValidationError) as info:
        schedule(alice, theme=" ", ends_at=NOW - dt.timedelta(hours=2))
    assert set(info.value.message_dict) == {"theme", "ends_at"}
    with pytest.raises(ValidationError) as info:
        schedule(alice, ends_at=NOW + dt.timedelta(days=8))
    assert "ends_at" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        schedule(alice, starts_at=None)
    assert "starts_at" in info.value.message_dict
    assert not ReceptionSession.objects.exists()


def test_moves_by_the_host_and_staff_with_events_and_audit(alice: Any, bob: Any) -> None:
    s = schedule(alice)
    actions.do_open_session(alice, s)
    actions.do_close_session(bob, s)
    s.refresh_from_db()
    assert s.status == SessionStatus.CLOSED
    assert [(e.from_status, e.to_status, e.actor) for e in SessionEvent.objects.filter(session=s)] == [
        ("scheduled", "open", alice),
        ("open", "closed", bob),
    ]
    assert set(
        AuditEntry.objects.filter(object_id=str(s.pk), action__startswith="reception.").values_list("action", flat=True)
    ) == {
        "reception.create",
        "reception.open",
        "reception.close",
    }
    other = schedule(alice, theme="另一场")
    actions.do_cancel_session(bob, other, reason="委员临时出差")
    assert SessionEvent.objects.get(session=other).note == "委员临时出差"


@pytest.mark.parametrize(
    ("start", "move"),
    [("scheduled", "close"), ("open", "open"), ("open", "cancel"), ("closed", "open"), ("closed", "close"),
     ("cancelled", "open")],
)  # fmt: skip
def test_illegal_moves_are_refused_and_change_nothing(alice: Any, start: str, move: str) -> None:
    s = schedule(alice)
    if start in ("open", "closed"):
        actions.do_open_session(alice, s)
    if start == "closed":
        actions.do_close_session(alice, s)
    if start == "cancelled":
        actions.do_cancel_session(alice, s)
    events = SessionEvent.objects.count()
    do = {"open": actions.do_open_session, "close": actions.do_close_session, "cancel": actions.do_cancel_session}
    with pytest.raises(ValidationError, match="现在不能"):
        do[move](alice, s)
    s.refresh_from_db()
    assert s.status == start and SessionEvent.objects.count() == events


@pytest.mark.parametrize("who", ["erin", "cindy", "citizen", "charlie"])
def test_only_the_host_and_managing_staff_move_a_session(request: pytest.FixtureRequest, alice: Any, who: str) -> None:
    s = schedule(alice)
    person = request.getfixturevalue(who)
    for do in (actions.do_open_session, actions.do_cancel_session):
        with pytest.raises(PermissionDenied):
            do(person, s)
    s.refresh_from_db()
    assert s.status == SessionStatus.SCHEDULED


def test_a_cancelled_session_is_seen_by_its_host_and_staff_only(alice: Any, bob: Any, erin: Any, citizen: Any) -> None:
    s = actions.do_cancel_session(alice, schedule(alice))
    for person in (alice, bob):
        assert list(ReceptionSession.objects.visible_to(person)) == [s]
    for person in (erin, citizen, AnonymousUser()):
        assert not ReceptionSession.objects.visible_to(person).exists()


def test_the_sweep_opens_and_ends_sessions_on_time(alice: Any, clock: Any) -> None:
    s = schedule(alice, starts_at=NOW + dt.timedelta(minutes=30), ends_at=NOW + dt.timedelta(hours=2))
    assert actions.do_sweep() == {"opened": 0, "closed": 0}
    clock.shift(dt.timedelta(minutes=31))
    assert actions.do_sweep() == {"opened": 1, "closed": 0}
    clock.shift(dt.timedelta(hours=2))
    assert actions.do_sweep() == {"opened": 0, "closed": 1}
    assert actions.do_sweep() == {"opened": 0, "closed": 0}
    s.refresh_from_db()
    assert s.status == SessionStatus.CLOSED
    assert [e.actor for e in s.events.all()] == [None, None]
