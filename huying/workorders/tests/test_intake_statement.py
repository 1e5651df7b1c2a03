"""The single push's writes sent together (huying/core/statements.py: one statement on
PostgreSQL, a short sequence in one transaction on SQLite): the same rows as the ORM path,
the same numbering and the same answer to a repeat."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from huying.audit.models import AuditEntry
from huying.core import statements
from huying.handling.models import CaseEvent
from huying.workorders import actions, summary
from huying.workorders.choices import Channel
from huying.workorders.models import OrderSummary, WorkOrder
from huying.workorders.tests.conftest import build_shared_unit_staff, order_data

build_shared_data = build_shared_unit_staff


def _writes(captured: CaptureQueriesContext) -> list[str]:
    """The statements sent, without savepoints and transaction control."""
    control = ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(control)]


def _together(sqls: list[str]) -> bool:
    """Whether ``sqls`` are the statement path's: PostgreSQL's one ``WITH``, or SQLite's
    counter, order, summary, step and audit entry in that order."""
    if connection.vendor == "postgresql":
        return len(sqls) == 1 and sqls[0].startswith("WITH n AS (UPDATE")
    tables = [
        "core_counter",
        "workorders_workorder",
        "workorders_ordersummary",
        "handling_caseevent",
        "audit_auditentry",
    ]
    return len(sqls) == len(tables) and all(table in sql.split("(")[0] for table, sql in zip(tables, sqls, strict=True))


# Columns that differ between two orders by nature: their ids, numbers, times and own external id.
ORDER_OWN = {"id", "number", "external_id", "created_at", "updated_at", "received_at"}


def _columns(obj: Any, leave_out: set[str]) -> dict[str, Any]:
    """Every stored column of ``obj`` but those left out (model_to_dict skips the ones not
    editable, such as times set on save)."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in leave_out}


def _rows(order: WorkOrder) -> dict[str, Any]:
    event = CaseEvent.objects.get(case_id=order.pk, kind="received")
    entry = AuditEntry.objects.get(action="workorder.intake", object_id=str(order.pk))
    event_data = {k: v for k, v in event.data.items() if k != "external_id"}
    changes = {k: v for k, v in entry.changes.items() if k != "external_id"}
    return {
        "order": _columns(order, ORDER_OWN),
        "event": {**_columns(event, {"id", "case_id", "created_at", "data"}), "data": event_data},
        "entry": {
            **_columns(entry, {"id", "object_id", "created_at", "changes", "object_repr"}),
            "object_repr": entry.object_repr == order.number,
            "changes": changes,
        },
    }


def _summary() -> list[tuple[Any, ...]]:
    return list(OrderSummary.objects.order_by("pk").values_list("day", "street_id", "category", "orders_new"))


def test_one_statement_writes_the_rows_the_orm_path_writes(tree: Any, dispatcher: Any, monkeypatch: Any) -> None:
    actions.do_intake(dispatcher, order_data(external_id="first"), Channel.HOTLINE)  # the year's counter
    before = _summary()
    with CaptureQueriesContext(connection) as captured:
        fast = actions.do_intake(dispatcher, order_data(external_id="fast"), Channel.HOTLINE).order
    assert _together(_writes(captured))
    monkeypatch.setattr(statements, "available", lambda: False)
    with CaptureQueriesContext(connection) as captured:
        orm = actions.do_intake(dispatcher, order_data(external_id="orm"), Channel.HOTLINE).order
    assert len(captured.captured_queries) > 3  # the ORM path: a statement per row

    fast.refresh_from_db()
    orm.refresh_from_db()
    assert _rows(fast) == _rows(orm)
    assert (fast.external_id, orm.external_id) == ("fast", "orm")
    assert int(orm.number[-6:]) == int(fast.number[-6:]) + 1
    assert fast.number.startswith("荔湾-") and len(fast.number.rsplit("-", 1)[1]) == 6
    after = _summary()
    assert after != before and summary.verify() == {}  # each path counted its order once


def test_a_repeat_through_one_statement_writes_nothing_and_gives_its_number_back(tree: Any, dispatcher: Any) -> None:
    first = actions.do_intake(dispatcher, order_data(external_id="A"), Channel.HOTLINE).order
    second = actions.do_intake(dispatcher, order_data(external_id="B"), Channel.HOTLINE).order
    counts = (WorkOrder.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count(), _summary())
    again = actions.do_intake(dispatcher, order_data(external_id="B", content="另一段内容"), Channel.HOTLINE)
    assert again.created is False and again.order.pk == second.pk
    assert (WorkOrder.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count(), _summary()) == counts
    third = actions.do_intake(dispatcher, order_data(external_id="C"), Channel.HOTLINE).order
    assert [int(o.number[-6:]) for o in (first, second, third)] == [1, 2, 3]


def test_the_first_order_of_a_year_creates_its_counter(tree: Any, dispatcher: Any) -> None:
    """No counter row yet: the statement's number is NULL and it is refused; the ORM path
    creates the row and numbers the order 000001, the next push takes the one statement."""
    first = actions.do_intake(dispatcher, order_data(external_id="A"), Channel.HOTLINE).order
    assert first.number.endswith("-000001")
    with CaptureQueriesContext(connection) as captured:
        second = actions.do_intake(dispatcher, order_data(external_id="B"), Channel.HOTLINE).order
    assert second.number.endswith("-000002")
    assert _together(_writes(captured))
    assert WorkOrder.objects.filter(number__in=[first.number, second.number]).count() == 2


def test_numbers_past_six_digits_keep_every_digit(tree: Any, dispatcher: Any) -> None:
    from huying.core.models import Counter

    first = actions.do_intake(dispatcher, order_data(external_id="A"), Channel.HOTLINE).order
    Counter.objects.filter(scope__startswith="workorder:").update(value=999_999)
    big = actions.do_intake(dispatcher, order_data(external_id="B"), Channel.HOTLINE).order
    assert big.number == first.number[: -len("000001")] + "1000000"
