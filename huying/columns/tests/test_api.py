"""/api/v1/columns: reading as anyone, managing as the column's staff only (same rules as
the pages), the per-source filtering of a column's items."""

from __future__ import annotations

from typing import Any

import pytest

from huying.columns import actions
from huying.columns.models import Column, ColumnTag
from huying.interaction import actions as interaction

pytestmark = pytest.mark.django_db
API = "/api/v1/columns"


def test_read_and_manage_through_the_api(
    client: Any, tree: Any, econ: Any, carol: Any, dave: Any, bob: Any, alice: Any
) -> None:
    body = {"kind": "flagship", "owner_id": econ.pk, "title": "民营经济", "slug": "private-economy"}
    assert client.post(API, body, content_type="application/json").status_code == 401
    client.force_login(alice)
    assert client.post(API, body, content_type="application/json").status_code == 403
    client.force_login(carol)
    assert client.post(API, {**body, "slug": "bad slug"}, content_type="application/json").status_code == 422
    created = client.post(API, body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["committee"] == "经济委员会" and created.json()["status"] == "draft"
    client.logout()
    assert client.get(f"{API}/{pk}").status_code == 404  # a draft
    assert client.get(API).json()["count"] == 0
    client.force_login(dave)
    assert client.post(f"{API}/{pk}/publish").status_code == 404  # he may not even see the draft
    client.force_login(carol)
    assert client.post(f"{API}/{pk}/archive").status_code == 422  # illegal move
    assert client.post(f"{API}/{pk}/publish").json()["status"] == "published"
    client.force_login(dave)
    assert client.post(f"{API}/{pk}/archive").status_code == 403
    changed = client.put(f"{API}/{pk}", {"title": "x", "slug": "x", "version": 1}, content_type="application/json")
    assert changed.status_code == 403

    now = __import__("django.utils.timezone", fromlist=["now"]).now()
    debate = interaction.do_create_debate(
        bob, question="是否发展夜间经济？", side_a="是", side_b="否", opens_at=now,
        closes_at=now + __import__("datetime").timedelta(days=2),
    )  # fmt: skip
    client.force_login(carol)
    tag = {"source": "debates", "object_ids": [debate.pk]}
    missing = {"source": "debates", "object_ids": [debate.pk + 1000]}
    assert client.post(f"{API}/{pk}/tags", missing, content_type="application/json").status_code == 422
    interaction.do_open_debate(bob, debate)
    picked = client.get(f"{API}/{pk}/picker", {"q": "夜间", "source": "debates"}).json()
    assert [(p["title"], p["tagged"]) for p in picked] == [("是否发展夜间经济？", False)]
    assert client.post(f"{API}/{pk}/tags", tag, content_type="application/json").json() == {"added": 1}
    article = client.post(
        f"{API}/{pk}/articles",
        {"title": "推进会召开", "body": "研究部署下一阶段重点任务。"},
        content_type="application/json",
    )
    assert article.status_code == 201

    client.logout()
    detail = client.get(f"{API}/{pk}").json()
    debates = next(s for s in detail["sections"] if s["source"] == "debates")
    assert debates["count"] == 1 and debates["items"][0]["title"] == "是否发展夜间经济？"
    assert [a["title"] for a in detail["articles"]] == ["推进会召开"]
    assert client.get(f"{API}/{pk}/items/debates").json()["count"] == 1
    assert client.get(f"{API}/{pk}/items/nosuch").status_code == 404
    assert client.get(f"{API}/{pk}/picker").status_code == 401

    client.force_login(carol)
    assert client.delete(f"{API}/{pk}/tags/debates/{debate.pk}").status_code == 204
    assert client.delete(f"{API}/{pk}/tags/debates/{debate.pk}").status_code == 422
    assert not ColumnTag.objects.exists()
    assert Column.objects.get(pk=pk).articles.count() == 1
    assert actions.may_manage(carol, Column.objects.select_related("cppcc", "committee").get(pk=pk))
