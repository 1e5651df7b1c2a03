"""/api/v1/opinions: the same rules as the pages."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from huying.opinions.models import OpinionReport
from huying.opinions.tests.conftest import (
    TEXT,
    build_shared_data,  # noqa: F401 - shared people (root conftest)
    received,
)

API = "/api/v1/opinions"


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return c.post(path, json.dumps(body or {}), content_type="application/json")


def test_member_draft_submit_and_read(alice: Any, erin: Any, dora: Any, xinxi: Any) -> None:
    c = client_for(alice)
    created = post(c, API, TEXT)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert (
        c.put(
            f"{API}/{pk}", json.dumps({**TEXT, "title": "新标题", "version": 99}), content_type="application/json"
        ).status_code
        == 422
    )
    assert post(c, f"{API}/{pk}/submit").json()["status"] == "submitted"
    assert [r["id"] for r in c.get(API, {"mine": True}).json()["items"]] == [pk]
    assert client_for(erin).get(f"{API}/{pk}").status_code == 404
    assert client_for(dora).get(API).json()["items"] == []
    assert post(client_for(dora), API, TEXT).status_code == 403
    assert Client().get(API).status_code == 401
    assert client_for(xinxi).get(f"{API}/{pk}").json()["history"][-1]["kind"] == "submitted"


def test_staff_moves_and_refusals(alice: Any, erin: Any, xinxi: Any, wei: Any, lingdao: Any, tree: Any) -> None:
    report = received(alice, xinxi)
    staff = client_for(xinxi)
    assert post(client_for(wei), f"{API}/{report.pk}/adopt", {"level": "province"}).status_code == 404
    assert post(client_for(alice), f"{API}/{report.pk}/adopt", {"level": "province"}).status_code == 403
    assert post(staff, f"{API}/{report.pk}/adopt", {"level": "planet"}).status_code == 422
    edited = post(staff, f"{API}/{report.pk}/edit", {"suggestion": "建议设立专项补贴。", "version": report.version + 0})
    assert edited.status_code == 200, edited.content
    edit = edited.json()["edits"][0]
    assert "<del>" in edit["diff_html"]["suggestion"]
    answered = post(client_for(alice), f"{API}/{report.pk}/edits/{edit['id']}/answer", {"agree": True})
    assert answered.json()["edits"][0]["response"] == "agreed"
    adopted = post(staff, f"{API}/{report.pk}/adopt", {"level": "province"})
    assert adopted.json()["adopted_levels"] == ["province"]
    other = received(erin, xinxi, title="另一条")
    assert post(staff, f"{API}/{other.pk}/reject", {"reason": ""}).status_code == 422
    assert post(staff, f"{API}/{other.pk}/reject", {"reason": "重复"}).json()["status"] == "rejected"
    issue = post(staff, f"{API}/issues", {"cppcc_id": tree.province_cppcc.pk, "report_ids": [report.pk]})
    assert issue.status_code == 201, issue.content
    iid = issue.json()["id"]
    assert post(staff, f"{API}/issues/{iid}/publish", {"recipient_ids": [alice.pk]}).status_code == 422
    sent = post(staff, f"{API}/issues/{iid}/publish", {"recipient_ids": [lingdao.pk]})
    assert sent.json()["number"] == 1
    leader = client_for(lingdao)
    assert [i["id"] for i in leader.get(f"{API}/issues").json()["items"]] == [iid]
    instructed = post(leader, f"{API}/instructions", {"report_id": report.pk, "text": "请研究。", "level": "province"})
    assert instructed.status_code == 201 and instructed.json()["leader_name"] == "林道"
    assert client_for(alice).get(f"{API}/{report.pk}").json()["instructions"][0]["text"] == "请研究。"


def test_merge(alice: Any, erin: Any, xinxi: Any) -> None:
    one, two = received(alice, xinxi), received(erin, xinxi, title="另一条")
    merged = post(client_for(xinxi), f"{API}/merge", {"source_ids": [one.pk, two.pk], "title": "综合"})
    assert merged.status_code == 201 and sorted(merged.json()["source_ids"]) == sorted([one.pk, two.pk])
    assert OpinionReport.objects.get(pk=one.pk).status == "merged"
