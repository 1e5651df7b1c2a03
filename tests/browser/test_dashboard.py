"""The command centre's dashboard in a real browser, on a phone and on a desktop: the charts
are drawn (a canvas in each, the map from the district outlines), nothing breaks in the
console, the data tables are there, and axe-core finds no serious violation on the
dashboard and the statistics pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import Category
from tests.browser.helpers import describe_violations, log_in, run_axe

pytestmark = pytest.mark.browser

CHARTS = ("status", "trend", "categories", "focus", "map")


def some_orders(tree: Any, dispatcher: User) -> None:
    """Six orders in two streets of 荔湾, dispatched."""
    tree.district_gov.division_code = "440103"
    tree.district_gov.save(update_fields=["division_code"])
    hualin = OrganisationFactory(name="华林街道", kind=OrgKind.STREET, level=OrgLevel.STREET, parent=tree.district_gov)
    places = [("沙面街道", 23.108, 113.243), ("华林街道", 23.125, 113.254)]
    codes = ["010101", "010201", "0201", "010103", "0401", "010202"]
    for n, code in enumerate(codes):
        street, lat, lng = places[n % 2]
        order = actions.do_intake(
            dispatcher,
            {
                "external_id": f"BR-{n}",
                "content": "沙面大街路口有人乱摆卖。",
                "caller_phone": "13812341234",
                "category": code,
                "street": street,
                "latitude": lat + n * 0.001,
                "longitude": lng,
            },
            Channel.HOTLINE,
        ).order
        unit = tree.street if street == "沙面街道" else hualin
        actions.do_dispatch(dispatcher, order, unit, category=Category.objects.get(code=code))


def test_dashboard_draws_its_charts(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User], tree: Any
) -> None:
    dispatcher = person(Role.DISPATCHER)
    some_orders(tree, dispatcher)
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    log_in(page, live_server.url, dispatcher)
    page.goto(live_server.url + "/workorders/dashboard/")
    expect(page.locator("main h1")).to_have_text("指挥中心驾驶舱")
    for name in CHARTS:
        chart = page.locator(f'[data-chart="{name}"]')
        expect(chart.locator("canvas").first, f"{name} on a {viewport}").to_be_attached()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 200, f"{name} is drawn at a usable size"
    assert page.evaluate("window.huyingDashboard.charts.length") == len(CHARTS)
    expect(page.locator(".tile")).to_have_count(9)
    expect(page.locator(".tile").nth(1)).to_contain_text("6")
    # The data behind each chart, as a table, for screen readers and without scripts.
    page.locator("details summary").first.click()
    expect(page.locator("details table").first).to_be_visible()
    # No horizontal scrolling of the page itself on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert not errors, errors


def test_dashboard_and_statistics_are_accessible(
    axe_page: Page, viewport: str, live_server: Any, person: Callable[[str], User], tree: Any
) -> None:
    dispatcher = person(Role.DISPATCHER)
    some_orders(tree, dispatcher)
    log_in(axe_page, live_server.url, dispatcher)
    found = []
    for path in ("/workorders/dashboard/", "/workorders/stats/", "/workorders/stats/red-black/"):
        axe_page.goto(live_server.url + path)
        expect(axe_page.locator("main h1")).to_be_visible()
        violations = run_axe(axe_page)
        if violations:
            found.append(describe_violations(f"{viewport} {path}", violations))
    assert not found, "\n".join(found)
