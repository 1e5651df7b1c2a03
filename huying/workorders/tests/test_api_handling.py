"""The dispatch and handling API: the whole flow, permission boundaries (the engine's
policy, as on the pages), and the error format — 401/403/404, 422 naming the field, the
illegal move or the stale ``version``."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import Tree
from huying.accounts.actions import do_create_api_token
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.handling import actions as engine
from huying.handling.choices import ExtensionStatus, Status
from huying.handling.models import Assignment, ExtensionRequest
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import AttachmentKind, Channel, OrderStatus
from huying.workorders.models import Attachment, WorkOrder
from huying.workorders.tests.conftest import URL, build_shared_unit_staff, order_data

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


class Api:
    """A client acting as one person (session login), posting JSON."""

    def __init__(self, client: Any, user: User | None) -> None:
        self.client = client
        if user is not None:
            client.force_login(user)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{URL}{path}", params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"{URL}{path}", body or {}, content_type="application/json")


@pytest.fixture
def order(tree: Tree, dispatcher: User) -> WorkOrder:
    return actions.do_intake(dispatcher, order_data(), Channel.HOTLINE).order


@pytest.fixture
def lead(order: WorkOrder, tree: Tree, dispatcher: User) -> Assignment:
    return actions.do_dispatch(dispatcher, order, tree.street)[0]


@pytest.fixture
def yuexiu(tree: Tree) -> User:
    gov = OrganisationFactory(
        name="越秀区人民政府", kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY, parent=tree.city_gov
    )
    centre = OrganisationFactory(name="越秀区指挥中心", kind=OrgKind.COMMAND_CENTRE, parent=gov)
    return UserFactory(username="yuexiu", roles=[("dispatcher", centre)])


def as_(client: Any, request: Any, name: str) -> Api:
    return Api(client, request.getfixturevalue(name))


def test_the_whole_flow_through_the_api(
    client: Any, order: WorkOrder, tree: Tree, dispatcher: User, street_handler: User, charlie: User
) -> None:
    desk = Api(client, dispatcher)
    sent = desk.post(
        f"/{order.number}/dispatch",
        {"unit": tree.street.pk, "category": "010101", "co_units": [tree.department.pk], "version": order.version},
    )
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["order"]["status"] == OrderStatus.DISPATCHED
    lead_id, co_id = (a["id"] for a in body["assignments"])
    assert [a["role"] for a in body["assignments"]] == ["lead", "co"]

    street = Api(client, street_handler)
    inbox = street.get("/assignments").json()
    assert [item["id"] for item in inbox["items"]] == [lead_id] and inbox["items"][0]["order"] == order.number
    one = street.get(f"/assignments/{lead_id}").json()
    assert "accept" in one["actions"] and one["deadline_state"] == "ok"
    accepted = street.post(f"/assignments/{lead_id}/accept", {"version": one["version"]})
    assert accepted.status_code == 200 and accepted.json()["status"] == Status.ACCEPTED
    assert street.post(f"/assignments/{lead_id}/progress", {"note": "已到现场"}).status_code == 200
    due = timezone.localtime(timezone.now() + timedelta(days=30)).replace(tzinfo=None).isoformat()
    asked = street.post(
        f"/assignments/{lead_id}/extension",
        {"until": due, "reason": "需协调", "version": accepted.json()["version"]},
    )
    assert asked.status_code == 201, asked.content
    assert street.get(f"/assignments/{lead_id}").json()["pending_extension"] == asked.json()["id"]

    desk = Api(client, dispatcher)
    version = desk.get(f"/assignments/{lead_id}").json()["version"]
    approved = desk.post(f"/extension-requests/{asked.json()['id']}/approve", {"version": version})
    assert approved.status_code == 200 and approved.json()["status"] == ExtensionStatus.APPROVED
    assert desk.post(f"/assignments/{lead_id}/urge", {"text": "请尽快办结"}).status_code == 200

    Api(client, charlie).post(f"/assignments/{co_id}/accept")
    street = Api(client, street_handler)
    version = street.get(f"/assignments/{lead_id}").json()["version"]
    photo = {"filename": "现场.jpg", "content_base64": base64.b64encode(JPEG).decode()}
    done = street.post(f"/assignments/{lead_id}/resolve", {"result": "已清理", "photos": [photo], "version": version})
    assert done.status_code == 200, done.content and done.json()["status"] == Status.RESOLVED
    evidence = Attachment.objects.get(order=order)
    assert evidence.kind == AttachmentKind.EVIDENCE and evidence.assignment_id == lead_id

    desk = Api(client, dispatcher)
    state = desk.get(f"/{order.number}").json()
    assert state["status"] == OrderStatus.RESOLVED
    rated = desk.post(f"/{order.number}/feedback", {"rating": "satisfied", "solved": True, "comment": "满意"})
    assert rated.status_code == 201, rated.content
    assert rated.json()["order"]["status"] == OrderStatus.RESOLVED
    closed = desk.post(f"/{order.number}/close", {"version": rated.json()["order"]["version"]})
    assert closed.status_code == 200 and closed.json()["status"] == OrderStatus.CLOSED
    kinds = [item["kind"] for item in desk.get(f"/{order.number}/timeline").json()]
    for kind in ("workorder.intake", "assigned", "accepted", "extension_approved", "urged", "resolved", "feedback"):
        assert kind in kinds


def test_anonymous_gets_401(client: Any, lead: Assignment, order: WorkOrder) -> None:
    api = Api(client, None)
    assert api.get("/assignments").status_code == 401
    assert api.post(f"/assignments/{lead.pk}/accept").status_code == 401
    assert api.post(f"/{order.number}/close").status_code == 401


@pytest.mark.parametrize("name", ["charlie", "alice", "bob", "dora", "yuexiu"])
def test_outsiders_do_not_see_the_assignment(client: Any, lead: Assignment, name: str, request: Any) -> None:
    api = as_(client, request, name)
    assert api.get("/assignments").json()["items"] == []
    response = api.post(f"/assignments/{lead.pk}/accept")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "errors"}
    lead.refresh_from_db()
    assert lead.status == Status.ASSIGNED


def test_the_dispatcher_sees_but_may_not_act_for_the_unit(client: Any, lead: Assignment, dispatcher: User) -> None:
    api = Api(client, dispatcher)
    assert [a["id"] for a in api.get("/assignments").json()["items"]] == [lead.pk]
    response = api.post(f"/assignments/{lead.pk}/accept")
    assert response.status_code == 403 and "沙面街道" in response.json()["message"]


@pytest.mark.parametrize("path", ["urge", "reassign"])
def test_the_unit_may_not_supervise_itself(
    client: Any, lead: Assignment, street_handler: User, tree: Tree, path: str
) -> None:
    body = {"text": "自己催自己"} if path == "urge" else {"to_unit": tree.department.pk, "reason": "不想办"}
    response = Api(client, street_handler).post(f"/assignments/{lead.pk}/{path}", body)
    assert response.status_code == 403 and "指挥中心" in response.json()["message"]


@pytest.mark.parametrize("name", ["street_handler", "charlie"])
def test_units_may_not_take_the_command_centres_steps(
    client: Any, order: WorkOrder, lead: Assignment, tree: Tree, name: str, request: Any
) -> None:
    api = as_(client, request, name)
    if name == "charlie":  # charlie sees the order once his department takes part
        engine.do_reassign(request.getfixturevalue("dispatcher"), lead, to_unit=tree.department, reason="改派")
    for path, body in (
        ("dispatch", {"unit": 999999, "category": "99"}),  # who may comes before what is wrong
        ("feedback", {"rating": "satisfied"}),
        ("close", {"note": "结"}),
        ("reopen", {"reason": "重办"}),
        ("cancel", {"reason": "撤"}),
        ("merge", {"children": [], "reason": "并"}),
    ):
        response = api.post(f"/{order.number}/{path}", body)
        assert response.status_code == 403, (path, response.content)
    assert api.get(f"/{order.number}/duplicates").status_code == 403


@pytest.mark.parametrize("name", ["alice", "dora", "yuexiu"])
def test_people_without_sight_of_the_order_get_404(client: Any, order: WorkOrder, name: str, request: Any) -> None:
    api = as_(client, request, name)
    for path in ("dispatch", "feedback", "close", "reopen", "cancel", "merge"):
        assert api.post(f"/{order.number}/{path}", {"unit": 1, "rating": "x", "children": []}).status_code == 404
    assert api.get(f"/{order.number}/timeline").status_code == 404


def test_stale_version_is_422_on_version(client: Any, lead: Assignment, order: WorkOrder, street_handler: User) -> None:
    response = Api(client, street_handler).post(f"/assignments/{lead.pk}/accept", {"version": lead.version + 1})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["version"]
    order.refresh_from_db()
    stale = Api(client, street_handler)
    engine.do_accept(street_handler, lead)
    actions.do_resolve(street_handler, lead, result="已处理")
    response = stale.post(f"/{order.number}/close", {"note": "x"})  # the unit: 403 before anything else
    assert response.status_code == 403


def test_stale_order_version_is_422_on_version(
    client: Any, lead: Assignment, dispatcher: User, order: WorkOrder
) -> None:
    response = Api(client, dispatcher).post(f"/{order.number}/cancel", {"reason": "撤", "version": order.version - 1})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["version"]
    assert WorkOrder.objects.get(pk=order.pk).status == OrderStatus.DISPATCHED


def test_illegal_move_is_422_naming_the_problem(client: Any, lead: Assignment, street_handler: User) -> None:
    api = Api(client, street_handler)
    assert api.post(f"/assignments/{lead.pk}/accept").status_code == 200
    again = api.post(f"/assignments/{lead.pk}/accept")
    assert again.status_code == 422
    assert "已签收" in again.json()["message"] or "Accepted" in again.json()["message"]
    assert "__all__" in again.json()["errors"]


def test_illegal_order_move_is_422_on_status(client: Any, lead: Assignment, dispatcher: User, order: WorkOrder) -> None:
    response = Api(client, dispatcher).post(f"/{order.number}/close", {"note": "提前结案"})
    assert response.status_code == 422 and "status" in response.json()["errors"]


def test_bad_input_names_the_field(
    client: Any, order: WorkOrder, lead: Assignment, tree: Tree, dispatcher: User, street_handler: User
) -> None:
    street = Api(client, street_handler)
    assert street.post(f"/assignments/{lead.pk}/return", {"reason": ""}).json()["errors"].keys() == {"reason"}
    street.post(f"/assignments/{lead.pk}/accept")
    bad_photo = {"filename": "x.jpg", "content_base64": "not base64!"}
    response = street.post(f"/assignments/{lead.pk}/resolve", {"result": "好", "photos": [bad_photo]})
    assert response.status_code == 422 and "photos" in response.json()["errors"]
    exe = {"filename": "x.jpg", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}
    response = street.post(f"/assignments/{lead.pk}/resolve", {"result": "好", "photos": [exe]})
    assert response.status_code == 422 and "photos" in response.json()["errors"]
    response = street.post(f"/assignments/{lead.pk}/escalate", {"to_unit": 999999, "reason": "上呼"})
    assert response.status_code == 422 and "to_unit" in response.json()["errors"]
    response = street.post(f"/assignments/{lead.pk}/extension", {"until": "tomorrow", "reason": "x"})
    assert response.status_code == 422 and "until" in response.json()["errors"]
    lead.refresh_from_db()
    assert lead.status == Status.ACCEPTED and not Attachment.objects.exists()
    desk = Api(client, dispatcher)
    other = actions.do_intake(dispatcher, order_data(external_id="X-2"), Channel.HOTLINE).order
    response = desk.post(f"/{other.number}/dispatch", {"unit": tree.province_cppcc.pk})
    assert response.status_code == 422 and "unit" in response.json()["errors"]
    response = desk.post(f"/{other.number}/dispatch", {"unit": tree.street.pk, "category": "99"})
    assert response.status_code == 422 and "category" in response.json()["errors"]
    response = desk.post(f"/{other.number}/merge", {"children": ["荔湾-1999-000001"], "reason": "并"})
    assert response.status_code == 422 and "children" in response.json()["errors"]
    response = desk.post(f"/{order.number}/feedback", {"rating": "great"})
    assert response.status_code == 422 and "rating" in response.json()["errors"]


def test_escalate_reassign_refuse_reopen_cancel_and_merge(
    client: Any, order: WorkOrder, lead: Assignment, tree: Tree, dispatcher: User, street_handler: User, charlie: User
) -> None:
    street = Api(client, street_handler)
    street.post(f"/assignments/{lead.pk}/accept")
    called = street.post(f"/assignments/{lead.pk}/escalate", {"to_unit": tree.department.pk, "reason": "需执法"})
    assert called.status_code == 201 and called.json()["tier"] == 2 and called.json()["unit"] == tree.department.name
    desk = Api(client, dispatcher)
    moved = desk.post(f"/assignments/{called.json()['id']}/reassign", {"to_unit": tree.street.pk, "reason": "街道牵头"})
    assert moved.status_code == 201 and moved.json()["unit_id"] == tree.street.pk
    new_id = moved.json()["id"]
    street = Api(client, street_handler)
    street.post(f"/assignments/{new_id}/accept")
    due = (timezone.now() + timedelta(days=40)).isoformat()
    asked = street.post(f"/assignments/{new_id}/extension", {"until": due, "reason": "需协调"})
    desk = Api(client, dispatcher)
    refused = desk.post(f"/extension-requests/{asked.json()['id']}/refuse", {"reason": "可按期办结"})
    assert refused.status_code == 200 and refused.json()["status"] == ExtensionStatus.REFUSED
    Api(client, street_handler).post(f"/assignments/{new_id}/resolve", {"result": "已处理"})
    desk = Api(client, dispatcher)
    reopened = desk.post(f"/{order.number}/reopen", {"reason": "现场复核未解决"})
    assert reopened.status_code == 200 and reopened.json()["status"] == OrderStatus.IN_PROGRESS
    # Merge a duplicate into this order, then try to cancel it (it is in progress: refused).
    twin = actions.do_intake(dispatcher, order_data(external_id="X-twin"), Channel.HOTLINE).order
    assert [d["number"] for d in desk.get(f"/{order.number}/duplicates").json()] == [twin.number]
    merged = desk.post(f"/{order.number}/merge", {"children": [twin.number], "reason": "重复来电"})
    assert merged.status_code == 200, merged.content
    assert merged.json()["children"] == [
        {**merged.json()["children"][0], "number": twin.number, "status": "merged", "parent": order.number}
    ]
    assert desk.post(f"/{order.number}/cancel", {"reason": "撤"}).status_code == 422
    other = actions.do_intake(dispatcher, order_data(external_id="X-3"), Channel.HOTLINE).order
    assert desk.post(f"/{other.number}/cancel", {"reason": "无效来电"}).json()["status"] == OrderStatus.CANCELLED


def test_assignment_list_query_count_is_fixed(
    client: Any, tree: Tree, dispatcher: User, street_handler: User, django_assert_num_queries: Any
) -> None:
    def make(n: int) -> None:
        o = actions.do_intake(dispatcher, order_data(external_id=f"Q-{n}"), Channel.HOTLINE).order
        actions.do_dispatch(dispatcher, o, tree.street)

    token = do_create_api_token(street_handler, street_handler, "app")[1]
    for n in range(2):
        make(n)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get(f"{URL}/assignments", **headers)  # checks the token and roles once (kept by the process)
    with django_assert_num_queries(3) as captured:
        assert len(client.get(f"{URL}/assignments", **headers).json()["items"]) == 2
    for n in range(2, 8):
        make(n)
    with django_assert_num_queries(len(captured.captured_queries)):
        assert len(client.get(f"{URL}/assignments", **headers).json()["items"]) == 8


def test_assignment_list_filters(client: Any, tree: Tree, dispatcher: User, street_handler: User) -> None:
    orders = [actions.do_intake(dispatcher, order_data(external_id=f"F-{n}"), Channel.HOTLINE).order for n in range(2)]
    late, fine = (actions.do_dispatch(dispatcher, o, tree.street)[0] for o in orders)
    past = timezone.now() - timedelta(hours=1)
    Assignment.objects.filter(pk=late.pk).update(assigned_at=past - timedelta(days=1), accept_due=past)
    api = Api(client, street_handler)
    assert [a["id"] for a in api.get("/assignments", state="red").json()["items"]] == [late.pk]
    assert api.get("/assignments", state="red").json()["items"][0]["deadline_state"] == "red"
    engine.do_accept(street_handler, fine)
    actions.do_resolve(street_handler, fine, result="已处理")
    assert [a["id"] for a in api.get("/assignments").json()["items"]] == [late.pk]
    assert {a["id"] for a in api.get("/assignments", show="all").json()["items"]} == {late.pk, fine.pk}
    assert ExtensionRequest.objects.count() == 0


def test_every_new_endpoint_is_documented(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/workorders/assignments",
        "/api/v1/workorders/assignments/{pk}/resolve",
        "/api/v1/workorders/extension-requests/{pk}/approve",
        "/api/v1/workorders/{number}/merge",
        "/api/v1/workorders/{number}/duplicates",
        "/api/v1/workorders/{number}/timeline",
        "/api/v1/workorders/{number}/feedback",
    ):
        assert path in paths, path


def test_an_order_shows_its_version_and_its_assignments(
    client: Any, order: WorkOrder, lead: Assignment, dispatcher: User, tree: Tree
) -> None:
    other = actions.do_intake(dispatcher, order_data(external_id="GZ12345-0002"), Channel.HOTLINE).order
    actions.do_dispatch(dispatcher, other, tree.street)
    desk = Api(client, dispatcher)
    order.refresh_from_db()
    detail = desk.get(f"/{order.number}").json()
    assert detail["version"] == order.version
    listed = desk.get("/assignments", order=order.number, show="all").json()
    assert [a["id"] for a in listed["items"]] == [lead.pk]
    assert desk.get("/assignments", order="GZ-NO-SUCH", show="all").json()["items"] == []


def test_actions_list_only_the_moves_this_viewer_may_make(
    client: Any, lead: Assignment, dispatcher: User, street_handler: User
) -> None:
    """The street's staff handle (accept, return, …), the command centre supervises (urge,
    cancel, …): each sees only its own moves on the same assignment."""
    handler_actions = set(Api(client, street_handler).get(f"/assignments/{lead.pk}").json()["actions"])
    assert {"accept", "return", "progress"} <= handler_actions
    assert not handler_actions & {"cancel", "urge"}
    desk_actions = set(Api(client, dispatcher).get(f"/assignments/{lead.pk}").json()["actions"])
    assert {"cancel", "urge"} <= desk_actions
    assert not desk_actions & {"accept", "return", "progress"}


def test_times_are_written_in_local_time_with_the_offset(client: Any, lead: Assignment, street_handler: User) -> None:
    body = Api(client, street_handler).get(f"/assignments/{lead.pk}").json()
    assert body["assigned_at"].endswith("+08:00")
    assert "Z" not in body["assigned_at"]
