"""A proposal from a member's phone to the department's reply and the members' ratings, in a
real browser on a 375×812 phone: submit → co-sign → file → assign → reply → review → rate,
then the published proposal in the public zone. The people are made here, like the demo's:
a member and her co-signer, the proposals committee staff and a department's handler."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.proposals import actions
from huying.proposals.choices import HandlingStatus, Publication
from huying.proposals.models import Proposal
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

PHONE_375 = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
TITLE = "关于推进老旧小区加装电梯的建议"


@pytest.fixture
def phone(browser: Browser, live_server: Any, settings: Any, tmp_path: Any) -> Iterator[Page]:
    """A 375×812 phone page; fails on a script error or a content-security-policy violation."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE_375)
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


def as_person(page: Page, base_url: str, user: User) -> None:
    page.context.clear_cookies()
    log_in(page, base_url, user)


def no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px on a 375px phone"


def test_submit_cosign_file_assign_reply_rate_on_a_phone(phone: Page, live_server: Any, tree: Any) -> None:
    base = live_server.url
    cppcc = tree.province_cppcc
    unit = OrganisationFactory(
        name="荔湾区住房和城乡建设局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
    )
    weiyuan = UserFactory(username="weiyuan", real_name="王丽", roles=[(Role.MEMBER, cppcc)])
    lianming = UserFactory(username="lianming", real_name="周燕", roles=[(Role.MEMBER, cppcc)])
    jiguan = UserFactory(username="jiguan", real_name="李波", roles=[(Role.AGENCY_STAFF, cppcc)])
    chengban = UserFactory(username="chengban", real_name="郭娜", roles=[(Role.UNIT_STAFF, unit)])
    actions.do_create_session(None, cppcc=cppcc, term=13, number=3, is_current=True)
    page = phone

    # The member drafts on her phone and invites a co-signer.
    as_person(page, base, weiyuan)
    page.goto(f"{base}/proposals/new/")
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "老旧小区居民上下楼难，加装电梯推进缓慢。")
    page.fill("#id_situation", "全市尚有大量无电梯的老旧住宅。")
    page.fill("#id_suggestions", "一、简化审批；二、加大补贴。")
    page.get_by_role("button", name="保存并提交").click()
    # Incomplete (no 问题分析): refused, nothing saved, what she typed is still there.
    expect(page.locator("#id_analysis + .error")).to_contain_text("提交前请填写问题分析")
    expect(page.locator("#id_situation")).to_have_value("全市尚有大量无电梯的老旧住宅。")
    assert not Proposal.objects.exists()
    page.fill("#id_analysis", "审批环节多，资金来源单一。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    # She finds her co-signer by name (sector shown), picks her, can remove and pick again.
    page.fill("#id_member_q", "周")
    option = page.locator("#member-results [data-member-option]")
    expect(option).to_have_count(1)
    expect(page.locator("#member-results")).to_contain_text("周燕")
    option.dispatch_event("click")
    chip = page.locator("#cosigner-chips li")
    expect(chip).to_contain_text("周燕")
    chip.get_by_role("button").dispatch_event("click")
    expect(chip).to_have_count(0)
    page.fill("#id_member_q", "周燕")
    expect(option).to_have_count(1)
    option.dispatch_event("click")
    expect(chip).to_have_count(1)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    expect(page.locator(".cosigner-picker")).to_contain_text("周燕 · 已邀请")
    no_horizontal_scroll(page)
    proposal = Proposal.objects.get(title=TITLE)

    # The co-signer confirms from her list.
    as_person(page, base, lianming)
    page.goto(f"{base}/proposals/")
    page.get_by_role("button", name="确认").click()
    proposal.refresh_from_db()
    assert proposal.cosigners.get().status == "confirmed"

    # The first proposer submits.
    as_person(page, base, weiyuan)
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".messages")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == "submitted"

    # The proposals committee files it and assigns it to the housing bureau.
    as_person(page, base, jiguan)
    page.goto(f"{base}/proposals/review/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="立案", exact=True).click()
    expect(page.locator("main")).to_contain_text("第0001号")
    page.check("#id_mode_single")
    page.select_option("#id_units", str(unit.pk))
    page.fill("#id_assign_note", "请于三个月内答复")
    page.get_by_role("button", name="交办", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("提案已交办")
    expect(page.locator("#handling")).to_contain_text(unit.name)
    no_horizontal_scroll(page)

    # The bureau records the contact and replies, from its inbox.
    as_person(page, base, chengban)
    page.goto(f"{base}/proposals/inbox/")
    page.get_by_role("link", name=TITLE).click()
    page.fill("#id_contact_note", "电话联系王丽委员，商定办理思路。")
    page.get_by_role("button", name="记录沟通情况").click()
    expect(page.locator(".messages")).to_contain_text("沟通情况已记录")
    page.check("#id_class_A")
    page.fill("#id_reference_number", "荔建函〔2026〕8号")
    page.fill("#id_contact_person", "郭娜")
    page.fill("#id_contact_phone", "020-81234567")
    page.fill("#id_body", "经研究，已将老旧小区加装电梯纳入年度民生实事，简化审批并提高补贴标准。")
    page.set_input_files(
        "#id_document", files=[{"name": "答复函.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator(".messages")).to_contain_text("答复已提交审核")
    no_horizontal_scroll(page)

    # The committee accepts the reply.
    as_person(page, base, jiguan)
    page.goto(f"{base}/proposals/supervision/?pending=1")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".messages")).to_contain_text("答复已审核通过")

    # Both proposers rate it from their phones.
    for person, label in ((weiyuan, "满意"), (lianming, "基本满意")):
        as_person(page, base, person)
        page.goto(f"{base}/proposals/")
        page.locator(".to-rate").get_by_role("link", name=TITLE).click()
        page.get_by_label(label, exact=True).check()
        page.fill("textarea[name=comment]", "答复具体，措施明确。")
        page.get_by_role("button", name="提交测评").click()
        expect(page.locator(".messages")).to_contain_text("感谢您的评价，已记录")
        no_horizontal_scroll(page)
    proposal.refresh_from_db()
    assert (proposal.handling_status, proposal.publication) == (HandlingStatus.COMPLETED, Publication.PUBLISHED)

    # Published: anyone reads it in the public zone.
    page.context.clear_cookies()
    page.goto(f"{base}/proposals/public/?q=电梯")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("main")).to_contain_text("荔建函〔2026〕8号")
    expect(page.locator("main")).to_contain_text("王丽、周燕")
    no_horizontal_scroll(page)


def test_handling_pages_have_no_serious_accessibility_violations(
    axe_page: Page, viewport: str, live_server: Any, tree: Any, settings: Any, tmp_path: Any
) -> None:
    from tests.browser.test_accessibility import check, report

    settings.MEDIA_ROOT = str(tmp_path / "media")
    cppcc = tree.province_cppcc
    unit = OrganisationFactory(
        name="荔湾区住房和城乡建设局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
    )
    member = UserFactory(username="weiyuan", real_name="王丽", roles=[(Role.MEMBER, cppcc)])
    staff = UserFactory(username="jiguan", real_name="李波", roles=[(Role.AGENCY_STAFF, cppcc)])
    handler = UserFactory(username="chengban", real_name="郭娜", roles=[(Role.UNIT_STAFF, unit)])
    leader = UserFactory(username="lingdao", real_name="刘领", roles=[(Role.LEADER, cppcc)])
    session = actions.do_create_session(None, cppcc=cppcc, term=13, number=3, is_current=True)
    proposal = actions.do_save_draft(
        member,
        session=session,
        title=TITLE,
        summary="加装电梯",
        situation="（基本情况）",
        analysis="（问题分析）",
        suggestions="（具体建议）",
    ).proposal
    actions.do_file(staff, actions.do_submit(member, proposal))
    [assignment] = actions.do_assign(staff, proposal, mode="single", units=[unit])
    actions.do_mark_key(staff, proposal, is_key=True, leader=leader)
    reply = actions.do_submit_reply(
        handler,
        assignment,
        reply_class="A",
        reference_number="荔建函〔2026〕8号",
        contact_person="郭娜",
        body="已采纳。",
    )
    actions.do_review_reply(staff, reply, accept=True)
    actions.do_publish(staff, proposal)
    # A draft (the editor) and a submitted proposal (the review forms).
    complete = {
        "summary": "案由",
        "situation": "（基本情况）",
        "analysis": "（问题分析）",
        "suggestions": "（具体建议）",
    }
    draft = actions.do_save_draft(member, session=session, title="关于草稿的建议", **complete).proposal
    pending = actions.do_submit(
        member, actions.do_save_draft(member, session=session, title="关于待审查的建议", **complete).proposal
    )
    base = live_server.url
    found: list[str] = []
    for person, paths in (
        (
            staff,
            [
                f"/proposals/{proposal.pk}/",
                "/proposals/supervision/",
                f"/proposals/{pending.pk}/",
                "/proposals/review/",
            ],
        ),
        (handler, ["/proposals/inbox/?show=all", f"/proposals/inbox/{assignment.pk}/"]),
        (member, ["/proposals/", f"/proposals/{proposal.pk}/", "/proposals/new/", f"/proposals/{draft.pk}/edit/"]),
        (leader, ["/proposals/key/"]),
        (None, ["/proposals/public/", f"/proposals/public/{proposal.pk}/"]),
    ):
        axe_page.context.clear_cookies()
        if person is not None:
            log_in(axe_page, base, person)
        for path in paths:
            axe_page.goto(base + path)
            expect(axe_page.locator("main h1")).to_be_visible()
            check(axe_page, f"{viewport} {path} as {person or 'a visitor'}", found)
    report(found)
