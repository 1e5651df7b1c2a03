"""The public report form, its confirmation, "track my report" with the caller's rating, the
grid inspector's report and the member's referral: flows, bad input, permissions."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Tree
from huying.accounts.models import User
from huying.audit.models import AuditEntry
from huying.handling import actions as engine
from huying.handling.choices import FeedbackChannel, Rating, Status
from huying.handling.models import Assignment, Feedback
from huying.workorders import actions
from huying.workorders.choices import Channel, OrderStatus
from huying.workorders.models import Attachment, Category, WorkOrder
from huying.workorders.tests.conftest import build_shared_unit_staff, order_data

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

REPORT = "/workorders/report/"
DONE = "/workorders/report/done/"
TRACK = "/workorders/track/"
GRID = "/workorders/grid/"
REFERRAL = "/workorders/referral/"
PHONE = "13912345678"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def token_of(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "the form carries a submission token"
    return match.group(1)


def report_form(client: Client, **overrides: Any) -> dict[str, Any]:
    """A filled-in public report form, with the token the page handed out."""
    response = client.get(REPORT)
    assert response.status_code == 200
    data: dict[str, Any] = {
        "token": token_of(response.content.decode()),
        "content": "多宝路菜市场门口有人占道摆卖，堵住了人行道。",
        "category": "0101",
        "nature": "complaint",
        "address": "多宝路88号",
        "latitude": "23.123456",
        "longitude": "113.241234",
        "caller_name": "李四",
        "caller_phone": PHONE,
        "website": "",
    }
    data.update(overrides)
    return data


def resolve(order: WorkOrder, dispatcher: User, handler: User, tree: Tree, result: str = "已清理占道摊档。") -> None:
    lead = actions.do_dispatch(dispatcher, order, tree.street, category=Category.objects.get(code="010101"))[0]
    engine.do_accept(handler, lead)
    actions.do_resolve(handler, Assignment.objects.get(pk=lead.pk), result=result)
    order.refresh_from_db()


# --- the public report form -----------------------------------------------------------
def test_the_form_needs_no_login_and_lists_categories_streets_and_the_map(client: Client, tree: Tree) -> None:
    response = client.get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert '<optgroup label="市容环境">' in html and ">六乱<" in html
    assert tree.street.name in html
    assert 'id="report-map-data"' in html and "geo/guangzhou_districts" in html and "440103" in html
    assert 'name="website"' in html  # the honeypot
    assert 'name="district"' in html and 'type="hidden"' in html  # one district: nothing to choose


def test_anonymous_submit_creates_one_order_even_when_posted_twice(client: Client, tree: Tree) -> None:
    data = report_form(client)
    first = client.post(REPORT, data)
    assert first.status_code == 302 and first["Location"] == DONE
    second = client.post(REPORT, data)  # the browser sent it again
    assert second.status_code == 302 and second["Location"] == DONE
    order = WorkOrder.objects.get()
    assert order.channel == Channel.WEB and order.external_id == data["token"]
    assert order.created_by is None and order.caller_phone == PHONE
    assert order.category.code == "0101" and order.nature == "complaint"
    assert order.district == tree.district_gov and str(order.latitude) == "23.123456"
    assert AuditEntry.objects.filter(action="workorder.intake").count() == 1
    done = client.get(DONE)
    assert done.status_code == 200 and order.number in done.content.decode()
    # The confirmation links to the progress page, which this session may open without the phone.
    detail = client.get(f"{TRACK}{order.number}/")
    assert detail.status_code == 200 and "待派单" in detail.content.decode()


def test_logged_in_person_reports_as_themselves(client: Client, tree: Tree, dora: User) -> None:
    client.force_login(dora)
    assert dora.mobile in client.get(REPORT).content.decode()  # their contact is filled in
    data = report_form(client, street=str(tree.street.pk), anonymous="on")
    assert client.post(REPORT, data).status_code == 302
    order = WorkOrder.objects.get()
    assert order.created_by == dora and order.street == tree.street and order.is_anonymous


def test_anonymous_hides_the_name_from_handlers(
    client: Client, tree: Tree, dispatcher: User, street_handler: User, admin: User
) -> None:
    client.post(REPORT, report_form(client, anonymous="on"))
    order = WorkOrder.objects.get()
    assert order.caller_name == "李四"  # kept for administrators
    assert order.caller_name_for(dispatcher) == order.caller_name_for(street_handler) == ""
    assert order.caller_name_for(admin) == "李四"
    assert order.caller_phone_for(street_handler) == "139****5678"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"content": ""}, "content", "诉求内容为必填项"),
        ({"caller_phone": ""}, "caller_phone", "请填写电话号码"),
        ({"caller_phone": "12345"}, "caller_phone", "11 位手机号码"),
        ({"latitude": "60.5"}, "latitude", "中国境内"),
        ({"latitude": "40.0", "longitude": "10.0"}, "longitude", "中国境内"),
        ({"latitude": "23.1", "longitude": ""}, "longitude", "同时填写"),
        ({"latitude": "north"}, "latitude", "十进制"),
        ({"category": "999999"}, "category", "有效的选项"),
        ({"street": "99999"}, "street", "有效的选项"),
    ],
)
def test_bad_input_re_renders_with_the_field_error_and_creates_nothing(
    client: Client, tree: Tree, overrides: dict[str, Any], field: str, message: str
) -> None:
    data = report_form(client, **overrides)
    response = client.post(REPORT, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert not WorkOrder.objects.exists()
    # The page keeps what was typed and the same token, so a corrected send is still one order.
    html = response.content.decode()
    assert token_of(html) == data["token"] and "多宝路88号" in html


def test_all_problems_are_reported_at_once(client: Client, tree: Tree) -> None:
    photo = SimpleUploadedFile("a.jpg", b"GIF89a not a photo", content_type="image/jpeg")
    response = client.post(REPORT, report_form(client, caller_phone="", latitude="99", photos=[photo]))
    assert response.status_code == 400
    assert {"caller_phone", "latitude", "photos"} <= set(response.context["form"].errors)
    assert "请重新选择" in response.content.decode()  # files are not kept by the browser


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("photo.jpg", b"MZ\x90\x00 a program named like a photo")], "不是 JPEG"),
        ([("photo.png", PNG + b"\x00" * (10 * 1024 * 1024))], "超过 10 MB"),
        ([(f"p{i}.jpg", JPEG) for i in range(6)], "一次最多上传 5 个文件"),
    ],
)
def test_wrong_or_oversized_photos_are_refused(
    client: Client, tree: Tree, files: list[tuple[str, bytes]], message: str
) -> None:
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = client.post(REPORT, report_form(client, photos=uploads))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["photos"])
    assert not WorkOrder.objects.exists() and not Attachment.objects.exists()


def test_photos_are_stored_with_their_sniffed_type(client: Client, tree: Tree) -> None:
    uploads = [SimpleUploadedFile("a.png", JPEG), SimpleUploadedFile("b", PNG)]
    assert client.post(REPORT, report_form(client, photos=uploads)).status_code == 302
    assert list(Attachment.objects.values_list("content_type", flat=True)) == ["image/jpeg", "image/png"]


def test_the_honeypot_turns_bots_away(client: Client, tree: Tree) -> None:
    response = client.post(REPORT, report_form(client, website="http://spam.example"))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not WorkOrder.objects.exists()


def test_csrf_is_required(tree: Tree) -> None:
    client = Client(enforce_csrf_checks=True)
    data = report_form(client)
    assert client.post(REPORT, data).status_code == 403  # no csrfmiddlewaretoken
    assert not WorkOrder.objects.exists()


def test_a_token_replayed_with_another_phone_is_refused(client: Client, tree: Tree) -> None:
    data = report_form(client)
    client.post(REPORT, data)
    response = client.post(REPORT, {**data, "caller_phone": "13700000000"})
    assert response.status_code == 400
    assert WorkOrder.objects.count() == 1
    assert token_of(response.content.decode()) != data["token"]  # a fresh token for the next send


def test_a_forged_token_is_refused_and_renewed(client: Client, tree: Tree) -> None:
    response = client.post(REPORT, report_form(client, token="short"))
    assert response.status_code == 400 and not WorkOrder.objects.exists()
    assert len(token_of(response.content.decode())) >= 16


def test_reports_are_rate_limited_per_address(client: Client, tree: Tree, settings: Any) -> None:
    settings.WORKORDERS_REPORT_LIMIT = 2
    for _n in range(2):
        assert client.post(REPORT, report_form(client)).status_code == 302
    response = client.post(REPORT, report_form(client))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert WorkOrder.objects.count() == 2


def test_the_confirmation_needs_a_report_from_this_session(client: Client, tree: Tree) -> None:
    response = client.get(DONE)
    assert response.status_code == 302 and response["Location"] == REPORT


def test_without_a_command_centre_the_form_says_so(client: Client, tree: Tree) -> None:
    tree.command_centre.is_active = False
    tree.command_centre.save(update_fields=["is_active"])
    response = client.get(REPORT)
    assert response.status_code == 200 and "暂无" in response.content.decode()


# --- track my report ------------------------------------------------------------------
@pytest.fixture
def web_order(client: Client, tree: Tree) -> WorkOrder:
    client.post(REPORT, report_form(client))
    client.session.flush()
    return WorkOrder.objects.get()


def detail_url(order: WorkOrder) -> str:
    return reverse("workorders:track_detail", args=[order.number])


def lookup(client: Client, number: str, phone: str, **extra: Any) -> Any:
    return client.post(TRACK, {"number": number, "phone": phone}, **extra)


def test_track_with_the_right_phone_shows_the_report(web_order: WorkOrder) -> None:
    client = Client()
    response = lookup(client, web_order.number, PHONE)
    assert response.status_code == 302 and response["Location"] == detail_url(web_order)
    page = client.get(response["Location"]).content.decode()
    assert web_order.number in page and "待派单" in page and "六乱" in page
    assert PHONE not in page and "李四" not in page and "多宝路88号" not in page


def test_track_with_a_wrong_phone_or_number_says_the_same(web_order: WorkOrder) -> None:
    client = Client()
    wrong_phone = lookup(client, web_order.number, "13900000000")
    wrong_number = lookup(client, "荔湾-2026-999999", PHONE)
    assert wrong_phone.status_code == wrong_number.status_code == 404
    assert wrong_phone.context["form"].non_field_errors() == wrong_number.context["form"].non_field_errors()
    assert "没有与该编号和电话号码相符的诉求" in wrong_phone.content.decode()
    # Nothing was remembered: the detail page sends the visitor back to the lookup.
    detail = client.get(f"{TRACK}{web_order.number}/")
    assert detail.status_code == 302 and detail["Location"].startswith(TRACK + "?number=")


def test_track_lookup_is_rate_limited_and_resets(web_order: WorkOrder, settings: Any) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _n in range(settings.WORKORDERS_TRACK_LIMIT):
            assert lookup(client, web_order.number, "13900000000").status_code == 404
        refused = lookup(client, web_order.number, PHONE)
        assert refused.status_code == 429
        assert "查询过于频繁" in refused.content.decode()
    with time_machine.travel(start + timedelta(seconds=settings.WORKORDERS_TRACK_WINDOW_SECONDS), tick=False):
        assert lookup(client, web_order.number, PHONE).status_code == 302


def test_track_is_limited_per_number_across_addresses(web_order: WorkOrder, settings: Any) -> None:
    settings.WORKORDERS_TRACK_LIMIT = 3
    for n in range(3):
        assert lookup(Client(), web_order.number, "13900000000", REMOTE_ADDR=f"10.0.0.{n}").status_code == 404
    assert lookup(Client(), web_order.number, PHONE, REMOTE_ADDR="10.0.0.9").status_code == 429
    # Another number from a fresh address is not affected.
    assert lookup(Client(), "荔湾-2026-999999", PHONE, REMOTE_ADDR="10.0.0.10").status_code == 404


def test_the_caller_rates_the_answer_once(
    web_order: WorkOrder, tree: Tree, dispatcher: User, street_handler: User
) -> None:
    client = Client()
    lookup(client, web_order.number, PHONE)
    detail = f"{TRACK}{web_order.number}/"
    assert 'name="rating"' not in client.get(detail).content.decode()  # not answered yet
    refused = client.post(f"{detail}rate/", {"rating": Rating.SATISFIED})
    assert refused.status_code == 400 and not Feedback.objects.exists()

    resolve(web_order, dispatcher, street_handler, tree)
    page = client.get(detail).content.decode()
    assert "已清理占道摊档" in page and 'name="rating"' in page and "已办结" in page
    response = client.post(f"{detail}rate/", {"rating": Rating.DISSATISFIED, "solved": "no", "comment": "还在摆"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.channel == FeedbackChannel.WEB and feedback.rating == Rating.DISSATISFIED
    assert feedback.solved is False and feedback.comment == "还在摆" and feedback.rater_name == "李四"
    assert not feedback.attributable_to_unit
    # Recorded only: the command centre decides on reopening after its own feedback call.
    assert Assignment.objects.get(role="lead").status == Status.RESOLVED
    page = client.get(detail).content.decode()
    assert 'name="rating"' not in page and "评价办理结果为" in page
    again = client.post(f"{detail}rate/", {"rating": Rating.SATISFIED})
    assert again.status_code == 400 and Feedback.objects.count() == 1


def test_rating_needs_a_lookup_in_this_session(
    web_order: WorkOrder, tree: Tree, dispatcher: User, street_handler: User
) -> None:
    resolve(web_order, dispatcher, street_handler, tree)
    response = Client().post(f"{TRACK}{web_order.number}/rate/", {"rating": Rating.SATISFIED})
    assert response.status_code == 302 and not Feedback.objects.exists()


def test_bad_rating_is_refused(web_order: WorkOrder, tree: Tree, dispatcher: User, street_handler: User) -> None:
    resolve(web_order, dispatcher, street_handler, tree)
    client = Client()
    lookup(client, web_order.number, PHONE)
    response = client.post(f"{TRACK}{web_order.number}/rate/", {"rating": "wonderful"})
    assert response.status_code == 400 and "rating" in response.context["rating_form"].errors
    assert not Feedback.objects.exists()


# --- grid reports and members' referrals ------------------------------------------------
def grid_form(client: Client, url: str, **overrides: Any) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    data = {
        "token": token_of(response.content.decode()),
        "content": "沙面大街井盖缺失，有安全隐患。",
        "nature": "help",
        "urgency": "urgent",
        "category": "",
        "address": "沙面大街12号",
        "latitude": "",
        "longitude": "",
    }
    data.update(overrides)
    return data


def test_street_handler_reports_with_their_street_prefilled(client: Client, tree: Tree, street_handler: User) -> None:
    client.force_login(street_handler)
    page = client.get(GRID).content.decode()
    assert f'<option value="{tree.street.pk}" selected>' in page
    data = grid_form(client, GRID, street=str(tree.street.pk))
    assert client.post(GRID, data).status_code == 302
    assert client.post(GRID, data).status_code == 302  # sent twice: one order
    order = WorkOrder.objects.get()
    assert order.channel == Channel.GRID and order.created_by == street_handler
    assert order.street == tree.street and order.urgency == "urgent"
    assert order.caller_name == street_handler.real_name and order.caller_phone == street_handler.mobile


def test_grid_report_without_a_street_takes_the_person_s_own(client: Client, tree: Tree, street_handler: User) -> None:
    client.force_login(street_handler)
    assert client.post(GRID, grid_form(client, GRID, street="", community="")).status_code == 302
    assert WorkOrder.objects.get().street == tree.street


def test_unit_staff_may_report_grid_orders(client: Client, tree: Tree, charlie: User) -> None:
    client.force_login(charlie)
    assert client.post(GRID, grid_form(client, GRID)).status_code == 302
    assert WorkOrder.objects.get().created_by == charlie


@pytest.mark.parametrize("person", ["dora", "alice"])
def test_others_may_not_report_grid_orders(client: Client, tree: Tree, person: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(person))
    assert client.get(GRID).status_code == 403
    assert client.post(GRID, {"content": "x"}).status_code == 403
    assert not WorkOrder.objects.exists()


def test_member_refers_a_problem(client: Client, tree: Tree, alice: User) -> None:
    client.force_login(alice)
    data = grid_form(client, REFERRAL, caller_name="", caller_phone="")
    assert client.post(REFERRAL, data).status_code == 302
    order = WorkOrder.objects.get()
    assert order.channel == Channel.MEMBER and order.created_by == alice
    assert order.caller_name == "王丽" and order.caller_phone == alice.mobile
    client.force_login(alice)
    data = grid_form(client, REFERRAL, caller_name="周五", caller_phone="13566667777", anonymous="on")
    assert client.post(REFERRAL, data).status_code == 302
    citizen = WorkOrder.objects.exclude(pk=order.pk).get()
    assert citizen.caller_phone == "13566667777" and citizen.is_anonymous


@pytest.mark.parametrize("person", ["charlie", "dora", "street_handler"])
def test_only_members_refer(client: Client, tree: Tree, person: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(person))
    assert client.get(REFERRAL).status_code == 403
    assert not WorkOrder.objects.exists()


def test_intake_pages_for_staff_need_a_login(client: Client, tree: Tree) -> None:
    for url in (GRID, REFERRAL):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- navigation ---------------------------------------------------------------------------
def test_entries_lead_to_the_pages(client: Client, tree: Tree, street_handler: User, alice: User) -> None:
    for url in ("/", "/public/"):
        html = client.get(url).content.decode()
        assert f'href="{REPORT}"' in html and f'href="{TRACK}"' in html
    client.force_login(street_handler)
    assert f'href="{GRID}"' in client.get("/console/").content.decode()
    client.force_login(alice)
    assert f'href="{REFERRAL}"' in client.get("/duty/").content.decode()


def test_a_hotline_order_can_be_tracked_too(client: Client, tree: Tree, dispatcher: User) -> None:
    order = actions.do_intake(dispatcher, order_data(), Channel.HOTLINE).order
    response = lookup(client, order.number, "138 1234 1234")
    assert response.status_code == 302
    assert order.status == OrderStatus.NEW
