"""A live consultation on a phone: a member watching sees the staff's update appear
without reloading; the staff post it from the console in another browser."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.consultations import actions
from huying.consultations.choices import ConsultationKind, ParticipantKind
from huying.core.tests.cache import clear_cache
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from tests.browser.helpers import log_in, new_context, open_page

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from open_page(browser, "phone")


@pytest.fixture
def desk(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = new_context(browser, "desktop")
    yield context.new_page()
    context.close()


def test_a_viewer_sees_a_live_update_without_reloading(phone: Page, desk: Page, live_server: Any, tree: Any) -> None:
    clear_cache()
    committee = OrganisationFactory(
        name="经济委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )
    staff = UserFactory(username="jiguan", real_name="陈静", roles=[(Role.AGENCY_STAFF, tree.province_cppcc)])
    member = UserFactory(username="weiyuan", real_name="林志华", roles=[(Role.MEMBER, tree.province_cppcc)])
    now = timezone.now()
    c = actions.do_create_consultation(
        staff,
        topic="粤港澳大湾区跨境政务服务协商会",
        kind=ConsultationKind.PROPOSAL_HANDLING,
        organiser=committee,
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=2),
        video_url="https://meeting.tencent.com/dm/123456789",
        agenda=["通报办理情况", "委员发言"],
    )
    actions.do_add_participant(staff, c, kind=ParticipantKind.MEMBER, user=member)
    actions.do_publish(staff, c)
    actions.do_open(staff, c)
    actions.do_post_update(staff, c, text="协商会开始。")

    log_in(phone, live_server.url, member)
    phone.goto(f"{live_server.url}/consultations/{c.pk}/")
    updates = phone.locator("#live-updates li")
    expect(updates).to_have_count(1)
    expect(phone.get_by_role("link", name="进入视频会议")).to_have_attribute(
        "href", "https://meeting.tencent.com/dm/123456789"
    )
    expect(phone.get_by_role("button", name="申请发言")).to_be_visible()
    phone.evaluate("() => { window.stillHere = true; }")  # gone if the page reloads

    log_in(desk, live_server.url, staff)
    desk.goto(f"{live_server.url}/consultations/console/{c.pk}/")
    desk.get_by_label("直播内容").fill("林志华委员发言：建议推动更多事项跨境通办。")
    desk.get_by_role("button", name="发布", exact=True).click()
    expect(desk.locator(".message-success")).to_be_visible()

    fresh = phone.locator("#live-updates li", has_text="建议推动更多事项跨境通办")
    expect(fresh).to_be_visible(timeout=15_000)
    expect(updates).to_have_count(2)
    assert phone.evaluate("() => window.stillHere === true")
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
