"""Notification delivery is an outbox task (huying/core/outbox.py): written with the step
that notifies, run once after commit, never twice when its message arrives again."""

from __future__ import annotations

from typing import Any

import pytest

from huying.core import outbox
from huying.core.models import OutboxTask
from huying.handling import notify
from huying.handling.transitions import do_accept

pytestmark = pytest.mark.django_db


def test_without_a_delivery_hook_nothing_is_queued(make_assignment: Any, people: Any) -> None:
    do_accept(people.street_handler, make_assignment())
    assert not OutboxTask.objects.exists()


def test_notification_delivery_is_an_outbox_task(
    make_assignment: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:

    delivered: list[int] = []
    notify.delivery_hooks.append(lambda n: delivered.append(n.pk))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            do_accept(people.street_handler, make_assignment())
        tasks = list(OutboxTask.objects.filter(name=notify.DELIVER))
        assert tasks and all(t.runs == 1 for t in tasks)
        assert len(delivered) == len(set(delivered)) > 0
        for task in tasks:  # delivered again (the re-queue while it ran): no second delivery
            assert outbox.run(task.pk) == "already"
        assert len(delivered) == len(set(delivered))
    finally:
        notify.delivery_hooks.pop()
