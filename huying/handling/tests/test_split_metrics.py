"""``split_metrics`` (two plain aggregate queries) gives exactly what ``handling_metrics``
(one query with DISTINCT counts) gives, on a crafted month with every kind of outcome:
late and timely acceptance, return, call-up, cancellation, reopening, superseded ratings
and two callers rating the same assignment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Q

from huying.handling.actions import do_record_feedback
from huying.handling.choices import Rating
from huying.handling.metrics import handling_metrics, prefixed, split_metrics
from huying.handling.tests.conftest import T0, WORKFLOW, at
from huying.handling.transitions import do_accept, do_cancel, do_escalate, do_reopen, do_resolve, do_return
from huying.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crafted(make_assignment, people, tree):  # type: ignore[no-untyped-def]
    def case():  # type: ignore[no-untyped-def]
        return OrganisationFactory()

    def rate(a, rating, solved, name, when):  # type: ignore[no-untyped-def]
        do_record_feedback(
            people.dispatcher,
            a.case_type.get_object_for_this_type(pk=a.case_id),
            rating=rating,
            channel="phone",
            rater_name=name,
            solved=solved,
            now=when,
        )

    # In time, resolved, rated by two callers; one of them changes their mind.
    a1 = make_assignment(case_obj=case(), now=T0)
    do_accept(people.street_handler, a1, now=T0 + timedelta(hours=1))
    do_resolve(people.street_handler, a1, result="好", now=T0 + timedelta(days=1))
    rate(a1, Rating.DISSATISFIED, False, "甲", at(2026, 3, 4))
    rate(a1, Rating.SATISFIED, True, "甲", at(2026, 3, 5))
    rate(a1, Rating.BASICALLY_SATISFIED, None, "乙", at(2026, 3, 5))
    # Late, resolved late, reopened and resolved again.
    a2 = make_assignment(case_obj=case(), now=T0)
    do_accept(people.street_handler, a2, now=T0 + timedelta(days=2))
    do_resolve(people.street_handler, a2, result="好", now=T0 + timedelta(days=9))
    do_reopen(people.dispatcher, a2, reason="未解决", now=T0 + timedelta(days=10))
    do_resolve(people.street_handler, a2, result="好", now=T0 + timedelta(days=11))
    rate(a2, Rating.DISSATISFIED, False, "丙", at(2026, 3, 16))
    # Returned; cancelled; called up to the department.
    a3 = make_assignment(case_obj=case(), now=T0)
    do_return(people.street_handler, a3, reason="非本单位", now=T0 + timedelta(hours=2))
    a4 = make_assignment(case_obj=case(), now=T0)
    do_cancel(people.dispatcher, a4, reason="改派", now=T0 + timedelta(hours=2))
    a5 = make_assignment(case_obj=case(), now=T0)
    do_accept(people.street_handler, a5, now=T0 + timedelta(hours=1))
    do_escalate(people.street_handler, a5, to_unit=tree.department, reason="需专业部门", now=T0 + timedelta(hours=3))
    # Another month: outside the cohort.
    make_assignment(case_obj=case(), now=at(2026, 4, 2, 9))


@pytest.mark.parametrize("group_by", [("unit",), (), ("unit__parent",), ("unit", "tier")])
def test_split_metrics_equal_handling_metrics(crafted, group_by, django_assert_num_queries):  # type: ignore[no-untyped-def]
    start, end = at(2026, 3, 1), at(2026, 4, 1)
    expected = handling_metrics(start, end, group_by=group_by, workflow=WORKFLOW)
    with django_assert_num_queries(2):
        got = split_metrics(start, end, group_by=group_by, workflow=WORKFLOW)
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    assert sum(m.assigned for m in got) == 5 and sum(m.rated for m in got) == 3


def test_split_metrics_with_a_condition(crafted, tree):  # type: ignore[no-untyped-def]
    start, end = at(2026, 3, 1), at(2026, 4, 1)
    condition = Q(unit_id__in=[tree.street.pk]) & ~Q(status="returned")
    (street,) = split_metrics(start, end, workflow=WORKFLOW, condition=condition)
    assert (street.assigned, street.returned, street.rated, street.satisfied) == (3, 0, 3, 2)


def test_prefixed_rewrites_nested_conditions() -> None:
    condition = Q(unit_id__in=[1, 2]) & ~(Q(status="returned") | Q(tier__gt=1))
    rewritten = prefixed(condition, "assignment__")
    assert str(rewritten) == str(
        Q(assignment__unit_id__in=[1, 2]) & ~(Q(assignment__status="returned") | Q(assignment__tier__gt=1))
    )
