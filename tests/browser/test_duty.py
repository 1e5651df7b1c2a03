"""我的履职 in a real browser, on a phone and on a desktop: a member's proposals land in his
record (timeline, ledger with points, yearly report); the province CPPCC's staff read the
ranking with members below the threshold flagged; axe-core on the member's page."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.duty.tests.conftest import seed_default_rules
from tests.browser.helpers import describe_violations, log_in, run_axe
from tests.browser.test_proposal_stats_awards import some_proposals

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("DUTY_SCREENSHOTS", "")


def _shot(page: Page, name: str, viewport: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/duty-{name}-{viewport}.png", full_page=True)


def test_member_record_and_staff_ranking(
    page: Page, axe_page: Page, viewport: str, live_server: Any, person: Callable[[str], User], tree: Any
) -> None:
    seed_default_rules()  # the live server's database is flushed between tests
    member, staff = person(Role.MEMBER), person(Role.AGENCY_STAFF)
    some_proposals(tree, member, staff)  # three submitted, two filed: 3×2 + 2×5 = 16 points
    log_in(page, live_server.url, member)
    page.goto(f"{live_server.url}/duty/record/")
    expect(page.locator("main h1")).to_have_text("我的履职")
    expect(page.locator(".duty-card-points dd")).to_have_text("16")
    expect(page.locator(".duty-act")).to_have_count(5)
    expect(page.locator(".duty-act a").first).to_have_attribute("href", re.compile(r"/proposals/\d+/"))
    _shot(page, "record", viewport)
    page.get_by_role("link", name="积分台账").click()
    expect(page.locator("main tfoot")).to_contain_text("16")
    _shot(page, "ledger", viewport)
    page.get_by_role("link", name="年度履职报告").click()
    expect(page.locator(".duty-report-head h2")).to_have_text("政协委员年度履职报告")
    _shot(page, "report", viewport)

    log_in(axe_page, live_server.url, member)
    axe_page.goto(f"{live_server.url}/duty/record/")
    violations = run_axe(axe_page)
    assert violations == [], describe_violations("duty record", violations)

    page.context.clear_cookies()
    log_in(page, live_server.url, staff)
    page.goto(f"{live_server.url}/duty/record/rankings/")
    expect(page.locator("main h1")).to_have_text("履职排名")
    page.locator("#id_threshold").fill("20")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("tr.duty-flagged")).to_have_count(1)
    _shot(page, "rankings", viewport)
    page.goto(f"{live_server.url}/duty/record/rules/")
    expect(page.locator("main h1")).to_have_text("积分规则")
    _shot(page, "rules", viewport)
