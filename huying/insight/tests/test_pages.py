"""The hot-topics page: dispatchers see the topics of their orders, others are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from huying.insight.tests.test_api import dispatcher, orders  # noqa: F401 - fixtures

URL = "/insight/topics/"


@pytest.mark.django_db
def test_dispatcher_sees_the_topic_with_links_to_its_orders(client: Any, dispatcher: Any, orders: list[Any]) -> None:  # noqa: F811
    client.force_login(dispatcher)
    response = client.get(URL, {"days": 30})
    assert response.status_code == 200
    page = response.content.decode()
    assert "热点话题" in page and "翠竹苑" in page and "3 人反映" in page
    for order in orders[:3]:
        assert reverse("workorders:console_detail", args=[order.pk]) in page
    assert 'aria-current="page"' in page
    assert client.get(URL, {"days": "abc"}).status_code == 200


@pytest.mark.django_db
def test_others_are_refused(client: Any, alice: Any, charlie: Any) -> None:
    assert client.get(URL).status_code == 302  # to the login page
    for person in (alice, charlie):
        client.force_login(person)
        assert client.get(URL).status_code == 403
