"""/api/v1/reception: the same rules as the pages, person by person."""

from __future__ import annotations

from typing import Any

import pytest

from huying.proposals.tests.conftest import make_session
from huying.reception import actions
from huying.reception.models import Question
from huying.reception.tests.conftest import NOW, published_question

pytestmark = pytest.mark.django_db
API = "/api/v1/reception"


def post(client: Any, path: str, data: Any = None, method: str = "post") -> Any:
    return getattr(client, method)(API + path, data or {}, content_type="application/json")


def test_reading_is_open_to_everyone(client: Any, live: Any, alice: Any, bob: Any, citizen: Any) -> None:
    q = published_question(citizen, bob, live)
    actions.do_answer(alice, q, body="已协调周末轮值供餐。")
    actions.do_ask(citizen, live, body="还没审核的问题")
    sessions = client.get(f"{API}/sessions?phase=live").json()
    assert [s["id"] for s in sessions["items"]] == [live.pk]
    assert sessions["items"][0]["host"]["real_name"] == "王丽" and sessions["items"][0]["accepts_questions"]
    items = client.get(f"{API}/sessions/{live.pk}/questions").json()["items"]
    assert [(i["body"], i["answer"]["body"]) for i in items] == [("长者饭堂周末能开吗？", "已协调周末轮值供餐。")]
    assert client.get(f"{API}/questions/{q.pk}").json()["outcomes"] == []
    client.force_login(citizen)
    mine = client.get(f"{API}/questions/mine").json()["items"]
    assert {i["status"] for i in mine} == {"published", "pending"}


def test_asking_through_the_api(client: Any, live: Any, citizen: Any, dora: Any) -> None:
    assert post(client, f"/sessions/{live.pk}/questions", {"body": "匿名提问"}).status_code == 401
    client.force_login(dora)
    assert post(client, f"/sessions/{live.pk}/questions", {"body": "未认证的提问"}).status_code == 403
    client.force_login(citizen)
    response = post(client, f"/sessions/{live.pk}/questions", {"body": "社区卫生站能开夜诊吗？"})
    assert response.status_code == 201 and response.json()["status"] == "pending" and response.json()["mine"]
    assert post(client, f"/sessions/{live.pk}/questions", {"body": "短"}).status_code == 422
    assert Question.objects.count() == 1


def test_sessions_and_moves_through_the_api(client: Any, alice: Any, bob: Any, erin: Any, cindy: Any) -> None:
    times = {"starts_at": NOW.isoformat(), "ends_at": NOW.replace(hour=14).isoformat()}
    client.force_login(alice)
    response = post(client, "/sessions", {"theme": "托育服务", **times})
    assert response.status_code == 201 and response.json()["status"] == "scheduled"
    pk = response.json()["id"]
    assert post(client, f"/sessions/{pk}/close").status_code == 422
    client.force_login(erin)
    assert post(client, f"/sessions/{pk}/open").status_code == 403
    client.force_login(cindy)
    assert post(client, "/sessions", {"theme": "托育服务", "host_id": alice.pk, **times}).status_code == 403
    client.force_login(bob)
    assert post(client, "/sessions", {"theme": "托育服务", "host_id": alice.pk, **times}).status_code == 201
    assert post(client, f"/sessions/{pk}/open").json()["status"] == "open"
    assert post(client, f"/sessions/{pk}/close").json()["status"] == "closed"
    bad = post(
        client,
        "/sessions",
        {"theme": "托育服务", "host_id": alice.pk, "starts_at": times["ends_at"], "ends_at": times["starts_at"]},
    )
    assert bad.status_code == 422 and "ends_at" in bad.json()["errors"]


def test_answer_hide_adopt_convert_through_the_api(
    client: Any, live: Any, alice: Any, bob: Any, erin: Any, citizen: Any, tree: Any
) -> None:
    q = published_question(citizen, bob, live)
    other = published_question(citizen, bob, live, body="社区卫生站能开夜诊吗？")
    for person in (erin, citizen):
        client.force_login(person)
        assert post(client, f"/questions/{q.pk}/answer", {"body": "我来答"}, "put").status_code == 403
        assert post(client, f"/questions/{q.pk}/adopt").status_code == 403
        assert post(client, f"/questions/{q.pk}/hide", {"reason": "无关"}).status_code == 403
    client.force_login(alice)
    response = post(client, f"/questions/{q.pk}/answer", {"body": "已协调周末轮值供餐。"}, "put")
    assert response.status_code == 200 and response.json()["answer"]["body"] == "已协调周末轮值供餐。"
    assert post(client, f"/questions/{q.pk}/adopt").json()["adopted"] is True
    session = make_session(tree)
    response = post(
        client,
        "/questions/convert",
        {"question_ids": [q.pk], "session_id": session.pk, "title": "关于长者饭堂周末供餐的建议"},
    )
    assert response.status_code == 201 and response.json()["proposal_id"]
    assert (
        post(client, "/questions/convert", {"question_ids": [other.pk], "target": "report", "title": "无"}).status_code
        == 422
    )
    client.force_login(bob)
    assert post(client, f"/questions/{other.pk}/hide", {"reason": "与主题无关"}).json()["status"] == "hidden"
    client.logout()
    detail = client.get(f"{API}/questions/{q.pk}").json()
    assert detail["outcomes"][0]["kind"] == "proposal" and client.get(f"{API}/questions/{other.pk}").status_code == 404
