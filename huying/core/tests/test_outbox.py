"""The outbox (huying/core/outbox.py): a task written with its action runs exactly once
after commit, also when the hand-over to the broker fails, the message is delivered twice
or the handler fails once; the re-queue hands over only what is late."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from huying.core import outbox
from huying.core.models import Counter, OutboxTask
from huying.core.tasks import run_outbox

pytestmark = pytest.mark.django_db

calls: list[dict[str, Any]] = []
failures: list[str] = []


@outbox.handler("test.record")
def record(payload: dict[str, Any]) -> None:
    if failures:
        raise RuntimeError(failures.pop())
    calls.append(payload)
    Counter.objects.create(scope=f"outbox-test-{payload['n']}")  # the task's database write (unique)


@pytest.fixture(autouse=True)
def _clean() -> Any:
    calls.clear()
    failures.clear()
    yield
    calls.clear()
    failures.clear()


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every hand-over fails as with Redis down; returns the ids that were tried."""
    tried: list[int] = []

    def refuse(args: tuple[int], **kwargs: Any) -> None:
        tried.append(args[0])
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(run_outbox, "apply_async", refuse)
    return tried


def side_effects() -> int:
    return Counter.objects.filter(scope__startswith="outbox-test-").count()


def test_a_committed_task_runs_once_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = outbox.enqueue("test.record", {"n": 1})
        assert calls == []  # nothing before commit
    row.refresh_from_db()
    assert calls == [{"n": 1}] and row.done_at is not None and row.runs == 1
    # A second delivery of the same message (acks late, a re-queue while it ran) does nothing.
    assert outbox.run(row.pk) == "already"
    row.refresh_from_db()
    assert calls == [{"n": 1}] and row.runs == 1 and side_effects() == 1


def test_a_rolled_back_action_leaves_no_task(django_capture_on_commit_callbacks: Any) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        outbox.enqueue("test.record", {"n": 1})
        1 / 0  # noqa: B018
    assert callbacks == [] and calls == [] and not OutboxTask.objects.filter(name="test.record").exists()


def test_an_unknown_task_name_is_refused() -> None:
    with pytest.raises(ValueError, match="no outbox handler"):
        outbox.enqueue("test.nothing")
    assert not OutboxTask.objects.exists()


def test_a_failed_hand_over_is_handed_over_again_by_the_requeue(
    django_capture_on_commit_callbacks: Any, broker_down: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = outbox.enqueue("test.record", {"n": 2})
    assert broker_down == [row.pk] and calls == []  # the action committed; the send failed quietly
    now = timezone.now()
    assert outbox.requeue(now=now)["requeued"] == 0  # not late yet
    monkeypatch.undo()  # the broker is back
    late = now + timedelta(seconds=121)
    assert outbox.requeue(now=late) == {"requeued": 1, "sent": 1, "given_up": 0, "deleted": 0}
    row.refresh_from_db()
    assert calls == [{"n": 2}] and row.runs == 1 and row.requeues == 1 and row.requeued_at == late
    assert outbox.requeue(now=late + timedelta(hours=1))["requeued"] == 0  # done rows stay done


def test_a_failing_handler_keeps_its_error_and_runs_on_the_next_requeue(broker_down: list[int]) -> None:
    row = outbox.enqueue("test.record", {"n": 3})
    failures.append("the SMS gateway timed out")
    assert outbox.run(row.pk) == "failed"
    row.refresh_from_db()
    assert row.done_at is None and row.runs == 0 and "SMS gateway" in row.last_error and side_effects() == 0
    assert outbox.run(row.pk) == "done"
    row.refresh_from_db()
    assert row.runs == 1 and row.last_error == "" and calls == [{"n": 3}] and side_effects() == 1


def test_requeue_gives_up_after_the_limit_and_deletes_old_done_rows(settings: Any, broker_down: list[int]) -> None:
    settings.OUTBOX_MAX_REQUEUES = 2
    stuck = outbox.enqueue("test.record", {"n": 4})
    old = OutboxTask.objects.create(name="test.record", done_at=timezone.now() - timedelta(days=8), runs=1)
    now = timezone.now()
    results = [outbox.requeue(now=now + timedelta(minutes=3 * k)) for k in range(1, 4)]
    assert [r["requeued"] for r in results] == [1, 1, 0]
    assert results[-1]["given_up"] == 1
    assert broker_down.count(stuck.pk) == 2  # two re-queues (the test transaction never commits)
    assert not OutboxTask.objects.filter(pk=old.pk).exists()


def test_beat_runs_the_requeue(settings: Any) -> None:
    assert settings.CELERY_BEAT_SCHEDULE["outbox-requeue"]["task"] == "huying.core.tasks.requeue_outbox"
