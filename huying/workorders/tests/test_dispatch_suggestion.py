"""The dispatch suggestion starts from the order's own category and its routing rule; the
text model only fills in when there is no category; the unit never disagrees with the
category's routing — on the console page and in the hotline push's answer alike."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from conftest import Tree
from huying.accounts.models import User
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import Category, RoutingRule, WorkOrder, matching_rule, routing_table
from huying.workorders.tests.conftest import URL, build_shared_unit_staff, order_data

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

CONSOLE = "/workorders/console/"
POTHOLE = "沙面大街有个大坑，路面坑洼，老人经过容易摔倒，长者饭堂和养老院门口也是。"


@pytest.fixture
def civil_affairs(tree: Tree) -> Organisation:
    return OrganisationFactory(
        name="荔湾区民政局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
    )


@pytest.fixture
def rules(tree: Tree, civil_affairs: Organisation) -> None:
    RoutingRule.objects.create(category_prefix="04", unit=tree.department, tier=2)
    RoutingRule.objects.create(category_prefix="15", unit=civil_affairs, tier=2)


def _pothole(dispatcher: User, category: str = "0401") -> WorkOrder:
    return actions.do_intake(dispatcher, order_data(content=POTHOLE, category=category), Channel.HOTLINE).order


def _selected(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}".*?</select>', page, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)"\s*selected', select.group(0))


def test_order_category_and_its_rule_decide(rules: None, tree: Tree, dispatcher: User) -> None:
    order = _pothole(dispatcher)
    suggestion = actions.dispatch_suggestion(order)
    assert suggestion.category == Category.objects.get(code="0401")
    assert suggestion.source == actions.FROM_ORDER and suggestion.confidence is None
    assert suggestion.unit == tree.department and suggestion.tier == 2
    assert suggestion.rule is not None and suggestion.rule.category_prefix == "04"


def test_text_model_only_without_category(rules: None, dispatcher: User, civil_affairs: Organisation) -> None:
    order = _pothole(dispatcher, category="")
    suggestion = actions.dispatch_suggestion(order)
    assert suggestion.source == actions.FROM_KEYWORDS
    assert suggestion.category is not None and suggestion.confidence is not None
    assert suggestion.category.code == "1502" and suggestion.unit == civil_affairs
    # Whatever the text suggests, the unit is the one that category's rule names.
    assert suggestion.rule == matching_rule(suggestion.category, order.street, order.area_class)


def test_no_rule_means_no_unit(tree: Tree, dispatcher: User) -> None:
    order = _pothole(dispatcher)
    suggestion = actions.dispatch_suggestion(order)
    assert suggestion.category is not None and suggestion.category.code == "0401"
    assert suggestion.unit is None and suggestion.rule is None


def test_console_preselects_the_category_and_its_routed_unit(
    client: Any, rules: None, tree: Tree, dispatcher: User, civil_affairs: Organisation
) -> None:
    order = _pothole(dispatcher)
    client.force_login(dispatcher)
    page = client.get(f"{CONSOLE}{order.pk}/").content.decode()
    assert _selected(page, "id_category") == ["0401"]
    assert _selected(page, "id_unit") == [str(tree.department.pk)]
    assert f'<option value="{civil_affairs.pk}" selected' not in page
    assert "养老服务 (1502" in page  # the text's own guess is shown, not applied
    assert "routing rule for category 04" in page or "分派规则" in page
    routes = json.loads(
        re.search(r'<script id="dispatch-routes" type="application/json">(.*?)</script>', page).group(1)
    )
    assert routes["0401"]["unit"] == tree.department.pk
    assert routes["1502"]["unit"] == civil_affairs.pk


def test_console_never_preselects_a_unit_without_a_rule(client: Any, tree: Tree, dispatcher: User) -> None:
    order = _pothole(dispatcher)
    client.force_login(dispatcher)
    page = client.get(f"{CONSOLE}{order.pk}/").content.decode()
    assert _selected(page, "id_category") == ["0401"]
    assert _selected(page, "id_unit") == []


def test_routing_table_agrees_with_matching_rule(rules: None, tree: Tree) -> None:
    RoutingRule.objects.create(category_prefix="0401", street=tree.street, unit=tree.street, tier=1)
    categories = list(Category.objects.active())
    table = routing_table(categories, tree.street, "1")
    for category in categories:
        rule = matching_rule(category, tree.street, "1")
        assert table.get(category.code) == rule
    assert table["0401"].unit == tree.street and table["0402"].unit == tree.department


def test_hotline_push_answers_the_same_suggestion(client: Any, rules: None, tree: Tree, dispatcher_token: str) -> None:
    response = client.post(
        f"{URL}/intake/hotline",
        order_data(content=POTHOLE, category="0401"),
        content_type="application/json",
        headers={"Authorization": f"Bearer {dispatcher_token}"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["suggestions"] == []
    assert body["dispatch_suggestion"] == {
        "category_code": "0401",
        "category_name": "道路破损",
        "category_source": "order",
        "confidence": None,
        "unit_id": tree.department.pk,
        "unit_name": tree.department.name,
        "tier": 2,
        "rule_prefix": "04",
    }


def test_hotline_push_without_category_routes_the_texts_guess(
    client: Any, rules: None, tree: Tree, dispatcher_token: str
) -> None:
    response = client.post(
        f"{URL}/intake/hotline",
        order_data(content=POTHOLE, category=""),
        content_type="application/json",
        headers={"Authorization": f"Bearer {dispatcher_token}"},
    )
    body = response.json()["dispatch_suggestion"]
    assert body["category_source"] == "keywords" and 0 < body["confidence"] <= 1
    order = WorkOrder.objects.get()
    expected = actions.dispatch_suggestion(order)
    assert body["category_code"] == expected.category.code
    assert body["unit_id"] == (expected.unit.pk if expected.unit else None)
