"""Two deadline sweeps at once (PostgreSQL): each warning, event and notification once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from huying.handling.choices import EventKind
from huying.handling.models import Assignment, CaseEvent, Notification, Warning
from huying.handling.sweep import SweepResult, sweep
from huying.handling.tests.conftest import T0, at
from huying.organisations.tests.factories import OrganisationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent inserts: PostgreSQL"),
]


def test_two_sweeps_at_once_send_nothing_twice(make_assignment):
    for _ in range(40):
        make_assignment(case_obj=OrganisationFactory(), now=T0)
    now = at(2026, 3, 4, 9, 30)  # accept red 2 on each: two warnings and supervision level 1
    start = threading.Barrier(2)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(sweep(now, batch_size=7, full=True))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(r.warnings for r in results) == 40 == Warning.objects.count()
    assert sum(r.escalated for r in results) == 40
    assert CaseEvent.objects.filter(kind=EventKind.WARNING).count() == 40
    assert CaseEvent.objects.filter(kind=EventKind.SUPERVISION_ESCALATED).count() == 40
    # Red warnings and the raised supervision go to the unit and to the office: 2 + 2 each.
    assert Notification.objects.filter(kind__in=("warning", "supervision")).count() == 40 * 4
    assert set(Assignment.objects.values_list("supervision_level", flat=True)) == {1}
