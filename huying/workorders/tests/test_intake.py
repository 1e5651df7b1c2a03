from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection

from huying.audit.models import AuditEntry
from huying.workorders import actions, summary
from huying.workorders.choices import Channel, OrderStatus
from huying.workorders.models import Attachment, Category, OrderAnalysis, WorkOrder
from huying.workorders.tests.conftest import URL, build_shared_unit_staff, order_data

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def push(client: Any, token: str, data: dict[str, Any]) -> Any:
    return client.post(
        f"{URL}/intake/hotline", data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_seeded_tree_has_the_six_disorders_and_fifteen_top_levels(db: None) -> None:
    six = Category.objects.get(code="0101")
    assert six.name == "六乱" and six.parent.name == "市容环境"
    assert sorted(c.name for c in six.children.all()) == sorted(
        ["乱摆卖", "乱张贴", "乱搭建", "乱拉挂", "乱堆放", "乱停放"]
    )
    assert Category.objects.get(name="五类车").children.count() == 5
    assert Category.objects.filter(level=1).count() >= 15
    assert Category.objects.filter(level__gt=1).count() >= 60


def test_numbers_are_sequential_per_district_and_year(tree: Any, dispatcher: Any) -> None:
    numbers = [
        actions.do_intake(dispatcher, order_data(external_id=f"X{i}"), Channel.HOTLINE).order.number for i in range(3)
    ]
    year = numbers[0].split("-")[1]
    assert numbers == [f"荔湾-{year}-00000{i}" for i in (1, 2, 3)]


def test_failed_intake_gives_its_number_back(tree: Any, dispatcher: Any) -> None:
    first = actions.do_intake(dispatcher, order_data(external_id="A"), Channel.HOTLINE).order
    with pytest.raises(ValidationError):
        actions.do_intake(dispatcher, order_data(external_id="B", content=""), Channel.HOTLINE)
    with pytest.raises(ValidationError):  # a bad file fails after the fields passed
        actions.do_intake(
            dispatcher,
            order_data(external_id="C"),
            Channel.HOTLINE,
            files=[actions.UploadedAttachment("x.png", ContentFile(b"MZ not an image", name="x.png"))],
        )
    second = actions.do_intake(dispatcher, order_data(external_id="D"), Channel.HOTLINE).order
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_a_repeat_takes_no_number_and_changes_nothing(tree: Any, dispatcher: Any) -> None:
    """The insert is tried first; a repeat is answered from the unique constraint's
    refusal, its number given back with the rolled-back transaction."""
    first = actions.do_intake(dispatcher, order_data(external_id="A"), Channel.HOTLINE)
    again = actions.do_intake(dispatcher, order_data(external_id="A", content="另一段内容"), Channel.HOTLINE)
    assert again.created is False and again.order.pk == first.order.pk
    # a repeat that would no longer pass validation is still the order sent before
    stale = actions.do_intake(dispatcher, order_data(external_id="A", street="没有这条街"), Channel.HOTLINE)
    assert stale.created is False and stale.order.pk == first.order.pk
    with pytest.raises(ValidationError):  # the same bad data under a new id is refused
        actions.do_intake(dispatcher, order_data(external_id="B", street="没有这条街"), Channel.HOTLINE)
    second = actions.do_intake(dispatcher, order_data(external_id="C"), Channel.HOTLINE).order
    assert int(second.number[-6:]) == int(first.order.number[-6:]) + 1
    assert WorkOrder.objects.count() == 2
    assert AuditEntry.objects.filter(action="workorder.intake").count() == 2
    assert summary.verify() == {}  # the kept summary counted each order once


def test_push_creates_then_returns_the_same_order(client: Any, tree: Any, dispatcher_token: str) -> None:
    first = push(client, dispatcher_token, order_data())
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["created"] is True and body["status"] == OrderStatus.NEW
    assert body["caller_phone"] == "13812341234"  # the dispatcher makes the feedback call
    assert body["street"] == "沙面街道" and body["category_name"] == "乱摆卖"
    again = push(client, dispatcher_token, order_data(content="另一段内容", caller_phone="13900000000"))
    assert again.status_code == 200
    assert again.json()["number"] == body["number"] and again.json()["created"] is False
    order = WorkOrder.objects.get()
    assert order.content == "沙面大街路口有人乱摆卖，占用人行道。" and order.caller_phone == "13812341234"
    assert AuditEntry.objects.filter(action="workorder.intake").count() == 1


def test_push_without_category_answers_suggestions(client: Any, tree: Any, dispatcher_token: str) -> None:
    response = push(client, dispatcher_token, order_data(category="", content="小区门口有流动商贩摆摊"))
    assert response.status_code == 201
    suggestions = response.json()["suggestions"]
    assert suggestions[0]["name"] == "乱摆卖" and 0 < suggestions[0]["confidence"] < 1


def test_at_scale_a_new_order_is_answered_without_its_queued_analysis(
    client: Any, tree: Any, dispatcher_token: str, settings: Any, django_assert_max_num_queries: Any
) -> None:
    """With a broker the analysis is a worker's, queued at the commit: the answer neither
    waits for it nor asks for it (empty lists); the order is stored with its audit entry."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert push(client, dispatcher_token, order_data(external_id="first")).status_code == 201  # caches warm
    # The token and the pusher's roles are kept by the process since the first push; in a
    # savepoint the number, the order, the daily summary, the history step and the audit
    # entry: on PostgreSQL as one statement, on SQLite one each. No look-up of a repeat,
    # no analysis.
    with django_assert_max_num_queries(3 if connection.vendor == "postgresql" else 7):
        response = push(client, dispatcher_token, order_data(category="", content="小区门口有流动商贩摆摊"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["suggestions"] == [] and body["duplicates"] == []
    assert body["dispatch_suggestion"]["category_code"] is None
    order = WorkOrder.objects.get(number=body["number"])
    assert not OrderAnalysis.objects.filter(order=order).exists()
    assert AuditEntry.objects.filter(action="workorder.intake", object_id=str(order.pk)).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "长" * 4001}, "content"),
        ({"category": "999999"}, "category"),
        ({"latitude": 91.0}, "latitude"),
        ({"latitude": 40.0, "longitude": 2.35}, "longitude"),  # Paris is not in China
        ({"latitude": None}, "latitude"),
        ({"caller_phone": "12345"}, "caller_phone"),
        ({"caller_phone": "1381234123x"}, "caller_phone"),
        ({"nature": "抱怨"}, "nature"),
        ({"urgency": "asap"}, "urgency"),
        ({"area_class": "4"}, "area_class"),
        ({"street": "不存在街道"}, "street"),
        ({"community": "不存在社区"}, "community"),
        ({"district": "999999"}, "district"),
        ({"external_id": ""}, "external_id"),
        ({"external_id": "空 格"}, "external_id"),
        ({"received_at": "2999-01-01T00:00:00+08:00"}, "received_at"),
    ],
)
def test_bad_field_is_named_and_nothing_is_created(
    client: Any, tree: Any, dispatcher_token: str, overrides: dict[str, Any], field: str
) -> None:
    response = push(client, dispatcher_token, order_data(**overrides))
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"]
    assert not WorkOrder.objects.exists()
    assert not AuditEntry.objects.filter(action="workorder.intake").exists()


def _attachment(name: str, raw: bytes) -> dict[str, str]:
    return {"filename": name, "content_base64": base64.b64encode(raw).decode()}


@pytest.mark.parametrize(
    "attachment",
    [
        _attachment("photo.jpg", b"MZ\x90\x00 an executable named like a photo"),
        _attachment("page.pdf", b"<html>%PDF-1.7</html>"),
        {"filename": "x.png", "content_base64": "not base64!"},
    ],
)
def test_bad_attachment_is_refused(client: Any, tree: Any, dispatcher_token: str, attachment: Any) -> None:
    response = push(client, dispatcher_token, order_data(attachments=[attachment]))
    assert response.status_code == 422
    assert "attachments" in response.json()["errors"]
    assert not WorkOrder.objects.exists() and not Attachment.objects.exists()


def test_oversized_attachment_is_refused(tree: Any, dispatcher: Any) -> None:
    # Through the JSON API a body this large is already refused by DATA_UPLOAD_MAX_MEMORY_SIZE;
    # pages and Open311 multipart uploads reach the same check in the action.
    big = ContentFile(PNG + b"\x00" * (10 * 1024 * 1024), name="big.png")
    with pytest.raises(ValidationError) as error:
        actions.do_intake(dispatcher, order_data(), Channel.HOTLINE, files=[actions.UploadedAttachment("big.png", big)])
    assert "attachments" in error.value.message_dict
    assert not WorkOrder.objects.exists() and not Attachment.objects.exists()


def test_good_attachments_are_stored_with_their_sniffed_type(client: Any, tree: Any, dispatcher_token: str) -> None:
    files = [_attachment("a.bin", PNG), _attachment("b.png", JPEG), _attachment("c", PDF), _attachment("d", WEBP)]
    response = push(client, dispatcher_token, order_data(attachments=files))
    assert response.status_code == 201
    types = list(Attachment.objects.values_list("content_type", flat=True))
    assert types == ["image/png", "image/jpeg", "application/pdf", "image/webp"]


def test_only_dispatchers_and_admins_push(client: Any, tree: Any, charlie: Any, dora: Any, admin: Any) -> None:
    for person in (charlie, dora):
        with pytest.raises(PermissionDenied):
            actions.do_intake(person, order_data(), Channel.HOTLINE)
    client.force_login(charlie)
    response = client.post(f"{URL}/intake/hotline", order_data(), content_type="application/json")
    assert response.status_code == 403
    assert client.logout() is None
    anonymous = client.post(f"{URL}/intake/hotline", order_data(), content_type="application/json")
    assert anonymous.status_code == 401
    # An administrator names the district.
    with pytest.raises(ValidationError) as missing:
        actions.do_intake(admin, order_data(), Channel.HOTLINE)
    assert "district" in missing.value.message_dict
    assert actions.do_intake(admin, order_data(district="440103"), Channel.HOTLINE).created
    assert WorkOrder.objects.count() == 1


def test_dispatcher_cannot_push_into_another_district(tree: Any, dispatcher: Any) -> None:
    from huying.organisations.tests.factories import OrganisationFactory

    OrganisationFactory(
        name="越秀区人民政府", kind="government", level="county", parent=tree.city_gov, division_code="440104"
    )
    with pytest.raises(ValidationError) as error:
        actions.do_intake(dispatcher, order_data(district="440104"), Channel.HOTLINE)
    assert "district" in error.value.message_dict


def test_community_fills_in_its_street(tree: Any, dispatcher: Any) -> None:
    order = actions.do_intake(dispatcher, order_data(street=""), Channel.HOTLINE).order
    assert order.street == tree.street and order.community == tree.community


def test_caller_phone_is_masked_for_those_who_do_not_need_it(
    tree: Any, dispatcher: Any, charlie: Any, admin: Any
) -> None:
    order = actions.do_intake(dispatcher, order_data(), Channel.HOTLINE).order
    assert order.caller_phone_for(dispatcher) == "13812341234"
    assert order.caller_phone_for(admin) == "13812341234"
    assert order.caller_phone_for(charlie) == "138****1234"


def _through_the_schema(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer as ninja's response path writes it: validated by the declared ``IntakeOut``,
    dumped and rendered. The push writes its answer without that pass (``ready_response``)."""
    from huying.core.api_render import LocalTimeRenderer
    from huying.workorders.api.orders import IntakeOut

    dumped = IntakeOut.model_validate(answer).model_dump()
    return json.loads(LocalTimeRenderer().render(None, dumped, response_status=200))  # type: ignore[arg-type]


def test_every_kind_of_push_answer_is_the_declared_schemas(client: Any, tree: Any, dispatcher_token: str) -> None:
    answers = [
        push(client, dispatcher_token, order_data(external_id="with-category")),
        push(
            client, dispatcher_token, order_data(external_id="guessed", category="", content="小区门口有流动商贩摆摊")
        ),
        push(  # its duplicate, anonymous, without coordinates
            client,
            dispatcher_token,
            order_data(
                external_id="again",
                category="",
                content="小区门口有流动商贩摆摊占道",
                anonymous=True,
                latitude=None,
                longitude=None,
            ),
        ),
        push(client, dispatcher_token, order_data(external_id="with-category", content="重复推送")),  # a repeat
    ]
    assert [a.status_code for a in answers] == [201, 201, 201, 200]
    for answer in answers:
        assert answer["Content-Type"] == "application/json; charset=utf-8"
        assert answer.json() == _through_the_schema(answer.json())
    assert answers[1].json()["suggestions"] and answers[1].json()["dispatch_suggestion"]["confidence"] > 0
    assert answers[2].json()["duplicates"], "the second stall report finds the first"
    assert answers[2].json()["latitude"] is None
    # what the round trip would catch: a number written as text, a field left out, one too many
    broken = answers[1].json()
    broken["suggestions"][0]["confidence"] = str(broken["suggestions"][0]["confidence"])
    assert broken != _through_the_schema(broken)
    with pytest.raises(ValueError):
        _through_the_schema({k: v for k, v in answers[0].json().items() if k != "version"})
    assert {**answers[0].json(), "extra": 1} != _through_the_schema({**answers[0].json(), "extra": 1})
