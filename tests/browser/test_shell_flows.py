"""The shell in a real browser, on a phone and on a desktop: logging in through the form,
landing, the bottom tab bar, refusals, logging out and switching the language."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

# Where each role lands after logging in, and the page heading there (in Chinese, the default).
LANDING = {
    Role.MEMBER: ("/duty/", "履职"),
    Role.AGENCY_STAFF: ("/console/", "工作台"),
    Role.UNIT_STAFF: ("/console/", "工作台"),
    Role.DISPATCHER: ("/console/", "工作台"),
    Role.STREET_HANDLER: ("/console/", "工作台"),
    Role.LEADER: ("/dashboard/", "领导驾驶舱"),
    Role.ADMIN: ("/console/", "工作台"),
    Role.PUBLIC: ("/public/", "公众互动"),
}
# Roles that use the five member sections and therefore get the bottom tab bar on phones.
TAB_BAR_ROLES = {Role.MEMBER, Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN}


def open_menu_on_phone(page: Page, viewport: str) -> None:
    if viewport == "phone":
        toggle = page.locator("[data-menu-toggle]")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")


def test_login_lands_on_the_page_the_role_opens(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User]
) -> None:
    # One person per role, one after the other (the set-up of a transactional test costs
    # more than a login); dropping the cookies between them starts each from scratch.
    for role, (path, heading) in LANDING.items():
        user = person(role)
        page.context.clear_cookies()
        log_in(page, live_server.url, user)
        expect(page, f"{role} lands on {path}").to_have_url(live_server.url + path)
        expect(page.locator("main h1")).to_have_text(heading)
        check_tab_bar(page, viewport, role)
        if viewport == "desktop":
            expect(page.locator(".account")).to_contain_text(user.real_name)


def check_tab_bar(page: Page, viewport: str, role: str) -> None:
    tabbar = page.locator("nav.tabbar")
    if role not in TAB_BAR_ROLES:
        expect(tabbar, f"no tab bar for {role}").to_have_count(0)
    elif viewport == "phone":
        expect(tabbar, f"tab bar for {role} on a phone").to_be_visible()
        tabs = tabbar.get_by_role("link")
        expect(tabs).to_have_text(["履职", "协商", "互动", "资讯", "智库"])
        box = tabbar.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] == pytest.approx(844, abs=1), "the tab bar sits at the bottom of the screen"
        for tab in tabs.all():
            tab_box = tab.bounding_box()
            assert tab_box is not None
            assert tab_box["height"] >= 44
            assert tab_box["width"] >= 44
    else:
        expect(tabbar, f"no tab bar for {role} on a desktop").to_be_hidden()
        expect(page.locator(".topnav").get_by_role("link", name="履职")).to_be_visible()


@pytest.mark.parametrize("viewport", ["phone"])
def test_member_moves_between_sections_with_the_tab_bar(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User]
) -> None:
    log_in(page, live_server.url, person(Role.MEMBER))
    page.locator("nav.tabbar").get_by_role("link", name="资讯").click()
    expect(page).to_have_url(live_server.url + "/news/")
    expect(page.locator("main h1")).to_have_text("资讯")
    expect(page.locator("nav.tabbar a[aria-current=page]")).to_have_text("资讯")
    # Nothing in the area is live yet: it says so and lists what is planned.
    expect(page.locator(".coming h2")).to_have_text("即将上线")
    expect(page.locator(".planned li")).to_have_count(4)


REFUSALS = [
    (Role.PUBLIC, "/console/", "工作台仅向"),
    (Role.MEMBER, "/dashboard/", "领导驾驶舱仅向领导和系统管理员开放"),
    (Role.UNIT_STAFF, "/duty/", "本栏目仅向政协委员"),
]


def test_a_refused_area_says_who_it_is_for(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User]
) -> None:
    for role, area, message in REFUSALS:
        page.context.clear_cookies()
        log_in(page, live_server.url, person(role))
        response = page.goto(live_server.url + area)
        assert response is not None
        assert response.status == 403, f"{role} is refused {area}"
        expect(page.locator("main h1")).to_have_text("无权访问")
        expect(page.locator("[data-refusal]")).to_contain_text(message)
        page.locator("main").get_by_role("link", name="返回首页").click()
        expect(page).to_have_url(live_server.url + LANDING[role][0])


def test_anonymous_visitor_is_asked_to_log_in_and_then_sent_on(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User]
) -> None:
    page.goto(live_server.url + "/thinktank/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/thinktank/$"))
    user = person(Role.MEMBER)
    form = page.locator("main form:has(input[name=password])")
    form.locator("input[name=username]").fill(user.username)
    form.locator("input[name=password]").fill("Huying-test-2026")
    form.locator("[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/thinktank/")
    expect(page.locator("main h1")).to_have_text("智库")


def test_logout(page: Page, viewport: str, live_server: Any, person: Callable[[str], User]) -> None:
    log_in(page, live_server.url, person(Role.MEMBER))
    open_menu_on_phone(page, viewport)
    page.locator("[data-logout]").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("main h1")).to_have_text("呼应：有呼必应")
    expect(page.locator("nav.tabbar")).to_have_count(0)
    page.goto(live_server.url + "/duty/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_language_switch_to_english_and_back(page: Page, viewport: str, live_server: Any, db: None) -> None:
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("main h1")).to_have_text("呼应：有呼必应")

    open_menu_on_phone(page, viewport)
    page.get_by_role("button", name="English").click()
    expect(page.locator("main h1")).to_have_text("Huying: every call gets an answer")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + "/")

    open_menu_on_phone(page, viewport)
    page.get_by_role("button", name="中文").click()
    expect(page.locator("main h1")).to_have_text("呼应：有呼必应")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


@pytest.mark.parametrize("viewport", ["desktop"])
def test_desktop_shows_every_area_the_person_may_enter(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User]
) -> None:
    log_in(page, live_server.url, person(Role.ADMIN))
    expect(page.locator("[data-menu-toggle]")).to_be_hidden()
    expect(page.locator(".topnav a")).to_have_text(
        ["履职", "协商", "互动", "资讯", "智库", "公众互动", "工作台", "领导驾驶舱"]
    )
    expect(page.locator(".topnav a[aria-current=page]")).to_have_text("工作台")


@pytest.mark.parametrize("viewport", ["phone"])
def test_phone_menu_opens_and_closes(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User]
) -> None:
    log_in(page, live_server.url, person(Role.ADMIN))
    toggle = page.locator("[data-menu-toggle]")
    menu = page.locator("#site-menu")
    expect(menu).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(menu).to_be_visible()
    # The five sections are in the tab bar; the menu lists the other areas and the account.
    expect(menu.locator(".topnav a:visible")).to_have_text(["公众互动", "工作台", "领导驾驶舱"])
    for target in [*menu.locator("a:visible, button:visible").all(), toggle]:
        box = target.bounding_box()
        assert box is not None
        assert box["height"] >= 44, f"tap target too small: {target}"
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()
    toggle.click()
    menu.get_by_role("link", name="领导驾驶舱").click()
    expect(page).to_have_url(live_server.url + "/dashboard/")
    expect(menu).to_be_hidden()


def test_skip_link_moves_focus_to_the_content(page: Page, viewport: str, live_server: Any, db: None) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/#main")
    expect(page.locator("main")).to_be_focused()
