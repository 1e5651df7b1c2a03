"""The public report form and "track my report" in a real browser: a phone (375×812) sends a
report with a photo and a map point, gets its number and follows it; axe-core on the pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.core.tests.cache import clear_cache
from huying.workorders.models import Attachment, WorkOrder
from tests.browser.helpers import describe_violations, log_in, run_axe

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 812}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 256
# A point inside the outline of 荔湾区 (Liwan district).
LIWAN = {"latitude": 23.1259, "longitude": 113.2443}


@pytest.fixture(autouse=True)
def _clean(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    clear_cache()  # rate limits


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A 375×812 touch phone that allows geolocation; fails on a script error or a CSP violation."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=SMALL_PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation=LIWAN,
        permissions=["geolocation"],
    )
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


def test_phone_reports_with_a_photo_and_tracks_it(phone: Page, live_server: Any, tree: Any) -> None:
    page = phone
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="问题反映").first.click()
    expect(page.locator("main h1")).to_have_text("问题反映")

    # The map of the district appears; the browser's location fills the coordinates.
    expect(page.locator("[data-report-map]")).to_be_visible()
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator("input[name=latitude]")).to_have_value("23.125900")
    expect(page.locator("input[name=longitude]")).to_have_value("113.244300")
    # A tap on the map moves the point (still inside the district).
    canvas = page.locator("[data-map-canvas]")
    box = canvas.bounding_box()
    assert box is not None and box["width"] <= 375
    canvas.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(page.locator("[data-map-status]")).not_to_be_empty()

    page.locator("textarea[name=content]").fill("芳村大道路边有共享单车乱停放，堵住盲道。")
    page.locator("select[name=category]").select_option("0101")
    page.locator("input[name=address]").fill("芳村大道中")
    page.locator("input[name=photos]").set_input_files(
        files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    page.locator("input[name=caller_phone]").fill("13912345678")
    page.get_by_role("button", name="提交").click()

    expect(page.locator("main h1")).to_have_text("提交成功")
    number = page.locator("[data-report-number]").inner_text().strip()
    order = WorkOrder.objects.get()
    assert number == order.number and order.channel == "web"
    assert order.latitude is not None and 23.0 < float(order.latitude) < 23.2
    assert Attachment.objects.get().content_type == "image/jpeg"

    # The same visitor follows it; a stranger needs the number and the phone.
    page.get_by_role("link", name="查看办理进度").click()
    expect(page.locator("main h1")).to_contain_text(number)
    expect(page.locator("[data-track-status]")).to_have_text("待派单")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/workorders/track/")
    page.locator("input[name=number]").fill(number)
    page.locator("input[name=phone]").fill("13900000000")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_contain_text("没有与该编号和电话号码相符的诉求")
    page.locator("input[name=phone]").fill("13912345678")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("main h1")).to_contain_text(number)
    expect(page.locator("[data-track-status]")).to_have_text("待派单")


def test_the_form_works_without_javascript(browser: Browser, live_server: Any, tree: Any) -> None:
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, viewport=SMALL_PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/workorders/report/")
    expect(page.locator("[data-report-map]")).to_be_hidden()
    page.locator("textarea[name=content]").fill("龙津西路噪音扰民。")
    page.locator("input[name=latitude]").fill("23.127")
    page.locator("input[name=longitude]").fill("113.247")
    page.locator("input[name=caller_phone]").fill("13912345678")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("main h1")).to_have_text("提交成功")
    assert str(WorkOrder.objects.get().latitude) == "23.127000"
    context.close()


def test_public_pages_have_no_serious_accessibility_problems(
    axe_page: Page, viewport: str, live_server: Any, tree: Any
) -> None:
    found: list[str] = []

    def check(where: str) -> None:
        violations = run_axe(axe_page)
        if violations:
            found.append(describe_violations(f"{viewport} {where}", violations))

    axe_page.goto(f"{live_server.url}/workorders/report/")
    expect(axe_page.locator("main h1")).to_be_visible()
    check("/workorders/report/")
    axe_page.get_by_role("button", name="提交").click()  # nothing filled in: the browser asks first
    axe_page.locator("textarea[name=content]").fill("测试")
    axe_page.locator("input[name=caller_phone]").fill("123")
    axe_page.get_by_role("button", name="提交").click()
    expect(axe_page.get_by_role("alert")).to_be_visible()
    check("/workorders/report/ with errors")
    axe_page.locator("input[name=caller_phone]").fill("13912345678")
    axe_page.get_by_role("button", name="提交").click()
    expect(axe_page.locator("main h1")).to_have_text("提交成功")
    check("/workorders/report/done/")
    axe_page.get_by_role("link", name="查看办理进度").click()
    # the tracking page loaded before axe goes in (injected mid-navigation it found no <head>)
    expect(axe_page).to_have_url(re.compile(r"/workorders/track/[^/]+/$"))
    expect(axe_page.locator("main h1")).to_be_visible()
    check("/workorders/track/<number>/")
    axe_page.goto(f"{live_server.url}/workorders/track/")
    check("/workorders/track/")
    if found:
        message = "axe-core found serious or critical violations:\n" + "\n".join(found)
        pytest.fail(message, pytrace=False)


def test_grid_and_referral_pages_have_no_serious_accessibility_problems(
    axe_page: Page, viewport: str, live_server: Any, person: Callable[[str], User]
) -> None:
    found: list[str] = []
    for role, path in ((Role.STREET_HANDLER, "/workorders/grid/"), (Role.MEMBER, "/workorders/referral/")):
        axe_page.context.clear_cookies()
        log_in(axe_page, live_server.url, person(role))
        axe_page.goto(live_server.url + path)
        expect(axe_page.locator("main h1")).to_be_visible()
        violations = run_axe(axe_page)
        if violations:
            found.append(describe_violations(f"{viewport} {path}", violations))
    if found:
        pytest.fail("axe-core found serious or critical violations:\n" + "\n".join(found), pytrace=False)
