"""Feedback (回访 / rating) and the metrics on a crafted dataset with exact numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from huying.handling.actions import do_record_feedback
from huying.handling.calendar import add_working_days
from huying.handling.choices import EventKind, Rating, Status
from huying.handling.metrics import handling_metrics, unit_metrics
from huying.handling.models import Assignment, CaseEvent, Feedback
from huying.handling.policy import Policy, register
from huying.handling.tests.conftest import T0, WORKFLOW, at
from huying.handling.transitions import (
    NotAllowed,
    TransitionError,
    do_accept,
    do_cancel,
    do_resolve,
    do_return,
)
from huying.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def resolved(
    make_assignment,
    people,
    unit=None,
    handler=None,
    *,
    accept_after=timedelta(hours=1),
    resolve_after=timedelta(days=1),
    case_obj=None,
):  # type: ignore[no-untyped-def]
    a = make_assignment(unit, case_obj=case_obj or OrganisationFactory(), now=T0)
    handler = handler or people.street_handler
    do_accept(handler, a, now=T0 + accept_after)
    do_resolve(handler, a, result="已办结", now=T0 + resolve_after)
    return a


def case_of(a: Assignment):
    return a.case_type.get_object_for_this_type(pk=a.case_id)


def test_dissatisfied_and_attributable_reopens(make_assignment, people):
    a = resolved(make_assignment, people)
    now = at(2026, 3, 4, 10)
    feedback = do_record_feedback(
        people.dispatcher,
        case_of(a),
        rating=Rating.DISSATISFIED,
        channel="phone",
        rater_name="张先生",
        solved=False,
        attributable_to_unit=True,
        comment="摊贩又回来了",
        now=now,
    )
    a.refresh_from_db()
    assert feedback.assignment == a
    assert (a.status, a.reopen_count, a.resolved_at) == (Status.REOPENED, 1, None)
    assert a.resolve_due == add_working_days(now, 5)
    kinds = list(CaseEvent.objects.filter(assignment=a).values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.FEEDBACK, EventKind.REOPENED]
    # Handled again and rated satisfied: the earlier rating by the same caller is superseded.
    do_resolve(people.street_handler, a, result="已再次清理", now=now + timedelta(days=1))
    do_record_feedback(
        people.dispatcher,
        case_of(a),
        rating=Rating.SATISFIED,
        channel="phone",
        rater_name="张先生",
        solved=True,
        now=now + timedelta(days=2),
    )
    assert list(Feedback.objects.filter(assignment=a).values_list("rating", "superseded")) == [
        (Rating.DISSATISFIED, True),
        (Rating.SATISFIED, False),
    ]
    a.refresh_from_db()
    assert a.status == Status.RESOLVED


@pytest.mark.parametrize(
    ("rating", "attributable"),
    [(Rating.SATISFIED, False), (Rating.BASICALLY_SATISFIED, True), (Rating.DISSATISFIED, False)],
)
def test_other_ratings_do_not_reopen(rating, attributable, make_assignment, people):
    a = resolved(make_assignment, people)
    do_record_feedback(
        people.dispatcher,
        case_of(a),
        rating=rating,
        channel="phone",
        attributable_to_unit=attributable,
        now=at(2026, 3, 4),
    )
    a.refresh_from_db()
    assert a.status == Status.RESOLVED


def test_feedback_rights_and_input(make_assignment, people):
    a = resolved(make_assignment, people)
    case = case_of(a)
    for who in ("street_handler", "outsider", "member", "public"):
        with pytest.raises(NotAllowed):
            do_record_feedback(getattr(people, who), case, rating=Rating.SATISFIED, channel="web")
    # A workflow may let the proposer rate (here: alice).
    register(Policy(workflow=WORKFLOW, may_rate=lambda user, ct, cid: user.username == "alice"))
    do_record_feedback(people.member, case, rating=Rating.SATISFIED, channel="web", rater=people.member)
    with pytest.raises(ValidationError) as exc:
        do_record_feedback(people.dispatcher, case, rating="great", channel="web")
    assert "rating" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        do_record_feedback(people.dispatcher, case, rating=Rating.SATISFIED, channel="pigeon")
    assert "channel" in exc.value.message_dict
    assert Feedback.objects.count() == 1


def test_nothing_to_rate_yet(make_assignment, people, case):
    make_assignment(now=T0)
    with pytest.raises(TransitionError):
        do_record_feedback(people.dispatcher, case, rating=Rating.SATISFIED, channel="phone")


def test_metrics_on_a_crafted_month(make_assignment, people, tree, django_assert_num_queries):
    dept = people.department_staff
    # 沙面街道: five assignments in March.
    a1 = resolved(make_assignment, people)  # on time everywhere
    do_record_feedback(
        people.dispatcher,
        case_of(a1),
        rating=Rating.DISSATISFIED,
        channel="phone",
        rater_name="甲",
        solved=False,
        now=at(2026, 3, 4),
    )  # superseded below
    do_record_feedback(
        people.dispatcher,
        case_of(a1),
        rating=Rating.SATISFIED,
        channel="phone",
        rater_name="甲",
        solved=True,
        now=at(2026, 3, 5),
    )
    a2 = resolved(make_assignment, people, accept_after=timedelta(hours=25), resolve_after=timedelta(days=8))
    do_record_feedback(
        people.dispatcher,
        case_of(a2),
        rating=Rating.BASICALLY_SATISFIED,
        channel="sms",
        solved=False,
        now=at(2026, 3, 11),
    )
    a3 = make_assignment(case_obj=OrganisationFactory(), now=T0)
    do_return(people.street_handler, a3, reason="不属于本街道", now=T0 + timedelta(hours=2))
    a4 = resolved(make_assignment, people)
    do_record_feedback(
        people.dispatcher,
        case_of(a4),
        rating=Rating.DISSATISFIED,
        channel="phone",
        solved=False,
        attributable_to_unit=True,
        now=at(2026, 3, 4),
    )
    a5 = make_assignment(case_obj=OrganisationFactory(), now=T0)
    do_accept(people.street_handler, a5, now=T0 + timedelta(hours=3))
    # 城管局: one cancelled (not counted), one resolved on time, one assigned in April.
    b1 = make_assignment(tree.department, case_obj=OrganisationFactory(), now=T0)
    do_cancel(people.dispatcher, b1, reason="改派", now=T0 + timedelta(hours=1))
    resolved(make_assignment, people, tree.department, dept)
    make_assignment(tree.department, case_obj=OrganisationFactory(), now=at(2026, 4, 1, 9))

    with django_assert_num_queries(1):
        by_unit = unit_metrics(at(2026, 3, 1), at(2026, 4, 1), workflow=WORKFLOW)
    street = by_unit[tree.street.pk]
    assert (street.assigned, street.accepted_in_time, street.handled, street.resolved) == (5, 3, 4, 2)
    assert (street.resolved_on_time, street.returned, street.reopened, street.resolved_ever) == (1, 1, 1, 3)
    assert (street.rated, street.satisfied, street.solved_answered, street.solved) == (3, 2, 3, 1)
    assert street.response_rate == pytest.approx(0.6)
    assert street.completion_rate == pytest.approx(0.5)
    assert street.on_time_rate == pytest.approx(0.5)
    assert street.return_rate == pytest.approx(0.2)
    assert street.reopen_rate == pytest.approx(1 / 3)
    assert street.satisfaction_rate == pytest.approx(2 / 3)
    assert street.resolution_rate == pytest.approx(1 / 3)
    department = by_unit[tree.department.pk]
    assert (department.assigned, department.resolved, department.resolved_on_time) == (1, 1, 1)
    assert department.response_rate == 1.0 and department.return_rate == 0.0
    assert department.satisfaction_rate is None and department.resolution_rate is None

    with django_assert_num_queries(1):
        (overall,) = handling_metrics(at(2026, 3, 1), at(2026, 4, 1), group_by=())
    assert (overall.assigned, overall.resolved, overall.rated) == (6, 3, 3)
    by_parent = handling_metrics(at(2026, 3, 1), at(2026, 4, 1), group_by=("unit__parent",))
    assert [m.key["unit__parent"] for m in by_parent] == [tree.district_gov.pk]
    assert by_parent[0].assigned == 6
