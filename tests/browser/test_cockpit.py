"""The leaders' cockpit in a real browser: the wall screen at 1920×1080 (no scrolling, the
charts drawn, a figure updated in place after the data change, without a reload) and the
cockpit page on a 390-px phone (the halves stacked, the figures readable). Screenshots go
to $SCREENSHOT_DIR when set."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.core.tests.cache import clear_cache
from huying.proposals.tests.conftest import make_session
from huying.workorders import actions
from huying.workorders.choices import Channel
from tests.browser.helpers import log_in
from tests.browser.test_dashboard import some_orders

pytestmark = pytest.mark.browser

WALL = {"width": 1920, "height": 1080}


@pytest.fixture(autouse=True)
def _clean() -> None:
    clear_cache()


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=page.viewport_size != WALL)


def _district_leader(tree: Any) -> User:
    return UserFactory(username="lingdao-browser", real_name="张明远", roles=[(Role.LEADER, tree.district_gov)])


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_wall_screen_fills_1920_by_1080_and_updates_in_place(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User], tree: Any
) -> None:
    base = live_server.url
    dispatcher = person(Role.DISPATCHER)
    some_orders(tree, dispatcher)
    make_session(tree)
    page.set_viewport_size(WALL)
    log_in(page, base, person(Role.ADMIN))
    # A long interval: the test polls itself, through the script's own refresh.
    page.goto(f"{base}/cockpit/screen/?refresh=3600")

    today = page.locator('[data-field="workorders.today"]')
    expect(today).to_have_text("6")
    for chart in ("trend", "streets", "states", "satisfaction"):
        expect(page.locator(f'[data-chart="{chart}"] canvas')).to_have_count(1)
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= WALL["width"] and size[1] <= WALL["height"], f"the screen scrolls: {size}"
    value_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.ck-value')).fontSize)")
    assert value_size >= 40  # big numbers, readable across the room
    _shot(page, "cockpit-screen-1920")

    # A new order arrives; the cache is emptied (it would expire within half a minute) and
    # the screen polls: the figure changes in place, the page is not reloaded.
    page.evaluate("window.cockpitMarker = 'still here'")
    actions.do_intake(
        dispatcher,
        {"external_id": "BR-NEW", "content": "沙面大街路口有人乱摆卖。", "caller_phone": "13812341234",
         "category": "010101", "street": "沙面街道", "latitude": 23.11, "longitude": 113.243},
        Channel.HOTLINE,
    )  # fmt: skip
    clear_cache()
    page.evaluate("window.huyingCockpit.refresh()")
    expect(today).to_have_text("7")
    assert page.evaluate("window.cockpitMarker") == "still here"
    assert page.evaluate("window.huyingCockpit.state.updates") >= 1

    # The links go down to the detailed pages.
    page.locator(".ck-tile", has_text="当前超期").click()
    expect(page).to_have_url(f"{base}/workorders/dashboard/")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_cockpit_page_stacks_on_a_phone(
    page: Page, viewport: str, live_server: Any, person: Callable[[str], User], tree: Any
) -> None:
    base = live_server.url
    some_orders(tree, person(Role.DISPATCHER))
    log_in(page, base, _district_leader(tree))
    page.goto(f"{base}/cockpit/")
    expect(page.locator('[data-field="workorders.today"]')).to_have_text("6")
    expect(page.locator('[data-chart="trend"] canvas')).to_have_count(1)
    expect(page.locator('[data-list="streets"] li')).to_have_count(2)

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is wider than the phone: {width}"
    wo = page.locator(".ck-wo").bounding_box()
    cp = page.locator(".ck-cp").bounding_box()
    assert wo and cp and cp["y"] >= wo["y"] + wo["height"] - 1  # stacked, work orders first
    tiles = page.locator(".ck-wo .ck-tile")
    first, second, third = (tiles.nth(i).bounding_box() for i in range(3))
    assert first and second and third
    assert first["y"] == second["y"] and third["y"] > first["y"]  # two tiles a row
    value_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.ck-value')).fontSize)")
    assert value_size >= 24
    _shot(page, "cockpit-page-390")
