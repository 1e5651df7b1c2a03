"""The set-based sweep against a row-by-row reference (issue 13 point 4).

The reference below is the sweep as it was first written: every open assignment read as a
model instance, each running stage's warning decided, named and worded one at a time
(``Policy.case_label``, the translated templates, the local time), the supervision level
raised from the highest red repeat. A fortnight of runs over assignments that are signed
for, answered, resolved, reopened and given more time must leave exactly the same
warnings, events, notifications (texts included) and supervision levels in the database as
the reference computes — on SQLite (the portable path) and on PostgreSQL (one statement
per batch builds everything, texts included).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone, translation

from huying.handling import conf
from huying.handling.choices import OPEN_STATUSES, EventKind, NotificationKind, Stage, WarningLevel
from huying.handling.models import Assignment, CaseEvent, Notification, Warning
from huying.handling.policy import Policy, policy_for, register
from huying.handling.supervision import running_stages, stage_level
from huying.handling.sweep import RED_TEXT, SUPERVISION_TEXT, YELLOW_TEXT, sweep
from huying.handling.tests.conftest import LIMITS, T0, WORKFLOW
from huying.handling.transitions import (
    do_accept,
    do_decide_extension,
    do_reopen,
    do_request_extension,
    do_resolve,
    do_respond,
)
from huying.organisations.models import Organisation
from huying.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sweep_state() -> None:
    from huying.handling.models import SweepState
    from huying.handling.sweep import STATE

    SweepState.objects.get_or_create(name=STATE)


# Case names that a careless text builder would get wrong: a placeholder and a percent sign
# inside the name, quotes, and one long enough for the 300-character cut.
NAMES = ["沙面大街 1 号", "100% 满意 %(stage)s %s", "“引号”与 'quote'", "很长的案件名称" * 12, "恩宁路"]


def _describe_cases(case_ids: Any) -> dict[int, str]:
    names = dict(Organisation.objects.filter(pk__in=list(case_ids)).values_list("pk", "name"))
    # The long name's label is repeated past the 300 characters a notification holds.
    return {pk: f"案件 {names[pk]}" * (5 if names[pk].startswith("很长") else 1) for pk in case_ids if pk in names}


def _describe(assignment: Assignment) -> str:
    return _describe_cases([assignment.case_id]).get(assignment.case_id, "")


class Reference:
    """The row-by-row sweep: what was sent (in memory) and what it writes, as tuples."""

    def __init__(self) -> None:
        self.sent: set[tuple[int, str, str, datetime, int]] = set()
        self.levels: dict[int, int] = {}
        self.events: Counter[tuple[int, str, str]] = Counter()
        self.notes: Counter[tuple[int, str, int, int, str]] = Counter()

    def run(self, now: datetime) -> None:
        interval = conf.red_interval_hours()
        per_level = conf.reds_per_supervision_level()
        with translation.override(settings.LANGUAGE_CODE):
            for a in Assignment.objects.filter(status__in=OPEN_STATUSES).order_by("pk"):
                label = policy_for(a.workflow).case_label(a)
                new_red = False
                for stage, due, warn in running_stages(a):
                    level = stage_level(now, due, warn)
                    if level == WarningLevel.OK:
                        continue
                    repeat = 1
                    if level == WarningLevel.RED:
                        repeat = math.floor((now - due).total_seconds() / (interval * 3600)) + 1
                    key = (a.pk, str(level), str(stage), due, repeat)
                    if key in self.sent:
                        continue
                    self.sent.add(key)
                    data = {"level": str(level), "stage": str(stage), "deadline": due.isoformat(), "repeat": repeat}
                    self.events[(a.pk, EventKind.WARNING, json.dumps(data, sort_keys=True))] += 1
                    template = YELLOW_TEXT if level == WarningLevel.YELLOW else RED_TEXT
                    text = str(template) % {
                        "case": label,
                        "stage": str(Stage(stage).label),
                        "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
                        "repeat": repeat,
                    }
                    units = [a.unit_id] if level == WarningLevel.YELLOW else [a.unit_id, a.owner_id]
                    for unit in dict.fromkeys(units):
                        self.notes[(unit, NotificationKind.WARNING, a.case_id, a.pk, text[:300])] += 1
                    new_red = new_red or level == WarningLevel.RED
                if not new_red:
                    continue
                top = max(r for pk, level, _s, _d, r in self.sent if pk == a.pk and level == WarningLevel.RED)
                before = self.levels.get(a.pk, 0)
                target = min(2, top // per_level)
                if target <= before:
                    continue
                self.levels[a.pk] = target
                data = {"from": before, "to": target}
                self.events[(a.pk, EventKind.SUPERVISION_ESCALATED, json.dumps(data, sort_keys=True))] += 1
                text = str(SUPERVISION_TEXT) % {"case": label, "level": target}
                for unit in dict.fromkeys([a.unit_id, a.owner_id]):
                    self.notes[(unit, NotificationKind.SUPERVISION, a.case_id, a.pk, text[:300])] += 1


def _stored() -> tuple[set[Any], Counter[Any], Counter[Any], dict[int, int]]:
    warnings = {
        (pk, level, stage, deadline, repeat)
        for pk, level, stage, deadline, repeat in Warning.objects.values_list(
            "assignment_id", "level", "stage", "deadline", "repeat"
        )
    }
    events = Counter(
        (pk, kind, json.dumps(data, sort_keys=True))
        for pk, kind, data in CaseEvent.objects.filter(
            kind__in=(EventKind.WARNING, EventKind.SUPERVISION_ESCALATED)
        ).values_list("assignment_id", "kind", "data")
    )
    notes = Counter(
        Notification.objects.filter(kind__in=(NotificationKind.WARNING, NotificationKind.SUPERVISION)).values_list(
            "recipient_unit_id", "kind", "case_id", "assignment_id", "text"
        )
    )
    levels = {pk: level for pk, level in Assignment.objects.values_list("pk", "supervision_level") if level}
    return warnings, events, notes, levels


def _check(reference: Reference, now: datetime) -> None:
    warnings, events, notes, levels = _stored()
    assert warnings == reference.sent, now
    assert events == reference.events, now
    assert notes == reference.notes, now
    assert levels == reference.levels, now


def test_same_results_as_the_row_by_row_reference(tree, people, frozen):
    register(Policy(workflow=WORKFLOW, label="测试案件", describe=_describe, describe_cases=_describe_cases))
    units = [tree.street, tree.street, tree.department, tree.community, tree.command_centre]
    made: list[Assignment] = []
    for i in range(15):
        start = T0 + timedelta(hours=7 * i, minutes=13 * i)
        frozen.move_to(start)
        case = OrganisationFactory(name=NAMES[i % len(NAMES)] + f" {i}")
        # One in five goes to the office itself: its red warnings notify it once, not twice.
        made.append(do_assign_for_test(people, tree, case, units[i % len(units)], start))
    # What the units do, and when (between sweeps): late and early signing for, answers,
    # results, a reopening and an extension that moves a deadline the sweep already warned of.
    steps: dict[datetime, list[Any]] = {
        T0 + timedelta(hours=30): [lambda: do_accept(people.street_handler, made[0])],
        T0 + timedelta(days=2): [
            lambda: do_accept(people.street_handler, made[5]),
            lambda: do_respond(people.street_handler, made[0]),
        ],
        T0 + timedelta(days=3, hours=2): [
            lambda: do_resolve(people.street_handler, made[0], result="已办结"),
            lambda: do_accept(people.community_handler, made[3]),
        ],
        T0 + timedelta(days=4): [
            lambda: do_reopen(people.dispatcher, made[0], reason="群众不满意"),
            lambda: _extend(people, made[5], T0 + timedelta(days=12)),
        ],
        T0 + timedelta(days=6): [lambda: do_accept(people.department_staff, made[2])],
    }
    reference = Reference()
    # Every 5 hours for a fortnight, a gap of a day and a half (the sweep was down), a
    # second run right after one, and a full pass.
    moments = [T0 + timedelta(hours=5 * k) for k in range(0, 68) if not 30 <= k < 37]
    moments.insert(20, moments[19] + timedelta(minutes=1))
    for k, now in enumerate(moments):
        for when in sorted(steps):
            if when <= now:
                frozen.move_to(when)
                for step in steps.pop(when):
                    step()
        frozen.move_to(now)
        sent_before = len(reference.sent)
        result = sweep(now, batch_size=4, full=k == 40)
        reference.run(now)
        _check(reference, now)
        assert result.warnings == len(reference.sent) - sent_before == result.yellow + result.red, now
    assert not steps
    assert reference.levels and len(set(reference.levels.values())) == 2  # both levels reached


def _extend(people: Any, assignment: Assignment, until: datetime) -> None:
    request = do_request_extension(people.street_handler, assignment, until=until, reason="需协调")
    do_decide_extension(people.dispatcher, request, approve=True)


def do_assign_for_test(people: Any, tree: Any, case: Organisation, unit: Organisation, now: datetime) -> Assignment:
    from huying.handling.transitions import do_assign

    return do_assign(
        people.dispatcher,
        case,
        workflow=WORKFLOW,
        unit=unit,
        owner=tree.command_centre,
        limits=LIMITS,
        reason="派单",
        now=now,
    )


def test_a_second_run_right_after_the_first_inserts_nothing(tree, people, frozen):
    """The first run of a platform that never swept writes every warning due at once; the
    next one, a second later and with the mark just set, inserts nothing at all."""
    for i in range(9):
        frozen.move_to(T0 + timedelta(hours=9 * i))
        do_assign_for_test(people, tree, OrganisationFactory(), tree.street, T0 + timedelta(hours=9 * i))
    now = T0 + timedelta(days=6)  # accept red 3–5 on every one, resolve yellow on the first
    frozen.move_to(now)
    first = sweep(now, batch_size=4)
    assert (first.red, first.escalated) == (9, 9) and first.yellow > 0
    stored = _stored()
    again = sweep(now + timedelta(seconds=1), batch_size=4)
    assert (again.warnings, again.yellow, again.red, again.escalated) == (0, 0, 0, 0)
    assert _stored() == stored
