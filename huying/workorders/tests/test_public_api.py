"""POST /api/v1/workorders/report, /grid and /member, the track lookup with its rate limit
and the caller's rating, oversized bodies, and the OpenAPI document."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import Tree
from huying.accounts.actions import do_create_api_token
from huying.accounts.models import User
from huying.handling.choices import FeedbackChannel, Rating
from huying.handling.models import Feedback
from huying.workorders.choices import Channel
from huying.workorders.models import Attachment, WorkOrder
from huying.workorders.tests.conftest import URL, build_shared_unit_staff
from huying.workorders.tests.test_public_pages import JPEG, PHONE, resolve

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

TOKEN = "3f1c6c1e-6b0e-4c9a-9a57-0d7f0b6f2a11"


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_token": TOKEN,
        "content": "西关大屋旁的路灯坏了一个星期。",
        "category": "04",
        "nature": "求助",
        "address": "宝华路12号",
        "latitude": 23.1251,
        "longitude": 113.2443,
        "caller_phone": PHONE,
    }
    body.update(overrides)
    return body


def post(client: Client, path: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(f"{URL}{path}", body, content_type="application/json", **extra)


def photo(name: str, content: bytes) -> dict[str, str]:
    return {"filename": name, "content_base64": base64.b64encode(content).decode()}


# --- public report ----------------------------------------------------------------------
def test_anonymous_report_is_created_once_per_client_token(client: Client, tree: Tree) -> None:
    first = post(client, "/report", report_body(attachments=[photo("lamp.jpg", JPEG)]))
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["created"] is True and body["channel"] == Channel.WEB and body["number"].startswith("荔湾-")
    again = post(client, "/report", report_body(attachments=[photo("lamp.jpg", JPEG)]))
    assert again.status_code == 200
    assert again.json()["number"] == body["number"] and again.json()["created"] is False
    order = WorkOrder.objects.get()
    assert order.external_id == TOKEN and order.created_by is None and order.district == tree.district_gov
    assert Attachment.objects.count() == 1


def test_a_client_token_reused_by_another_caller_is_refused(client: Client, tree: Tree) -> None:
    post(client, "/report", report_body())
    response = post(client, "/report", report_body(caller_phone="13700000000"))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["client_token"]
    assert WorkOrder.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"caller_phone": ""}, {"caller_phone"}),
        ({"client_token": "short"}, {"client_token"}),
        ({"content": "", "latitude": 61.0}, {"content", "latitude"}),
        ({"latitude": 40.0, "longitude": 10.0}, {"longitude"}),
        ({"category": "9999"}, {"category"}),
        ({"district": "110101"}, {"district"}),
        ({"street": "不存在街道"}, {"street"}),
        ({"attachments": [photo("x.jpg", b"GIF89a")]}, {"attachments"}),
        ({"attachments": [photo(f"p{i}.jpg", JPEG) for i in range(7)]}, {"attachments"}),
        ({"latitude": "north"}, {"latitude"}),
    ],
)
def test_bad_reports_name_their_fields_and_change_nothing(
    client: Client, tree: Tree, overrides: dict[str, Any], fields: set[str]
) -> None:
    response = post(client, "/report", report_body(**overrides))
    assert response.status_code == 422, response.content
    body = response.json()
    assert fields <= set(body["errors"]) and body["message"]
    assert not WorkOrder.objects.exists() and not Attachment.objects.exists()


def test_an_oversized_body_answers_413_in_the_one_error_format(
    client: Client, tree: Tree, settings: Any, dispatcher_token: str
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    big = report_body(attachments=[photo("big.jpg", JPEG + b"\x00" * 3000)])
    response = post(client, "/report", big)
    assert response.status_code == 413 and response["Content-Type"] == "application/json; charset=utf-8"
    assert list(response.json()["errors"]) == ["attachments"]
    # The hotline push answers the same instead of Django's HTML "Bad Request".
    hotline = post(
        client, "/intake/hotline", {**big, "external_id": "GZ-1"}, HTTP_AUTHORIZATION=f"Bearer {dispatcher_token}"
    )
    assert hotline.status_code == 413 and "attachments" in hotline.json()["errors"]
    assert not WorkOrder.objects.exists()


def test_a_report_with_a_token_is_its_owner_s(client: Client, tree: Tree, dora: User) -> None:
    secret = do_create_api_token(dora, dora, "app")[1]
    response = post(client, "/report", report_body(), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 201
    assert WorkOrder.objects.get().created_by == dora


def test_a_bad_token_is_not_taken_for_anonymous(client: Client, tree: Tree) -> None:
    response = post(client, "/report", report_body(), HTTP_AUTHORIZATION="Bearer hy_wrong")
    assert response.status_code == 401 and not WorkOrder.objects.exists()


def test_public_reports_are_rate_limited(client: Client, tree: Tree, settings: Any) -> None:
    settings.WORKORDERS_REPORT_LIMIT = 1
    assert post(client, "/report", report_body()).status_code == 201
    refused = post(client, "/report", report_body(client_token=TOKEN + "-2"))
    assert refused.status_code == 429 and refused.json()["errors"] == {} and int(refused["Retry-After"]) > 0


# --- grid and member ------------------------------------------------------------------------
def test_grid_report_by_a_street_handler(client: Client, tree: Tree, street_handler: User) -> None:
    client.force_login(street_handler)
    response = post(client, "/grid", report_body(caller_phone="", urgency="紧急"))
    assert response.status_code == 201, response.json()
    order = WorkOrder.objects.get()
    assert order.channel == Channel.GRID and order.street == tree.street and order.urgency == "urgent"
    assert order.caller_phone == street_handler.mobile
    assert post(client, "/grid", report_body()).status_code == 200  # the same client_token


def test_grid_report_refuses_the_public_and_anonymous(client: Client, tree: Tree, dora: User) -> None:
    assert post(client, "/grid", report_body()).status_code == 401
    client.force_login(dora)
    assert post(client, "/grid", report_body()).status_code == 403
    assert not WorkOrder.objects.exists()


def test_grid_report_outside_the_person_s_district_is_refused(client: Client, tree: Tree, street_handler: User) -> None:
    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.organisations.tests.factories import OrganisationFactory

    other = OrganisationFactory(
        name="越秀区人民政府",
        kind=OrgKind.GOVERNMENT,
        level=OrgLevel.COUNTY,
        parent=tree.city_gov,
        division_code="440104",
    )
    OrganisationFactory(name="越秀区指挥中心", kind=OrgKind.COMMAND_CENTRE, level=OrgLevel.COUNTY, parent=other)
    client.force_login(street_handler)
    response = post(client, "/grid", report_body(district="440104", caller_phone=""))
    assert response.status_code == 422 and "district" in response.json()["errors"]
    assert not WorkOrder.objects.exists()


def test_member_referral(client: Client, tree: Tree, alice: User, charlie: User) -> None:
    client.force_login(charlie)
    assert post(client, "/member", report_body()).status_code == 403
    client.force_login(alice)
    response = post(client, "/member", report_body(caller_phone=""))
    assert response.status_code == 201
    order = WorkOrder.objects.get()
    assert order.channel == Channel.MEMBER and order.created_by == alice and order.caller_name == "王丽"


# --- track --------------------------------------------------------------------------------
@pytest.fixture
def web_order(client: Client, tree: Tree) -> WorkOrder:
    assert post(client, "/report", report_body()).status_code == 201
    return WorkOrder.objects.get()


def test_track_rate_limit_answers_429_and_resets(client: Client, web_order: WorkOrder, settings: Any) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _n in range(settings.WORKORDERS_TRACK_LIMIT):
            response = client.get(f"{URL}/track", {"number": web_order.number, "phone": "13900000000"})
            assert response.status_code == 404
        refused = client.get(f"{URL}/track", {"number": web_order.number, "phone": PHONE})
        assert refused.status_code == 429
        assert refused.json()["errors"] == {} and "查询过于频繁" in refused.json()["message"]
        assert 0 < int(refused["Retry-After"]) <= settings.WORKORDERS_TRACK_WINDOW_SECONDS
    with time_machine.travel(start + timedelta(seconds=settings.WORKORDERS_TRACK_WINDOW_SECONDS), tick=False):
        assert client.get(f"{URL}/track", {"number": web_order.number, "phone": PHONE}).status_code == 200


def test_track_answers_the_result_and_takes_the_rating(
    client: Client, web_order: WorkOrder, tree: Tree, dispatcher: User, street_handler: User
) -> None:
    before = client.get(f"{URL}/track", {"number": web_order.number, "phone": PHONE}).json()
    assert before["result"] is None and before["may_rate"] is False
    early = post(client, "/track/feedback", {"number": web_order.number, "phone": PHONE, "rating": "satisfied"})
    assert early.status_code == 422 and "rating" in early.json()["errors"]

    resolve(web_order, dispatcher, street_handler, tree, result="已更换路灯。")
    body = client.get(f"{URL}/track", {"number": web_order.number, "phone": f"+86 {PHONE}"}).json()
    assert body["result"] == "已更换路灯。" and body["may_rate"] is True and body["status"] == "resolved"
    assert [n["event"] for n in body["notes"]] == ["已派单", "已签收", "已办结"]

    wrong = post(client, "/track/feedback", {"number": web_order.number, "phone": "13900000000", "rating": "satisfied"})
    assert wrong.status_code == 404
    rated = post(
        client, "/track/feedback", {"number": web_order.number, "phone": PHONE, "rating": "satisfied", "solved": True}
    )
    assert rated.status_code == 201 and rated.json()["rating"] == Rating.SATISFIED
    feedback = Feedback.objects.get()
    assert feedback.channel == FeedbackChannel.WEB and feedback.solved is True and feedback.rater is None
    again = post(client, "/track/feedback", {"number": web_order.number, "phone": PHONE, "rating": "dissatisfied"})
    assert again.status_code == 422 and Feedback.objects.count() == 1
    assert client.get(f"{URL}/track", {"number": web_order.number, "phone": PHONE}).json()["may_rate"] is False


def test_track_takes_a_fixed_number_of_queries(
    client: Client,
    web_order: WorkOrder,
    tree: Tree,
    dispatcher: User,
    street_handler: User,
    django_assert_num_queries: Any,
) -> None:
    resolve(web_order, dispatcher, street_handler, tree)
    client.get(f"{URL}/track", {"number": web_order.number, "phone": PHONE})  # warms the content-type cache
    # the order, its public steps, the last answer, whether it was rated since
    with django_assert_num_queries(4):
        assert client.get(f"{URL}/track", {"number": web_order.number, "phone": PHONE}).status_code == 200


def test_openapi_documents_the_new_endpoints(client: Client, db: None) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, status in (
        ("/api/v1/workorders/report", "429"),
        ("/api/v1/workorders/grid", "422"),
        ("/api/v1/workorders/member", "413"),
        ("/api/v1/workorders/track/feedback", "404"),
    ):
        assert status in paths[path]["post"]["responses"], path
    assert "429" in paths["/api/v1/workorders/track"]["get"]["responses"]
