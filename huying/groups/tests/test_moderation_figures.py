"""A moderator's decisions and the group's kept figures: hiding a post from the moderation
queue (or reports sending it back there) takes it out of its author's counters, its thread's
reply count and the duty record, exactly as the group's own removal does; restoring or
publishing puts it back; a decision repeated, refused or made after the group removed the
post changes nothing more.

Named people (conftest): alice, the member who owns the thread; erin, another member who
replies; admin, a moderator from outside the group; bob, the group's staff (also a
moderator: agency staff of the CPPCC); hugo, a member of another CPPCC (an outsider)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db.models import F

from huying.duty.models import DutyEntry, DutySummary, PointRule
from huying.groups import actions
from huying.groups.models import Participant, Post
from huying.moderation import actions as moderation
from huying.moderation.choices import ItemStatus
from huying.moderation.models import ModerationEvent

pytestmark = pytest.mark.django_db

SPEECH = "group.speech"


@pytest.fixture
def talk(world: Any) -> tuple[Post, Post]:
    """alice's thread and erin's reply, both published; a group speech counts 2 points."""
    PointRule.objects.create(kind=SPEECH, points=2, valid_from=dt.date(2000, 1, 1))
    t = actions.do_post_thread(world.alice, world.group, title="关于社区核酸检测点布局", body="建议按人口密度设置。")
    r = actions.do_reply(world.erin, t, body="赞成，建议增加流动检测车。")
    return t, r


def figures(w: Any, *posts: Post) -> dict[str, Any]:
    """Everything a hide or restore may move, in one comparable value."""
    people = {p.user.username: (p.speech_count, p.suggestion_count) for p in Participant.objects.filter(group=w.group)}
    entries = {
        (e.member.username, e.source_id): (e.retracted_at is None, e.points)
        for e in DutyEntry.objects.filter(kind=SPEECH).select_related("member")
    }
    summaries = {(s.member.username, s.year): (s.points, s.acts) for s in DutySummary.objects.select_related("member")}
    return {
        "stats": actions.statistics(w.group),
        "people": people,
        "replies": {p.pk: (p.reply_count, p.counted) for p in Post.objects.filter(pk__in=[p.pk for p in posts])},
        "entries": entries,
        "summaries": summaries,
    }


def item(post: Post) -> Any:
    post.moderation.refresh_from_db()
    return post.moderation


def test_hiding_a_reply_takes_it_out_of_the_figures_and_restoring_brings_it_back(world: Any, talk: Any) -> None:
    w, (t, r) = world, talk
    before = figures(w, t, r)
    assert before["stats"]["speeches"] == 2 and before["people"]["erin"] == (1, 0)
    assert before["replies"][t.pk] == (1, True) and before["entries"][("erin", r.pk)] == (True, 2)
    entry = DutyEntry.objects.get(member=w.erin, kind=SPEECH)

    moderation.do_hide(w.admin, item(r), reason="与主题无关")
    hidden = figures(w, t, r)
    assert hidden["stats"]["speeches"] == 1 and hidden["stats"]["members_spoke"] == 1
    assert hidden["people"]["erin"] == (0, 0) and hidden["people"]["alice"] == (1, 0)
    assert hidden["replies"][t.pk] == (0, True) and hidden["replies"][r.pk] == (0, False)
    assert hidden["entries"][("erin", r.pk)] == (False, 0)  # retracted, the row kept
    year = entry.year
    assert hidden["summaries"][("erin", year)] == (0, 0)

    with pytest.raises(ValidationError):  # hide twice: refused, nothing moves
        moderation.do_hide(w.admin, item(r), reason="再隐藏一次")
    actions.on_moderation_visibility(item(r), False)  # the hook called again: nothing moves
    assert figures(w, t, r) == hidden

    moderation.do_restore(w.bob, item(r), reason="复核后恢复")
    assert figures(w, t, r) == before
    restored = DutyEntry.objects.get(member=w.erin, kind=SPEECH)
    assert restored.pk == entry.pk and restored.occurred_at == r.created_at  # the same entry, its own date

    with pytest.raises(ValidationError):  # restore twice: refused, nothing moves
        moderation.do_restore(w.bob, item(r), reason="再恢复一次")
    actions.on_moderation_visibility(item(r), True)
    assert figures(w, t, r) == before


def test_hiding_a_thread_takes_its_replies_with_it(world: Any, talk: Any) -> None:
    w, (t, r) = world, talk
    other = actions.do_reply(w.alice, t, body="补充：检测点应有遮阳棚。")
    before = figures(w, t, r, other)
    moderation.do_hide(w.admin, item(t), reason="涉及个人信息")
    out = figures(w, t, r, other)
    assert out["stats"]["speeches"] == 0 and out["stats"]["all_speeches"] == 0
    assert out["replies"] == {t.pk: (0, False), r.pk: (0, False), other.pk: (0, False)}
    assert all(not live for live, _points in out["entries"].values())
    moderation.do_hide(w.admin, item(r), reason="另有问题")  # a reply hidden on its own meanwhile
    moderation.do_restore(w.admin, item(t), reason="复核后恢复")
    back = figures(w, t, r, other)
    assert back["stats"]["speeches"] == 2 and back["people"]["erin"] == (0, 0)
    assert back["replies"] == {t.pk: (1, True), r.pk: (0, False), other.pk: (0, True)}
    moderation.do_restore(w.admin, item(r), reason="也恢复")
    assert figures(w, t, r, other) == before


def test_removed_by_the_group_then_hidden_by_a_moderator_counts_down_once(world: Any, talk: Any) -> None:
    w, (t, r) = world, talk
    actions.do_remove_post(w.erin, r)
    removed = figures(w, t, r)
    assert removed["people"]["erin"] == (0, 0) and removed["replies"][t.pk] == (0, True)
    moderation.do_hide(w.admin, item(r), reason="与主题无关")
    assert figures(w, t, r) == removed
    moderation.do_restore(w.admin, item(r), reason="复核")  # restoring a removed post does not bring it back
    assert figures(w, t, r) == removed
    # And the other way round: hidden first, then removed by the group with its thread.
    moderation.do_hide(w.admin, item(t), reason="涉及个人信息")
    hidden = figures(w, t, r)
    actions.do_remove_post(w.bob, t)
    assert figures(w, t, r) == hidden
    assert hidden["stats"]["all_speeches"] == 0
    assert all(p.speech_count == 0 for p in Participant.objects.filter(group=w.group))


@pytest.mark.parametrize("who", ["alice", "erin", "hugo", "dora"])
def test_people_who_are_not_moderators_cannot_hide_and_nothing_moves(world: Any, talk: Any, who: str) -> None:
    w, (t, r) = world, talk
    before = figures(w, t, r)
    with pytest.raises(PermissionDenied):
        moderation.do_hide(getattr(w, who), item(r), reason="我不喜欢")
    assert item(r).status == ItemStatus.PUBLISHED and figures(w, t, r) == before


def test_an_illegal_move_changes_nothing(world: Any, talk: Any) -> None:
    w, (t, r) = world, talk
    before = figures(w, t, r)
    events = ModerationEvent.objects.count()
    for move in (moderation.do_publish, lambda a, i: moderation.do_restore(a, i, reason="恢复")):
        with pytest.raises(ValidationError):
            move(w.admin, item(r))  # r is published: neither publish nor restore applies
    with pytest.raises(ValidationError):
        moderation.do_hide(w.admin, item(r), reason="")  # no reason
    assert ModerationEvent.objects.count() == events and figures(w, t, r) == before


def test_reports_send_a_post_back_to_the_queue_out_of_the_figures(world: Any, talk: Any, settings: Any) -> None:
    w, (t, r) = world, talk
    settings.MODERATION_REPORTS_TO_QUEUE = 2
    before = figures(w, t, r)
    moderation.do_report(w.alice, item(r), reason="人身攻击")
    assert figures(w, t, r) == before  # one report: still public
    moderation.do_report(w.bob, item(r), reason="人身攻击")
    assert item(r).status == ItemStatus.PENDING
    assert figures(w, t, r)["people"]["erin"] == (0, 0)
    moderation.do_publish(w.admin, item(r))
    assert figures(w, t, r) == before


def test_a_premoderated_post_counts_only_once_published(world: Any) -> None:
    w = world
    moderation.do_set_space(w.admin, "group_posts", premoderated=True)
    t = actions.do_post_thread(w.alice, w.group, title="关于社区核酸检测点布局", body="建议按人口密度设置。")
    assert item(t).status == ItemStatus.PENDING
    assert actions.statistics(w.group)["speeches"] == 0 and not DutyEntry.objects.exists()
    moderation.do_publish(w.admin, item(t))
    assert actions.statistics(w.group)["speeches"] == 1
    assert DutyEntry.objects.get(member=w.alice, kind=SPEECH).retracted_at is None
    pending = actions.do_post_thread(w.erin, w.group, title="另一个话题", body="先不公开的发言。")
    moderation.do_hide(w.admin, item(pending), reason="与主题无关")  # never public: nothing to take out
    assert actions.statistics(w.group)["speeches"] == 1 and not DutyEntry.objects.filter(member=w.erin).exists()


def test_a_suggestion_mark_follows_the_post_out_and_back(world: Any, talk: Any) -> None:
    w, (t, r) = world, talk
    actions.do_mark_suggestion(w.bob, r)
    assert actions.statistics(w.group)["suggestions"] == 1
    moderation.do_hide(w.admin, item(t), reason="涉及个人信息")  # the thread, and so the reply
    assert actions.statistics(w.group)["suggestions"] == 0
    actions.do_mark_suggestion(w.bob, r, marked=False)  # unmarked while out of view
    actions.do_mark_suggestion(w.bob, r)  # and marked again
    assert actions.statistics(w.group)["suggestions"] == 0
    moderation.do_restore(w.admin, item(t), reason="复核")
    assert actions.statistics(w.group)["suggestions"] == 1
    assert Participant.objects.get(group=w.group, user=w.erin).suggestion_count == 1


def test_recount_takes_out_what_the_old_code_counted_and_is_idempotent(world: Any, talk: Any) -> None:
    w, (t, r) = world, talk
    call_command("groups_recount")
    before = figures(w, t, r)
    # A post hidden under the old code: still in the figures (flag, counters, live entry).
    moderation.do_hide(w.admin, item(r), reason="与主题无关")
    Post.objects.filter(pk=r.pk).update(counted=True)
    Post.objects.filter(pk=t.pk).update(reply_count=F("reply_count") + 1)
    Participant.objects.filter(group=w.group, user=w.erin).update(speech_count=F("speech_count") + 1)
    assert actions.do_recount() == 1
    after = figures(w, t, r)
    assert after["people"]["erin"] == (0, 0) and after["replies"][t.pk] == (0, True)
    assert actions.do_recount() == 0 and figures(w, t, r) == after
    moderation.do_restore(w.admin, item(r), reason="复核")
    assert figures(w, t, r) == before
