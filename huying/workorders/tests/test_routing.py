from __future__ import annotations

from typing import Any

from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders.models import Category, RoutingRule, route


def test_most_specific_rule_wins(tree: Any) -> None:
    city_admin = tree.department
    street = tree.street
    other_street = OrganisationFactory(name="逢源街道", kind="street", level="street", parent=tree.district_gov)
    police = OrganisationFactory(name="荔湾区公安分局", kind="department", level="county", parent=tree.district_gov)
    stall = Category.objects.get(code="010101")
    poster = Category.objects.get(code="010102")

    assert route(stall, street, "1") is None
    RoutingRule.objects.create(category_prefix="01", unit=city_admin, tier=2)
    assert route(stall, street, "1") == (city_admin, 2)
    RoutingRule.objects.create(category_prefix="0101", unit=street, tier=1)
    assert route(stall, other_street, "") == (street, 1)  # longer prefix beats shorter
    RoutingRule.objects.create(category_prefix="0101", street=other_street, unit=other_street, tier=1)
    assert route(stall, other_street, "") == (other_street, 1)  # a named street beats any street
    assert route(stall, street, "") == (street, 1)
    RoutingRule.objects.create(category_prefix="0101", area_class="1", unit=police, tier=2)
    assert route(stall, street, "1") == (police, 2)  # a named area class beats any class
    assert route(stall, street, "2") == (street, 1)
    assert route(stall, other_street, "1") == (other_street, 1)  # street is weighed before area class
    RoutingRule.objects.create(category_prefix="0101", area_class="1", unit=city_admin, tier=3, priority=5)
    assert route(stall, street, "1") == (city_admin, 3)  # then priority
    RoutingRule.objects.create(category_prefix="010102", unit=police, tier=2, is_active=False)
    assert route(poster, street, "2") == (street, 1)  # inactive rules are ignored
    assert route(None, street, "1") is None
    assert route(Category.objects.get(code="05"), street, "1") is None
