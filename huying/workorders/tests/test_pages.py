"""The dispatcher console and the unit inbox: happy paths, refusals, bad input, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import Tree
from huying.accounts.models import User
from huying.handling.choices import Status
from huying.handling.models import Assignment
from huying.workorders import actions
from huying.workorders.choices import Channel, OrderStatus
from huying.workorders.models import Category, DispatchDecision, RoutingRule, WorkOrder
from huying.workorders.tests.conftest import build_shared_unit_staff, order_data

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

CONSOLE = "/workorders/console/"
INBOX = "/workorders/inbox/"  # the work order's own page of an assignment, /workorders/inbox/<id>/
SHARED = "/inbox/"  # the shared inbox (待办) and its generic steps, /inbox/<id>/<step>/


def _order(dispatcher: User, n: int = 1, **extra: Any) -> WorkOrder:
    return actions.do_intake(dispatcher, order_data(external_id=f"GZ-{n}", category="", **extra), Channel.HOTLINE).order


@pytest.fixture
def order(tree: Tree, dispatcher: User) -> WorkOrder:
    RoutingRule.objects.create(category_prefix="0101", unit=tree.street, tier=1)
    return _order(dispatcher)


@pytest.fixture
def lead(order: WorkOrder, tree: Tree, dispatcher: User) -> Assignment:
    return actions.do_dispatch(dispatcher, order, tree.street, category=Category.objects.get(code="010101"))[0]


# --- console -------------------------------------------------------------------------
def test_console_lists_new_orders_with_filters(client: Any, order: WorkOrder, dispatcher: User, tree: Tree) -> None:
    client.force_login(dispatcher)
    page = client.get(CONSOLE).content.decode()
    assert order.number in page
    assert order.number in client.get(CONSOLE, {"street": tree.street.pk, "category": ""}).content.decode()
    assert order.number not in client.get(CONSOLE, {"status": "dispatched"}).content.decode()
    assert order.number not in client.get(CONSOLE, {"category": "05"}).content.decode()


@pytest.mark.parametrize("person", ["street_handler", "charlie", "dora", "alice"])
def test_console_refuses_others(client: Any, order: WorkOrder, person: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(person))
    for url in (CONSOLE, f"{CONSOLE}new/", f"{CONSOLE}{order.pk}/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "调度员" in response.content.decode() or "dispatch" in response.content.decode().lower()


def test_anonymous_must_log_in(client: Any, order: WorkOrder, lead: Assignment) -> None:
    for url in (CONSOLE, f"{CONSOLE}{order.pk}/", INBOX, f"{INBOX}{lead.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_console_list_query_count_is_pinned(
    client: Any, tree: Tree, dispatcher: User, django_assert_num_queries: Any
) -> None:
    for n in range(2):
        _order(dispatcher, n)
    client.force_login(dispatcher)
    client.get(CONSOLE)
    with django_assert_num_queries(13):
        client.get(CONSOLE)
    for n in range(2, 7):
        _order(dispatcher, n)
    with django_assert_num_queries(13):
        response = client.get(CONSOLE)
    assert response.content.decode().count("/workorders/console/") >= 7


def test_create_order_by_phone(client: Any, tree: Tree, dispatcher: User) -> None:
    client.force_login(dispatcher)
    form = client.get(f"{CONSOLE}new/").content.decode()
    assert 'name="external_id"' in form
    data = {
        "external_id": "CALL-test-1",
        "caller_name": "张三",
        "caller_phone": "13812341234",
        "content": "路口垃圾堆放多日无人清理",
        "nature": "complaint",
        "urgency": "urgent",
        "address": "沙面大街2号",
        "street": "沙面街道",
    }
    response = client.post(f"{CONSOLE}new/", data)
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{CONSOLE}{order.pk}/"
    assert order.channel == Channel.HOTLINE and order.street == tree.street and order.urgency == "urgent"
    client.post(f"{CONSOLE}new/", data)  # the same form sent twice: still one order
    assert WorkOrder.objects.count() == 1


def test_create_order_bad_input_names_fields_and_saves_nothing(client: Any, tree: Tree, dispatcher: User) -> None:
    client.force_login(dispatcher)
    response = client.post(
        f"{CONSOLE}new/", {"external_id": "CALL-x", "content": "", "caller_phone": "12", "street": "不存在街道"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('class="error"') >= 3
    assert not WorkOrder.objects.exists()


def test_detail_shows_suggestions_and_dispatches(client: Any, order: WorkOrder, dispatcher: User, tree: Tree) -> None:
    client.force_login(dispatcher)
    page = client.get(f"{CONSOLE}{order.pk}/").content.decode()
    assert tree.street.name in page and "13812341234" in page
    response = client.post(
        f"{CONSOLE}{order.pk}/",
        {"category": "010101", "unit": tree.street.pk, "co_units": [tree.department.pk], "version": order.version},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED
    assert Assignment.objects.filter(case_id=order.pk).count() == 2
    assert DispatchDecision.objects.filter(order=order, chosen_unit=tree.street).exists()
    page = client.get(f"{CONSOLE}{order.pk}/").content.decode()
    assert tree.department.name in page and 'name="unit"' not in page


def test_dispatch_bad_input_changes_nothing(client: Any, order: WorkOrder, dispatcher: User, tree: Tree) -> None:
    client.force_login(dispatcher)
    response = client.post(f"{CONSOLE}{order.pk}/", {"category": "99", "unit": ""})
    assert response.status_code == 400
    assert response.content.decode().count('class="error"') == 2
    stale = client.post(f"{CONSOLE}{order.pk}/", {"category": "01", "unit": tree.street.pk, "version": 99})
    assert stale.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW and not Assignment.objects.exists()


def test_other_district_order_is_not_found(client: Any, order: WorkOrder, admin: User) -> None:
    from huying.accounts.tests.factories import UserFactory
    from huying.organisations.choices import OrgKind
    from huying.organisations.tests.factories import OrganisationFactory

    other_gov = OrganisationFactory(name="越秀区人民政府", kind=OrgKind.GOVERNMENT, parent=order.district.parent)
    centre = OrganisationFactory(name="越秀区指挥中心", kind=OrgKind.COMMAND_CENTRE, parent=other_gov)
    other = UserFactory(username="yuexiu", roles=[("dispatcher", centre)])
    client.force_login(other)
    assert client.get(f"{CONSOLE}{order.pk}/").status_code == 404
    assert order.number not in client.get(CONSOLE).content.decode()


# --- inbox ---------------------------------------------------------------------------
def test_inbox_lists_the_units_assignments(client: Any, lead: Assignment, street_handler: User, charlie: User) -> None:
    number = WorkOrder.objects.get(pk=lead.case_id).number
    client.force_login(street_handler)
    assert client.get(INBOX)["Location"] == f"{SHARED}?workflow=workorder"
    assert number in client.get(SHARED, {"workflow": "workorder"}).content.decode()
    client.force_login(charlie)
    assert number not in client.get(SHARED).content.decode()
    assert client.get(f"{INBOX}{lead.pk}/").status_code == 404


@pytest.mark.parametrize("person", ["dora", "alice"])
def test_inbox_refuses_non_unit_people(client: Any, lead: Assignment, person: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(person))
    assert client.get(INBOX).status_code == 403
    assert client.get(SHARED).status_code == 403
    assert client.post(f"{SHARED}{lead.pk}/accept/").status_code == 403
    lead.refresh_from_db()
    assert lead.status == Status.ASSIGNED


def test_the_dispatcher_reads_the_shared_inbox_but_does_not_accept(
    client: Any, lead: Assignment, dispatcher: User
) -> None:
    """Changed with the shared inbox: the command centre reads the assignments it
    supervises there (urge, reassign); the unit's steps stay the unit's."""
    client.force_login(dispatcher)
    assert client.get(INBOX).status_code == 403  # the work orders' unit inbox was never theirs
    assert client.get(SHARED).status_code == 200
    assert client.post(f"{SHARED}{lead.pk}/accept/", {"version": lead.version}).status_code == 403
    lead.refresh_from_db()
    assert lead.status == Status.ASSIGNED


def test_inbox_query_count_is_pinned(
    client: Any, tree: Tree, dispatcher: User, street_handler: User, django_assert_num_queries: Any
) -> None:
    category = Category.objects.get(code="01")
    for n in range(2):
        actions.do_dispatch(dispatcher, _order(dispatcher, n), tree.street, category=category)
    client.force_login(street_handler)
    client.get(SHARED)
    with django_assert_num_queries(8):  # session, user, roles, tab counts, count, page, orders, own units
        client.get(SHARED)
    for n in range(2, 7):
        actions.do_dispatch(dispatcher, _order(dispatcher, n), tree.street, category=category)
    with django_assert_num_queries(8):  # session, user, roles, tab counts, count, page, orders, own units
        response = client.get(SHARED)
    assert response.content.decode().count("/workorders/inbox/") >= 7


def test_unit_flow_accept_progress_extend_resolve(
    client: Any, lead: Assignment, order: WorkOrder, street_handler: User
) -> None:
    client.force_login(street_handler)
    page = client.get(f"{INBOX}{lead.pk}/").content.decode()
    assert f"{SHARED}{lead.pk}/accept/" in page and f"{SHARED}{lead.pk}/return/" in page
    assert client.post(f"{SHARED}{lead.pk}/accept/", {"version": lead.version}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == Status.ACCEPTED
    assert client.post(f"{SHARED}{lead.pk}/progress/", {"note": "已到现场"}).status_code == 302
    assert lead.resolve_due is not None
    until = (lead.resolve_due.replace(tzinfo=None)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(f"{SHARED}{lead.pk}/extension/", {"until": until, "reason": "协调", "version": lead.version})
    assert bad.status_code == 302 and not lead.extension_requests.exists()  # not later than the deadline
    later = lead.resolve_due.replace(year=lead.resolve_due.year + 1).strftime("%Y-%m-%d %H:%M")
    ok = client.post(f"{SHARED}{lead.pk}/extension/", {"until": later, "reason": "需协调", "version": lead.version})
    assert ok.status_code == 302 and lead.extension_requests.count() == 1
    lead.refresh_from_db()
    response = client.post(f"{INBOX}{lead.pk}/resolve/", {"result": "", "version": lead.version})
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert client.post(f"{INBOX}{lead.pk}/resolve/", {"result": "已清理", "version": lead.version}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.RESOLVED
    timeline = client.get(f"{INBOX}{lead.pk}/").content.decode()
    assert "已到现场" in timeline and "已清理" in timeline


def test_unit_returns_with_reason_and_order_goes_back_to_queue(
    client: Any, lead: Assignment, order: WorkOrder, street_handler: User, dispatcher: User
) -> None:
    client.force_login(street_handler)
    bad = client.post(f"{SHARED}{lead.pk}/return/", {"reason": "", "version": lead.version, "confirm": "1"})
    assert bad.status_code == 302  # back to the page, with the message
    lead.refresh_from_db()
    assert lead.status == Status.ASSIGNED
    form = {"reason": "非本辖区", "version": lead.version}
    client.post(f"{SHARED}{lead.pk}/return/", form)  # not confirmed: nothing happens
    lead.refresh_from_db()
    assert lead.status == Status.ASSIGNED
    assert client.post(f"{SHARED}{lead.pk}/return/", {**form, "confirm": "1"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW
    client.force_login(dispatcher)
    assert order.number in client.get(CONSOLE).content.decode()


def test_unit_escalates_to_the_department(
    client: Any, lead: Assignment, order: WorkOrder, street_handler: User, tree: Tree, charlie: User
) -> None:
    client.force_login(street_handler)
    client.post(f"{SHARED}{lead.pk}/accept/", {"version": lead.version})
    lead.refresh_from_db()
    client.post(f"{SHARED}{lead.pk}/escalate/", {"reason": "需执法", "version": lead.version})
    assert not Assignment.objects.filter(case_id=order.pk, tier=2).exists()  # no unit named
    done = client.post(
        f"{SHARED}{lead.pk}/escalate/", {"to_unit": tree.department.pk, "reason": "需执法", "version": lead.version}
    )
    assert done.status_code == 302
    called = Assignment.objects.get(case_id=order.pk, tier=2)
    client.force_login(charlie)
    assert order.number in client.get(SHARED).content.decode()
    assert client.post(f"{SHARED}{called.pk}/accept/", {"version": called.version}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS


def test_stale_form_is_refused(client: Any, lead: Assignment, street_handler: User) -> None:
    client.force_login(street_handler)
    response = client.post(f"{SHARED}{lead.pk}/accept/", {"version": lead.version + 5}, follow=True)
    assert "message-error" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == Status.ASSIGNED


def test_shell_entries_for_dispatchers_and_units(dispatcher: User, street_handler: User, charlie: User) -> None:
    from huying.core.navigation import entries_for

    assert "workorders_dispatch" in {e.key for e in entries_for(dispatcher, "console")}
    # One inbox (待办) for every workflow instead of the work orders' own entry.
    assert "inbox" in {e.key for e in entries_for(street_handler, "console")}
    assert "inbox" in {e.key for e in entries_for(charlie, "console")}
    assert "workorders_dispatch" not in {e.key for e in entries_for(street_handler, "console")}


def test_console_is_reachable() -> None:
    assert reverse("workorders:console") == CONSOLE and reverse("workorders:inbox") == INBOX
