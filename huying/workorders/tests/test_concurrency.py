"""Concurrent intakes: numbers never repeat and a raced duplicate push creates one order.

Runs on both engines (transactional tests: the threads need committed data). On PostgreSQL
(DATABASE_URL=postgres://postgres@127.0.0.1:5432/test) the counter row lock and the partial
unique constraint are what is tested; SQLite serialises writers by itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, close_old_connections, connection

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import WorkOrder
from huying.workorders.tests.conftest import order_data

THREADS = 6
ATTEMPTS = 60
# The seeded categories survive the flush after each test: huying.core.seeding re-seeds them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def centre() -> Any:
    gov = OrganisationFactory(name="荔湾区人民政府", kind="government", level="county", division_code="440103")
    cc = OrganisationFactory(name="荔湾区指挥中心", kind="command_centre", level="county", parent=gov)
    OrganisationFactory(name="沙面街道", kind="street", level="street", parent=gov)
    return UserFactory(username="diaodu", real_name="李敏", roles=[(Role.DISPATCHER, cc)])


def run_together(work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def worker(i: int) -> None:
        try:
            barrier.wait()
            for attempt in range(ATTEMPTS):
                try:
                    results[i] = work(i)
                    break
                except OperationalError:
                    # SQLite's in-memory test database locks whole tables and does not wait
                    # (no busy timeout for shared-cache locks): back off and retry.
                    if connection.vendor != "sqlite" or attempt == ATTEMPTS - 1:
                        raise
                    time.sleep(min(0.01 * (attempt + 1), 0.2))
        except Exception as error:  # reported by the assertion below
            results[i] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _data(i: int, external_id: str) -> dict[str, Any]:
    return order_data(external_id=external_id, community="", street="沙面街道")


def test_concurrent_intakes_never_share_a_number(centre: Any) -> None:
    results = run_together(lambda i: actions.do_intake(centre, _data(i, f"P{i}"), Channel.HOTLINE))
    assert all(isinstance(r, actions.IntakeResult) for r in results), results
    numbers = sorted(r.order.number for r in results)
    assert len(set(numbers)) == THREADS
    assert [int(n[-6:]) for n in numbers] == list(range(1, THREADS + 1))  # no gaps


def test_concurrent_duplicate_pushes_create_one_order(centre: Any) -> None:
    results = run_together(lambda i: actions.do_intake(centre, _data(i, "SAME-1"), Channel.HOTLINE))
    assert all(isinstance(r, actions.IntakeResult) for r in results), results
    assert sum(r.created for r in results) == 1
    assert {r.order.pk for r in results} == {WorkOrder.objects.get().pk}
    # the losers gave their numbers back: the next order gets number 2
    nxt = actions.do_intake(centre, _data(0, "SAME-2"), Channel.HOTLINE).order
    assert nxt.number.endswith("-000002")


def test_concurrent_batches_and_single_pushes_share_no_number(centre: Any) -> None:
    """Half the threads push batches of three (one repeated across batches), half single
    orders: every order once, numbers unique and consecutive (blocks reserved in one statement)."""

    def work(i: int) -> Any:
        if i % 2:
            return actions.do_intake(centre, _data(i, f"S{i}"), Channel.HOTLINE)
        items = [_data(i, f"B{i}-{n}") for n in range(3)] + [_data(i, "SHARED")]
        return actions.do_intake_batch(centre, items, Channel.HOTLINE)

    results = run_together(work)
    assert not [r for r in results if isinstance(r, Exception)], results
    orders = list(WorkOrder.objects.all())
    singles, batches = THREADS // 2, THREADS - THREADS // 2
    assert len(orders) == singles + batches * 3 + 1  # SHARED created once
    assert sorted(int(o.number[-6:]) for o in orders) == list(range(1, len(orders) + 1))
    shared = WorkOrder.objects.get(external_id="SHARED")
    for batch in (r for r in results if isinstance(r, list)):
        assert batch[-1].order == shared
        assert all(item.order is not None and not item.errors for item in batch)
