"""Derived deadline state, the overdue / due-soon querysets and the idempotent, batched sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huying.handling.choices import EventKind, Stage, WarningLevel
from huying.handling.models import Assignment, CaseEvent, Notification, Warning
from huying.handling.supervision import deadline_state, do_urge, warn_at
from huying.handling.sweep import sweep
from huying.handling.tests.conftest import T0, at
from huying.handling.transitions import do_accept, do_resolve
from huying.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sweep_state() -> None:
    # Made by migration 0006; a transactional test elsewhere may have flushed it.
    from huying.handling.models import SweepState
    from huying.handling.sweep import STATE

    SweepState.objects.get_or_create(name=STATE)


# With the test limits, an assignment made at T0 (Mon 2 March 09:00) must be accepted by
# Tue 3 March 09:00 (yellow from 04:12: the last 20 % of 24 h) and resolved by Mon 9 March
# 09:00 (yellow from Sat 7 March 23:24: the last 20 % of 168 h).


def test_deadline_state_is_derived(make_assignment, frozen):
    a = make_assignment()
    assert a.accept_warn_at == at(2026, 3, 3, 4, 12)
    assert a.resolve_warn_at == at(2026, 3, 7, 23, 24)
    assert deadline_state(a, at(2026, 3, 2, 12)).level == WarningLevel.OK
    state = deadline_state(a, at(2026, 3, 3, 5))
    assert (state.level, state.stage, state.due) == (WarningLevel.YELLOW, Stage.ACCEPT, at(2026, 3, 3, 9))
    state = deadline_state(a, at(2026, 3, 3, 9, 1))
    assert (state.level, state.stage) == (WarningLevel.RED, Stage.ACCEPT)
    assert state.is_overdue


def test_accepting_ends_the_accept_stage(make_assignment, people, frozen):
    a = make_assignment()
    frozen.move_to(at(2026, 3, 3, 10))
    do_accept(people.street_handler, a)  # late: counted in metrics, but the stage is over
    # The respond stage (due with accept) is now running and overdue.
    state = deadline_state(a, at(2026, 3, 3, 10))
    assert (state.level, state.stage) == (WarningLevel.RED, Stage.RESPOND)
    do_resolve(people.street_handler, a, result="已办结")
    assert deadline_state(a, at(2026, 3, 30)).level == WarningLevel.OK


def test_querysets_match_the_derived_state(make_assignment, people, tree, frozen):
    on_time = make_assignment()
    later = make_assignment(tree.department, role="co", now=T0 + timedelta(days=1))
    for moment, overdue, due_soon in [
        (at(2026, 3, 2, 12), set(), set()),
        (at(2026, 3, 3, 5), set(), {on_time.pk}),
        (at(2026, 3, 3, 9, 30), {on_time.pk}, set()),
        (at(2026, 3, 4, 5), {on_time.pk}, {later.pk}),
        (at(2026, 3, 4, 9, 30), {on_time.pk, later.pk}, set()),
    ]:
        assert set(Assignment.objects.overdue(moment).values_list("pk", flat=True)) == overdue, moment
        assert set(Assignment.objects.due_soon(moment).values_list("pk", flat=True)) == due_soon, moment
        for a in (on_time, later):
            level = deadline_state(a, moment).level
            assert (level == WarningLevel.RED) == (a.pk in overdue)
            assert (level == WarningLevel.YELLOW) == (a.pk in due_soon)


def test_warn_window_settings(settings):
    start, due = at(2026, 3, 2, 9), at(2026, 3, 12, 9)
    assert warn_at(start, due) == at(2026, 3, 10, 9)
    settings.HANDLING_WARNING_HOURS = 4
    assert warn_at(start, due) == at(2026, 3, 12, 5)
    settings.HANDLING_WARNING_HOURS = 1000
    assert warn_at(start, due) == start
    assert warn_at(start, None) is None


def test_sweep_is_idempotent(make_assignment, tree):
    a = make_assignment(now=T0)
    assert sweep(at(2026, 3, 2, 12)).warnings == 0
    first = sweep(at(2026, 3, 3, 5))
    assert (first.yellow, first.red) == (1, 0)
    again = sweep(at(2026, 3, 3, 5, 30))
    assert again.warnings == 0
    assert Warning.objects.count() == 1
    assert Notification.objects.filter(kind="warning").count() == 1
    late = sweep(at(2026, 3, 3, 9, 30))
    assert (late.yellow, late.red) == (0, 1)
    assert sweep(at(2026, 3, 3, 10)).warnings == 0
    red = Warning.objects.get(level="red")
    assert (red.stage, red.deadline, red.repeat) == (Stage.ACCEPT, at(2026, 3, 3, 9), 1)
    # Red warnings go to the unit and to the supervising office.
    assert set(
        Notification.objects.filter(kind="warning", text__contains="Red").values_list("recipient_unit", flat=True)
    ) | set(
        Notification.objects.filter(kind="warning", text__contains="红").values_list("recipient_unit", flat=True)
    ) == {tree.street.pk, tree.command_centre.pk}
    assert CaseEvent.objects.filter(assignment=a, kind=EventKind.WARNING).count() == 2


def test_repeated_red_escalates_supervision(make_assignment):
    a = make_assignment(now=T0)
    sweep(at(2026, 3, 3, 9, 30))  # red 1 on accept
    a.refresh_from_db()
    assert a.supervision_level == 0
    sweep(at(2026, 3, 4, 9, 30))  # 24.5 h overdue: red 2 → level 1
    a.refresh_from_db()
    assert a.supervision_level == 1
    assert CaseEvent.objects.filter(assignment=a, kind=EventKind.SUPERVISION_ESCALATED).count() == 1
    sweep(at(2026, 3, 4, 10))
    assert CaseEvent.objects.filter(assignment=a, kind=EventKind.SUPERVISION_ESCALATED).count() == 1
    sweep(at(2026, 3, 6, 9, 30))  # red 4 → level 2 (the cap)
    a.refresh_from_db()
    assert a.supervision_level == 2
    sweep(at(2026, 3, 20, 9, 30))
    a.refresh_from_db()
    assert a.supervision_level == 2
    assert CaseEvent.objects.filter(assignment=a, kind=EventKind.SUPERVISION_ESCALATED).count() == 2


def test_closed_assignments_are_left_alone(make_assignment, people):
    a = make_assignment(now=T0)
    do_accept(people.street_handler, a, now=T0 + timedelta(hours=1))
    do_resolve(people.street_handler, a, result="已办结", now=T0 + timedelta(hours=2))
    assert sweep(at(2026, 4, 1)).scanned == 0


def _overdue(make_assignment, n: int) -> None:
    for _ in range(n):
        make_assignment(case_obj=OrganisationFactory(), now=T0)


def _queries(now, batch_size=500) -> int:
    with CaptureQueriesContext(connection) as ctx:
        sweep(now, batch_size=batch_size)
    return len(ctx.captured_queries)


def test_sweep_query_count_does_not_grow_with_n(make_assignment):
    _overdue(make_assignment, 2)
    small = _queries(at(2026, 3, 4, 9, 30))
    Warning.objects.all().delete()
    Assignment.objects.update(supervision_level=0)
    _overdue(make_assignment, 8)
    large = _queries(at(2026, 3, 4, 9, 30))
    assert large == small
    assert Warning.objects.filter(level="red").count() == 10


def test_sweep_walks_every_batch(make_assignment):
    _overdue(make_assignment, 7)
    result = sweep(at(2026, 3, 3, 9, 30), batch_size=3)
    assert (result.batches, result.scanned, result.red) == (3, 7, 7)
    assert sweep(at(2026, 3, 3, 9, 30), batch_size=3).warnings == 0


def test_sweep_command_and_task(make_assignment, frozen):
    from io import StringIO

    from huying.handling.tasks import sweep as sweep_task

    make_assignment()
    frozen.move_to(at(2026, 3, 3, 9, 30))
    out = StringIO()
    call_command("handling_sweep", stdout=out)
    assert "1 red" in out.getvalue()
    assert sweep_task.name == "huying.handling.tasks.sweep"
    # Nothing crossed a threshold or changed since the command's run: the task reads nothing.
    assert sweep_task() == {"batches": 0, "scanned": 0, "warnings": 0, "yellow": 0, "red": 0, "escalated": 0}
    out = StringIO()
    call_command("handling_sweep", "--full", stdout=out)
    assert "swept 1 assignments in 1 batches: 0 yellow, 0 red" in out.getvalue()


def test_urge_notice(make_assignment, people, tree, frozen):
    a = make_assignment()
    do_urge(people.dispatcher, a, "请今日内签收")
    event = CaseEvent.objects.get(assignment=a, kind=EventKind.URGED)
    assert event.note == "请今日内签收" and event.actor == people.dispatcher
    assert Notification.objects.filter(recipient_unit=tree.street, kind="urge").count() == 1


# --- set-based, incremental sweep (issue 13 point 4) ------------------------------------------


def _written() -> tuple[int, int, int]:
    from huying.audit.models import AuditEntry

    return (
        Warning.objects.count(),
        CaseEvent.objects.filter(kind__in=(EventKind.WARNING, EventKind.SUPERVISION_ESCALATED)).count(),
        Notification.objects.count() + AuditEntry.objects.filter(action="handling.sweep").count(),
    )


def test_second_run_writes_nothing(make_assignment):
    _overdue(make_assignment, 3)
    first = sweep(at(2026, 3, 4, 9, 30))
    assert (first.red, first.escalated) == (3, 3)  # accept red 2 (resolve not yet due)
    written = _written()
    for now in (at(2026, 3, 4, 9, 30), at(2026, 3, 4, 9, 35)):
        again = sweep(now)
        assert (again.warnings, again.escalated) == (0, 0)
    assert sweep(at(2026, 3, 4, 9, 40), full=True).warnings == 0
    assert _written() == written


def test_a_run_reads_only_what_crossed_a_threshold_since_the_last(make_assignment, people, frozen):
    a = make_assignment()  # accept due Tue 3 March 09:00, yellow from 04:12
    b = make_assignment(case_obj=OrganisationFactory(), now=T0 + timedelta(days=1))  # a day later
    first = sweep(at(2026, 3, 3, 5))
    assert (first.scanned, first.yellow, first.red) == (1, 1, 0)
    # Nothing crossed since: nothing read.
    assert sweep(at(2026, 3, 3, 6)).scanned == 0
    # a's deadline passed: only a is read.
    late = sweep(at(2026, 3, 3, 9, 30))
    assert (late.scanned, late.red, late.yellow) == (1, 1, 0)
    # b's warning time and a's second red (one interval after its deadline): both read.
    later = sweep(at(2026, 3, 4, 9, 20))
    assert (later.scanned, later.yellow, later.red, later.escalated) == (2, 0, 2, 1)
    assert Warning.objects.get(assignment=a, level="red", repeat=2).next_at == at(2026, 3, 5, 9)
    # b signed for late: the respond stage runs already overdue; the change is picked up.
    frozen.move_to(at(2026, 3, 4, 10))
    do_accept(people.street_handler, b)
    changed = sweep(at(2026, 3, 4, 10, 5))
    assert (changed.scanned, changed.red) == (1, 1)
    assert Warning.objects.filter(assignment=b, stage=Stage.RESPOND, level="red").count() == 1
    # A full run finds nothing that the incremental runs missed.
    assert sweep(at(2026, 3, 4, 10, 5), full=True).warnings == 0


def test_a_killed_run_is_done_again_by_the_next(make_assignment, monkeypatch):
    from huying.handling import sweep as sweeping

    _overdue(make_assignment, 4)
    real = sweeping._process_batch
    calls = []

    def dies_on_the_second_batch(ids, now, result):  # type: ignore[no-untyped-def]
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("killed")
        real(ids, now, result)

    monkeypatch.setattr(sweeping, "_process_batch", dies_on_the_second_batch)
    with pytest.raises(RuntimeError):
        sweep(at(2026, 3, 3, 9, 30), batch_size=2)
    assert Warning.objects.count() == 2  # the first batch committed; the mark did not move
    monkeypatch.setattr(sweeping, "_process_batch", real)
    again = sweep(at(2026, 3, 3, 9, 40), batch_size=2)
    assert (again.scanned, again.red) == (4, 2)
    assert Notification.objects.filter(kind="warning").count() == 4 * 2  # unit and office, once each


def test_texts_name_the_cases_with_one_query_per_workflow(make_assignment, tree, django_assert_max_num_queries):
    from huying.handling.policy import Policy, register, unregister
    from huying.organisations.models import Organisation

    def describe_cases(case_ids):  # type: ignore[no-untyped-def]
        return {
            pk: f"案件 {name}" for pk, name in Organisation.objects.filter(pk__in=case_ids).values_list("pk", "name")
        }

    register(Policy(workflow="test", label="测试案件", describe_cases=describe_cases))
    try:
        _overdue(make_assignment, 12)
        # Per batch of 4: savepoint, rows, insert…returning, labels, highest reds, lock,
        # raise, events, notifications, audit, release; plus the mark, the ids and the move.
        with django_assert_max_num_queries(3 + 3 * 11):
            result = sweep(at(2026, 3, 4, 9, 30), batch_size=4)
    finally:
        unregister("test")
    assert (result.batches, result.red, result.escalated) == (3, 12, 12)
    names = dict(Organisation.objects.values_list("pk", "name"))
    texts = list(Notification.objects.filter(kind="warning").values_list("case_id", "text"))
    assert len(texts) == 24 and all(f"案件 {names[case_id]}" in text for case_id, text in texts)
