"""Capped counts on the work-order lists (huying/workorders/paging.py): past the cap the
console says "more than N" and the API answers ``count_capped``; paging an unchanging list
shows every order exactly once, ties on the creation time included."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Tree
from huying.accounts.models import User
from huying.workorders import actions, paging
from huying.workorders.choices import Channel
from huying.workorders.models import WorkOrder
from huying.workorders.paging import CappedPaginator, capped_count
from huying.workorders.tests.conftest import URL, order_data
from huying.workorders.views import console

pytestmark = pytest.mark.django_db

CONSOLE = "/workorders/console/"


@pytest.fixture
def seven(tree: Tree, dispatcher: User) -> list[WorkOrder]:
    """Seven new orders; four of them share one creation time (the tie-breaker is the id)."""
    made = [actions.do_intake(dispatcher, order_data(external_id=f"CAP-{i}"), Channel.HOTLINE).order for i in range(7)]
    same = timezone.now()
    WorkOrder.objects.filter(pk__in=[o.pk for o in made[1:5]]).update(created_at=same)
    return made


def _expected(orders: list[WorkOrder]) -> list[str]:
    return list(
        WorkOrder.objects.filter(pk__in=[o.pk for o in orders])
        .order_by("-created_at", "-id")
        .values_list("number", flat=True)
    )


def test_capped_count_is_exact_up_to_the_cap(seven: list[WorkOrder]) -> None:
    qs = WorkOrder.objects.all()
    assert capped_count(qs, 8) == (7, False)
    assert capped_count(qs, 7) == (7, False)
    assert capped_count(qs, 6) == (6, True)
    assert capped_count(qs.none(), 6) == (0, False)


def test_capped_paginator_pages_the_first_rows(seven: list[WorkOrder]) -> None:
    paginator = CappedPaginator(WorkOrder.objects.order_by("-created_at", "-id"), 2, cap=5)
    assert paginator.count == 5 and paginator.count_capped and paginator.num_pages == 3
    seen = [o.number for n in paginator.page_range for o in paginator.page(n).object_list]
    assert seen == _expected(seven)[:5]  # 2 + 2 + 1: the first five, each once
    exact = CappedPaginator(WorkOrder.objects.order_by("-created_at", "-id"), 2, cap=7)
    assert exact.count == 7 and not exact.count_capped and exact.num_pages == 4


def test_api_count_is_capped_and_says_so(
    client: Client, seven: list[WorkOrder], dispatcher: User, monkeypatch: Any
) -> None:
    client.force_login(dispatcher)
    body = client.get(URL).json()
    assert body["count"] == 7 and body["count_capped"] is False
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    body = client.get(URL).json()
    assert body["count"] == 5 and body["count_capped"] is True
    assert len(body["items"]) == 7  # the page itself is not cut by the cap


def test_api_pages_meet_every_order_once_past_the_cap(
    client: Client, seven: list[WorkOrder], dispatcher: User, monkeypatch: Any
) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    client.force_login(dispatcher)
    seen: list[str] = []
    for page in range(1, 6):
        body = client.get(URL, {"page": page, "page_size": 2}).json()
        assert body["count"] == 3 and body["count_capped"] is True
        seen += [item["number"] for item in body["items"]]
    assert seen == _expected(seven)  # none twice, none missed, newest first, ties by id
    assert len(set(seen)) == 7


def test_api_filtered_pages_meet_every_order_once(client: Client, seven: list[WorkOrder], dispatcher: User) -> None:
    client.force_login(dispatcher)
    seen = []
    for page in (1, 2, 3):
        seen += [i["number"] for i in client.get(URL, {"page": page, "page_size": 3, "status": "new"}).json()["items"]]
    assert seen == _expected(seven)


def _listed(page: str) -> list[str]:
    return re.findall(r'<a href="/workorders/console/\d+/">([^<]+)</a>', page)


def test_console_says_more_than_the_cap_in_chinese(
    client: Client, seven: list[WorkOrder], dispatcher: User, monkeypatch: Any
) -> None:
    client.force_login(dispatcher)
    page = client.get(CONSOLE, {"status": "new"}).content.decode()
    assert "7 件工单" in page and "超过" not in page
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    monkeypatch.setattr(console, "PAGE_SIZE", 2)
    page = client.get(CONSOLE, {"status": "new"}).content.decode()
    assert "超过 4 件工单" in page
    seen = []
    for number in (1, 2):
        seen += _listed(client.get(CONSOLE, {"status": "new", "page": number}).content.decode())
    assert seen == _expected(seven)[:4]  # the cap's pages, each order once


def test_console_queue_counts_are_capped(
    client: Client, seven: list[WorkOrder], dispatcher: User, monkeypatch: Any
) -> None:
    from huying.workorders.choices import OrderStatus

    WorkOrder.objects.filter(pk__in=[o.pk for o in seven]).update(status=OrderStatus.RESOLVED)
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    client.force_login(dispatcher)
    page = client.get(CONSOLE).content.decode()
    assert '<span class="count">5+</span>' in page  # awaiting the feedback call: 7 resolved
    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    page = client.get(CONSOLE).content.decode()
    assert '<span class="count">7</span>' in page
