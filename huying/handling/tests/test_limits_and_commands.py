from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from huying.handling.actions import do_save_time_limit_rule
from huying.handling.choices import LimitUnit
from huying.handling.limits import Limit, limits_for, matching_rule
from huying.handling.models import CalendarDay, TimeLimitRule
from huying.handling.tests.conftest import T0, WORKFLOW, at
from huying.handling.transitions import NotAllowed, do_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(admin):
    def rule(name, resolve, unit=LimitUnit.WORKING_DAYS, **match):
        return do_save_time_limit_rule(
            admin, workflow=WORKFLOW, name=name, resolve_amount=resolve, resolve_unit=unit, **match
        )

    return {
        "default": rule("默认", 5, accept_amount=1, accept_unit=LimitUnit.WORKING_DAYS),
        "consult": rule("咨询", 3, nature="consultation"),
        "complaint": rule("投诉", 13, nature="complaint"),
        "city": rule("市容环境", 7, category_prefix="01"),
        "stalls": rule("乱摆卖", 2, category_prefix="010101"),
        "stalls_complaint": rule("乱摆卖投诉", 1, nature="complaint", category_prefix="010101"),
        "urgent": rule("紧急", 24, LimitUnit.HOURS, urgency="urgent"),
        "urgent_city": rule("紧急市容", 4, LimitUnit.HOURS, urgency="urgent", category_prefix="01"),
    }


@pytest.mark.parametrize(
    ("nature", "urgency", "category", "expected"),
    [
        (None, None, None, "default"),
        ("consultation", None, None, "consult"),
        ("consultation", None, "0201", "consult"),
        ("complaint", None, "0201", "complaint"),
        (None, None, "0102", "city"),
        ("consultation", None, "0102", "city"),  # the category beats the nature
        ("consultation", None, "010101", "stalls"),
        ("complaint", None, "010101", "stalls_complaint"),  # most specific
        ("complaint", "urgent", "010101", "urgent_city"),  # urgency beats category and nature
        ("complaint", "urgent", "0201", "urgent"),
        (None, "normal", "99", "default"),
    ],
)
def test_precedence(rules, nature, urgency, category, expected):
    assert matching_rule(WORKFLOW, nature, urgency, category) == rules[expected]


def test_limits_and_deadlines_from_rules(rules, case, tree, people):
    limits = limits_for(WORKFLOW, "complaint", "urgent", "010101")
    assert limits.resolve == Limit(4, LimitUnit.HOURS) and limits.accept is None
    a = do_assign(
        people.dispatcher,
        case,
        workflow=WORKFLOW,
        unit=tree.street,
        owner=tree.command_centre,
        nature="consultation",
        category_code="0201",
        now=T0,
    )
    assert a.rule == rules["consult"]
    assert a.resolve_due == at(2026, 3, 5, 9)
    assert a.accept_due is None


def test_inactive_rules_and_unknown_workflows(rules):
    rules["consult"].is_active = False
    rules["consult"].save()
    assert matching_rule(WORKFLOW, "consultation") == rules["default"]
    assert limits_for("nobody").rule_id is None


def test_seeded_defaults():
    assert limits_for("workorder").resolve == Limit(5, LimitUnit.WORKING_DAYS)
    assert limits_for("proposal").resolve == Limit(3, LimitUnit.MONTHS)
    assert limits_for("proposal").objection == Limit(5, LimitUnit.WORKING_DAYS)


def test_rule_validation_and_rights(admin, people):
    with pytest.raises(NotAllowed):
        do_save_time_limit_rule(people.dispatcher, workflow=WORKFLOW, resolve_amount=5)
    with pytest.raises(ValidationError) as exc:
        do_save_time_limit_rule(admin, workflow=WORKFLOW, resolve_amount=5, resolve_unit="fortnights")
    assert "resolve_unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        do_save_time_limit_rule(admin, workflow=WORKFLOW, resolve_amount=0)
    assert "resolve_amount" in exc.value.message_dict
    do_save_time_limit_rule(admin, workflow=WORKFLOW, resolve_amount=5)
    with pytest.raises(ValidationError):
        do_save_time_limit_rule(admin, workflow=WORKFLOW, resolve_amount=6)  # same match fields
    assert TimeLimitRule.objects.filter(workflow=WORKFLOW).count() == 1


def test_calendar_command():
    out = StringIO()
    call_command("handling_calendar", "set", "2027-02-05", "2027-02-11", "holiday", "--name", "春节", stdout=out)
    call_command("handling_calendar", "set", "2027-02-14", "workday", "--name", "春节调休", stdout=out)
    assert CalendarDay.objects.filter(date__year=2027).count() == 8
    out = StringIO()
    call_command("handling_calendar", "show", "2027", stdout=out)
    assert "2027-02-14 Sun workday" in out.getvalue()
    call_command("handling_calendar", "remove", "2027-02-14", stdout=out)
    assert not CalendarDay.objects.filter(date=date(2027, 2, 14)).exists()
    with pytest.raises(CommandError):
        call_command("handling_calendar", "set", "2027-13-01", "holiday")
    with pytest.raises(CommandError):
        call_command("handling_calendar", "set", "2027-02-01", "vacation")
    with pytest.raises(CommandError):
        call_command("handling_calendar", "remove", "2027-02-14")


def test_sweep_command_rejects_bad_options():
    with pytest.raises(CommandError):
        call_command("handling_sweep", "--batch-size", "0")
    with pytest.raises(CommandError):
        call_command("handling_sweep", "--loop", "-1")
