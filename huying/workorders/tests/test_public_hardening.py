"""Things citizens and dispatchers hit on the work-order pages: what the tracking page says
about ratings, visible and enforced text limits on every intake path, and "my reports"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Tree
from huying.accounts.models import User
from huying.handling.choices import FeedbackChannel, Rating
from huying.handling.models import Feedback
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import WorkOrder
from huying.workorders.tests.conftest import URL, build_shared_unit_staff, order_data
from huying.workorders.tests.test_public_api import post, report_body
from huying.workorders.tests.test_public_pages import (
    GRID,
    PHONE,
    REFERRAL,
    REPORT,
    TRACK,
    grid_form,
    lookup,
    report_form,
    resolve,
)

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

TOO_LONG = "路" * 5000
MINE = "/workorders/mine/"


def _textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', page)
    assert match, f"the page has a {name} text area"
    return match.group(0)


# --- what the tracking page says about ratings -----------------------------------------
@pytest.fixture
def answered(client: Client, tree: Tree, dispatcher: User, street_handler: User) -> WorkOrder:
    client.post(REPORT, report_form(client))
    order = WorkOrder.objects.get()
    resolve(order, dispatcher, street_handler, tree)
    return order


def test_no_rating_means_no_rated_statement(answered: WorkOrder) -> None:
    client = Client()
    lookup(client, answered.number, PHONE)
    page = client.get(f"{TRACK}{answered.number}/").content.decode()
    assert 'name="rating"' in page
    assert "data-track-rated" not in page and "已评价" not in page and "感谢您的评价" not in page


def test_a_feedback_call_is_not_shown_as_the_callers_rating(answered: WorkOrder, dispatcher: User) -> None:
    actions.do_record_feedback(dispatcher, answered, rating=Rating.BASICALLY_SATISFIED, channel=FeedbackChannel.PHONE)
    client = Client()
    lookup(client, answered.number, PHONE)
    page = client.get(f"{TRACK}{answered.number}/").content.decode()
    assert "您已" not in page and "感谢您的评价" not in page
    assert "指挥中心已于" in page and "基本满意" in page
    refused = client.post(f"{TRACK}{answered.number}/rate/", {"rating": Rating.SATISFIED})
    assert refused.status_code == 400 and "指挥中心已通过回访" in refused.content.decode()
    assert Feedback.objects.count() == 1


def test_the_callers_own_rating_is_named_as_theirs(answered: WorkOrder) -> None:
    client = Client()
    lookup(client, answered.number, PHONE)
    client.post(f"{TRACK}{answered.number}/rate/", {"rating": Rating.SATISFIED})
    page = client.get(f"{TRACK}{answered.number}/").content.decode()
    assert "评价办理结果为“满意”" in page and "指挥中心已于" not in page


def test_received_step_does_not_claim_acceptance(client: Client, tree: Tree) -> None:
    client.post(REPORT, report_form(client))
    order = WorkOrder.objects.get()
    page = client.get(f"{TRACK}{order.number}/").content.decode()
    assert "指挥中心已收到" in page and "已受理" not in page


# --- text limits ------------------------------------------------------------------------
def test_report_form_states_the_limit_and_never_cuts_text(client: Client, tree: Tree) -> None:
    page = client.get(REPORT).content.decode()
    area = _textarea(page, "content")
    assert "maxlength" not in area.replace("data-maxlength", "")
    assert 'data-maxlength="4000"' in area and "最多 4000 字" in page
    assert "js/char_count.js" in page


@pytest.mark.parametrize("who", ["anonymous", "street_handler", "alice"])
def test_every_intake_page_refuses_over_long_text(client: Client, tree: Tree, who: str, request: Any) -> None:
    if who == "anonymous":
        url, data = REPORT, report_form(client, content=TOO_LONG)
    else:
        client.force_login(request.getfixturevalue(who))
        url = GRID if who == "street_handler" else REFERRAL
        data = grid_form(client, url, content=TOO_LONG) if url == GRID else _referral(client)
    page = client.get(url).content.decode()
    assert 'data-maxlength="4000"' in _textarea(page, "content") and "最多 4000 字" in page
    response = client.post(url, data)
    assert response.status_code == 400
    assert "5000" in response.content.decode() and "4000" in response.content.decode()
    assert not WorkOrder.objects.exists()


def _referral(client: Client) -> dict[str, Any]:
    data = grid_form(client, REFERRAL, content=TOO_LONG)
    data.update({"caller_name": "陈伯", "caller_phone": "13800000001"})
    return data


def test_console_intake_states_and_enforces_the_limit(client: Client, tree: Tree, dispatcher: User) -> None:
    client.force_login(dispatcher)
    page = client.get("/workorders/console/new/").content.decode()
    assert 'data-maxlength="4000"' in _textarea(page, "content") and "最多 4000 字" in page
    assert "css/workorders-handling.css" in page
    response = client.post(
        "/workorders/console/new/",
        {"external_id": "CALL-long", "content": TOO_LONG, "caller_phone": "13812341234", "street": "沙面街道"},
    )
    assert response.status_code == 400
    assert "诉求内容共 5000 字，最多允许 4000 字" in response.content.decode()
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("path", ["/report", "/grid", "/member", "/intake/hotline"])
def test_api_intake_refuses_over_long_text_in_the_error_format(
    client: Client, tree: Tree, dispatcher: User, dispatcher_token: str, path: str
) -> None:
    body = order_data(content=TOO_LONG) if path == "/intake/hotline" else report_body(content=TOO_LONG)
    extra = {} if path == "/report" else {"headers": {"Authorization": f"Bearer {dispatcher_token}"}}
    response = post(client, path, body, **extra)
    assert response.status_code == 422, response.content
    payload = response.json()
    assert payload["message"] and "5000" in payload["errors"]["content"][0]
    assert not WorkOrder.objects.exists()


def test_api_accepts_exactly_the_limit(client: Client, tree: Tree) -> None:
    response = post(client, "/report", report_body(content="路" * 4000))
    assert response.status_code == 201
    assert len(WorkOrder.objects.get().content) == 4000


def test_rating_comment_limit_is_stated_and_enforced(answered: WorkOrder) -> None:
    client = Client()
    lookup(client, answered.number, PHONE)
    page = client.get(f"{TRACK}{answered.number}/").content.decode()
    assert 'data-maxlength="500"' in _textarea(page, "comment") and "最多 500 字" in page
    response = client.post(f"{TRACK}{answered.number}/rate/", {"rating": Rating.SATISFIED, "comment": "好" * 501})
    assert response.status_code == 400 and not Feedback.objects.exists()


# --- my reports ---------------------------------------------------------------------------
def test_my_reports_lists_what_the_person_reported(client: Client, tree: Tree, dora: User, dispatcher: User) -> None:
    client.force_login(dora)
    assert client.post(REPORT, report_form(client)).status_code == 302
    mine = WorkOrder.objects.get(created_by=dora)
    other = actions.do_intake(dispatcher, order_data(), Channel.HOTLINE).order
    page = client.get(MINE).content.decode()
    assert mine.number in page and other.number not in page
    assert f'href="{reverse("workorders:track_detail", args=[mine.number])}"' in page and "待派单" in page
    # Their own report opens without a number-and-phone lookup, even in a new session.
    fresh = Client()
    fresh.force_login(dora)
    detail = fresh.get(f"{TRACK}{mine.number}/")
    assert detail.status_code == 200 and mine.number in detail.content.decode()
    assert fresh.get(f"{TRACK}{other.number}/").status_code == 302


def test_my_reports_needs_a_login_and_shows_only_ones_own(client: Client, tree: Tree, dora: User, alice: User) -> None:
    response = client.get(MINE)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(dora)
    client.post(REPORT, report_form(client))
    order = WorkOrder.objects.get()
    other = Client()
    other.force_login(alice)
    assert order.number not in other.get(MINE).content.decode()
    assert other.get(f"{TRACK}{order.number}/").status_code == 302  # back to the lookup


def test_public_zone_links_my_reports_for_citizens(client: Client, tree: Tree, dora: User, alice: User) -> None:
    client.force_login(dora)
    assert f'href="{MINE}"' in client.get("/public/").content.decode()
    client.force_login(alice)
    assert f'href="{MINE}"' not in client.get("/public/").content.decode()


def test_my_reports_query_count_does_not_grow(
    client: Client, tree: Tree, dora: User, django_assert_max_num_queries: Any
) -> None:
    client.force_login(dora)
    for n in range(3):
        client.post(REPORT, report_form(client, caller_phone=f"1380000000{n}"))
    with django_assert_max_num_queries(8):
        page = client.get(MINE).content.decode()
    assert len(re.findall(r'href="/workorders/track/[^"]+/"', page)) == 3


def test_api_report_with_token_is_linked_to_the_person(client: Client, tree: Tree, dora: User) -> None:
    from huying.accounts.actions import do_create_api_token

    token = do_create_api_token(dora, dora, "app")[1]
    response = post(client, "/report", report_body(), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    assert WorkOrder.objects.get().created_by == dora
    assert URL
