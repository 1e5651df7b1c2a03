"""A work order from dispatch to closing in a real browser: the dispatcher dispatches it on a
desktop, the street accepts it and resolves it with a photo from the unit inbox on a phone,
the dispatcher makes the feedback call and closes it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Browser, Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.handling import actions as engine
from huying.workorders import actions
from huying.workorders.choices import AttachmentKind, Channel, OrderStatus
from huying.workorders.models import Attachment, Category, WorkOrder
from tests.browser.helpers import describe_violations, log_in, open_page, run_axe

pytestmark = pytest.mark.browser

# The smallest well-formed JPEG (1 × 1 pixel).
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////"
    "////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
)


@contextmanager
def opened(browser: Browser, viewport: str) -> Iterator[Page]:
    """A page in a fresh context of ``viewport``; fails on a script error or a CSP violation."""
    pages = open_page(browser, viewport)
    page = next(pages)
    try:
        yield page
    finally:
        with suppress(StopIteration):
            next(pages)


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"


@pytest.fixture
def people(tree: Any, settings: Any, tmp_path: Path) -> dict[str, User]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WORKORDERS_CATEGORY_MODEL = str(tmp_path / "no-model.joblib")
    return {
        "dispatcher": UserFactory(username="diaodu", real_name="周调", roles=[(Role.DISPATCHER, tree.command_centre)]),
        "street": UserFactory(username="jiedao", real_name="吴街", roles=[(Role.STREET_HANDLER, tree.street)]),
    }


def test_dispatch_resolve_with_a_photo_feedback_and_close(
    browser: Browser, live_server: Any, tree: Any, people: dict[str, User], tmp_path: Path
) -> None:
    order = actions.do_intake(
        people["dispatcher"],
        {
            "external_id": "GZ12345-BROWSER",
            "content": "沙面大街路口有人乱摆卖，占用人行道。",
            "caller_name": "张三",
            "caller_phone": "13812341234",
            "district": tree.district_gov.name,
            "street": tree.street.name,
            "address": "沙面大街1号",
        },
        Channel.HOTLINE,
    ).order
    detail = f"{live_server.url}/workorders/console/{order.pk}/"

    # 1. The dispatcher dispatches it to the street (desktop).
    with opened(browser, "desktop") as page:
        log_in(page, live_server.url, people["dispatcher"])
        page.goto(f"{live_server.url}/workorders/console/")
        page.get_by_role("link", name=order.number).click()
        expect(page.locator("main h1")).to_contain_text(order.number)
        page.locator("#id_category").select_option("010101")
        page.locator("#id_unit").select_option(label=tree.street.name)
        page.locator("#id_note").fill("请尽快到场处置")
        page.get_by_role("button", name="派单").click()
        expect(page.locator(".messages")).to_contain_text("已派发")
        expect(page.locator("main h1 .badge")).to_have_text("已派单")

    # 2. The street accepts and resolves it with a photo from the inbox (phone).
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(JPEG)
    with opened(browser, "phone") as page:
        log_in(page, live_server.url, people["street"])
        page.goto(f"{live_server.url}/workorders/inbox/")  # the shared inbox's work-order tab
        expect(page.locator("main h1")).to_have_text("待办")
        no_sideways_scroll(page)
        page.locator(".inbox-card", has_text=order.number).locator("a.inbox-title").click()
        expect(page.locator("main h1")).to_contain_text(order.number)
        no_sideways_scroll(page)
        page.get_by_role("button", name="签收", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("已签收")
        page.locator("#id_result").fill("摊贩已劝离，路口已清理")
        page.locator("#id_photos").set_input_files(str(photo))
        button = page.get_by_role("button", name="办结", exact=True)
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44, "the button is big enough to tap"
        button.click()
        expect(page.locator(".messages")).to_contain_text("已办结")
        expect(page.locator(".evidence img")).to_have_count(1)
        no_sideways_scroll(page)

    evidence = Attachment.objects.get(order=order)
    assert evidence.kind == AttachmentKind.EVIDENCE and evidence.content_type == "image/jpeg"

    # 3. The dispatcher calls the caller back and closes the order (desktop).
    with opened(browser, "desktop") as page:
        log_in(page, live_server.url, people["dispatcher"])
        page.goto(f"{live_server.url}/workorders/console/?queue=feedback")
        page.get_by_role("link", name=order.number).click()
        expect(page).to_have_url(detail)
        expect(page.locator(".evidence img")).to_have_count(1)
        expect(page.locator("main")).to_contain_text("摊贩已劝离")
        feedback = page.locator("#feedback-form")
        feedback.get_by_label("满意", exact=True).check()
        feedback.get_by_label("是", exact=True).check()
        feedback.locator("#id_feedback_comment").fill("来电人表示满意")
        feedback.get_by_role("button", name="登记回访结果").click()
        expect(page.locator(".messages")).to_contain_text("回访已登记")
        page.locator("#close-form").get_by_role("button", name="结案").click()
        expect(page.locator(".messages")).to_contain_text("工单已结案")
        expect(page.locator("main h1 .badge")).to_have_text("已结案")
        expect(page.locator(".timeline")).to_contain_text("来电人表示满意")

    assert WorkOrder.objects.get(pk=order.pk).status == OrderStatus.CLOSED


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_console_and_inbox_pages_pass_axe(
    browser: Browser, viewport: str, live_server: Any, tree: Any, people: dict[str, User]
) -> None:
    """axe-core finds no serious or critical violation on the console queues, an order page
    with every form of a resolved order, and the unit inbox."""
    dispatcher, street = people["dispatcher"], people["street"]
    base = {
        "content": "沙面大街路口有人乱摆卖，占用人行道。",
        "caller_phone": "13812341234",
        "street": tree.street.name,
    }
    order = actions.do_intake(dispatcher, {**base, "external_id": "AXE-1"}, Channel.HOTLINE).order
    actions.do_intake(dispatcher, {**base, "external_id": "AXE-2"}, Channel.HOTLINE)
    lead = actions.do_dispatch(dispatcher, order, tree.street, category=Category.objects.get(code="010101"))[0]
    engine.do_accept(street, lead)
    assert lead.resolve_due is not None
    engine.do_request_extension(street, lead, until=lead.resolve_due + timedelta(days=2), reason="需协调")
    found: list[str] = []
    pages = open_page(browser, viewport, bypass_csp=True)
    page = next(pages)
    log_in(page, live_server.url, dispatcher)
    for path in (f"/workorders/console/{order.pk}/", "/workorders/console/?queue=extensions"):
        page.goto(live_server.url + path)
        violations = run_axe(page)
        if violations:
            found.append(describe_violations(f"{viewport} {path}", violations))
    actions.do_resolve(street, lead, result="已清理", files=[actions.UploadedAttachment("a.jpg", ContentFile(JPEG))])
    page.goto(f"{live_server.url}/workorders/console/{order.pk}/")
    violations = run_axe(page)
    if violations:
        found.append(describe_violations(f"{viewport} resolved order", violations))
    page.context.clear_cookies()
    log_in(page, live_server.url, street)
    for path in ("/workorders/inbox/?show=all", f"/workorders/inbox/{lead.pk}/"):
        page.goto(live_server.url + path)
        violations = run_axe(page)
        if violations:
            found.append(describe_violations(f"{viewport} {path}", violations))
    with suppress(StopIteration):
        next(pages)
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
