"""A duty activity from a member's 390-px phone: he finds the invitation, signs up, and
checks in through the link the venue's QR code carries; the organising staff then see him
attended on the roster (desktop). Set ``HY_SCREENSHOTS=/some/dir`` to keep screenshots."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from huying.activities.choices import ParticipationStatus
from huying.activities.models import Participation
from huying.activities.tests.factories import make_activity
from huying.activities.tests.people import build_cast
from tests.browser.helpers import log_in, open_page

pytestmark = pytest.mark.browser

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("HY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Page]:
    from tests.browser import helpers

    helpers.VIEWPORTS.setdefault("phone390", PHONE_390)
    yield from open_page(browser, "phone390")


@pytest.fixture
def desktop(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from open_page(browser, "desktop")


def warm_up(page: Page, base: str) -> None:
    """The live server's first request loads the whole URL tree (seconds on a busy machine):
    take it outside the 10-second step timeout."""
    page.goto(f"{base}/accounts/login/", timeout=90_000)


def no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px on a 390px phone"


def test_member_signs_up_and_checks_in_on_a_phone(
    phone: Page, desktop: Page, live_server: Any, tree: Any, alice: Any
) -> None:
    cast = build_cast(tree, alice)
    starts = (timezone.now() + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    activity = make_activity(
        cast.frank, cast.economics, starts_at=starts, committees=[cast.economics], title="视察南沙港区建设"
    )
    base = live_server.url
    warm_up(phone, base)

    log_in(phone, base, alice)
    phone.goto(f"{base}{reverse('activities:mine')}")
    expect(phone.locator("h1")).to_have_text("履职活动")
    card = phone.locator(".activity-card", has_text="视察南沙港区建设")
    expect(card).to_contain_text("已邀请")
    no_horizontal_scroll(phone)
    shot(phone, "member-list-390")
    card.locator("a.item-title").click()
    phone.get_by_role("button", name="报名参加").click()
    expect(phone.locator(".my-part")).to_contain_text("已报名")
    no_horizontal_scroll(phone)
    shot(phone, "member-detail-390")

    # The venue's QR code carries this link; opening it checks in no one until he taps.
    phone.goto(f"{base}{reverse('activities:checkin', args=[activity.pk, activity.checkin_token])}")
    phone.get_by_role("button", name="立即签到").click()
    expect(phone.locator(".checkin-done")).to_contain_text("签到成功")
    no_horizontal_scroll(phone)
    shot(phone, "member-checkin-390")
    row = Participation.objects.get(activity=activity, member=alice)
    assert row.status == ParticipationStatus.ATTENDED and row.check_in_method == "qr"

    log_in(desktop, base, cast.frank)
    desktop.goto(f"{base}{reverse('activities:qr', args=[activity.pk])}")
    expect(desktop.locator(".qr-code svg")).to_be_visible()
    shot(desktop, "staff-qr-desktop")
    desktop.goto(f"{base}{reverse('activities:roster', args=[activity.pk])}")
    line = desktop.locator(f"tr[data-member='{alice.username}']")
    expect(line).to_contain_text("已出席")
    expect(line.locator("input[name=present]")).to_be_checked()
    shot(desktop, "staff-roster-desktop")


def test_key_pages_pass_axe(browser: Browser, live_server: Any, tree: Any, alice: Any) -> None:
    from tests.browser.helpers import describe_violations, run_axe

    cast = build_cast(tree, alice)
    starts = (timezone.now() + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    activity = make_activity(cast.frank, cast.economics, starts_at=starts, committees=[cast.economics])
    base = live_server.url
    problems = []
    for viewport, user, names in (
        ("phone", alice, ["activities:mine", "activities:detail", "activities:checkin"]),
        ("desktop", cast.frank, ["activities:manage", "activities:new", "activities:roster", "activities:qr"]),
    ):
        pages = open_page(browser, viewport, bypass_csp=True)
        page = next(pages)
        warm_up(page, base)
        log_in(page, base, user)
        for name in names:
            args = {
                "activities:detail": [activity.pk],
                "activities:roster": [activity.pk],
                "activities:qr": [activity.pk],
                "activities:checkin": [activity.pk, activity.checkin_token],
            }.get(name, [])
            page.goto(f"{base}{reverse(name, args=args)}")
            violations = run_axe(page)
            if violations:
                problems.append(describe_violations(f"{viewport} {name}", violations))
        next(pages, None)
    assert not problems, "\n".join(problems)
