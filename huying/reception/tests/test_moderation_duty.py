"""A question taken out of public view takes its answer with it: the host's
``reception.answer`` duty entry is retracted when a moderator hides the answered question
(from the queue or the session page) or reports send it back to the queue, and recorded
again — the same entry, dated by the answer — when it is restored or published. Repeated,
refused and illegal moves change nothing.

Named people (conftest): alice, the host member who answers; citizen, who asks; neighbour
and erin, who report; bob, the host CPPCC's agency staff (moderator); admin, a moderator
from outside; cindy, staff of another CPPCC, and dora, the public (neither may hide)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huying.duty.models import DutyEntry, DutySummary, PointRule
from huying.moderation import actions as moderation
from huying.moderation.choices import ItemStatus
from huying.reception import actions
from huying.reception.models import Answer
from huying.reception.tests.conftest import published_question

pytestmark = pytest.mark.django_db

ANSWER = "reception.answer"


@pytest.fixture
def answered(live: Any, alice: Any, bob: Any, citizen: Any) -> Any:
    PointRule.objects.create(kind=ANSWER, points=3, valid_from=dt.date(2000, 1, 1))
    q = published_question(citizen, bob, live)
    actions.do_answer(alice, q, body="已协调周末轮值供餐。")
    return q


def state(alice: Any) -> tuple[Any, ...]:
    entry = DutyEntry.objects.get(member=alice, kind=ANSWER)
    summary = DutySummary.objects.get(member=alice, year=entry.year)
    return entry.pk, entry.retracted_at is None, entry.points, entry.occurred_at, summary.points, summary.acts


def item(q: Any) -> Any:
    q.moderation.refresh_from_db()
    return q.moderation


def test_hiding_an_answered_question_retracts_the_answer_and_restoring_records_it_again(
    answered: Any, alice: Any, admin: Any
) -> None:
    q = answered
    live = state(alice)
    assert live[1:3] == (True, 3) and live[4:] == (3, 1)
    moderation.do_hide(admin, item(q), reason="含个人隐私")
    hidden = state(alice)
    assert hidden[:4] == (live[0], False, 0, live[3]) and hidden[4:] == (0, 0)
    with pytest.raises(ValidationError):
        moderation.do_hide(admin, item(q), reason="再隐藏")
    actions.on_moderation_visibility(item(q), False)  # the hook again: nothing moves
    assert state(alice) == hidden
    moderation.do_restore(admin, item(q), reason="复核后恢复")
    assert state(alice) == live  # the same entry, its own date, its points back
    with pytest.raises(ValidationError):
        moderation.do_restore(admin, item(q), reason="再恢复")
    actions.on_moderation_visibility(item(q), True)
    assert state(alice) == live


def test_the_session_pages_hide_goes_the_same_way(answered: Any, alice: Any, bob: Any) -> None:
    live = state(alice)
    actions.do_hide_question(bob, answered, reason="与主题无关")
    assert state(alice)[1:3] == (False, 0)
    moderation.do_restore(bob, item(answered), reason="复核")
    assert state(alice) == live


def test_reports_send_the_question_back_and_publishing_records_again(
    answered: Any, alice: Any, bob: Any, neighbour: Any, erin: Any, settings: Any
) -> None:
    settings.MODERATION_REPORTS_TO_QUEUE = 2
    live = state(alice)
    moderation.do_report(neighbour, item(answered), reason="不实")
    assert state(alice) == live
    moderation.do_report(erin, item(answered), reason="不实")
    assert item(answered).status == ItemStatus.PENDING and state(alice)[1] is False
    moderation.do_publish(bob, item(answered))
    assert state(alice) == live


@pytest.mark.parametrize("who", ["alice", "cindy", "citizen", "dora"])
def test_refused_hides_change_nothing(answered: Any, request: pytest.FixtureRequest, who: str) -> None:
    alice = request.getfixturevalue("alice")
    live = state(alice)
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.do_hide_question(person, answered, reason="与主题无关")
    if who != "cindy":  # cindy is agency staff: a moderator in the queue, not on the host's page
        with pytest.raises(PermissionDenied):
            moderation.do_hide(person, item(answered), reason="与主题无关")
    assert item(answered).status == ItemStatus.PUBLISHED and state(alice) == live


def test_a_question_without_an_answer_and_a_hidden_question_cannot_be_answered(
    live: Any, alice: Any, bob: Any, citizen: Any
) -> None:
    q = published_question(citizen, bob, live)
    moderation.do_hide(bob, item(q), reason="与主题无关")  # nothing to retract
    moderation.do_restore(bob, item(q), reason="复核")
    assert not DutyEntry.objects.exists()
    moderation.do_hide(bob, item(q), reason="与主题无关")
    q.moderation.status = ItemStatus.PUBLISHED  # a page read before the hide
    with pytest.raises(ValidationError):
        actions.do_answer(alice, q, body="已协调周末轮值供餐。")  # checked again under the item's lock
    assert not DutyEntry.objects.exists() and not Answer.objects.exists()
