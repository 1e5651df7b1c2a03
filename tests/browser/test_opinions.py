"""社情民意 in a real browser: a member on a 390-px phone writes and submits a report, the
信息 office receives, edits and adopts it (through the actions), and the member reads the
edit as a diff, agrees, and sees the adoption; then the office compiles an issue in the
browser, sends it to a leader and downloads the PDF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.opinions import actions
from huying.opinions.choices import AdoptionLevel
from huying.opinions.models import Issue, OpinionReport
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
TITLE = "关于老旧小区加装电梯审批难的反映"


def _page(browser: Browser, options: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield page
    context.close()
    assert not problems, "The page broke in the browser:\n" + "\n".join(problems)


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from _page(browser, PHONE_390)


@pytest.fixture
def desktop(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from _page(browser, DESKTOP)


@pytest.fixture
def cast(tree: Any) -> dict[str, User]:
    office = OrganisationFactory(
        name="办公厅", kind=OrgKind.CPPCC_OFFICE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )
    return {
        "weiyuan": UserFactory(username="weiyuan", real_name="林志华", roles=[(Role.MEMBER, tree.province_cppcc)]),
        "xinxi": UserFactory(username="xinxi", real_name="吴晓琳", roles=[(Role.AGENCY_STAFF, office)]),
        "lingdao": UserFactory(username="lingdao", real_name="张明远", roles=[(Role.LEADER, tree.province_gov)]),
    }


def no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px"


def test_member_writes_on_a_phone_and_sees_the_adoption(phone: Page, live_server: Any, cast: dict[str, User]) -> None:
    base, page = live_server.url, phone
    member, staff = cast["weiyuan"], cast["xinxi"]
    log_in(page, base, member)
    page.goto(f"{base}/opinions/")
    no_horizontal_scroll(page)
    page.get_by_role("link", name="撰写社情民意信息").click()
    page.select_option("#id_category", "livelihood")
    page.fill("#id_title", TITLE)
    page.fill("#id_situation", "老旧小区加装电梯审批环节多，居民反映强烈。")
    page.fill("#id_analysis", "涉及规划、住建、消防多个部门。")
    page.fill("#id_suggestion", "建议推行联合审批，一次办结。")
    no_horizontal_scroll(page)
    page.get_by_role("button", name="保存并提交").click()
    expect(page.locator(".messages")).to_contain_text("您的信息已报送")
    report = OpinionReport.objects.get(title=TITLE)
    assert report.status == "submitted"

    # The information office receives, edits and adopts it (through the actions).
    actions.do_receive(staff, report)
    actions.do_edit(staff, report, {"suggestion": "建议推行联合审批，限时办结。"}, note="规范表述")
    actions.do_adopt(staff, report, level=AdoptionLevel.PROVINCE)

    page.goto(f"{base}/opinions/")
    expect(page.locator(".handling-list").first).to_contain_text(TITLE)
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.locator(".opinion-adoptions")).to_contain_text("省级采用")
    expect(page.locator(".opinion-diff del")).to_contain_text("一次")
    expect(page.locator(".opinion-diff ins")).to_contain_text("限时")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("您的答复已提交")
    timeline = page.locator(".timeline")
    for step in ("已提交", "已签收", "信息处编辑修改", "作者同意修改", "已采用"):
        expect(timeline).to_contain_text(step)
    no_horizontal_scroll(page)
    assert report.edits.get().response == "agreed"


def test_staff_compile_an_issue_in_the_browser(desktop: Page, live_server: Any, cast: dict[str, User]) -> None:
    base, page = live_server.url, desktop
    member, staff, leader = cast["weiyuan"], cast["xinxi"], cast["lingdao"]
    reports = []
    for title in ("关于社区长者饭堂运营的建议", "关于电动自行车充电安全的建议"):
        report = actions.do_create_draft(
            member, title=title, category="society", situation="情况", analysis="分析", suggestion="建议"
        )
        actions.do_submit(member, report)
        actions.do_receive(staff, report)
        actions.do_adopt(staff, report, level=AdoptionLevel.PROVINCE)
        reports.append(report)

    log_in(page, base, staff)
    page.goto(f"{base}/opinions/desk/?status=adopted")
    expect(page.locator(".opinion-queue")).to_contain_text(reports[0].title)
    page.get_by_role("link", name="《社情民意》刊物").first.click()
    for report in reports:
        page.check(f"#cand-{report.pk}")
    page.get_by_role("button", name="编辑成刊").click()
    expect(page.locator(".opinion-masthead")).to_contain_text("编辑中的一期")
    # Put the second report first.
    page.fill(f"#pos-{reports[1].pk}", "1")
    page.fill(f"#pos-{reports[0].pk}", "2")
    page.get_by_role("button", name="保存顺序").click()
    titles = page.locator(".opinion-report-title")
    expect(titles.first).to_contain_text(reports[1].title)
    page.get_by_label("张明远").check()
    page.get_by_role("button", name="编号并报送").click()
    expect(page.locator(".messages")).to_contain_text("本期刊物已编号并报送")
    issue = Issue.objects.get()
    assert issue.number == 1 and list(issue.recipients.all()) == [leader]
    expect(page.locator(".opinion-masthead")).to_contain_text("第1期")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # The leader reads it.
    page.context.clear_cookies()
    log_in(page, base, leader)
    page.goto(f"{base}/opinions/issues/")
    expect(page.locator(".handling-list")).to_contain_text("2026年第1期" if issue.year == 2026 else "第1期")
