"""The hot-topic pages and API, read from the stored topics, with named people: the
dispatcher, a member, the public, unit staff and a dispatcher of another district,
anonymous visitors."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from huying.insight.tests.world import World, build

pytestmark = pytest.mark.django_db

LIST = "/insight/topics/"
API = "/api/v1/insight/topics"


@pytest.fixture
def world(tree: Any) -> World:
    return build(tree)


def test_dispatcher_reads_work_order_topics_with_links_and_units(client: Any, world: World) -> None:
    client.force_login(world.dispatcher)
    page = client.get(LIST).content.decode()
    assert "热点话题" in page and "翠竹苑" in page and "4 人反映" in page
    assert "滨江御景苑" not in page  # public texts: the CPPCC side
    detail = client.get(reverse("insight:topic", args=[world.order_topic.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    for order in world.orders[:4]:
        assert reverse("workorders:console_detail", args=[order.pk]) in body
    assert "<polyline" in body and "合并并派单" in body
    api = client.get(API).json()
    assert api["side"] == "government" and api["topics"][0]["place_or_group"].startswith("翠竹苑")
    assert api["topics"][0]["people"] == 4
    one = client.get(f"{API}/{world.order_topic.pk}").json()
    assert {m["label"] for m in one["members"]} == {o.number for o in world.orders[:4]}
    assert all(m["url"] for m in one["members"]) and sum(d["count"] for d in one["trend_days"]) == 4
    assert client.get(f"{API}/{world.public_topic.pk}").status_code == 404


def test_member_reads_public_topics_and_not_work_orders(client: Any, world: World, alice: Any) -> None:
    client.force_login(alice)
    page = client.get(LIST).content.decode()
    assert "滨江御景苑" in page and "翠竹苑" not in page
    assert client.get(reverse("insight:topic", args=[world.public_topic.pk])).status_code == 200
    assert client.get(reverse("insight:topic", args=[world.order_topic.pk])).status_code == 404
    assert client.get(API, {"side": "government"}).status_code == 403
    assert client.get(API).json()["topics"][0]["people"] == 3


def test_others_are_refused(client: Any, world: World, charlie: Any, dora: Any) -> None:
    assert client.get(LIST).status_code == 302  # anonymous: to the login page
    assert client.get(API).status_code == 401
    for person in (charlie, dora, world.other_staff):  # unit staff, the public, another district's staff
        client.force_login(person)
        assert client.get(LIST).status_code == 403
        assert client.get(API).status_code == 403
        assert client.get(reverse("insight:topic", args=[world.order_topic.pk])).status_code == 403
    # Another district's dispatcher: the side, but none of these orders.
    client.force_login(world.other_dispatcher)
    assert client.get(API).json()["topics"] == []
    assert client.get(f"{API}/{world.order_topic.pk}").status_code == 404


def test_bounds_are_checked(client: Any, world: World) -> None:
    client.force_login(world.dispatcher)
    assert client.get(API, {"days": 0}).status_code == 422
    assert client.get(API, {"top": 101}).status_code == 422
    assert client.get(LIST, {"days": "abc"}).status_code == 200
