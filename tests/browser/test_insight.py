"""The hot-topics pages in a real browser, on a phone and on a desktop: after a refresh of
the stored topics a dispatcher sees the planted construction-noise topic first, opens it
and finds links to its orders and the lead-unit form; axe-core on both pages."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from huying.accounts.models import User
from huying.demo.sample_messages import generate_messages
from huying.insight.refresh import refresh
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.tests.conftest import make_dispatcher, order_data
from tests.browser.helpers import describe_violations, log_in, run_axe

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("INSIGHT_SCREENSHOTS", "")

NOISE = (
    "翠竹苑旁边工地每天晚上施工到凌晨，噪音太大睡不着",
    "翠竹苑附近的工地半夜还在打桩，吵得老人孩子无法休息",
    "投诉翠竹苑边上工地夜间施工扰民",
    "翠竹苑小区旁的工地晚上十一点还在浇筑混凝土，轰鸣声不断",
)


def test_dispatcher_reads_the_hot_topics(
    page: Page, axe_page: Page, viewport: str, live_server: Any, person: Callable[[str], User], tree: Any
) -> None:
    dispatcher = make_dispatcher(tree)
    texts = list(NOISE) + [sample.text for sample in generate_messages(16, seed=4)]
    for index, text in enumerate(texts):
        data = order_data(content=text, external_id=f"GZ-{index}", caller_phone=f"138123400{index:02d}")
        actions.do_intake(dispatcher, data, Channel.HOTLINE)
    refresh(notify=False)
    log_in(page, live_server.url, dispatcher)
    page.goto(f"{live_server.url}/insight/topics/?days=30")
    expect(page.locator("main h1")).to_have_text("热点话题")
    first = page.locator(".topic-list > li").first
    expect(first).to_contain_text("翠竹苑")
    expect(first).to_contain_text("4 人反映")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/insight-topics-{viewport}.png", full_page=True)
    first.locator("h2 a").click()
    links = page.locator(".topic-members a")
    expect(links).to_have_count(4)
    expect(links.first).to_have_attribute("href", re.compile(r"/workorders/console/\d+/"))
    expect(page.locator("form[action$='/lead/'] button")).to_have_text("合并并派单")
    detail = page.url
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/insight-topic-{viewport}.png", full_page=True)

    log_in(axe_page, live_server.url, dispatcher)
    axe_page.goto(f"{live_server.url}/insight/topics/?days=30")
    violations = run_axe(axe_page)
    assert violations == [], describe_violations("hot topics", violations)
    axe_page.goto(detail)
    violations = run_axe(axe_page)
    assert violations == [], describe_violations("hot topic", violations)
