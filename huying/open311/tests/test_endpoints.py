"""Conformance of /open311/v2 to GeoReport v2: every endpoint in JSON and XML, errors in the
spec's format with its HTTP codes, POST with form and multipart bodies, idempotency,
filters and paging, dates with a time zone, and no personal data in what GET answers."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from conftest import Tree
from huying.accounts.actions import do_create_api_token
from huying.accounts.models import User
from huying.handling.transitions import do_assign
from huying.open311.georeport import STATUS_MAP
from huying.open311.tests.helpers import BASE, DATETIME_RE, post_data, tiny_png, xml_errors, xml_root
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import transitions
from huying.workorders.actions import do_intake
from huying.workorders.choices import Channel, OrderStatus
from huying.workorders.models import Attachment, WorkOrder

pytestmark = pytest.mark.django_db

REQUIRED = ("service_request_id", "status", "service_code", "requested_datetime")


def hotline_order(tree: Tree, external_id: str, **overrides: Any) -> WorkOrder:
    data = {
        "external_id": external_id,
        "content": "我叫王五，家住多宝路3号，楼下夜间施工噪音扰民。",
        "caller_name": "王五",
        "caller_phone": "13900001111",
        "category": "05",
        "district": "440103",
        "address": "多宝路3号",
        "latitude": 23.12,
        "longitude": 113.25,
    }
    data.update(overrides)
    return do_intake(None, data, Channel.HOTLINE).order


# --- discovery and services -------------------------------------------------------------
def test_discovery_json_and_xml(client: Client, db: None) -> None:
    body = client.get(f"{BASE}/discovery.json").json()
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert body["endpoints"][0]["url"].endswith("/open311/v2")
    assert re.match(DATETIME_RE, body["changeset"])
    root = xml_root(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["application/json", "text/xml"]


def test_services_json_lists_first_level_categories(client: Client, db: None) -> None:
    services = client.get(f"{BASE}/services.json").json()
    assert isinstance(services, list)
    by_code = {s["service_code"]: s for s in services}
    assert by_code["01"]["service_name"] == "市容环境"
    assert "六乱" in by_code["01"]["description"]
    assert by_code["01"]["metadata"] is True
    assert by_code["01"]["type"] == "realtime"
    assert set(by_code["01"]) == {
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
    }  # fmt: skip
    assert all(len(code) == 2 for code in by_code)


def test_services_xml(client: Client, db: None) -> None:
    root = xml_root(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None
    assert first.findtext("service_code") == "01"
    assert first.findtext("metadata") == "true"
    assert len(root.findall("service")) == len(client.get(f"{BASE}/services.json").json())


def test_service_definition_json_and_xml(client: Client, db: None) -> None:
    body = client.get(f"{BASE}/services/01.json").json()
    assert body["service_code"] == "01"
    attributes = {a["code"]: a for a in body["attributes"]}
    assert attributes["nature"]["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attributes["nature"]["values"]} == {
        "consultation", "help", "complaint", "report", "suggestion",
    }  # fmt: skip
    assert {v["key"] for v in attributes["urgency"]["values"]} == {"normal", "urgent", "emergency"}
    root = xml_root(client.get(f"{BASE}/services/01.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "01"
    codes = [a.findtext("code") for a in root.iter("attribute")]
    assert codes[:2] == ["nature", "urgency"]
    nature = root.find("attributes/attribute")
    assert nature is not None
    assert nature.findtext("variable") == "true"
    assert next(v.findtext("key") for v in nature.iter("value")) == "consultation"


@pytest.mark.parametrize("path", ["services/99", "services/0101"])
def test_unknown_service_is_404_in_both_formats(client: Client, db: None, path: str) -> None:
    response = client.get(f"{BASE}/{path}.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
    assert "service_code" in response.json()[0]["description"]
    response = client.get(f"{BASE}/{path}.xml")
    assert response.status_code == 404
    assert xml_errors(response)[0][0] == "404"


@pytest.mark.parametrize("path", ["discovery.html", "services.csv", "services/01.yaml", "requests.txt"])
def test_unknown_format_is_404(client: Client, db: None, path: str) -> None:
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


@pytest.mark.parametrize("path", ["discovery.json", "services.json", "services/01.json", "tokens/x.json"])
def test_read_only_endpoints_refuse_post(client: Client, db: None, path: str) -> None:
    assert client.post(f"{BASE}/{path}").status_code == 405


def test_requests_refuses_other_methods(client: Client, db: None) -> None:
    assert client.put(f"{BASE}/requests.json").status_code == 405
    assert client.delete(f"{BASE}/requests.json").status_code == 405


# --- POST requests ------------------------------------------------------------------------
def test_post_form_encoded_json(tree: Tree, api_key: str, dispatcher: User) -> None:
    client = Client(enforce_csrf_checks=True)  # API clients send no CSRF token
    response = client.post(f"{BASE}/requests.json", post_data(api_key))
    assert response.status_code == 201, response.content
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    assert body[0]["account_id"] is None
    order = WorkOrder.objects.get()
    assert body[0]["service_request_id"] == order.number
    assert order.number in body[0]["service_notice"]
    assert order.channel == Channel.OPEN311
    assert order.category is not None and order.category.code == "01"
    assert order.caller_name == "张三"
    assert order.caller_phone == "13812341234"
    assert order.nature == "complaint"
    assert order.district == tree.district_gov
    assert order.created_by == dispatcher


def test_post_xml_with_key_and_jurisdiction_in_query_string(client: Client, tree: Tree, api_key: str) -> None:
    data = post_data(api_key)
    data.pop("api_key")
    data.pop("jurisdiction_id")
    response = client.post(f"{BASE}/requests.xml?api_key={api_key}&jurisdiction_id=440103", data)
    assert response.status_code == 201, response.content
    root = xml_root(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert request.findtext("service_request_id") == WorkOrder.objects.get().number
    assert request.find("account_id") is not None


def test_post_without_jurisdiction_uses_the_dispatchers_district(client: Client, tree: Tree, api_key: str) -> None:
    response = client.post(f"{BASE}/requests.json", post_data(api_key, jurisdiction_id=""))
    assert response.status_code == 201
    assert WorkOrder.objects.get().district == tree.district_gov


def test_post_with_address_only(client: Client, tree: Tree, api_key: str) -> None:
    response = client.post(f"{BASE}/requests.json", post_data(api_key, lat=None, long=None))
    assert response.status_code == 201
    assert WorkOrder.objects.get().latitude is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "hy_wrong"])
def test_post_without_a_valid_key_is_403(client: Client, tree: Tree, api_key: str, fmt: str, key: str) -> None:
    response = client.post(f"{BASE}/requests.{fmt}", post_data(api_key, api_key=key))
    assert response.status_code == 403
    if fmt == "json":
        assert response.json()[0]["code"] == 403
        assert "api_key" in response.json()[0]["description"]
    else:
        assert xml_errors(response)[0][0] == "403"
    assert not WorkOrder.objects.exists()


def test_key_of_a_user_who_may_not_dispatch_is_403(client: Client, tree: Tree, charlie: User, dora: User) -> None:
    for person in (charlie, dora):
        key = do_create_api_token(person, person, "mine")[1]
        response = client.post(f"{BASE}/requests.json", post_data(key))
        assert response.status_code == 403
    assert not WorkOrder.objects.exists()


def test_revoked_key_is_403(client: Client, tree: Tree, dispatcher: User) -> None:
    token, key = do_create_api_token(dispatcher, dispatcher, "old")
    token.revoked_at = timezone.now()
    token.save()
    assert client.post(f"{BASE}/requests.json", post_data(key)).status_code == 403


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"jurisdiction_id": "999999"}, "jurisdiction_id"), ({"service_code": "99"}, "service_code")],
)
def test_post_unknown_resource_is_404(
    client: Client, tree: Tree, api_key: str, fmt: str, overrides: dict[str, str], field: str
) -> None:
    response = client.post(f"{BASE}/requests.{fmt}", post_data(api_key, **overrides))
    assert response.status_code == 404
    errors = response.json() if fmt == "json" else [{"code": c, "description": d} for c, d in xml_errors(response)]
    assert str(errors[0]["code"]) == "404"
    assert field in errors[0]["description"]
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service_code": ""}, "service_code"),
        ({"lat": None, "long": None, "address_string": None}, "location"),
        ({"description": ""}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"lat": "91"}, "lat"),
        ({"long": "abc"}, "long"),
        ({"long": None, "address_string": None}, "long"),
        ({"phone": "12"}, "phone"),
        ({"attribute[nature]": "rant"}, "attribute[nature]"),
        ({"attribute[urgency]": "now"}, "attribute[urgency]"),
        ({"attribute[external_id]": "bad id!"}, "attribute[external_id]"),
    ],
)
def test_post_bad_input_is_400_naming_the_field(
    client: Client, tree: Tree, api_key: str, fmt: str, overrides: dict[str, Any], field: str
) -> None:
    response = client.post(f"{BASE}/requests.{fmt}", post_data(api_key, **overrides))
    assert response.status_code == 400, response.content
    errors = [(str(e["code"]), e["description"]) for e in response.json()] if fmt == "json" else xml_errors(response)
    assert errors[0][0] == "400"
    assert any(description.startswith(field) for _code, description in errors), errors
    assert not WorkOrder.objects.exists()


def test_multipart_media_becomes_an_attachment(client: Client, tree: Tree, api_key: str) -> None:
    media = SimpleUploadedFile("photo.png", tiny_png(), content_type="image/png")
    response = client.post(f"{BASE}/requests.json", {**post_data(api_key), "media": media})
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert attachment.order == WorkOrder.objects.get()
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "photo.png"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_media_of_a_wrong_type_is_refused(client: Client, tree: Tree, api_key: str, fmt: str) -> None:
    media = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image at all", content_type="image/png")
    response = client.post(f"{BASE}/requests.{fmt}", {**post_data(api_key), "media": media})
    assert response.status_code == 400
    description = response.json()[0]["description"] if fmt == "json" else xml_errors(response)[0][1]
    assert description.startswith("media")
    assert not WorkOrder.objects.exists()
    assert not Attachment.objects.exists()


def test_retry_with_external_id_returns_the_same_request(client: Client, tree: Tree, api_key: str) -> None:
    data = post_data(api_key, **{"attribute[external_id]": "app-42"})
    first = client.post(f"{BASE}/requests.json", data)
    again = client.post(f"{BASE}/requests.json", data)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert WorkOrder.objects.get().external_id == "app-42"


def test_retry_with_idempotency_key_header(client: Client, tree: Tree, api_key: str) -> None:
    headers = {"Idempotency-Key": "5f1c-77aa"}
    first = client.post(f"{BASE}/requests.xml", post_data(api_key), headers=headers)
    again = client.post(f"{BASE}/requests.xml", post_data(api_key), headers=headers)
    assert [xml_root(r).findtext("request/service_request_id") for r in (first, again)] == [
        WorkOrder.objects.get().number
    ] * 2
    other = client.post(f"{BASE}/requests.json", post_data(api_key), headers={"Idempotency-Key": "other"})
    assert other.status_code == 201
    assert WorkOrder.objects.count() == 2


# --- GET requests ---------------------------------------------------------------------------
def _create(client: Client, api_key: str, **overrides: Any) -> str:
    response = client.post(f"{BASE}/requests.json", post_data(api_key, **overrides))
    assert response.status_code == 201, response.content
    return str(response.json()[0]["service_request_id"])


def test_get_requests_json_shape_and_dates(client: Client, tree: Tree, api_key: str) -> None:
    number = _create(client, api_key)
    body = client.get(f"{BASE}/requests.json").json()
    assert isinstance(body, list) and len(body) == 1
    record = body[0]
    for key in REQUIRED:
        assert record[key] not in (None, "")
    assert record["service_request_id"] == number
    assert record["status"] == "open"
    assert record["service_name"] == "市容环境"
    assert record["description"].startswith("沙面大街")
    assert record["lat"] == pytest.approx(23.108)
    assert re.match(DATETIME_RE, record["requested_datetime"])
    assert record["requested_datetime"].endswith("+08:00")
    assert re.match(DATETIME_RE, record["updated_datetime"])


def test_get_requests_xml(client: Client, tree: Tree, api_key: str) -> None:
    number = _create(client, api_key)
    root = xml_root(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert len(requests) == 1
    assert requests[0].findtext("service_request_id") == number
    assert requests[0].findtext("status") == "open"
    assert re.match(DATETIME_RE, requests[0].findtext("requested_datetime") or "")
    assert requests[0].find("expected_datetime") is not None


def test_get_one_request_wrapped_in_a_list(client: Client, tree: Tree, api_key: str) -> None:
    number = _create(client, api_key)
    body = client.get(f"{BASE}/requests/{number}.json").json()
    assert [r["service_request_id"] for r in body] == [number]
    root = xml_root(client.get(f"{BASE}/requests/{number}.xml"))
    assert root.findtext("request/service_request_id") == number


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_unknown_request_and_token_are_404(client: Client, db: None, fmt: str) -> None:
    for path in ("requests/荔湾-2026-999999", "tokens/nope"):
        response = client.get(f"{BASE}/{path}.{fmt}")
        assert response.status_code == 404
        code = response.json()[0]["code"] if fmt == "json" else int(xml_errors(response)[0][0])
        assert code == 404


def test_token_lookup(client: Client, tree: Tree, api_key: str) -> None:
    number = _create(client, api_key)
    assert client.get(f"{BASE}/tokens/{number}.json").json() == [{"service_request_id": number, "token": number}]
    root = xml_root(client.get(f"{BASE}/tokens/{number}.xml"))
    assert root.findtext("request/token") == number


def test_get_never_shows_personal_data(client: Client, tree: Tree, api_key: str) -> None:
    _create(client, api_key)
    hotline = hotline_order(tree, "H-1")
    for path in ("requests.json", "requests.xml", f"requests/{hotline.number}.json"):
        text = client.get(f"{BASE}/{path}").content.decode()
        for secret in ("13812341234", "张三", "13900001111", "王五", "多宝路"):
            assert secret not in text, (path, secret)
    record = client.get(f"{BASE}/requests/{hotline.number}.json").json()[0]
    assert record["description"] == ""  # a hotline call is not published
    assert record["lat"] is None


def test_service_request_id_list_overrides_other_filters(client: Client, tree: Tree, api_key: str) -> None:
    a = _create(client, api_key)
    b = _create(client, api_key)
    _create(client, api_key)
    old = hotline_order(tree, "H-old", received_at=(timezone.now() - timedelta(days=200)).isoformat())
    body = client.get(f"{BASE}/requests.json?service_request_id={a},{old.number}&service_code=99&status=closed").json()
    assert {r["service_request_id"] for r in body} == {a, old.number}
    assert b not in {r["service_request_id"] for r in body}


def test_filter_by_service_code_status_and_dates(client: Client, tree: Tree, api_key: str) -> None:
    litter = _create(client, api_key)
    noise = hotline_order(tree, "H-2")
    old = hotline_order(tree, "H-3", received_at=(timezone.now() - timedelta(days=120)).isoformat())
    transitions.move(None, noise, OrderStatus.CANCELLED)

    def ids(query: str) -> set[str]:
        response = client.get(f"{BASE}/requests.json?{query}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids("") == {litter, noise.number}  # default: the last 90 days
    assert ids("service_code=01") == {litter}
    assert ids("service_code=05,01") == {litter, noise.number}
    assert ids("status=open") == {litter}
    assert ids("status=closed") == {noise.number}
    start = (timezone.localdate() - timedelta(days=130)).isoformat()
    end = (timezone.localdate() - timedelta(days=100)).isoformat()
    assert ids(f"start_date={start}&end_date={end}") == {old.number}
    assert ids(f"start_date={start}T00:00:00%2B08:00") == {old.number}
    assert ids("jurisdiction_id=440103") == {litter, noise.number}
    closed = client.get(f"{BASE}/requests/{noise.number}.json").json()[0]
    assert closed["status_notes"] == str(STATUS_MAP[OrderStatus.CANCELLED][1])


def test_paging(client: Client, tree: Tree, api_key: str) -> None:
    numbers = [_create(client, api_key) for _ in range(5)]
    newest_first = list(reversed(numbers))
    page1 = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json?page_size=2").json()]
    page3 = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json?page_size=2&page=3").json()]
    assert page1 == newest_first[:2]
    assert page3 == newest_first[4:]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=yesterday", "start_date"),
        ("end_date=2026-13-01", "end_date"),
        ("start_date=2026-01-01&end_date=2026-06-01", "end_date"),
        ("start_date=2026-06-01&end_date=2026-01-01", "end_date"),
        ("status=pending", "status"),
        ("page=0", "page"),
        ("page_size=1001", "page_size"),
        ("page_size=x", "page_size"),
    ],
)
def test_bad_filters_are_400(client: Client, db: None, fmt: str, query: str, field: str) -> None:
    response = client.get(f"{BASE}/requests.{fmt}?{query}")
    assert response.status_code == 400
    description = response.json()[0]["description"] if fmt == "json" else xml_errors(response)[0][1]
    assert description.startswith(field)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_jurisdiction_filter_is_404(client: Client, db: None, fmt: str) -> None:
    assert client.get(f"{BASE}/requests.{fmt}?jurisdiction_id=000000").status_code == 404


def test_agency_responsible_is_the_lead_unit(client: Client, tree: Tree, api_key: str, dispatcher: User) -> None:
    number = _create(client, api_key)
    order = WorkOrder.objects.get(number=number)
    do_assign(dispatcher, order, workflow="workorder", unit=tree.street, owner=tree.command_centre)
    record = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert record["agency_responsible"] == "沙面街道"


def test_list_query_count_does_not_grow(
    client: Client, tree: Tree, api_key: str, dispatcher: User, django_assert_num_queries: Any
) -> None:
    for _ in range(4):
        order = WorkOrder.objects.get(number=_create(client, api_key))
        do_assign(dispatcher, order, workflow="workorder", unit=tree.street, owner=tree.command_centre)
    client.get(f"{BASE}/requests.json")  # warm the content-type cache
    with django_assert_num_queries(3):
        body = client.get(f"{BASE}/requests.json").json()
    assert len(body) == 4


# --- the client command ---------------------------------------------------------------------
def test_open311_client_command_prints_a_working_key(client: Client, tree: Tree, dispatcher: User) -> None:
    out = StringIO()
    call_command("open311_client", "--username", "diaodu", "--name", "demo", stdout=out)
    line = out.getvalue().strip()
    assert line.startswith("api_key: hy_")
    key = line.removeprefix("api_key: ")
    assert client.post(f"{BASE}/requests.json", post_data(key)).status_code == 201


def test_open311_client_command_refuses_other_people(tree: Tree, charlie: User) -> None:
    with pytest.raises(CommandError):
        call_command("open311_client", "--username", "charlie", "--name", "demo")
    with pytest.raises(CommandError):
        call_command("open311_client", "--username", "nobody", "--name", "demo")


# --- language -------------------------------------------------------------------------------
def test_notices_and_errors_follow_accept_language(client: Client, tree: Tree, api_key: str) -> None:
    chinese = client.post(f"{BASE}/requests.json", post_data(api_key), headers={"Accept-Language": "zh-hans"})
    assert "已受理" in chinese.json()[0]["service_notice"]
    english = client.post(
        f"{BASE}/requests.json", post_data(api_key, service_code=""), headers={"Accept-Language": "en"}
    )
    assert english.json()[0]["description"] == "service_code: required."
    refused = client.get(f"{BASE}/requests.json?status=x", headers={"Accept-Language": "zh-hans"})
    assert refused.json()[0]["description"] == "status：请填写 open 或 closed。"


# --- who may submit ---------------------------------------------------------------------------
def test_administrator_key_works_with_a_jurisdiction(client: Client, tree: Tree, admin: User) -> None:
    key = do_create_api_token(admin, admin, "city portal")[1]
    assert client.post(f"{BASE}/requests.json", post_data(key)).status_code == 201
    response = client.post(f"{BASE}/requests.json", post_data(key, jurisdiction_id=""))
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("jurisdiction_id")
    assert WorkOrder.objects.count() == 1


def test_dispatcher_may_not_submit_to_another_district(client: Client, tree: Tree, api_key: str) -> None:
    OrganisationFactory(
        name="越秀区人民政府",
        kind=OrgKind.GOVERNMENT,
        level=OrgLevel.COUNTY,
        parent=tree.city_gov,
        division_code="440104",
    )
    response = client.post(f"{BASE}/requests.json", post_data(api_key, jurisdiction_id="440104"))
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("jurisdiction_id")
    assert not WorkOrder.objects.exists()


def test_oversized_body_is_400_in_the_spec_format(client: Client, tree: Tree, api_key: str, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(f"{BASE}/requests.xml", post_data(api_key, description="长" * 2000))
    assert response.status_code == 400
    assert xml_errors(response)[0][0] == "400"
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("page", ["99999999999999999999", "1000001"])
def test_a_page_past_the_last_possible_one_is_400_not_500(client: Client, page: str) -> None:
    response = client.get(f"{BASE}/requests.json", {"page": page})
    assert response.status_code == 400
    [error] = response.json()
    assert error["description"].startswith("page")
