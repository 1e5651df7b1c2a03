"""互动 in a real browser on a phone (390×844): a real-name verified citizen votes in a
debate (and changes the vote) and sends a suggestion; a moderator publishes it; a CPPCC
member turns it into a proposal draft. Screenshots go to $SCREENSHOT_DIR when set."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from huying.core.tests.cache import clear_cache
from huying.interaction import actions
from huying.interaction.models import Debate, Suggestion, SuggestionAdoption
from huying.moderation import screening
from huying.moderation.tests.conftest import make_public
from huying.proposals.tests.conftest import make_session
from tests.browser.helpers import describe_violations, log_in, run_axe

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


def _log_out(page: Page) -> None:
    page.context.clear_cookies()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_citizen_votes_and_suggests_member_adopts(
    page: Page, live_server: Any, tree: Any, person: Any, viewport: str
) -> None:
    from huying.accounts.choices import Role

    base = live_server.url
    citizen = make_public("citizen", "孙民")
    staff = person(Role.AGENCY_STAFF)
    member = person(Role.MEMBER)
    make_session(tree)
    now = timezone.now()
    debate = actions.do_create_debate(
        staff, question="中心城区是否应该限行燃油车？", side_a="应该限行", side_b="不应限行",
        opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=7),
    )  # fmt: skip
    actions.do_open_debate(staff, debate)

    # The citizen votes, changes the vote, argues.
    log_in(page, base, citizen)
    page.goto(f"{base}/interaction/debates/")
    page.get_by_role("link", name="中心城区是否应该限行燃油车？").click()
    page.get_by_role("button", name="支持这一方").first.click()
    expect(page.locator(".messages")).to_contain_text("投票成功")
    page.get_by_role("button", name="支持这一方").click()  # change to side B
    debate.refresh_from_db()
    assert (debate.votes_a, debate.votes_b) == (0, 1)
    page.get_by_label("不应限行").check()
    page.get_by_label("您的观点").fill("公共交通还不够完善，应该先补短板。")
    page.get_by_role("button", name="发表", exact=True).click()
    expect(page.locator(".ix-args")).to_contain_text("公共交通还不够完善")
    page.wait_for_timeout(300)  # the chart's first frame
    _shot(page, "debate-phone")

    # The citizen sends a suggestion; it waits for moderation.
    page.goto(f"{base}/interaction/suggestions/new/")
    page.get_by_label("标题").fill("建议增设社区长者饭堂")
    page.get_by_label("类别").select_option("social")
    page.get_by_label("建议内容").fill("小区老年人多，吃饭不方便，建议增设长者饭堂。")
    page.get_by_label("地点").fill("荔湾区沙面街")
    _shot(page, "suggestion-form-phone")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("审核通过后")
    suggestion = Suggestion.objects.get()
    assert suggestion.moderation.status == "pending"

    # A moderator publishes it from the queue.
    _log_out(page)
    log_in(page, base, staff)
    page.goto(f"{base}/moderation/")
    expect(page.locator(".ix-list")).to_contain_text("建议增设社区长者饭堂")
    _shot(page, "moderation-queue-phone")
    page.get_by_role("button", name="发布").first.click()
    expect(page.locator(".messages")).to_contain_text("处理结果已保存")

    # A member turns it into a proposal draft.
    _log_out(page)
    log_in(page, base, member)
    page.goto(f"{base}/interaction/suggestions/")
    page.get_by_role("link", name="建议增设社区长者饭堂").click()
    _shot(page, "suggestion-detail-member-phone")
    page.get_by_role("button", name="生成提案草稿").click()
    expect(page.locator(".messages")).to_contain_text("已根据群众建议生成提案草稿")
    link = SuggestionAdoption.objects.get()
    assert link.suggestion == suggestion and link.proposal.proposer == member
    assert link.proposal.status == "draft"
    assert Debate.objects.get().total_votes == 1


def test_interaction_pages_pass_axe(axe_page: Page, live_server: Any, tree: Any, person: Any, viewport: str) -> None:
    """axe-core (serious and critical) on the public pages and the moderation queue."""
    from huying.accounts.choices import Role
    from huying.moderation import actions as moderation

    citizen = make_public("citizen", "孙民")
    staff = person(Role.AGENCY_STAFF)
    now = timezone.now()
    debate = actions.do_create_debate(
        staff, question="公园是否应该全面开放草坪？", side_a="应该开放", side_b="适度开放",
        opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=7),
    )  # fmt: skip
    debate = actions.do_open_debate(staff, debate)
    actions.do_vote(citizen, debate, "a")
    actions.do_argue(citizen, debate, side="a", body="草坪开放让市民更亲近自然。")
    s = actions.do_submit_suggestion(
        citizen, title="建议增设口袋公园", body="社区缺少休闲空间，建议增设口袋公园。", category="environment"
    )
    moderation.do_publish(staff, s.moderation)
    base = live_server.url
    found = []
    pages = [
        "/interaction/suggestions/",
        f"/interaction/suggestions/{s.pk}/",
        "/interaction/debates/",
        f"/interaction/debates/{debate.pk}/",
    ]
    for path in pages:
        axe_page.goto(base + path)
        violations = run_axe(axe_page)
        if violations:
            found.append(describe_violations(f"{viewport} {path}", violations))
    log_in(axe_page, base, staff)
    for path in (
        "/moderation/",
        "/moderation/settings/",
        "/interaction/debates/manage/",
        "/interaction/suggestions/new/",
    ):
        axe_page.goto(base + path)
        violations = run_axe(axe_page)
        if violations:
            found.append(describe_violations(f"{viewport} {path}", violations))
    assert not found, "\n".join(found)
