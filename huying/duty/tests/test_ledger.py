"""The points ledger against the rules table: the rule valid on each act's date, the rule
naming the qualifier before the one for any, retracted acts at 0, and a rule change that
recomputes every affected entry (and the yearly summaries) in its transaction."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from huying.audit.models import AuditEntry
from huying.duty.actions import do_delete_rule, do_save_rule
from huying.duty.acts import ActKind, record, register_kind, retract
from huying.duty.models import DutyEntry, DutySummary, PointRule
from huying.duty.points import recompute

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _kind() -> None:
    register_kind(ActKind("testing.adopted", "adopted", group="testing", qualifiers={"city": "city", "province": "p"}))


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 10))


def _act(member: Any, source: Any, day: datetime.date, qualifier: str = "") -> DutyEntry:
    return record(member, "testing.adopted", source=source, occurred_at=_at(day), qualifier=qualifier)


def _points(member: Any) -> list[int]:
    return list(DutyEntry.objects.filter(member=member).order_by("occurred_at").values_list("points", flat=True))


def test_each_act_counts_the_rule_valid_on_its_day(alice, bob, tree):
    do_save_rule(bob, kind="testing.adopted", points=3, valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31))
    do_save_rule(bob, kind="testing.adopted", points=4, valid_from=D(2025, 1, 1))
    do_save_rule(bob, kind="testing.adopted", qualifier="province", points=8, valid_from=D(2024, 1, 1))
    _act(alice, tree.province_cppcc, D(2023, 6, 1))  # before any rule: 0
    _act(alice, tree.city_cppcc, D(2024, 6, 1), "city")  # any-qualifier rule of 2024: 3
    _act(alice, tree.province_gov, D(2025, 2, 1), "city")  # 2025's: 4
    _act(alice, tree.city_gov, D(2025, 3, 1), "province")  # the qualifier's own rule: 8
    assert _points(alice) == [0, 3, 4, 8]
    assert dict(DutySummary.objects.filter(member=alice).values_list("year", "points")) == {2023: 0, 2024: 3, 2025: 12}


def test_a_rule_change_recomputes_the_ledger_deterministically(alice, erin, bob, tree):
    rule = do_save_rule(bob, kind="testing.adopted", points=5, valid_from=D(2024, 1, 1))
    _act(alice, tree.province_cppcc, D(2024, 3, 1))
    _act(alice, tree.city_cppcc, D(2025, 3, 1))
    _act(erin, tree.province_cppcc, D(2025, 4, 1))
    retract(erin, "testing.adopted", source=tree.province_cppcc)
    assert _points(alice) == [5, 5] and _points(erin) == [0]
    # From 2025 the act counts 7: end the old rule, add the new one.
    do_save_rule(bob, rule, kind="testing.adopted", points=5, valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31))
    assert _points(alice) == [5, 0]
    do_save_rule(bob, kind="testing.adopted", points=7, valid_from=D(2025, 1, 1))
    assert _points(alice) == [5, 7] and _points(erin) == [0]
    assert DutySummary.objects.get(member=alice, year=2025).points == 7
    assert sum(DutySummary.objects.filter(member=erin).values_list("points", flat=True)) == 0
    snapshot = sorted(DutyEntry.objects.values_list("pk", "points"))
    recompute()
    assert sorted(DutyEntry.objects.values_list("pk", "points")) == snapshot
    do_delete_rule(bob, rule)
    assert _points(alice) == [0, 7]
    assert DutySummary.objects.get(member=alice, year=2024).points == 0
    assert AuditEntry.objects.filter(action__startswith="duty_rule.").count() == 4


def test_restoring_a_retracted_act_counts_it_again(alice, bob, tree):
    do_save_rule(bob, kind="testing.adopted", points=6, valid_from=D(2024, 1, 1))
    _act(alice, tree.province_cppcc, D(2024, 5, 1))
    retract(alice, "testing.adopted", source=tree.province_cppcc)
    assert DutySummary.objects.get(member=alice, year=2024).points == 0
    _act(alice, tree.province_cppcc, D(2024, 5, 2))
    assert _points(alice) == [6]
    summary = DutySummary.objects.get(member=alice, year=2024)
    assert (summary.points, summary.acts) == (6, 1)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "testing.nothing"}, "kind"),
        ({"qualifier": "national"}, "qualifier"),
        ({"points": 5000}, "points"),
        ({"valid_to": D(2023, 12, 31)}, "valid_to"),
        ({"valid_from": D(2024, 6, 1), "valid_to": D(2024, 7, 1)}, "valid_from"),  # overlaps the open rule
    ],
)
def test_bad_or_overlapping_rules_are_refused(bob, fields, field):
    do_save_rule(bob, kind="testing.adopted", points=1, valid_from=D(2024, 1, 1))
    values = {"kind": "testing.adopted", "points": 2, "valid_from": D(2024, 1, 1), **fields}
    count = PointRule.objects.count()
    with pytest.raises(ValidationError) as exc:
        do_save_rule(bob, **values)
    assert field in exc.value.message_dict
    assert PointRule.objects.count() == count


def test_only_province_staff_and_admins_edit_rules(alice, charlie, dora, admin, bob, tree):
    from huying.accounts.choices import Role
    from huying.accounts.tests.factories import UserFactory

    carl = UserFactory(username="carl", real_name="蔡力", roles=[(Role.AGENCY_STAFF, tree.city_cppcc)])
    for person in (alice, charlie, dora, carl):
        with pytest.raises(PermissionDenied):
            do_save_rule(person, kind="testing.adopted", points=1, valid_from=D(2024, 1, 1))
    assert not PointRule.objects.filter(kind="testing.adopted").exists()
    rule = do_save_rule(admin, kind="testing.adopted", points=1, valid_from=D(2024, 1, 1))
    with pytest.raises(PermissionDenied):
        do_delete_rule(carl, rule)
    assert PointRule.objects.filter(pk=rule.pk).exists()


def test_the_default_rules_are_seeded():
    rules = {(r.kind, r.qualifier): r.points for r in PointRule.objects.all()}
    assert rules[("proposal.filed", "first")] == 5
    assert rules[("opinion.adopted", "national")] == 15
    assert rules[("activity.absent", "")] == -3


@pytest.mark.parametrize(
    ("old", "new", "same", "span"),
    [
        ((D(2020, 1, 1), None), (D(2020, 1, 1), D(2025, 12, 31)), True, (D(2026, 1, 1), None)),
        ((D(2020, 1, 1), D(2024, 12, 31)), (D(2022, 1, 1), D(2024, 12, 31)), True, (D(2020, 1, 1), D(2021, 12, 31))),
        ((D(2020, 1, 1), None), (D(2020, 1, 1), None), True, None),  # the note alone
        ((D(2020, 1, 1), D(2021, 1, 1)), (D(2023, 1, 1), D(2024, 1, 1)), False, (D(2020, 1, 1), D(2024, 1, 1))),
        (None, (D(2025, 1, 1), None), False, (D(2025, 1, 1), None)),
    ],
)
def test_a_rule_change_touches_only_the_days_it_can_alter(old, new, same, span):
    from huying.duty.points import affected_span

    assert affected_span(old, new, same_value=same) == span


def test_ending_a_rule_leaves_earlier_years_untouched(alice, bob, tree):
    rule = do_save_rule(bob, kind="testing.adopted", points=5, valid_from=D(2024, 1, 1))
    _act(alice, tree.province_cppcc, D(2024, 3, 1))
    _act(alice, tree.city_cppcc, D(2025, 3, 1))
    before = DutySummary.objects.get(member=alice, year=2024)
    do_save_rule(bob, rule, kind="testing.adopted", points=5, valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31))
    assert _points(alice) == [5, 0]
    assert DutySummary.objects.get(member=alice, year=2024).pk == before.pk  # not rebuilt
    assert DutySummary.objects.get(member=alice, year=2025).points == 0
