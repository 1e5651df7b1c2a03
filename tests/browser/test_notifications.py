"""The notification centre (消息中心) in a real browser: a street's staff member sees the unread
count in the header on a phone, opens the list, taps a notification, lands on the work
order's page in the unit inbox and finds the count one lower; axe-core on the list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.handling.models import Assignment
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import Category, WorkOrder
from tests.browser.helpers import describe_violations, log_in, open_page, run_axe

pytestmark = pytest.mark.browser


@pytest.fixture
def dispatched(tree: Any, settings: Any, tmp_path: Path) -> tuple[User, list[tuple[WorkOrder, Assignment]]]:
    """Two hotline orders dispatched to 沙面街道: two unread notifications for its staff."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WORKORDERS_CATEGORY_MODEL = str(tmp_path / "no-model.joblib")
    dispatcher = UserFactory(username="diaodu", real_name="周调", roles=[(Role.DISPATCHER, tree.command_centre)])
    street = UserFactory(username="jiedao", real_name="吴街", roles=[(Role.STREET_HANDLER, tree.street)])
    category = Category.objects.get(code="010101")
    made = []
    for n, content in enumerate(("沙面大街路口有人乱摆卖，占用人行道。", "沙面南街垃圾桶满溢，无人清运。")):
        order = actions.do_intake(
            dispatcher,
            {
                "external_id": f"NOTIFY-{n}",
                "content": content,
                "caller_phone": "13812341234",
                "street": tree.street.name,
            },
            Channel.HOTLINE,
        ).order
        [lead] = actions.do_dispatch(dispatcher, order, tree.street, category=category)
        made.append((order, lead))
    return street, made


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from open_page(browser, "phone")


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"


def test_a_unit_staff_member_opens_a_notification_on_a_phone(phone: Page, live_server: Any, dispatched: Any) -> None:
    street, made = dispatched
    page = phone
    log_in(page, live_server.url, street)

    # The header's bell shows the unread count, loaded after the page.
    bell = page.locator("a.notifications-link")
    expect(bell).to_be_visible()
    expect(bell.locator(".notifications-count-number")).to_have_text("2")
    box = bell.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44, "the bell is big enough to tap"

    bell.click()
    expect(page).to_have_url(f"{live_server.url}/notifications/")
    expect(page.locator("main h1")).to_have_text("消息中心")
    expect(page.locator(".notification.is-unread")).to_have_count(2)
    no_sideways_scroll(page)

    # The newest notification is the second order's; tapping it opens that assignment.
    newest_order, newest_lead = made[1]
    page.locator(".notification").first.get_by_role("button").click()
    expect(page).to_have_url(f"{live_server.url}/workorders/inbox/{newest_lead.pk}/")
    expect(page.locator("main h1")).to_contain_text(newest_order.number)
    expect(bell.locator(".notifications-count-number")).to_have_text("1")

    # Back in the list: one read, one unread; "mark all read" clears the badge.
    bell.click()
    expect(page.locator(".notification.is-unread")).to_have_count(1)
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.locator(".messages")).to_contain_text("1 条消息已标为已读")
    expect(page.locator(".notification.is-unread")).to_have_count(0)
    expect(bell.locator(".notifications-count[data-count]")).to_have_count(0)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_notification_centre_passes_axe(browser: Browser, viewport: str, live_server: Any, dispatched: Any) -> None:
    street, _made = dispatched
    pages = open_page(browser, viewport, bypass_csp=True)
    page = next(pages)
    log_in(page, live_server.url, street)
    found: list[str] = []
    for path in ("/notifications/", "/notifications/?show=unread"):
        page.goto(live_server.url + path)
        expect(page.locator(".notifications-count-number")).to_have_text("2")
        violations = run_axe(page)
        if violations:
            found.append(describe_violations(f"{viewport} {path}", violations))
    if viewport == "desktop":
        expect(page.locator(".notifications-label")).to_be_visible()
    next(pages, None)
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
