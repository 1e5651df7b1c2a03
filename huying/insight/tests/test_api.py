"""GET /api/v1/insight/topics: who may ask, and what comes back."""

from __future__ import annotations

from typing import Any

import pytest

from huying.demo.sample_messages import generate_messages
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.tests.conftest import make_dispatcher, order_data

URL = "/api/v1/insight/topics"


@pytest.fixture
def dispatcher(tree: Any) -> Any:
    return make_dispatcher(tree)


@pytest.fixture
def orders(dispatcher: Any) -> list[Any]:
    texts = [
        "翠竹苑旁边工地每天晚上施工到凌晨，噪音太大睡不着",
        "翠竹苑附近的工地半夜还在打桩，吵得老人孩子无法休息",
        "投诉翠竹苑边上工地夜间施工扰民",
    ] + [sample.text for sample in generate_messages(10, seed=4)]
    return [
        actions.do_intake(
            dispatcher,
            order_data(content=text, external_id=f"GZ-{i}", caller_phone=f"138123400{i:02d}"),
            Channel.HOTLINE,
        ).order
        for i, text in enumerate(texts)
    ]


@pytest.mark.django_db
def test_dispatcher_gets_the_topics_of_the_orders_they_see(client: Any, dispatcher: Any, orders: list[Any]) -> None:
    client.force_login(dispatcher)
    response = client.get(URL, {"days": 30, "top": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["days"] == 30 and body["texts"] == len(orders)
    assert len(body["topics"]) == 1
    assert all(topic["people"] >= 2 for topic in client.get(URL).json()["topics"])
    first = body["topics"][0]
    assert first["rank"] == 1 and first["place_or_group"] == "翠竹苑" and first["people"] == 3
    assert set(first["members"]) == {order.number for order in orders[:3]}
    assert first["trend"] == "new" or first["trend"] == "steady"


@pytest.mark.django_db
def test_others_are_refused(client: Any, alice: Any, charlie: Any, dora: Any) -> None:
    assert client.get(URL).status_code == 401
    for person in (alice, charlie, dora):  # a member, unit staff, the public
        client.force_login(person)
        response = client.get(URL)
        assert response.status_code == 403
        assert response.json()["message"] == "热点问题仅向调度员、领导和管理员开放。"


@pytest.mark.django_db
def test_bounds_are_checked(client: Any, dispatcher: Any) -> None:
    client.force_login(dispatcher)
    assert client.get(URL, {"days": 0}).status_code == 422
    assert client.get(URL, {"top": 101}).status_code == 422
    assert client.get(URL).json()["topics"] == []
