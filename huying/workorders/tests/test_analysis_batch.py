"""Embedded, orders taken in one transaction are analysed by one task when it commits
(huying/workorders/analysis.py ``_after_commit``): the demo loader's chunks of ten orders pay
the task's overhead once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from huying.workorders import actions, analysis
from huying.workorders.choices import Channel
from huying.workorders.models import OrderAnalysis, WorkOrder
from huying.workorders.tests.conftest import order_data


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The id lists handed to the task, which still runs (the real ``_send``)."""
    calls: list[list[int]] = []
    real = analysis._send

    def recording(ids: list[int]) -> None:
        calls.append(list(ids))
        real(ids)

    monkeypatch.setattr(analysis, "_send", recording)
    return calls


def _take(dispatcher: Any, external_id: str) -> WorkOrder:
    return actions.do_intake(dispatcher, order_data(external_id=external_id), Channel.HOTLINE).order


def test_orders_taken_in_one_transaction_are_analysed_by_one_task_in_order(
    tree: Any, dispatcher: Any, sent: list[list[int]], django_capture_on_commit_callbacks: Any
) -> None:
    assert analysis.analyses_in_request()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        orders = [_take(dispatcher, f"T{i}") for i in range(3)]
    assert sent == [[o.pk for o in orders]]
    assert len([c for c in callbacks if isinstance(c, analysis._Batch)]) == 1
    assert set(OrderAnalysis.objects.values_list("order_id", flat=True)) == {o.pk for o in orders}


def test_an_order_rolled_back_with_its_savepoint_is_skipped_and_the_rest_analysed(
    tree: Any, dispatcher: Any, sent: list[list[int]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept = _take(dispatcher, "kept")
        with pytest.raises(RuntimeError), transaction.atomic():
            gone = _take(dispatcher, "gone")
            raise RuntimeError("the caller gives up")
    assert not WorkOrder.objects.filter(external_id="gone").exists()
    assert sent == [[kept.pk, gone.pk]]
    assert list(OrderAnalysis.objects.values_list("order_id", flat=True)) == [kept.pk]


def test_a_batch_dropped_with_its_savepoint_is_started_again(
    tree: Any, dispatcher: Any, sent: list[list[int]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            _take(dispatcher, "gone")
            raise RuntimeError("the caller gives up")
        kept = _take(dispatcher, "kept")
    assert sent == [[kept.pk]]
    assert list(OrderAnalysis.objects.values_list("order_id", flat=True)) == [kept.pk]
