"""axe-core on the shell's pages, on a phone and on a desktop: no serious or critical violation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from tests.browser.helpers import describe_violations, log_in, run_axe

pytestmark = pytest.mark.browser

AREAS = ["duty", "consult", "interact", "news", "thinktank", "public", "console", "dashboard"]


def check(page: Page, where: str, found: list[str]) -> None:
    violations = run_axe(page)
    if violations:
        found.append(describe_violations(where, violations))


def report(found: list[str]) -> None:
    if found:
        message = "axe-core found serious or critical violations:\n" + "\n".join(found)
        print(message)
        pytest.fail(message, pytrace=False)


def test_pages_for_visitors(axe_page: Page, viewport: str, live_server: Any, db: None) -> None:
    found: list[str] = []
    for path in ["/", "/accounts/login/", "/public/", "/no-such-page/"]:
        axe_page.goto(live_server.url + path)
        check(axe_page, f"{viewport} {path}", found)
    if viewport == "phone":
        axe_page.locator("[data-menu-toggle]").click()
        check(axe_page, f"{viewport} /no-such-page/ with the menu open", found)
    report(found)


def test_every_area_page(axe_page: Page, viewport: str, live_server: Any, person: Callable[[str], User]) -> None:
    log_in(axe_page, live_server.url, person(Role.ADMIN))  # the administrator may enter every area
    found: list[str] = []
    for area in AREAS:
        axe_page.goto(f"{live_server.url}/{area}/")
        expect(axe_page.locator("main h1")).to_be_visible()
        check(axe_page, f"{viewport} /{area}/", found)
    if viewport == "phone":
        axe_page.locator("[data-menu-toggle]").click()
        check(axe_page, f"{viewport} /dashboard/ with the menu open", found)
    report(found)


def test_refusal_page(axe_page: Page, viewport: str, live_server: Any, person: Callable[[str], User]) -> None:
    log_in(axe_page, live_server.url, person(Role.PUBLIC))
    response = axe_page.goto(live_server.url + "/duty/")
    assert response is not None
    assert response.status == 403
    found: list[str] = []
    check(axe_page, f"{viewport} 403 /duty/", found)
    report(found)
