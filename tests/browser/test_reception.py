"""委员会客室 in a real browser on a phone (390×844): a real-name verified citizen votes in
an open debate and asks the member on duty a question; the question waits for moderation;
once a moderator publishes it and the host member answers, the citizen reads the answer on
the session page and in *My questions*. Screenshots go to $SCREENSHOT_DIR when set."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from huying.core.tests.cache import clear_cache
from huying.interaction import actions as interaction
from huying.interaction.models import Debate
from huying.moderation import actions as moderation
from huying.moderation import screening
from huying.moderation.tests.conftest import make_public
from huying.reception import actions
from huying.reception.models import Question
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _clean(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    clear_cache()
    screening.reset()


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_citizen_votes_asks_and_reads_the_members_answer(
    page: Page, live_server: Any, tree: Any, person: Any, viewport: str
) -> None:
    from huying.accounts.choices import Role

    base = live_server.url
    citizen = make_public("citizen", "孙民")
    staff = person(Role.AGENCY_STAFF)
    member = person(Role.MEMBER)
    now = timezone.now()
    debate = interaction.do_create_debate(
        staff, question="中心城区是否应该限行燃油车？", side_a="应该限行", side_b="不应限行",
        opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=7),
    )  # fmt: skip
    interaction.do_open_debate(staff, debate)
    session = actions.do_create_session(
        staff, host=member, theme="加装电梯与老旧小区改造", description="委员在线，欢迎提问。",
        starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(hours=2),
    )  # fmt: skip
    actions.do_open_session(member, session)

    # The citizen votes in the debate…
    log_in(page, base, citizen)
    page.goto(f"{base}/interaction/debates/")
    page.get_by_role("link", name="中心城区是否应该限行燃油车？").click()
    page.get_by_role("button", name="支持这一方").first.click()
    expect(page.locator(".messages")).to_contain_text("投票成功")
    assert Debate.objects.get().votes_a == 1

    # …then asks the member in the reception room; it waits for moderation.
    page.goto(f"{base}/reception/")
    expect(page.locator("#live-title")).to_have_text("正在接待")
    page.get_by_role("link", name="加装电梯与老旧小区改造").click()
    page.get_by_label("您的问题").fill("低层住户不同意加装电梯，项目卡住了，有什么办法？")
    _shot(page, "reception-ask-phone")
    page.get_by_role("button", name="提交问题").click()
    expect(page.locator(".messages")).to_contain_text("审核通过后")
    expect(page.locator(".rc-mine")).to_contain_text("待审核")
    expect(page.locator(".rc-qas")).not_to_contain_text("低层住户")
    question = Question.objects.get()
    assert question.author == citizen and question.moderation.status == "pending"

    # A moderator publishes it; the host answers (through the actions).
    moderation.do_publish(staff, question.moderation)
    question.moderation.refresh_from_db()
    actions.do_answer(member, question, body="可以先由社区居委会组织协商，必要时申请人民调解。")

    # The citizen sees the answer on the session page and in My questions.
    page.reload()
    qa = page.locator(f"#q{question.pk}")
    expect(qa).to_contain_text("低层住户不同意加装电梯")
    expect(qa.locator(".rc-bubble-a")).to_contain_text("可以先由社区居委会组织协商")
    expect(page.locator(".rc-mine")).to_have_count(0)
    _shot(page, "reception-answered-phone")
    page.goto(f"{base}/reception/questions/mine/")
    expect(page.locator(".ix-list")).to_contain_text("可以先由社区居委会组织协商")
    expect(page.locator(".ix-list")).to_contain_text("已公开")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_reception_pages_pass_axe(axe_page: Page, live_server: Any, tree: Any, person: Any, viewport: str) -> None:
    """axe-core (serious and critical) on the list, a session, the console and the staff page."""
    from huying.accounts.choices import Role
    from tests.browser.helpers import describe_violations, run_axe

    citizen = make_public("citizen", "孙民")
    staff = person(Role.AGENCY_STAFF)
    member = person(Role.MEMBER)
    now = timezone.now()
    session = actions.do_create_session(
        staff, host=member, theme="社区居家养老服务", starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=2),
    )  # fmt: skip
    actions.do_open_session(member, session)
    q = actions.do_ask(citizen, session, body="长者饭堂周末能开吗？")
    moderation.do_publish(staff, q.moderation)
    q.moderation.refresh_from_db()
    actions.do_answer(member, q, body="已协调周末轮值供餐。")
    base = live_server.url
    axe_page.set_default_timeout(60_000)  # the first page of a cold live server on a busy machine
    found = []
    for who, paths in (
        (None, ["/reception/", f"/reception/{session.pk}/"]),
        (member, [f"/reception/{session.pk}/console/", "/reception/mine/"]),
        (staff, ["/reception/manage/"]),
    ):
        if who is not None:
            axe_page.context.clear_cookies()
            log_in(axe_page, base, who)
        for path in paths:
            axe_page.goto(base + path)
            violations = run_axe(axe_page)
            if violations:
                found.append(describe_violations(f"{viewport} {path}", violations))
    assert not found, "\n".join(found)
