"""/api/v1/groups: the same rules as the pages, for each named person."""

from __future__ import annotations

from typing import Any

import pytest

from huying.groups import actions
from huying.proposals.tests.conftest import make_session

pytestmark = pytest.mark.django_db
API = "/api/v1/groups"


def test_reading_follows_the_groups_rules(world: Any, client: Any) -> None:
    w = world
    t = actions.do_post_thread(w.alice, w.group, title="关于方舱医院建设", body="建议提前规划选址。")
    assert client.get(API).status_code == 401
    for person in (w.hugo, w.frank, w.dora, w.carl, w.charlie):
        client.force_login(person)
        assert client.get(API).json()["items"] == []
        assert client.get(f"{API}/{w.group.pk}").status_code == 404
        assert client.get(f"{API}/threads/{t.pk}").status_code == 404
        assert (
            client.post(f"{API}/threads/{t.pk}/replies", {"body": "外人"}, content_type="application/json").status_code
            == 404
        )
    client.force_login(w.erin)
    detail = client.get(f"{API}/{w.group.pk}").json()
    assert detail["my_role"] == "member" and detail["stats"]["speeches"] == 1 and not detail["may_manage"]
    assert [x["title"] for x in client.get(f"{API}/{w.group.pk}/threads").json()["items"]] == ["关于方舱医院建设"]
    assert client.get(f"{API}/{w.group.pk}/stats").status_code == 403
    client.force_login(w.lena)
    assert client.get(f"{API}/{w.group.pk}/stats").json()["members_spoke"] == 1


def test_post_reply_mark_convert_through_the_api(world: Any, client: Any) -> None:
    w = world
    session = make_session(w.tree)
    client.force_login(w.alice)
    t = client.post(
        f"{API}/{w.group.pk}/threads",
        {"title": "关于复工复产", "body": "建议减免小微企业租金。"},
        content_type="application/json",
    )
    assert t.status_code == 201 and t.json()["status"] == "published"
    thread_id = t.json()["id"]
    client.force_login(w.erin)
    r = client.post(
        f"{API}/threads/{thread_id}/replies", {"body": "建议设立专项纾困资金。"}, content_type="application/json"
    )
    assert r.status_code == 201
    reply_id = r.json()["id"]
    assert (
        client.post(f"{API}/posts/{reply_id}/mark", {"marked": True}, content_type="application/json").status_code
        == 403
    )
    client.force_login(w.bob)
    marked = client.post(f"{API}/posts/{reply_id}/mark", {"marked": True}, content_type="application/json")
    assert marked.json()["is_suggestion"] is True
    assert (
        client.post(
            f"{API}/posts/{reply_id}/convert", {"target": "report"}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(w.erin)
    made = client.post(
        f"{API}/posts/{thread_id}/convert",
        {"target": "proposal", "session_id": session.pk},
        content_type="application/json",
    )
    assert made.status_code == 201
    proposal_id = made.json()["proposal_id"]
    outcomes = client.get(f"{API}/threads/{thread_id}").json()["outcomes"]
    assert [(o["target"], o["id"]) for o in outcomes] == [("proposal", proposal_id)]
    no_session = client.post(
        f"{API}/posts/{thread_id}/convert", {"target": "proposal"}, content_type="application/json"
    )
    assert no_session.status_code == 422
    client.force_login(w.bob)
    stats = client.get(f"{API}/{w.group.pk}/stats").json()
    assert (stats["speeches"], stats["suggestions"], stats["proposals"]) == (2, 1, 1)
    assert client.delete(f"{API}/posts/{reply_id}").status_code == 204
