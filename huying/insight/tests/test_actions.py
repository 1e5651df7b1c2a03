"""From topic to action: drafts from a public-text topic, one lead unit for a work-order
topic's orders (refusals per order), the emerging alert (once per topic per day), and the
small read surface for the cockpit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.handling.models import Notification
from huying.insight import queries
from huying.insight.actions import do_assign_lead_unit, do_start_draft, topic_of
from huying.insight.emerging import raise_alerts
from huying.insight.models import TopicAlert, TopicDraft, TopicSnapshot
from huying.insight.tests.world import World, build
from huying.opinions.models import OpinionReport
from huying.workorders import actions as orders
from huying.workorders.choices import OrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: Any) -> World:
    return build(tree)


def test_member_starts_a_report_draft_with_the_evidence(client: Any, world: World, alice: Any) -> None:
    link = do_start_draft(alice, world.public_topic, "report")
    report = OpinionReport.objects.get(pk=link.object_id)
    assert report.author == alice and report.status == "draft"
    assert "滨江御景苑" in report.title
    assert "3人" in report.situation and "捆绑" in report.situation
    assert topic_of(report) == world.public_topic
    with pytest.raises(ValidationError):  # alice sits in no session
        do_start_draft(alice, world.public_topic, "proposal")
    with pytest.raises(ValidationError):
        do_start_draft(alice, world.public_topic, "poem")
    for person in (world.dispatcher, world.other_staff):
        with pytest.raises(PermissionDenied):
            do_start_draft(person, world.public_topic, "report")
    client.force_login(alice)
    response = client.post(
        f"/api/v1/insight/topics/{world.public_topic.pk}/drafts", {"kind": "report"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["kind"] == "report"
    assert TopicDraft.objects.filter(topic=world.public_topic).count() == 2
    client.force_login(world.dispatcher)
    response = client.post(
        f"/api/v1/insight/topics/{world.order_topic.pk}/drafts", {"kind": "report"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_dispatcher_gives_the_open_orders_to_one_lead_unit(client: Any, world: World, tree: Any, alice: Any) -> None:
    first, second, third, fourth = world.orders[:4]
    assert {o.pk for o in (first, second, third, fourth)} <= set(
        world.order_topic.members.values_list("object_id", flat=True)
    )
    orders.do_cancel(world.dispatcher, fourth, reason="重复来电")
    for person in (alice, world.other_dispatcher, world.other_staff):
        with pytest.raises(PermissionDenied):
            do_assign_lead_unit(person, world.order_topic, tree.department)
    client.force_login(world.dispatcher)
    response = client.post(
        f"/api/v1/insight/topics/{world.order_topic.pk}/lead-unit",
        {"unit": tree.department.pk, "reason": "同一工地夜间施工"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["parent"] == first.number and body["dispatched"] is True
    assert set(body["merged"]) >= {second.number, third.number}
    assert fourth.number in body["refused"]
    for order in (second, third):
        order.refresh_from_db()
        assert order.status == OrderStatus.MERGED and order.parent_id == first.pk
    first.refresh_from_db()
    assert first.status == OrderStatus.DISPATCHED
    page = client.get(f"/insight/topics/{world.order_topic.pk}/").content.decode()
    assert tree.department.name in page  # the units handling it
    # Again: nothing open but the parent, already with its unit: refused, reported.
    again = do_assign_lead_unit(world.dispatcher, world.order_topic, tree.department)
    assert not again.dispatched and first.number in again.refused


def test_emerging_topic_is_raised_once_a_day_to_the_command_centre(world: World, tree: Any) -> None:
    leader = UserFactory(username="qu_lingdao", roles=[(Role.LEADER, tree.district_gov)])
    topic = world.order_topic
    now = timezone.now()
    today = timezone.localdate(now)
    TopicSnapshot.objects.filter(topic=topic).delete()
    TopicSnapshot.objects.bulk_create(
        [TopicSnapshot(topic=topic, day=today - timedelta(days=n), count=1) for n in (3, 9)]
        + [TopicSnapshot(topic=topic, day=today, count=7)]
    )
    assert raise_alerts([topic.pk], now) == 1
    assert raise_alerts([topic.pk], now) == 0  # idempotent: once per topic per day
    assert TopicAlert.objects.filter(topic=topic, day=today).count() == 1
    told = set(Notification.objects.filter(case_id=topic.pk).values_list("recipient_user_id", flat=True))
    assert told == {world.dispatcher.pk, leader.pk}  # not the other district's dispatcher
    assert [a.topic.pk for a in queries.emerging(world.dispatcher, today)] == [topic.pk]
    assert queries.emerging(world.other_staff, today) == []
    assert queries.top_topics(world.dispatcher, 1)[0].pk == topic.pk
    assert queries.top_topics(None, 5) == []
