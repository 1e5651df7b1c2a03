"""Discussion-group posts and reception-room questions as texts of the public side's hot
topics: they join the topic of the same issue's suggestions, their pages are linked only
for readers who may open them, and a hidden (or removed) one leaves its topic at the next
refresh — and comes back when restored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.core.tests.cache import clear_cache
from huying.groups import actions as groups
from huying.insight import links
from huying.insight.models import Topic, TopicSnapshot, TopicText
from huying.insight.refresh import refresh
from huying.insight.sources import registered
from huying.insight.tests.world import PARKING
from huying.interaction.actions import do_submit_suggestion
from huying.moderation import actions as moderation
from huying.reception import actions as reception

pytestmark = pytest.mark.django_db

POST = (
    "滨江御景苑车位捆绑销售问题",
    "委员调研发现，滨江御景苑开发商要求业主买车位必须捆绑购买储藏室，不买就不给租车位，建议住建部门查处。",
)
QUESTION = "滨江御景苑车位捆绑储藏间一起卖，不买就不让租车位，这种捆绑销售合法吗？"


def _verified(username: str, role: str, org: Any) -> Any:
    person = UserFactory(username=username, roles=[(role, org)])
    person.is_real_name_verified = True
    person.save(update_fields=["is_real_name_verified"])
    return person


@pytest.fixture
def texts(tree: Any, alice: Any, bob: Any) -> dict[str, Any]:
    clear_cache()  # rate limits
    for person in (alice, bob):
        person.is_real_name_verified = True
        person.save(update_fields=["is_real_name_verified"])
    suggestions = [
        do_submit_suggestion(_verified(f"citizen{n}", Role.PUBLIC, None), title=title, body=body, category="city")
        for n, (title, body) in enumerate(PARKING)
    ]
    group = groups.do_create_group(bob, cppcc=tree.province_cppcc, name="城市建设", description="", members=[alice])
    post = groups.do_post_thread(alice, group, title=POST[0], body=POST[1])
    other = groups.do_post_thread(alice, group, title="长者饭堂", body="社区长者饭堂周末不开门，老人吃饭不方便。")
    now = timezone.now()
    session = reception.do_create_session(
        alice,
        theme="住房与物业",
        description="听取群众对住房和物业的意见。",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=1),
    )
    session = reception.do_open_session(alice, session)
    asker = _verified("asker", Role.PUBLIC, None)
    question = reception.do_ask(asker, session, body=QUESTION)
    pending = reception.do_ask(_verified("asker2", Role.PUBLIC, None), session, body="滨江御景苑车位捆绑销售谁来管？")
    moderation.do_publish(bob, question.moderation)
    return {"suggestions": suggestions, "post": post, "other": other, "question": question, "pending": pending}


def _topic_of(source: str, pk: int) -> Topic | None:
    row = TopicText.objects.filter(source=source, object_id=pk).select_related("topic").first()
    return row.topic if row else None


def test_both_are_registered_on_the_public_side() -> None:
    found = {source.key: source for source in registered()}
    for key in ("grouppost", "reception"):
        assert found[key].side == "public"
        assert found[key].stream and found[key].eligible and found[key].links


def test_a_post_and_a_question_join_the_suggestions_topic(texts: dict[str, Any], alice: Any, tree: Any) -> None:
    refresh(notify=False)
    topic = _topic_of("suggestion", texts["suggestions"][0].pk)
    assert topic is not None and topic.side == "public"
    assert _topic_of("grouppost", texts["post"].pk) == topic
    assert _topic_of("reception", texts["question"].pk) == topic
    assert _topic_of("grouppost", texts["other"].pk) != topic  # another issue
    assert _topic_of("reception", texts["pending"].pk) is None  # not published: not read
    topic.refresh_from_db()
    assert topic.texts == 5 and topic.people == 5 and topic.place_or_group.startswith("滨江御景苑")

    # Links: the thread for a participant; the public question for any reader; an excerpt
    # without a link for a member who is not in the group.
    outsider = UserFactory(username="frank", roles=[(Role.MEMBER, tree.province_cppcc)])
    for reader, post_linked in ((alice, True), (outsider, False)):
        by_source = {m.source: m for m in links.members(reader, topic)}
        post, question = by_source["grouppost"], by_source["reception"]
        assert (post.url is not None) is post_linked and post.excerpt.startswith(POST[0])
        if post_linked:
            assert post.url == reverse("groups:thread", args=[texts["post"].pk])
        assert question.url is not None and question.url.endswith(f"#q{texts['question'].pk}")


def test_a_hidden_post_leaves_its_topic_at_the_next_refresh_and_comes_back(texts: dict[str, Any], bob: Any) -> None:
    refresh(notify=False)
    topic = _topic_of("grouppost", texts["post"].pk)
    assert topic is not None
    before = Topic.objects.get(pk=topic.pk)

    moderation.do_hide(bob, texts["post"].moderation, reason="与群主题无关")
    moderation.do_hide(bob, texts["question"].moderation, reason="重复提问")
    outcome = refresh(notify=False)
    assert outcome.texts == 0
    assert _topic_of("grouppost", texts["post"].pk) is None
    assert _topic_of("reception", texts["question"].pk) is None
    after = Topic.objects.get(pk=topic.pk)
    assert (after.texts, after.people) == (before.texts - 2, before.people - 2)
    assert sum(TopicSnapshot.objects.filter(topic=topic).values_list("count", flat=True)) == after.texts
    assert set(TopicText.objects.filter(topic=topic).values_list("source", flat=True)) == {"suggestion"}
    assert after.heat < before.heat

    # Restored: read again (its publication is new) and placed again.
    post = texts["post"]
    post.moderation.refresh_from_db()
    moderation.do_restore(bob, post.moderation, reason="误删")
    assert refresh(notify=False).texts == 1
    assert _topic_of("grouppost", post.pk) == topic
    assert Topic.objects.get(pk=topic.pk).texts == before.texts - 1


def test_a_removed_thread_leaves_with_its_replies(texts: dict[str, Any], alice: Any) -> None:
    reply = groups.do_reply(alice, texts["post"], body="滨江御景苑车位捆绑储藏室销售，业主都很有意见。")
    refresh(notify=False)
    assert _topic_of("grouppost", reply.pk) is not None
    groups.do_remove_post(alice, texts["post"])
    refresh(notify=False)
    assert _topic_of("grouppost", texts["post"].pk) is None and _topic_of("grouppost", reply.pk) is None


def test_a_suggestion_hidden_after_it_was_placed_leaves_its_topic(texts: dict[str, Any], bob: Any) -> None:
    refresh(notify=False)
    first = texts["suggestions"][0]
    topic = _topic_of("suggestion", first.pk)
    assert topic is not None
    before = Topic.objects.get(pk=topic.pk)

    moderation.do_hide(bob, first.moderation, reason="含个人信息")
    assert refresh(notify=False).texts == 0
    assert _topic_of("suggestion", first.pk) is None
    after = Topic.objects.get(pk=topic.pk)
    assert after.texts == before.texts - 1
    assert sum(TopicSnapshot.objects.filter(topic=topic).values_list("count", flat=True)) == after.texts
    # The other suggestions of the same issue stay together.
    assert _topic_of("suggestion", texts["suggestions"][1].pk) == topic
