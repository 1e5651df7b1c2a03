"""The administrators' tables (people, audit log, API tokens, organisations) and the
leaders' dashboard fit a 390-px phone: nothing is wider than the screen, the people and
audit rows read as cards with the key column first, and axe-core finds no serious
violation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from huying.accounts.actions import do_create_api_token
from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.audit.actions import record
from tests.browser.helpers import describe_violations, log_in, run_axe

pytestmark = pytest.mark.browser

PAGES = ("/accounts/people/", "/audit/", "/accounts/tokens/", "/organisations/")


def _some_people(tree: Any) -> None:
    for n in range(3):
        person = UserFactory(
            username=f"longname-person-{n}",
            real_name="欧阳长名字测试人员",
            mobile=f"1380013800{n}",
            roles=[(Role.UNIT_STAFF, tree.department), (Role.STREET_HANDLER, tree.community)],
        )
        record(person, "user.login", person, {"two_factor": False})


@pytest.mark.parametrize("path", PAGES)
def test_admin_tables_fit_the_screen(
    axe_page: Page, viewport: str, live_server: Any, person: Callable[[str], User], tree: Any, path: str
) -> None:
    admin = person(Role.ADMIN)
    _some_people(tree)
    do_create_api_token(admin, admin, "12345 热线对接系统（测试用较长的客户端名称）")
    log_in(axe_page, live_server.url, admin)
    axe_page.goto(f"{live_server.url}{path}")
    width = axe_page.evaluate("document.documentElement.clientWidth")
    assert axe_page.evaluate("document.documentElement.scrollWidth") <= width
    if viewport == "phone" and path in ("/accounts/people/", "/audit/"):
        first = axe_page.locator("table.table-cards tbody tr").first
        # A card: the row is as wide as the content column, its head cell on top.
        expect(first.locator("td.card-title")).to_be_visible()
        assert first.evaluate("row => getComputedStyle(row).display") == "block"
    if path == "/audit/":
        expect(axe_page.locator("main")).to_contain_text("双重验证: 否")
    violations = run_axe(axe_page)
    assert not violations, describe_violations(path, violations)


def test_leader_dashboard_fits_the_screen(axe_page: Page, viewport: str, live_server: Any, tree: Any) -> None:
    leader = UserFactory(username="lingdao", real_name="张明远", roles=[(Role.LEADER, tree.district_gov)])
    log_in(axe_page, live_server.url, leader)
    axe_page.goto(f"{live_server.url}/dashboard/")
    expect(axe_page.locator(".leader-tiles .tile-value").first).to_be_visible()
    width = axe_page.evaluate("document.documentElement.clientWidth")
    assert axe_page.evaluate("document.documentElement.scrollWidth") <= width
    violations = run_axe(axe_page)
    assert not violations, describe_violations("/dashboard/", violations)
