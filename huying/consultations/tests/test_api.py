"""The consultations API: the same rules as the pages, the API's error format."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from huying.consultations.models import Consultation
from huying.consultations.tests.conftest import DAY
from huying.core.tests.cache import clear_cache


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    clear_cache()
    yield
    clear_cache()


def api(person: Any) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def post(client: Client, path: str, body: dict[str, Any] | None = None, method: str = "post") -> Any:
    return getattr(client, method)(
        f"/api/v1/consultations{path}", json.dumps(body or {}), content_type="application/json"
    )


def test_create_publish_and_read(frozen: Any, bob: Any, gina: Any, alice: Any, committee: Any) -> None:
    body = {
        "topic": "优化营商环境对口协商",
        "kind": "counterpart",
        "organiser_id": committee.pk,
        "starts_at": DAY.isoformat(),
        "ends_at": DAY.replace(hour=11).isoformat(),
        "video_url": "https://meeting.tencent.com/dm/1",
        "agenda": ["通报", "发言"],
    }
    assert post(api(gina), "", body).status_code == 403
    bad = post(api(bob), "", {**body, "video_url": "javascript:alert(1)"})
    assert bad.status_code == 422 and "video_url" in bad.json()["errors"]
    made = post(api(bob), "", body)
    assert made.status_code == 201
    pk = made.json()["id"]
    assert made.json()["agenda"] == ["通报", "发言"] and made.json()["may_organise"] is True
    assert api(alice).get(f"/api/v1/consultations/{pk}").status_code == 404  # a draft
    assert post(api(gina), f"/{pk}/publish").status_code == 404
    assert post(api(bob), f"/{pk}/publish").json()["status"] == "published"
    assert post(api(bob), f"/{pk}/publish").status_code == 422
    listed = api(alice).get("/api/v1/consultations").json()
    assert [c["id"] for c in listed["items"]] == [pk]
    assert api(None).get("/api/v1/consultations").status_code == 401


def test_speeches_updates_and_outcome(
    consultation: Consultation, frozen: Any, bob: Any, alice: Any, erin: Any, charlie: Any, tree: Any
) -> None:
    pk = consultation.pk
    assert post(api(erin), f"/{pk}/speeches/book", {"summary": "x"}).status_code == 403
    booked = post(api(alice), f"/{pk}/speeches/book", {"summary": "加装电梯"})
    assert booked.status_code == 201 and booked.json()["kind"] == "booked"
    frozen.move_to(DAY)
    post(api(bob), f"/{pk}/open")
    asked = post(api(charlie), f"/{pk}/speeches/request", {"summary": ""})
    assert asked.status_code == 201, asked.json()
    order = post(api(bob), f"/speeches/{asked.json()['id']}/order", {"direction": "up"})
    assert [s["id"] for s in order.json()] == [asked.json()["id"], booked.json()["id"]]
    assert post(api(alice), f"/speeches/{asked.json()['id']}/order", {"direction": "up"}).status_code == 403
    assert post(api(bob), f"/speeches/{booked.json()['id']}/give").json()["status"] == "given"
    posted = post(api(bob), f"/{pk}/updates", {"text": "王丽委员发言", "speech_id": booked.json()["id"]})
    assert posted.status_code == 201 and posted.json()["speaker"] == alice.real_name
    assert post(api(alice), f"/{pk}/updates", {"text": "x"}).status_code == 403
    feed = api(alice).get(f"/api/v1/consultations/{pk}/updates", {"after": 0})
    assert [u["text"] for u in feed.json()["updates"]] == ["王丽委员发言"]
    assert api(alice).get(f"/api/v1/consultations/{pk}/updates", {"after": posted.json()["id"]}).json()["updates"] == []
    again = api(alice).get(f"/api/v1/consultations/{pk}/updates", {"after": 0}, HTTP_IF_NONE_MATCH=feed["ETag"])
    assert again.status_code == 304
    post(api(bob), f"/{pk}/close")
    assert post(api(bob), f"/{pk}/minutes", {"minutes": "第一段\n第二段"}, "put").json()["minutes"] == [
        "第一段",
        "第二段",
    ]
    written = post(api(bob), f"/{pk}/outcome", {"consensus": "共识", "recommendations": ["建议一", "建议二"]}, "put")
    assert written.json()["outcome"]["recommendations"] == ["建议一", "建议二"]
    assert api(alice).get(f"/api/v1/consultations/{pk}").json()["outcome"] is None  # not sent yet
    sent = post(api(bob), f"/{pk}/outcome/send", {"unit_ids": [tree.department.pk], "days": 15})
    assert sent.status_code == 200 and sent.json()[0]["unit_name"] == tree.department.name
    assert api(alice).get(f"/api/v1/consultations/{pk}").json()["status"] == "concluded"
    assert api(alice).get(f"/api/v1/consultations/{pk}/outcome/answers").status_code == 403
    assert len(api(bob).get(f"/api/v1/consultations/{pk}/outcome/answers").json()) == 1
