"""Every move of a report, allowed and refused, with the named people; edits as diffs;
merging, adopting at levels, forwarding; feedback and duty entries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huying.duty.models import DutyEntry
from huying.handling import history
from huying.handling.models import Notification
from huying.opinions import actions
from huying.opinions.choices import AdoptionLevel, EditResponse, ReportStatus
from huying.opinions.diffs import edit_diffs, render_diff
from huying.opinions.models import OpinionReport
from huying.opinions.tests.conftest import (
    build_shared_data,  # noqa: F401 - shared people (root conftest)
    draft,
    received,
    submitted,
)
from huying.opinions.transitions import StaleVersion, TransitionError


def kinds(report: OpinionReport) -> list[str]:
    return [e["kind"] for e in history.timeline(report)]


def status(report: OpinionReport) -> str:
    return OpinionReport.objects.values_list("status", flat=True).get(pk=report.pk)


def notices(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient_user=user).order_by("id").values_list("text", flat=True))


def duty(user: Any) -> list[tuple[str, str]]:
    return list(
        DutyEntry.objects.filter(member=user, retracted_at=None).order_by("id").values_list("kind", "qualifier")
    )


def test_member_drafts_and_submits(alice: Any, tree: Any) -> None:
    report = draft(alice)
    assert report.status == ReportStatus.DRAFT and report.cppcc == tree.province_cppcc
    actions.do_update_draft(alice, report, title="关于老旧小区加装电梯的建议", expected_version=1)
    actions.do_submit(alice, report)
    assert status(report) == ReportStatus.SUBMITTED
    assert kinds(report) == ["created", "submitted"]
    assert duty(alice) == [("opinion.submitted", "")]
    assert notices(alice) == ["您的信息“关于老旧小区加装电梯的建议”已报送。"]


def test_who_may_not_draft_or_submit(alice: Any, erin: Any, xinxi: Any, wei: Any, dora: Any, lingdao: Any) -> None:
    for person in (xinxi, wei, dora, lingdao):
        with pytest.raises(PermissionDenied):
            draft(person)
    report = draft(alice)
    for person in (erin, xinxi, wei, dora, lingdao):
        with pytest.raises(PermissionDenied):
            actions.do_submit(person, report)
        with pytest.raises(PermissionDenied):
            actions.do_update_draft(person, report, title="x")
    assert status(report) == ReportStatus.DRAFT
    assert not OpinionReport.objects.visible_to(erin).filter(pk=report.pk).exists()
    assert not OpinionReport.objects.visible_to(xinxi).filter(pk=report.pk).exists()  # drafts are the author's


def test_bad_input_changes_nothing(alice: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.do_create_draft(alice, title="", category="nonsense")
    assert set(exc.value.message_dict) == {"title", "category"}
    report = draft(alice, situation="")
    with pytest.raises(ValidationError):
        actions.do_submit(alice, report)
    with pytest.raises(StaleVersion):
        actions.do_update_draft(alice, report, title="新标题", expected_version=99)
    assert status(report) == ReportStatus.DRAFT


def test_visibility(
    alice: Any, erin: Any, xinxi: Any, bob: Any, wei: Any, dora: Any, lingdao: Any, people: Any
) -> None:
    report = submitted(alice)
    visible = {
        u.username
        for u in (alice, erin, xinxi, bob, wei, dora, lingdao, people["city_xinxi"])
        if OpinionReport.objects.visible_to(u).filter(pk=report.pk).exists()
    }
    assert visible == {"alice", "xinxi", "bob"}


def test_staff_receive_and_refusals(alice: Any, erin: Any, xinxi: Any, wei: Any, lingdao: Any, people: Any) -> None:
    report = submitted(alice)
    for person in (alice, erin, wei, lingdao, people["city_xinxi"]):
        with pytest.raises(PermissionDenied):
            actions.do_receive(person, report)
    assert status(report) == ReportStatus.SUBMITTED
    actions.do_receive(xinxi, report)
    assert status(report) == ReportStatus.RECEIVED
    with pytest.raises(TransitionError):
        actions.do_receive(xinxi, report)  # twice
    with pytest.raises(TransitionError):
        actions.do_submit(alice, report)
    assert any("已由信息处签收" in n for n in notices(alice))


def test_edit_is_a_diff_the_author_agrees_or_comments(alice: Any, erin: Any, xinxi: Any, wei: Any) -> None:
    report = received(alice, xinxi)
    with pytest.raises(PermissionDenied):
        actions.do_edit(wei, report, {"title": "改"})
    with pytest.raises(ValidationError):
        actions.do_edit(xinxi, report, {"title": report.title})  # nothing changes
    edit = actions.do_edit(
        xinxi, report, {"title": "关于加快老旧小区加装电梯的建议", "suggestion": "建议设立专项补贴。"}, note="精简"
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.EDITED and report.title == "关于加快老旧小区加装电梯的建议"
    assert edit.changes["suggestion"] == ["建议简化审批，设立专项补贴。", "建议设立专项补贴。"]
    [title, suggestion] = edit_diffs(edit)
    assert title["label"] == "标题" and "<ins>快</ins>" in title["html"] and "<del>强</del>" in title["html"]
    assert "<del>简化审批，</del>" in suggestion["html"]
    # The author answers, once; nobody else may.
    with pytest.raises(PermissionDenied):
        actions.do_respond_edit(erin, edit, agree=True)
    with pytest.raises(ValidationError):
        actions.do_respond_edit(alice, edit, agree=False, comment=" ")
    actions.do_respond_edit(alice, edit, agree=False, comment="请保留“简化审批”")
    edit.refresh_from_db()
    assert edit.response == EditResponse.COMMENTED
    with pytest.raises(TransitionError):
        actions.do_respond_edit(alice, edit, agree=True)
    second = actions.do_edit(xinxi, report, {"suggestion": "建议简化审批，设立专项补贴。"})
    actions.do_respond_edit(alice, second, agree=True)
    assert kinds(report)[-4:] == ["edited", "edit_commented", "edited", "edit_agreed"]


def test_render_diff_escapes() -> None:
    assert str(render_diff("<b>甲</b>", "<b>乙</b>")) == "&lt;b&gt;<del>甲</del><ins>乙</ins>&lt;/b&gt;"


def test_reject_needs_a_reason(alice: Any, xinxi: Any, wei: Any) -> None:
    report = received(alice, xinxi)
    with pytest.raises(ValidationError):
        actions.do_reject(xinxi, report, reason="  ")
    with pytest.raises(PermissionDenied):
        actions.do_reject(wei, report, reason="重复")
    actions.do_reject(xinxi, report, reason="与已采用信息重复")
    report.refresh_from_db()
    assert report.status == ReportStatus.REJECTED and report.reject_reason == "与已采用信息重复"
    assert "与已采用信息重复" in notices(alice)[-1]
    for move in (
        lambda: actions.do_adopt(xinxi, report, level=AdoptionLevel.PROVINCE),
        lambda: actions.do_receive(xinxi, report),
        lambda: actions.do_forward(xinxi, report),
    ):
        with pytest.raises(TransitionError):
            move()
    assert status(report) == ReportStatus.REJECTED


def test_adopt_at_levels_and_duty(alice: Any, xinxi: Any, wei: Any, bob: Any) -> None:
    report = received(alice, xinxi)
    with pytest.raises(PermissionDenied):
        actions.do_adopt(wei, report, level=AdoptionLevel.PROVINCE)
    with pytest.raises(ValidationError):
        actions.do_adopt(xinxi, report, level="galactic")
    actions.do_adopt(xinxi, report, level=AdoptionLevel.PROVINCE)
    with pytest.raises(TransitionError):
        actions.do_adopt(bob, report, level=AdoptionLevel.PROVINCE)  # once per level
    actions.do_adopt(bob, report, level=AdoptionLevel.NATIONAL)
    assert status(report) == ReportStatus.ADOPTED
    assert sorted(report.adoptions.values_list("level", flat=True)) == ["national", "province"]
    assert duty(alice) == [("opinion.submitted", ""), ("opinion.adopted", "province"), ("opinion.adopted", "national")]
    assert len(notices(alice)) == 4  # submitted, received, adopted twice
    assert "已被全国级采用" in notices(alice)[-1]


def test_forward_climbs_and_keeps_history(people: Any, xinxi: Any, tree: Any) -> None:
    member, city = people["city_member"], people["city_xinxi"]
    report = received(member, city)
    assert report.cppcc == tree.city_cppcc
    with pytest.raises(PermissionDenied):
        actions.do_forward(xinxi, report)  # not yet the province's
    actions.do_adopt(city, report, level=AdoptionLevel.CITY)
    actions.do_forward(city, report)
    report.refresh_from_db()
    assert (report.status, report.cppcc, report.origin_cppcc) == ("submitted", tree.province_cppcc, tree.city_cppcc)
    assert OpinionReport.objects.visible_to(xinxi).filter(pk=report.pk).exists()
    assert OpinionReport.objects.visible_to(city).filter(pk=report.pk).exists()  # the city keeps seeing it
    with pytest.raises(PermissionDenied):
        actions.do_receive(city, report)
    actions.do_receive(xinxi, report)
    actions.do_adopt(xinxi, report, level=AdoptionLevel.PROVINCE)
    with pytest.raises(TransitionError):
        actions.do_forward(xinxi, report)  # the province CPPCC has no CPPCC above here
    assert kinds(report) == ["created", "submitted", "received", "adopted", "forwarded", "received", "adopted"]
    assert [q for k, q in duty(member) if k == "opinion.adopted"] == ["city", "province"]


def test_merge_into_a_combined_report(alice: Any, erin: Any, xinxi: Any, wei: Any, people: Any) -> None:
    one, two = received(alice, xinxi), submitted(erin, title="老旧小区电梯加装补贴")
    other_city = submitted(people["city_member"])
    fields = {
        "title": "关于老旧小区加装电梯的综合反映",
        "situation": "综合",
        "analysis": "",
        "suggestion": "建议",
        "category": "livelihood",
    }
    with pytest.raises(ValidationError):
        actions.do_merge(xinxi, [one], **fields)
    with pytest.raises(PermissionDenied):
        actions.do_merge(wei, [one, two], **fields)
    with pytest.raises(PermissionDenied):
        actions.do_merge(xinxi, [one, other_city], **fields)
    combined = actions.do_merge(xinxi, [one, two], **fields)
    assert combined.is_combined and combined.status == ReportStatus.RECEIVED
    assert {status(one), status(two)} == {ReportStatus.MERGED}
    assert set(combined.sources.all()) == {one, two}
    # The authors see the combined report and are told; adopting it counts for both.
    assert OpinionReport.objects.visible_to(erin).filter(pk=combined.pk).exists()
    assert "综合反映" in notices(erin)[-1]
    actions.do_adopt(xinxi, combined, level=AdoptionLevel.PROVINCE)
    for member in (alice, erin):
        assert ("opinion.adopted", "province") in duty(member)
    with pytest.raises(TransitionError):
        actions.do_adopt(xinxi, one, level=AdoptionLevel.PROVINCE)


def test_collective_report_counts_for_nobody(xinxi: Any, wei: Any, people: Any, alice: Any) -> None:
    report = actions.do_create_draft(
        wei,
        collective=people["committee"],
        collective_kind="special_committee",
        **{"title": "关于完善社区矫正的建议", "situation": "情况", "suggestion": "建议", "category": "law"},
    )
    assert report.cppcc_id == people["committee"].parent_id and report.submitter_name == "社会和法制委员会"
    with pytest.raises(PermissionDenied):
        actions.do_create_draft(alice, collective=people["committee"], collective_kind="special_committee", title="x")
    actions.do_submit(wei, report)
    actions.do_receive(xinxi, report)
    actions.do_adopt(xinxi, report, level=AdoptionLevel.PROVINCE)
    assert not DutyEntry.objects.filter(source_id=report.pk, kind__startswith="opinion.").exists()
    assert notices(wei)  # the staff who submitted it hear of it
