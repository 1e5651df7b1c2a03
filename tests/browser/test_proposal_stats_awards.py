"""Proposal statistics, search and excellent-proposal awards in a real browser, on a phone
and on a desktop: the charts draw (vendored ECharts, no CSP violation), search from the
review list, the award selection from opening to the public list, and axe-core on the pages."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.proposals import actions
from tests.browser.helpers import describe_violations, log_in, run_axe

pytestmark = pytest.mark.browser

TITLES = ("关于推进生活垃圾分类处理的建议", "关于提升基层医疗服务能力的建议", "关于加强老旧小区加装电梯工作的建议")


def some_proposals(tree: Any, member: User, staff: User) -> list[Any]:
    session = actions.do_create_session(
        None,
        cppcc=tree.province_cppcc,
        term=13,
        number=5,
        is_current=True,
        window_opens=datetime.date(2000, 1, 1),
        window_closes=datetime.date(2000, 1, 2),
    )
    filed = []
    for i, title in enumerate(TITLES):
        draft = actions.do_save_draft(
            member,
            session=session,
            title=title,
            summary=title[2:-3],
            situation="（基本情况）",
            analysis="（问题分析）",
            suggestions="（具体建议）",
        ).proposal
        submitted = actions.do_submit(member, draft)
        filed.append(actions.do_file(staff, submitted) if i < 2 else submitted)
    return filed


def test_statistics_charts_and_search(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User], tree: Any
) -> None:
    staff = person(Role.AGENCY_STAFF)
    some_proposals(tree, person(Role.MEMBER), staff)
    log_in(page, live_server.url, staff)
    page.goto(f"{live_server.url}/proposals/stats/")
    expect(page.locator("main h1")).to_have_text("提案统计")
    # The charts are drawn on canvases; the tables stay below them.
    expect(page.locator('[data-chart="status"].is-drawn canvas')).to_have_count(1)
    expect(page.locator('[data-chart="by_category"].is-drawn canvas')).to_have_count(1)
    expect(page.locator(".stat-card").first).to_contain_text("3")
    expect(page.locator("table.stats-table").first).to_be_visible()

    page.goto(f"{live_server.url}/proposals/review/")
    page.locator("#proposal-q").fill("垃圾分类")
    page.locator("#proposal-status").select_option("all")
    with page.expect_navigation():
        page.locator("main form[role=search] button[type=submit]").click()
    results = page.locator("main ul.handling-list li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(TITLES[0])


def test_award_selection_to_the_public_list(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User], tree: Any
) -> None:
    staff = person(Role.AGENCY_STAFF)
    filed = some_proposals(tree, person(Role.MEMBER), staff)
    log_in(page, live_server.url, staff)
    page.goto(f"{live_server.url}/proposals/awards/")
    page.locator("#award-year").fill(str(timezone.localdate().year))
    with page.expect_navigation():
        page.locator("main form[action$='/awards/open/'] button[type=submit]").click()
    expect(page.locator("main h1")).to_contain_text("年度优秀提案")
    item = page.locator("main li", has_text=filed[1].title)
    item.locator("textarea").fill("调研深入，建议可行")
    with page.expect_navigation():
        item.locator("button[type=submit]").click()
    with page.expect_navigation():
        page.locator("main button[name=decision][value=selected]").first.click()
    with page.expect_navigation():
        page.locator("main form[action$='/act/publish/'] button").click()
    expect(page.locator("main")).to_contain_text("入选名单")

    page.context.clear_cookies()  # an anonymous visitor sees the final list
    page.goto(f"{live_server.url}/proposals/awards/")
    with page.expect_navigation():
        page.locator("main ul.card-list a").first.click()
    final = page.locator("main table")
    expect(final).to_contain_text(filed[1].title)
    expect(final).to_contain_text("调研深入，建议可行")
    expect(final).not_to_contain_text(filed[0].title)


def test_accessibility(
    axe_page: Page, viewport: str, live_server: Any, person: Callable[[str], User], tree: Any
) -> None:
    staff = person(Role.AGENCY_STAFF)
    filed = some_proposals(tree, person(Role.MEMBER), staff)
    selection = actions.do_open_award_selection(staff, cppcc=tree.province_cppcc, year=timezone.localdate().year)
    actions.do_nominate_for_award(staff, selection, filed[0], reason="调研深入")
    log_in(axe_page, live_server.url, staff)
    found: list[str] = []
    for path in (
        "/proposals/stats/",
        "/proposals/review/?q=医疗&status=all",
        "/proposals/awards/",
        f"/proposals/awards/{selection.pk}/",
    ):
        axe_page.goto(live_server.url + path)
        expect(axe_page.locator("main h1")).to_be_visible()
        violations = run_axe(axe_page)
        if violations:
            found.append(describe_violations(f"{viewport} {path}", violations))
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
