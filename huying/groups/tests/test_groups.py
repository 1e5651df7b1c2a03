"""Discussion groups: who reads and manages (each named person), posting (participants,
screening, rate limit, archived groups), marks and pins (staff), removal with the duty
record, turning a thread or a suggestion into a draft with the link both ways, statistics."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from huying.audit.models import AuditEntry
from huying.core.ratelimit import RateLimited
from huying.duty.models import DutyEntry
from huying.groups import actions
from huying.groups.choices import GroupStatus, ParticipantRole
from huying.groups.models import DiscussionGroup, GroupEvent, Post
from huying.moderation import actions as moderation
from huying.moderation.choices import ItemStatus, WordAction
from huying.proposals.choices import ProposalStatus
from huying.proposals.tests.conftest import make_session

pytestmark = pytest.mark.django_db


def thread(w: Any, person: Any = None, title: str = "关于加强社区核酸检测点布局的思考") -> Post:
    return actions.do_post_thread(
        person or w.alice, w.group, title=title, body="建议按人口密度设置检测点，方便老人就近检测。"
    )


def test_who_reads_the_group(world: Any) -> None:
    w = world
    readers = [w.alice, w.erin, w.bob, w.lena, w.admin]
    refused = [w.frank, w.hugo, w.carl, w.charlie, w.dora, AnonymousUser()]
    for person in readers:
        assert list(DiscussionGroup.objects.visible_to(person)) == [w.group], person
    for person in refused:
        assert not DiscussionGroup.objects.visible_to(person).exists(), person
    t = thread(w)
    for person in refused:
        assert not Post.objects.visible_to(person).filter(pk=t.pk).exists()


def test_pages_refuse_outsiders_and_the_public(world: Any, client: Any) -> None:
    w = world
    t = thread(w)
    url = reverse("groups:thread", args=[t.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for person in (w.hugo, w.frank, w.dora, w.carl):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.get(reverse("groups:group", args=[w.group.pk])).status_code == 404
        assert w.group.name not in client.get(reverse("groups:list")).content.decode()
    client.force_login(w.erin)
    page = client.get(url).content.decode()
    assert t.title in page and "转为我的" in page  # a member participant may turn it into a draft
    assert client.get(reverse("groups:stats", args=[w.group.pk])).status_code == 403
    client.force_login(w.lena)
    page = client.get(url).content.decode()
    assert t.title in page and 'name="body"' not in page  # the leader reads, does not post
    assert client.get(reverse("groups:stats", args=[w.group.pk])).status_code == 200


def test_only_participants_post_and_only_while_open(world: Any) -> None:
    w = world
    for person in (w.frank, w.hugo, w.lena, w.dora):
        with pytest.raises(PermissionDenied):
            thread(w, person)
    t = thread(w)
    actions.do_reply(w.erin, t, body="同意，还要安排志愿者引导。")
    actions.do_archive(w.bob, w.group)
    w.group.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.do_reply(w.alice, Post.objects.get(pk=t.pk), body="再补充一点")
    assert Post.objects.count() == 2


def test_archive_and_reopen_by_staff_only_with_history(world: Any) -> None:
    w = world
    for person in (w.alice, w.carl, w.lena):
        with pytest.raises(PermissionDenied):
            actions.do_archive(person, w.group)
    actions.do_archive(w.bob, w.group)
    with pytest.raises(ValidationError):
        actions.do_archive(w.bob, w.group)
    group = actions.do_reopen(w.bob, w.group)
    assert group.status == GroupStatus.OPEN
    assert [(e.from_status, e.to_status) for e in GroupEvent.objects.filter(group=group)] == [
        ("open", "archived"),
        ("archived", "open"),
    ]
    assert AuditEntry.objects.filter(action__in=["group.archive", "group.reopen"]).count() == 2


def test_staff_add_only_their_cppccs_members_and_staff(world: Any) -> None:
    w = world
    with pytest.raises(ValidationError) as info:
        actions.do_add_participants(w.bob, w.group, [w.frank, w.hugo], role=ParticipantRole.MEMBER)
    assert "何国" in str(info.value)
    with pytest.raises(PermissionDenied):
        actions.do_add_participants(w.carl, w.group, [w.frank], role=ParticipantRole.MEMBER)
    with pytest.raises(PermissionDenied):
        actions.do_add_participants(w.alice, w.group, [w.frank], role=ParticipantRole.MEMBER)
    with pytest.raises(ValidationError):
        actions.do_add_participants(w.bob, w.group, [w.alice], role=ParticipantRole.STAFF)
    assert actions.do_add_participants(w.bob, w.group, [w.frank], role=ParticipantRole.MEMBER) == 1
    thread(w, w.frank)
    actions.do_remove_participant(w.bob, w.group, w.frank)
    assert not DiscussionGroup.objects.visible_to(w.frank).exists()
    assert actions.statistics(w.group)["members_spoke"] == 1  # what he said still counts
    with pytest.raises(PermissionDenied):
        actions.do_create_group(w.carl, cppcc=w.tree.province_cppcc, name="外人的群")
    with pytest.raises(ValidationError):
        actions.do_create_group(w.bob, cppcc=w.tree.province_cppcc, name="齐心抗疫情")


def test_posts_are_screened_and_rate_limited(world: Any) -> None:
    w = world
    moderation.do_add_word(None, "六合彩", action=WordAction.BLOCK)
    moderation.do_add_word(None, "上访", action=WordAction.REVIEW)
    with pytest.raises(ValidationError) as info:
        thread(w, title="六 合 彩")
    assert "六合彩" in str(info.value)
    held = actions.do_post_thread(w.alice, w.group, title="关于信访渠道", body="有群众准备上访，建议畅通渠道。")
    assert held.moderation.status == ItemStatus.PENDING  # a review word: to the queue
    assert not Post.objects.visible_to(w.erin).filter(pk=held.pk).exists()
    assert Post.objects.visible_to(w.alice).filter(pk=held.pk).exists()
    assert thread(w).moderation.status == ItemStatus.PUBLISHED  # post-moderation by default
    with override_settings(MODERATION_RATE_LIMITS=True), pytest.raises(RateLimited):
        for i in range(40):
            actions.do_reply(w.erin, held, body=f"第{i}条补充意见")


def test_staff_mark_and_pin_members_cannot(world: Any) -> None:
    w = world
    t = thread(w)
    r = actions.do_reply(w.erin, t, body="建议在社区设立老年人绿色通道。")
    for person in (w.alice, w.lena, w.carl):
        with pytest.raises(PermissionDenied):
            actions.do_mark_suggestion(person, r)
        with pytest.raises(PermissionDenied):
            actions.do_pin(person, t)
    actions.do_mark_suggestion(w.bob, r)
    actions.do_mark_suggestion(w.bob, r)  # twice: counted once
    assert actions.statistics(w.group)["suggestions"] == 1
    actions.do_mark_suggestion(w.bob, r, marked=False)
    assert actions.statistics(w.group)["suggestions"] == 0
    assert actions.do_pin(w.bob, t).is_pinned
    with pytest.raises(ValidationError):
        actions.do_pin(w.bob, r)


def test_speeches_land_in_the_duty_record_and_removal_retracts_them(world: Any) -> None:
    w = world
    t = thread(w)
    r = actions.do_reply(w.erin, t, body="赞成，建议增加流动检测车。")
    actions.do_reply(w.bob, t, body="感谢各位委员，已转有关部门。")  # staff: no duty entry
    entries = DutyEntry.objects.filter(kind="group.speech")
    assert sorted(e.member.username for e in entries) == ["alice", "erin"]
    with pytest.raises(PermissionDenied):
        actions.do_remove_post(w.alice, r)  # not hers
    actions.do_remove_post(w.erin, r)
    assert DutyEntry.objects.get(member=w.erin, kind="group.speech").retracted_at is not None
    actions.do_remove_post(w.bob, t)  # staff remove the thread
    assert DutyEntry.objects.get(member=w.alice, kind="group.speech").retracted_at is not None
    assert actions.statistics(w.group)["speeches"] == 0
    with pytest.raises(ValidationError):
        actions.do_remove_post(w.bob, t)


def test_a_thread_becomes_a_proposal_draft_linked_both_ways(world: Any, client: Any) -> None:
    w = world
    session = make_session(w.tree)
    t = thread(w)
    actions.do_reply(w.erin, t, body="建议同步公布各检测点排队情况。")
    for person in (w.bob, w.lena, w.frank, w.hugo):
        with pytest.raises(PermissionDenied):
            actions.do_convert(person, t, target="proposal", session=session)
    proposal = actions.do_convert(w.erin, t, target="proposal", session=session)
    assert proposal.status == ProposalStatus.DRAFT and proposal.proposer == w.erin
    assert "排队情况" in proposal.situation and proposal.title == "关于加强社区核酸检测点布局的建议"
    assert [link.post for link in proposal.group_post_links.all()] == [t]
    assert [link.proposal for link in t.proposal_links.all()] == [proposal]
    client.force_login(w.alice)
    page = client.get(reverse("groups:thread", args=[t.pk])).content.decode()
    assert "已形成提案草稿" in page and proposal.title in page
    assert actions.statistics(w.group)["proposals"] == 1


def test_a_marked_suggestion_becomes_an_opinion_report_draft(world: Any) -> None:
    w = world
    t = thread(w)
    r = actions.do_reply(w.erin, t, body="建议对独居老人上门检测。")
    with pytest.raises(ValidationError):
        actions.do_convert(w.alice, r, target="report")  # a reply is not marked yet
    actions.do_mark_suggestion(w.bob, r)
    r.refresh_from_db()
    report = actions.do_convert(w.alice, r, target="report", title="关于独居老人上门核酸检测的建议")
    assert report.author == w.alice and report.cppcc == w.tree.province_cppcc
    assert [link.post for link in report.group_post_links.all()] == [r]
    with pytest.raises(ValidationError):
        actions.do_convert(w.alice, r, target="nothing")
    figures = actions.statistics(w.group)
    assert figures == {
        "members": 2,
        "members_spoke": 2,
        "speeches": 2,
        "all_speeches": 2,
        "suggestions": 1,
        "proposals": 0,
        "reports": 1,
    }


def test_the_group_page_and_stats_stay_cheap(world: Any, client: Any, django_assert_max_num_queries: Any) -> None:
    w = world
    for i in range(6):
        t = thread(w, title=f"第{i}个话题")
        actions.do_reply(w.erin, t, body="同意")
    client.force_login(w.bob)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("groups:group", args=[w.group.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        page = client.get(reverse("groups:stats", args=[w.group.pk])).content.decode()
    assert "12" in page


def test_staff_pages(world: Any, client: Any) -> None:
    w = world
    client.force_login(w.alice)
    assert client.get(reverse("groups:manage")).status_code == 403
    assert client.get(reverse("groups:people", args=[w.group.pk])).status_code == 403
    client.force_login(w.bob)
    response = client.post(
        reverse("groups:manage"), {"cppcc": w.tree.province_cppcc.pk, "name": "助力大湾区建设建言献策群"}
    )
    group = DiscussionGroup.objects.get(name="助力大湾区建设建言献策群")
    assert response.status_code == 302
    page = client.get(reverse("groups:people", args=[group.pk]), {"q": "吴", "role": "member"}).content.decode()
    assert "吴帆" in page
    client.post(reverse("groups:people", args=[group.pk]), {"user": [w.frank.pk], "role": "member"})
    assert DiscussionGroup.objects.visible_to(w.frank).filter(pk=group.pk).exists()
    client.post(reverse("groups:move", args=[group.pk]), {"move": "archive"})
    group.refresh_from_db()
    assert group.status == GroupStatus.ARCHIVED


def test_the_proposal_page_shows_the_thread_it_came_from(world: Any, client: Any) -> None:
    from huying.core.origins import origins_of

    w = world
    t = thread(w)
    proposal = actions.do_convert(w.erin, t, target="proposal", session=make_session(w.tree))
    [row] = origins_of(w.erin, proposal)
    assert str(row.kind) == "议政群发言" and t.title in row.title
    assert row.url == reverse("groups:thread", args=[t.pk]) + f"#post-{t.pk}"
    [named] = origins_of(w.hugo, proposal)  # an outsider: named, not linked
    assert named.url == ""
    client.force_login(w.erin)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "来源" in page and reverse("groups:thread", args=[t.pk]) in page
