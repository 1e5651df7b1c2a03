"""The console's search box (number, whole phone, words) and the same filter on the API
list; the unit drop-downs grouped by kind with a filter box."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from conftest import Tree
from huying.accounts.models import User
from huying.handling import actions as engine
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import Category, WorkOrder
from huying.workorders.tests.conftest import URL, order_data

pytestmark = pytest.mark.django_db

CONSOLE = "/workorders/console/"


@pytest.fixture
def orders(tree: Tree, dispatcher: User) -> dict[str, WorkOrder]:
    made = {}
    for key, phone, content, address in [
        ("lamp", "13800001111", "宝华路的路灯坏了", "宝华路12号"),
        ("noise", "13900002222", "广场舞音响太吵", "沙面北街3号"),
        ("stall", "13700003333", "路口有人乱摆卖", "沙面大街1号"),
    ]:
        data = order_data(external_id=f"GZ-{key}", caller_phone=phone, content=content, address=address)
        made[key] = actions.do_intake(dispatcher, data, Channel.HOTLINE).order
    return made


def _listed(page: str) -> set[str]:
    return set(re.findall(r'<a href="/workorders/console/\d+/">([^<]+)</a>', page))


def test_search_by_whole_or_partial_number(client: Client, orders: dict[str, WorkOrder], dispatcher: User) -> None:
    client.force_login(dispatcher)
    lamp = orders["lamp"]
    assert _listed(client.get(CONSOLE, {"q": lamp.number}).content.decode()) == {lamp.number}
    tail = lamp.number.rsplit("-", 1)[1]  # e.g. 000001
    assert _listed(client.get(CONSOLE, {"q": tail}).content.decode()) == {lamp.number}


def test_search_by_whole_phone_only(client: Client, orders: dict[str, WorkOrder], dispatcher: User) -> None:
    client.force_login(dispatcher)
    noise = orders["noise"]
    assert _listed(client.get(CONSOLE, {"q": "139 0000 2222"}).content.decode()) == {noise.number}
    assert _listed(client.get(CONSOLE, {"q": "+8613900002222"}).content.decode()) == {noise.number}
    # A part of a phone finds nothing (phones are masked for many people).
    assert _listed(client.get(CONSOLE, {"q": "2222"}).content.decode()) == set()


def test_search_by_words_and_across_statuses(client: Client, orders: dict[str, WorkOrder], dispatcher: User) -> None:
    client.force_login(dispatcher)
    page = client.get(CONSOLE, {"q": "沙面"}).content.decode()
    assert _listed(page) == {orders["noise"].number, orders["stall"].number}
    assert 'value="沙面"' in page  # the box keeps what was typed
    actions.do_dispatch(dispatcher, orders["lamp"], orders["lamp"].street, category=Category.objects.get(code="04"))
    # Searching looks through every status unless one is chosen.
    assert _listed(client.get(CONSOLE, {"q": "路灯"}).content.decode()) == {orders["lamp"].number}
    assert _listed(client.get(CONSOLE, {"q": "路灯", "status": "new"}).content.decode()) == set()


def test_search_stays_inside_what_the_dispatcher_may_see(
    client: Client, tree: Tree, orders: dict[str, WorkOrder]
) -> None:
    from huying.accounts.tests.factories import UserFactory

    other_gov = OrganisationFactory(name="越秀区人民政府", kind=OrgKind.GOVERNMENT, parent=tree.city_gov)
    centre = OrganisationFactory(name="越秀区指挥中心", kind=OrgKind.COMMAND_CENTRE, parent=other_gov)
    client.force_login(UserFactory(username="yuexiu", roles=[("dispatcher", centre)]))
    assert _listed(client.get(CONSOLE, {"q": orders["lamp"].number}).content.decode()) == set()
    assert _listed(client.get(CONSOLE, {"q": "13800001111"}).content.decode()) == set()


def test_api_list_has_the_same_search(
    client: Client, orders: dict[str, WorkOrder], dispatcher_token: str, charlie: User
) -> None:
    auth = {"Authorization": f"Bearer {dispatcher_token}"}

    def numbers(q: str, headers: dict[str, str]) -> set[str]:
        response = client.get(URL, {"q": q}, headers=headers)
        assert response.status_code == 200
        return {o["number"] for o in response.json()["items"]}

    assert numbers("13800001111", auth) == {orders["lamp"].number}
    assert numbers("1111", auth) == set()
    assert numbers("沙面", auth) == {orders["noise"].number, orders["stall"].number}
    assert numbers(orders["stall"].number, auth) == {orders["stall"].number}


def test_api_phone_search_needs_the_right_to_see_phones(
    client: Client, tree: Tree, orders: dict[str, WorkOrder], dispatcher: User, charlie: User
) -> None:
    from huying.accounts.actions import do_create_api_token

    lamp = orders["lamp"]
    actions.do_dispatch(dispatcher, lamp, tree.department, category=Category.objects.get(code="04"))
    token = do_create_api_token(charlie, charlie, "unit app")[1]
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get(URL, headers=headers).json()["items"]
    assert [o["number"] for o in listed] == [lamp.number]  # the unit sees the order ...
    assert client.get(URL, {"q": "13800001111"}, headers=headers).json()["items"] == []  # ... not by phone
    found = client.get(URL, {"q": "路灯"}, headers=headers).json()["items"]
    assert [o["number"] for o in found] == [lamp.number]


def test_console_list_query_count_with_search(
    client: Client, orders: dict[str, WorkOrder], dispatcher: User, django_assert_max_num_queries: Any
) -> None:
    client.force_login(dispatcher)
    client.get(CONSOLE, {"q": "沙面"})
    with django_assert_max_num_queries(20):
        client.get(CONSOLE, {"q": "沙面"})


# --- unit drop-downs ---------------------------------------------------------------------
def test_unit_lists_are_grouped_by_kind_and_filterable(
    client: Client, tree: Tree, orders: dict[str, WorkOrder], dispatcher: User
) -> None:
    OrganisationFactory(name="荔湾区民政局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov)
    client.force_login(dispatcher)
    page = client.get(f"{CONSOLE}{orders['lamp'].pk}/").content.decode()
    unit = re.search(r'<select id="id_unit".*?</select>', page, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">', unit)
    assert groups == ["政府部门", "街道／镇", "人民政府", "社区／村"]
    department_group = unit.split('<optgroup label="政府部门">')[1].split("</optgroup>")[0]
    assert "荔湾区民政局" in department_group and tree.street.name not in department_group
    assert 'data-unit-filter="id_unit"' in page and 'data-unit-filter="id_co_units"' in page
    assert "js/unit_select.js" in page and "<script>" not in page


def test_reassign_list_is_grouped_too(
    client: Client, tree: Tree, orders: dict[str, WorkOrder], dispatcher: User
) -> None:
    lead = actions.do_dispatch(dispatcher, orders["lamp"], tree.street, category=Category.objects.get(code="04"))[0]
    client.force_login(dispatcher)
    page = client.get(f"{CONSOLE}{orders['lamp'].pk}/").content.decode()
    select = re.search(rf'<select id="id_reassign_unit_{lead.pk}".*?</select>', page, re.S).group(0)
    assert '<optgroup label="政府部门">' in select and f'value="{tree.street.pk}"' not in select
    assert f'data-unit-filter="id_reassign_unit_{lead.pk}"' in page


def test_inbox_call_up_list_is_grouped(
    client: Client, tree: Tree, orders: dict[str, WorkOrder], dispatcher: User, street_handler: User
) -> None:
    lead = actions.do_dispatch(dispatcher, orders["lamp"], tree.street, category=Category.objects.get(code="04"))[0]
    engine.do_accept(street_handler, lead)
    client.force_login(street_handler)
    page = client.get(f"/workorders/inbox/{lead.pk}/").content.decode()
    select = re.search(r'<select id="id_to_unit".*?</select>', page, re.S)
    assert select is not None, "an accepted assignment may be called up"
    assert '<optgroup label="政府部门">' in select.group(0) and f'value="{tree.street.pk}"' not in select.group(0)
    assert 'data-unit-filter="id_to_unit"' in page and "js/unit_select.js" in page


def test_search_finds_exactly_the_orders_whose_fields_hold_the_text(
    orders: dict[str, WorkOrder], tree: Tree, dispatcher: User
) -> None:
    """The search (on PostgreSQL through the doubled-text trigram index, ``SearchText``)
    finds what a plain case-insensitive "contains" over the number, the content and the
    address finds, for a common word and for rare ones: one and two characters, Latin in either case, LIKE's special
    characters taken literally, and never a match that straddles two fields."""
    for key, content, address in [
        ("pct", "噪音100%超标_夜间", "逢源路\\8号"),
        ("latin", "ABC小区门口Wifi杆倒了", "xyz大厦"),
        ("edge", "门口积水", "路灯杆旁"),
        ("gate", "门口有车辆乱停", "东门口"),
    ]:
        data = order_data(external_id=f"GZ-{key}", content=content, address=address)
        orders[key] = actions.do_intake(dispatcher, data, Channel.HOTLINE).order
    every = list(WorkOrder.objects.all())

    def expected(text: str) -> set[str]:
        folded = text.upper()
        return {o.number for o in every if any(folded in f.upper() for f in (o.number, o.content, o.address))}

    # 门口 is in three of the newest orders: read newest first; the others through the index.
    assert WorkOrder.objects.is_common("门口") and not WorkOrder.objects.is_common("路灯")
    queries = [
        "门口",
        "路",
        "路灯",
        "宝华路的路灯",
        "100%",
        "%超",
        "_夜",
        "路%灯",
        "1_0",
        "\\8",
        "abc",
        "wIFi",
        "XYZ",
        "水 路",
        "积水路灯",
        "了宝",
    ]
    for text in queries:
        found = {o.number for o in WorkOrder.objects.search(text, phone_districts=None)}
        assert found == expected(text), text
    tail = orders["lamp"].number[-3:]  # digits alone: the end of an order number
    assert {o.number for o in WorkOrder.objects.search(tail, phone_districts=None)} == {orders["lamp"].number}
    assert expected("路灯") and expected("100%") and expected("wIFi") and not expected("积水路灯")
