"""The hotline's batch push, and what the dispatcher gets after intake: each order of a
batch is created, found already there or refused on its own; a retried batch creates
nothing twice; numbers stay consecutive; suggestions and duplicates are worked out after
the commit and shown when the order is opened (computed then if the task never ran)."""

from __future__ import annotations

from typing import Any

import pytest

from huying.audit.models import AuditEntry
from huying.handling.models import CaseEvent
from huying.workorders import actions, analysis
from huying.workorders.choices import Channel, OrderEventKind
from huying.workorders.models import DuplicateLink, OrderAnalysis, WorkOrder
from huying.workorders.tests.conftest import URL, order_data

pytestmark = pytest.mark.django_db

BATCH = f"{URL}/intake/hotline/batch"
CONSOLE = "/workorders/console/"


def push_batch(client: Any, token: str, orders: list[dict[str, Any]]) -> Any:
    return client.post(BATCH, {"orders": orders}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def _orders(n: int, **overrides: Any) -> list[dict[str, Any]]:
    return [
        order_data(external_id=f"B-{i}", content=f"第{i}号：沙面大街路口有人乱摆卖。", **overrides) for i in range(n)
    ]


def test_batch_creates_each_order_and_reports_it(client: Any, tree: Any, dispatcher_token: str) -> None:
    response = push_batch(client, dispatcher_token, _orders(3))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["existing"], body["refused"]) == (3, 0, 0)
    assert [r["result"] for r in body["results"]] == ["created"] * 3
    assert [r["external_id"] for r in body["results"]] == ["B-0", "B-1", "B-2"]
    year = body["results"][0]["number"].split("-")[1]
    assert [r["number"] for r in body["results"]] == [f"荔湾-{year}-00000{i}" for i in (1, 2, 3)]
    orders = {o.external_id: o for o in WorkOrder.objects.all()}
    assert orders["B-1"].number == body["results"][1]["number"] and orders["B-1"].content.startswith("第1号")
    assert orders["B-1"].street == tree.street and orders["B-1"].category.code == "010101"
    # the same audit trail and history as a single push: one entry and one received step each
    assert AuditEntry.objects.filter(action="workorder.intake").count() == 3
    received = CaseEvent.objects.filter(kind=OrderEventKind.RECEIVED)
    assert sorted(received.values_list("case_id", flat=True)) == sorted(o.pk for o in orders.values())
    assert received.first().data["external_id"].startswith("B-")


def test_batch_orders_are_counted_in_the_daily_summary(client: Any, tree: Any, dispatcher_token: str) -> None:
    from huying.workorders import summary

    push_batch(client, dispatcher_token, [*_orders(3), order_data(external_id="B-bad", content="")])
    push_batch(client, dispatcher_token, _orders(3))  # retried: nothing counted twice
    assert WorkOrder.objects.count() == 3
    assert summary.verify() == {}
    assert sum(row.orders_new for row in summary.OrderSummary.objects.filter(unit_id=0)) == 3


def test_retried_batch_creates_nothing_twice(client: Any, tree: Any, dispatcher_token: str) -> None:
    first = push_batch(client, dispatcher_token, _orders(4)).json()
    again = push_batch(client, dispatcher_token, _orders(4, caller_phone="13900000000"))
    body = again.json()
    assert (body["created"], body["existing"], body["refused"]) == (0, 4, 0)
    assert [r["number"] for r in body["results"]] == [r["number"] for r in first["results"]]
    assert WorkOrder.objects.count() == 4
    assert not WorkOrder.objects.filter(caller_phone="13900000000").exists()  # nothing changed
    assert AuditEntry.objects.filter(action="workorder.intake").count() == 4


def test_one_bad_order_does_not_sink_the_others(client: Any, tree: Any, dispatcher_token: str) -> None:
    orders = _orders(4)
    orders[1]["content"] = ""
    orders[2]["latitude"] = "not a number"
    body = push_batch(client, dispatcher_token, orders).json()
    assert [r["result"] for r in body["results"]] == ["created", "refused", "refused", "created"]
    assert "content" in body["results"][1]["errors"] and body["results"][1]["number"] is None
    assert "latitude" in body["results"][2]["errors"]
    assert body["results"][0]["errors"] == {}
    # the refused orders took no number: the created ones are consecutive
    assert [int(r["number"][-6:]) for r in body["results"] if r["number"]] == [1, 2]
    # fixed and sent again, the refused ones are created and the others found
    orders[1]["content"], orders[2]["latitude"] = "补充内容：路口乱摆卖", 23.108
    body = push_batch(client, dispatcher_token, orders).json()
    assert [r["result"] for r in body["results"]] == ["existing", "created", "created", "existing"]
    assert [int(r["number"][-6:]) for r in body["results"]] == [1, 3, 4, 2]


def test_same_order_twice_in_a_batch_and_after_a_single_push(
    client: Any, tree: Any, dispatcher: Any, dispatcher_token: str
) -> None:
    single = actions.do_intake(dispatcher, order_data(external_id="B-9"), Channel.HOTLINE).order
    orders = [*_orders(2), _orders(1)[0], order_data(external_id="B-9")]
    body = push_batch(client, dispatcher_token, orders).json()
    assert [r["result"] for r in body["results"]] == ["created", "created", "existing", "existing"]
    assert body["results"][2]["number"] == body["results"][0]["number"]
    assert body["results"][3]["number"] == single.number
    assert WorkOrder.objects.count() == 3


def test_batch_refusals(client: Any, tree: Any, dispatcher_token: str, charlie: Any) -> None:
    assert push_batch(client, dispatcher_token, []).status_code == 422
    too_many = push_batch(client, dispatcher_token, _orders(actions.MAX_BATCH + 1))
    assert too_many.status_code == 422
    client.force_login(charlie)
    assert client.post(BATCH, {"orders": _orders(1)}, content_type="application/json").status_code == 403
    assert not WorkOrder.objects.exists()


def test_single_push_answer_is_unchanged(client: Any, tree: Any, dispatcher_token: str) -> None:
    response = client.post(
        f"{URL}/intake/hotline",
        order_data(category="", content="小区门口有流动商贩摆摊"),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {dispatcher_token}",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True and body["suggestions"][0]["name"] == "乱摆卖"
    assert body["dispatch_suggestion"]["category_source"] == "keywords"
    assert body["duplicates"] == []


# --- after the commit, and on open -------------------------------------------------------
def test_analysis_runs_after_commit_and_links_duplicates_both_ways(
    tree: Any, dispatcher: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = actions.do_intake(dispatcher, order_data(external_id="A-1"), Channel.HOTLINE).order
    assert len(callbacks) == 1
    assert OrderAnalysis.objects.filter(order=first).exists()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        results = actions.do_intake_batch(dispatcher, [order_data(external_id="A-2")], Channel.HOTLINE)
    twin = results[0].order
    assert twin is not None
    assert not OrderAnalysis.objects.filter(order=twin).exists()  # not before the commit
    for callback in pending:
        callback()
    assert OrderAnalysis.objects.filter(order=twin).exists()
    assert DuplicateLink.objects.filter(order=twin, other=first).exists()
    assert DuplicateLink.objects.filter(order=first, other=twin).exists()  # the earlier order learns of it
    assert [d.order for d in analysis.duplicates_of(first)] == [twin]
    assert analysis.analyse_orders([first.pk, twin.pk]) == 0  # idempotent


def test_dispatcher_opening_an_unanalysed_order_gets_it_analysed(client: Any, tree: Any, dispatcher: Any) -> None:
    # A worker died: the task never ran for either order (on_commit does not fire in this test).
    first = actions.do_intake(dispatcher, order_data(external_id="A-1"), Channel.HOTLINE).order
    twin = actions.do_intake(dispatcher, order_data(external_id="A-2", category=""), Channel.HOTLINE).order
    assert not OrderAnalysis.objects.exists()
    client.force_login(dispatcher)
    page = client.get(f"{CONSOLE}{twin.pk}/").content.decode()
    assert first.number in page  # shown as a likely duplicate
    assert OrderAnalysis.objects.get(order=twin).suggestions[0]["code"] == "010101"
    # the catch-up job analyses the rest
    assert analysis.analyse_pending() == 1
    assert OrderAnalysis.objects.count() == 2


def test_merged_duplicate_drops_out_of_the_stored_links(tree: Any, dispatcher: Any) -> None:
    first = actions.do_intake(dispatcher, order_data(external_id="A-1"), Channel.HOTLINE).order
    twin = actions.do_intake(dispatcher, order_data(external_id="A-2"), Channel.HOTLINE).order
    third = actions.do_intake(dispatcher, order_data(external_id="A-3"), Channel.HOTLINE).order
    analysis.analyse_orders([first.pk, twin.pk, third.pk])
    assert {d.order for d in analysis.duplicates_of(first)} == {twin, third}
    actions.do_merge(dispatcher, first, [third], reason="同一处乱摆卖")
    first.refresh_from_db()
    assert [d.order for d in analysis.duplicates_of(first)] == [twin]
