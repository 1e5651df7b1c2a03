"""/api/v1/assignments: one list, one detail and the generic steps for work orders and
proposals (the ``both`` fixture: 荔湾区教育局 has a work order and a proposal), with named
people — gina (the bureau's staff: acts), jiedao (沙面街道: a colleague at another unit),
diaodu (the command centre: supervises the work order), bob (the CPPCC committee staff:
supervises the proposal), dora (the public) and an anonymous caller."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from huying.handling.choices import ExtensionStatus, Status
from huying.handling.models import Assignment, CaseEvent, ExtensionRequest
from huying.handling.tests.conftest import Both

URL = "/api/v1/assignments"


def api(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{URL}{path}", json.dumps(body or {}), content_type="application/json")


def snapshot(a: Assignment) -> tuple[Any, ...]:
    row = Assignment.objects.get(pk=a.pk)
    return (row.status, row.version, CaseEvent.objects.filter(assignment=row).count())


def test_the_list_gives_the_unit_both_workflows_with_their_cards(both: Both) -> None:
    gina = both.centre.edu_staff
    body = api(gina).get(URL).json()
    assert body["count"] == 2
    by_workflow = {item["workflow"]: item for item in body["items"]}
    order_item, proposal_item = by_workflow["workorder"], by_workflow["proposal"]
    assert order_item["id"] == both.order_assignment.pk
    assert order_item["case"] == {
        "number": both.order.number,
        "title": order_item["case"]["title"],
        "status": "已派单",
        "url": f"/workorders/inbox/{both.order_assignment.pk}/",
    }
    assert "学校门口道路积水" in order_item["case"]["title"]
    assert order_item["page_url"] == f"/workorders/inbox/{both.order_assignment.pk}/"
    assert order_item["workflow_display"] == "工单" and order_item["case_type"] == "workorders.workorder"
    proposal = both.centre.proposal
    proposal.refresh_from_db()
    assert proposal_item["case"]["number"] == proposal.formatted_number
    assert proposal_item["case"]["title"] == "关于推进中小学课后服务提质的建议"
    assert proposal_item["case"]["status"] == str(proposal.get_handling_status_display())
    assert proposal_item["case"]["url"] == f"/proposals/inbox/{both.proposal_assignment.pk}/"
    assert proposal_item["warning"] in ("ok", "yellow", "red") and proposal_item["version"] >= 1


def test_filters(both: Both) -> None:
    client = api(both.centre.edu_staff)

    def ids(**params: Any) -> set[int]:
        return {item["id"] for item in client.get(URL, params).json()["items"]}

    wo, pa = both.order_assignment.pk, both.proposal_assignment.pk
    assert ids(workflow="workorder") == {wo}
    assert ids(workflow="proposal") == {pa}
    assert ids(case_type="workorders.workorder", case_id=both.order.pk) == {wo}
    assert ids(case_type="no.such") == set()
    assert ids(unit=both.centre.edu.pk) == {wo, pa}
    assert ids(unit=both.centre.order_lead.unit_id) == set()  # a unit whose assignments gina does not read
    assert ids(status="assigned") == {wo, pa}
    assert ids(status=["accepted", "resolved"]) == set()
    assert ids(overdue="true") == set() and ids(overdue="false") == {wo, pa}
    far = (timezone.now() + timedelta(days=3650)).isoformat()
    assert ids(due_before=far) == {a for a in (wo, pa) if Assignment.objects.get(pk=a).resolve_due}
    assert ids(due_after=far) == set()
    assert client.get(URL, {"status": "nonsense"}).status_code == 422
    assert client.get(URL, {"order": "sideways"}).status_code == 422
    dues = [i["resolve_due"] for i in client.get(URL, {"order": "due"}).json()["items"]]
    assert dues == sorted(dues, key=lambda d: (d is None, d or ""))


def test_a_colleague_elsewhere_an_outsider_and_anonymous_see_nothing(both: Both, dora: Any) -> None:
    jiedao = both.centre.street_a
    for who in (jiedao, dora):
        client = api(who)
        listed = {item["id"] for item in client.get(URL).json()["items"]}
        assert both.order_assignment.pk not in listed and both.proposal_assignment.pk not in listed
        for a in (both.order_assignment, both.proposal_assignment):
            before = snapshot(a)
            assert client.get(f"{URL}/{a.pk}").status_code == 404
            assert post(client, f"/{a.pk}/accept", {"version": a.version}).status_code == 404
            assert snapshot(a) == before
    anonymous = api()
    assert anonymous.get(URL).status_code == 401
    assert post(anonymous, f"/{both.order_assignment.pk}/accept").status_code == 401


def test_the_detail_names_the_steps_each_person_may_take(both: Both, bob: Any) -> None:
    gina, diaodu = both.centre.edu_staff, both.centre.dispatcher
    wo, pa = both.order_assignment.pk, both.proposal_assignment.pk
    assert api(gina).get(f"{URL}/{wo}").json()["allowed_actions"] == [
        "accept",
        "return",
        "progress",
    ]
    # A proposal's unit objects rather than returns, and replies through its own endpoint.
    assert api(gina).get(f"{URL}/{pa}").json()["allowed_actions"] == ["accept", "object", "progress"]
    assert api(diaodu).get(f"{URL}/{wo}").json()["allowed_actions"] == ["urge", "reassign", "cancel"]
    # A proposal's responsible unit is reassigned, never just withdrawn: no "cancel" offered.
    assert api(bob).get(f"{URL}/{pa}").json()["allowed_actions"] == ["urge", "reassign"]
    # The command centre reads the proposal not at all, the committee not the order.
    assert api(diaodu).get(f"{URL}/{pa}").status_code == 404
    assert api(bob).get(f"{URL}/{wo}").status_code == 404


def test_a_supervisor_who_sees_it_may_not_take_the_units_steps(both: Both, bob: Any) -> None:
    a = both.proposal_assignment
    before = snapshot(a)
    response = post(api(bob), f"/{a.pk}/accept", {"version": a.version})
    assert response.status_code == 403 and response.json()["errors"] == {}
    assert post(api(both.centre.edu_staff), f"/{a.pk}/urge", {"text": "快"}).status_code == 403
    assert snapshot(a) == before


def test_the_units_steps_on_a_work_order(both: Both) -> None:
    gina, client = both.centre.edu_staff, api(both.centre.edu_staff)
    a = both.order_assignment
    stale = post(client, f"/{a.pk}/accept", {"version": a.version + 1})
    assert stale.status_code == 422 and set(stale.json()["errors"]) == {"version"}
    accepted = post(client, f"/{a.pk}/accept", {"version": a.version})
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["status"] == "accepted" and body["case"]["status"] == "办理中"  # the adapter moved the order
    again = post(client, f"/{a.pk}/accept", {"version": body["version"]})
    assert again.status_code == 422 and "__all__" in again.json()["errors"]  # illegal for the status
    assert post(client, f"/{a.pk}/progress", {"note": "已到现场"}).status_code == 200
    assert post(client, f"/{a.pk}/progress", {"note": ""}).json()["errors"].keys() == {"note"}
    until = (timezone.localtime(a.resolve_due) + timedelta(days=3)).isoformat()
    asked = post(client, f"/{a.pk}/extension", {"until": until, "reason": "需协调", "version": body["version"]})
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    # The work order's own steps stay on its endpoints.
    objected = post(client, f"/{a.pk}/object", {"reason": "x"})
    assert objected.status_code == 422 and "__all__" in objected.json()["errors"]
    # The command centre decides.
    diaodu = api(both.centre.dispatcher)
    version = diaodu.get(f"{URL}/{a.pk}").json()["version"]
    assert "decide_extension" in diaodu.get(f"{URL}/{a.pk}").json()["allowed_actions"]
    assert post(client, f"/extension-requests/{asked.json()['id']}/decide", {"approve": True}).status_code == 403
    decided = post(diaodu, f"/extension-requests/{asked.json()['id']}/decide", {"approve": True, "version": version})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    detail = client.get(f"{URL}/{a.pk}").json()
    assert detail["extension_count"] == 1
    assert [e["status"] for e in detail["extension_requests"]] == ["approved"]
    assert gina.pk  # gina acted throughout


def test_return_reassign_and_urge_on_a_work_order(both: Both, tree: Any) -> None:
    client, diaodu = api(both.centre.edu_staff), api(both.centre.dispatcher)
    a = both.order_assignment
    assert post(client, f"/{a.pk}/return", {"reason": ""}).json()["errors"].keys() == {"reason"}
    returned = post(client, f"/{a.pk}/return", {"reason": "不属本单位职责", "version": a.version})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    both.order.refresh_from_db()
    assert both.order.status == "new"  # the adapter: back at the command centre
    moved = post(diaodu, f"/{a.pk}/reassign", {"to_unit": tree.street.pk, "reason": "街道牵头"})
    assert moved.status_code == 201 and moved.json()["unit_id"] == tree.street.pk
    new = moved.json()["id"]
    assert post(diaodu, f"/{new}/urge", {"text": "请尽快办理"}).status_code == 200
    assert CaseEvent.objects.filter(assignment_id=new, kind="urged").count() == 1
    # gina no longer reads the street's assignment.
    assert client.get(f"{URL}/{new}").status_code == 404
    outside = post(diaodu, f"/{new}/reassign", {"to_unit": both.centre.edu.pk + 10_000, "reason": "x"})
    assert outside.status_code == 422 and outside.json()["errors"].keys() == {"to_unit"}


def test_the_units_and_the_committees_steps_on_a_proposal(both: Both, bob: Any) -> None:
    from huying.proposals.models import Proposal

    client, staff = api(both.centre.edu_staff), api(bob)
    a = both.proposal_assignment
    objected = post(client, f"/{a.pk}/object", {"reason": "不属本单位职责", "version": a.version})
    assert objected.status_code == 200 and objected.json()["status"] == "objected"
    assert "overrule" in staff.get(f"{URL}/{a.pk}").json()["allowed_actions"]
    overruled = post(staff, f"/{a.pk}/overrule", {"reason": "属教育局职责"})
    assert overruled.status_code == 200 and overruled.json()["status"] == "accepted"
    assert post(client, f"/{a.pk}/return", {"reason": "x"}).status_code == 422  # proposals object instead
    proposal = Proposal.objects.get(pk=both.centre.proposal.pk)
    assert overruled.json()["case"]["status"] == str(proposal.get_handling_status_display())
    # The proposals' adapter withdraws only a co-handling unit: refused, nothing changes.
    before = snapshot(a)
    cancelled = post(staff, f"/{a.pk}/cancel", {"reason": "撤回"})
    assert cancelled.status_code == 422 and "__all__" in cancelled.json()["errors"]
    assert snapshot(a) == before


def test_a_proposal_extension_is_decided_by_the_committee(both: Both, bob: Any) -> None:
    client, staff = api(both.centre.edu_staff), api(bob)
    a = both.proposal_assignment
    until = (timezone.localtime(a.resolve_due) + timedelta(days=30)).isoformat()
    asked = post(client, f"/{a.pk}/extension", {"until": until, "reason": "需调研"})
    assert asked.status_code == 201
    refused = post(staff, f"/extension-requests/{asked.json()['id']}/decide", {"approve": False})
    assert refused.status_code == 422 and refused.json()["errors"].keys() == {"reason"}
    refused = post(staff, f"/extension-requests/{asked.json()['id']}/decide", {"approve": False, "reason": "可按期"})
    assert refused.status_code == 200 and refused.json()["status"] == ExtensionStatus.REFUSED
    assert (
        post(
            api(both.centre.street_a), f"/extension-requests/{asked.json()['id']}/decide", {"approve": True}
        ).status_code
        == 404
    )


def test_the_deprecated_aliases_still_answer(both: Both, bob: Any) -> None:
    client = api(both.centre.edu_staff)
    a, p = both.order_assignment, both.proposal_assignment
    old = client.post(
        f"/api/v1/workorders/assignments/{a.pk}/accept",
        json.dumps({"version": a.version}),
        content_type="application/json",
    )
    assert old.status_code == 200 and old.json()["order"] == both.order.number
    old = client.post(
        f"/api/v1/proposals/assignments/{p.pk}/accept",
        json.dumps({"version": p.version}),
        content_type="application/json",
    )
    assert old.status_code == 200 and old.json()["proposal_id"] == both.centre.proposal.pk
    assert Assignment.objects.get(pk=p.pk).status == Status.ACCEPTED
    document = client.get("/api/v1/openapi.json").json()
    assert document["paths"]["/api/v1/workorders/assignments/{pk}/accept"]["post"]["deprecated"] is True
    assert document["paths"]["/api/v1/proposals/assignments/{pk}/accept"]["post"]["deprecated"] is True
    assert document["paths"]["/api/v1/proposals/inbox"]["get"]["deprecated"] is True
    assert "deprecated" not in document["paths"]["/api/v1/assignments/{pk}/accept"]["post"]
    assert "deprecated" not in document["paths"]["/api/v1/workorders/assignments/{pk}/resolve"]["post"]
    # The aliases take the new request schemas (one shape, one name).
    accept = document["paths"]["/api/v1/workorders/assignments/{pk}/accept"]["post"]
    assert accept["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/StepNoteIn")
    assert ExtensionRequest.objects.count() == 0
