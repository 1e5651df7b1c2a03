"""The notification centre over the API: /api/v1/notifications (see the ``centre`` fixture)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from huying.accounts.actions import do_create_api_token
from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.handling.models import Notification
from huying.handling.tests.test_notification_centre import _many, clone, order_notice

URL = "/api/v1/notifications"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_gives_each_staff_of_the_unit_its_notifications_with_the_link(centre, charlie):
    notice = order_notice(centre)
    for staff in (centre.street_a, centre.street_b):
        body = client_for(staff).get(URL).json()
        assert body["count"] == 1
        [item] = body["items"]
        assert item == {
            "id": notice.pk,
            "kind": "assignment",
            "kind_display": "新交办",
            "text": notice.text,
            "workflow": "工单",
            "case_type": "workorders.workorder",
            "case_id": centre.order.pk,
            "assignment_id": centre.order_lead.pk,
            "recipient": "unit",
            "unit_id": centre.order_lead.unit_id,
            "unit": "沙面街道",
            "url": f"/workorders/inbox/{centre.order_lead.pk}/",
            "created_at": item["created_at"],
            "read_at": None,
            "read": False,
        }
    assert client_for(charlie).get(URL).json() == {"items": [], "count": 0}


def test_a_proposers_notifications_link_to_the_proposal(centre, alice):
    body = client_for(alice).get(URL).json()
    assert body["count"] == 3
    assert {item["url"] for item in body["items"]} == {f"/proposals/{centre.proposal.pk}/"}
    assert {item["recipient"] for item in body["items"]} == {"user"}
    assert [item["id"] for item in body["items"]] == sorted((item["id"] for item in body["items"]), reverse=True)


def test_unread_filter_count_and_pages_of_20(centre):
    notice = order_notice(centre)
    clone(notice, 24)
    client = client_for(centre.street_a)
    assert client.get(f"{URL}/unread-count").json() == {"unread": 25}
    assert client.post(f"{URL}/{notice.pk}/read").status_code == 200
    assert client.get(f"{URL}/unread-count").json() == {"unread": 24}
    first = client.get(URL).json()
    assert first["count"] == 25 and len(first["items"]) == 20 and first["items"][0]["read"] is True
    assert len(client.get(f"{URL}?page=2").json()["items"]) == 5
    unread = client.get(f"{URL}?unread=true").json()
    assert unread["count"] == 24 and notice.pk not in [item["id"] for item in unread["items"]]


def test_marking_read_is_for_the_whole_unit_and_idempotent(centre):
    notice = order_notice(centre)
    response = client_for(centre.street_a).post(f"{URL}/{notice.pk}/read")
    assert response.status_code == 200
    body = response.json()
    assert body["read"] is True and body["url"] == f"/workorders/inbox/{centre.order_lead.pk}/"
    first = body["read_at"]
    other = client_for(centre.street_b)
    assert other.get(f"{URL}/unread-count").json() == {"unread": 0}
    again = other.post(f"{URL}/{notice.pk}/read").json()
    assert again["read_at"] == first


def test_someone_elses_notification_is_404_and_nothing_changes(centre, alice, charlie):
    notice = order_notice(centre)
    for person in (charlie, alice):
        response = client_for(person).post(f"{URL}/{notice.pk}/read")
        assert response.status_code == 404
        assert response.json() == {"message": "没有这条消息，或者它不是发给您的。", "errors": {}}
    assert client_for(centre.street_a).post(f"{URL}/999999/read").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_read_all_marks_only_what_the_caller_may_see(centre, alice, charlie):
    clone(order_notice(centre), 2)
    assert client_for(charlie).post(f"{URL}/read-all").json() == {"marked": 0, "unread": 0}
    assert client_for(centre.street_b).post(f"{URL}/read-all").json() == {"marked": 3, "unread": 0}
    assert client_for(centre.street_a).get(f"{URL}/unread-count").json() == {"unread": 0}
    assert client_for(alice).get(f"{URL}/unread-count").json() == {"unread": 3}
    assert Notification.objects.filter(recipient_unit=centre.edu, read_at__isnull=True).count() == 1


def test_dora_gets_nothing_anonymous_gets_401_and_bad_input_422(centre, dora):
    assert client_for(dora).get(URL).json() == {"items": [], "count": 0}
    assert client_for(dora).get(f"{URL}/unread-count").json() == {"unread": 0}
    anonymous = Client()
    for method, path in (("get", URL), ("get", f"{URL}/unread-count"), ("post", f"{URL}/read-all")):
        response = getattr(anonymous, method)(path)
        assert response.status_code == 401
        assert set(response.json()) == {"message", "errors"}
    response = anonymous.post(f"{URL}/{order_notice(centre).pk}/read")
    assert response.status_code == 401
    assert Notification.objects.filter(read_at__isnull=False).count() == 0

    bad = client_for(centre.street_a).get(f"{URL}?unread=perhaps")
    assert bad.status_code == 422
    assert "unread" in bad.json()["errors"]


def test_an_api_token_reads_the_same_notifications(centre):
    _token, secret = do_create_api_token(centre.street_a, centre.street_a, "手机应用")
    client = Client(headers={"authorization": f"Bearer {secret}"})
    body = client.get(URL).json()
    assert [item["id"] for item in body["items"]] == [order_notice(centre).pk]


@pytest.mark.parametrize("per_workflow", [0, 30])
def test_the_list_issues_a_fixed_number_of_queries(
    centre, make_assignment, tree, per_workflow, django_assert_num_queries
):
    person = _many(centre, make_assignment, tree, per_workflow)
    client = client_for(person)
    # session, person, roles, count, the page (joined with case type, assignment and unit).
    with django_assert_num_queries(5):
        body = client.get(URL).json()
    assert len(body["items"]) == min(20, 3 + 3 * per_workflow)
    assert {item["workflow"] for item in body["items"]} <= {"工单", "提案", "测试案件"}


def test_every_endpoint_is_in_the_openapi_document(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/notifications", "/api/v1/notifications/unread-count", "/api/v1/notifications/read-all"} <= set(
        paths
    )
    assert "/api/v1/notifications/{notification_id}/read" in paths
    assert "404" in paths["/api/v1/notifications/{notification_id}/read"]["post"]["responses"]


def test_a_person_with_two_units_sees_both(centre):
    person = UserFactory(roles=[(Role.STREET_HANDLER, centre.order_lead.unit), (Role.UNIT_STAFF, centre.edu)])
    items = client_for(person).get(URL).json()["items"]
    assert {item["url"] for item in items} == {
        f"/workorders/inbox/{centre.order_lead.pk}/",
        f"/proposals/inbox/{centre.proposal_assignment.pk}/",
    }
