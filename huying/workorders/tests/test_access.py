"""Who sees which orders: the list, the detail and the public track lookup."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from huying.handling.choices import EventKind
from huying.handling.transitions import SYSTEM, do_assign
from huying.workorders import actions
from huying.workorders.choices import Channel, OrderStatus
from huying.workorders.models import WorkOrder
from huying.workorders.tests.conftest import URL, build_shared_unit_staff, order_data

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff


@pytest.fixture
def order(tree: Any, dispatcher: Any) -> WorkOrder:
    return actions.do_intake(dispatcher, order_data(), Channel.HOTLINE).order


@pytest.fixture
def assigned(order: WorkOrder, tree: Any) -> WorkOrder:
    """The order dispatched to the department charlie works in."""
    do_assign(SYSTEM, order, workflow="workorder", unit=tree.department, owner=tree.command_centre)
    return order


def numbers(client: Any, **params: Any) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def test_dispatcher_of_the_district_sees_the_order_with_the_whole_phone(
    client: Any, order: WorkOrder, dispatcher: Any
) -> None:
    client.force_login(dispatcher)
    assert numbers(client) == [order.number]
    detail = client.get(f"{URL}/{order.number}").json()
    assert detail["caller_phone"] == "13812341234" and detail["caller_name"] == "张三"


def test_unit_staff_see_only_orders_assigned_to_their_subtree(
    client: Any, order: WorkOrder, tree: Any, charlie: Any
) -> None:
    client.force_login(charlie)
    assert numbers(client) == []
    assert client.get(f"{URL}/{order.number}").status_code == 404
    do_assign(SYSTEM, order, workflow="workorder", unit=tree.department, owner=tree.command_centre)
    assert numbers(client) == [order.number]
    detail = client.get(f"{URL}/{order.number}").json()
    assert detail["caller_phone"] == "138****1234"


def test_handlers_see_their_own_units_orders_not_those_above_or_below(
    client: Any, order: WorkOrder, tree: Any, street_handler: Any, dispatcher: Any
) -> None:
    """docs/handling-engine.md, "Who sees and acts on an assignment": a street's handler
    sees what is assigned to the street, not to a community below it nor to the district
    government above it; the community's own handler sees the community's."""
    from huying.accounts.choices import Role
    from huying.accounts.tests.factories import UserFactory

    community_handler = UserFactory(roles=[(Role.STREET_HANDLER, tree.community)])
    client.force_login(street_handler)
    do_assign(SYSTEM, order, workflow="workorder", unit=tree.community, owner=tree.command_centre)
    assert numbers(client) == []
    client.force_login(community_handler)
    assert numbers(client) == [order.number]
    other = actions.do_intake(dispatcher, order_data(external_id="B"), Channel.HOTLINE).order
    do_assign(SYSTEM, other, workflow="workorder", unit=tree.district_gov, owner=tree.command_centre)
    client.force_login(street_handler)
    assert numbers(client) == []
    do_assign(SYSTEM, other, workflow="workorder", unit=tree.street, owner=tree.command_centre, role="co")
    assert numbers(client) == [other.number]


@pytest.mark.parametrize("person", ["alice", "bob", "dora"])
def test_outsiders_and_the_public_see_nothing(client: Any, assigned: WorkOrder, person: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(person))
    assert numbers(client) == []
    assert client.get(f"{URL}/{assigned.number}").status_code == 404


def test_anonymous_visitors_must_log_in(client: Any, order: WorkOrder) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/{order.number}").status_code == 401


def test_admin_sees_everything(client: Any, order: WorkOrder, admin: Any) -> None:
    client.force_login(admin)
    assert numbers(client) == [order.number]


def test_filters(client: Any, tree: Any, dispatcher: Any) -> None:
    a = actions.do_intake(dispatcher, order_data(external_id="A"), Channel.HOTLINE).order
    b = actions.do_intake(
        dispatcher, order_data(external_id="B", category="0501", street="", community=""), Channel.HOTLINE
    ).order
    client.force_login(dispatcher)
    assert numbers(client, category="01") == [a.number]
    assert numbers(client, category="05") == [b.number]
    assert numbers(client, street=tree.street.pk) == [a.number]
    assert numbers(client, status=OrderStatus.NEW) == [b.number, a.number]
    assert numbers(client, status=OrderStatus.CLOSED) == []
    # The filter reads dates in Beijing time: between 16:00 and 24:00 UTC that is tomorrow.
    today = timezone.localdate(a.created_at).isoformat()
    assert numbers(client, date_from=today, date_to=today) == [b.number, a.number]
    assert numbers(client, date_to="2000-01-01") == []


def test_list_query_count_does_not_grow_with_rows(
    client: Any, tree: Any, dispatcher: Any, charlie: Any, django_assert_num_queries: Any
) -> None:
    for i in range(12):
        o = actions.do_intake(dispatcher, order_data(external_id=f"N{i}"), Channel.HOTLINE).order
        do_assign(SYSTEM, o, workflow="workorder", unit=tree.department, owner=tree.command_centre)
    client.force_login(dispatcher)
    # session + user, the viewer's roles, count, page
    with django_assert_num_queries(5):
        assert len(numbers(client)) == 12
    client.force_login(charlie)
    with django_assert_num_queries(5):
        assert len(numbers(client)) == 12


def test_track_needs_number_and_phone(client: Any, assigned: WorkOrder) -> None:
    url = f"{URL}/track"
    ok = client.get(url, {"number": assigned.number, "phone": "13812341234"})
    assert ok.status_code == 200
    body = ok.json()
    # Assigned to a lead unit: the order is dispatched (the work-order adapter).
    assert body["number"] == assigned.number and body["status"] == OrderStatus.DISPATCHED
    assert [n["event"] for n in body["notes"]] == [str(EventKind.ASSIGNED.label)]
    text = ok.content.decode()
    assert "1381234" not in text and "张三" not in text and "沙面大街" not in text
    wrong_phone = client.get(url, {"number": assigned.number, "phone": "13900000000"})
    wrong_number = client.get(url, {"number": "荔湾-2026-999999", "phone": "13812341234"})
    assert wrong_phone.status_code == wrong_number.status_code == 404
    assert wrong_phone.json() == wrong_number.json()
    assert client.get(url, {"number": assigned.number, "phone": ""}).status_code == 404


def test_the_order_list_pages_by_fifty(client: Any, tree: Any, dispatcher: Any) -> None:
    for index in range(51):
        actions.do_intake(dispatcher, order_data(external_id=f"P-{index}"), Channel.HOTLINE)
    client.force_login(dispatcher)
    first = client.get(URL).json()
    second = client.get(URL, {"page": 2}).json()
    assert first["count"] == 51
    assert len(first["items"]) == 50 and len(second["items"]) == 1


def test_date_filters_use_chinese_calendar_days(client: Any, tree: Any, dispatcher: Any) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    late = actions.do_intake(dispatcher, order_data(external_id="late"), Channel.HOTLINE).order
    early = actions.do_intake(dispatcher, order_data(external_id="early"), Channel.HOTLINE).order
    # 23:30 on 1 October in Beijing time is still 1 October, though 15:30 UTC; 00:10 on
    # 2 October is the next day.
    WorkOrder.objects.filter(pk=late.pk).update(created_at=datetime(2026, 10, 1, 23, 30, tzinfo=shanghai))
    WorkOrder.objects.filter(pk=early.pk).update(created_at=datetime(2026, 10, 2, 0, 10, tzinfo=shanghai))
    client.force_login(dispatcher)
    assert numbers(client, date_from="2026-10-01", date_to="2026-10-01") == [late.number]
    assert numbers(client, date_from="2026-10-02") == [early.number]
    assert numbers(client, date_to="2026-10-02", category="01") == [early.number, late.number]
    assert numbers(client, category="05") == []
