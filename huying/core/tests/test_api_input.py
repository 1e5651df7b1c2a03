"""Input that used to crash the server (HTTP 500) answers 4xx in the one error format:
NUL characters in text, integers past 64 bits, ids that are not numbers (issue 8, point 7)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from huying.accounts.actions import do_create_api_token

NUL = "a\x00b"
HUGE = "99999999999999999999"


def _is_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "errors"}
    assert body["message"]
    return body


@pytest.fixture
def token_client(admin):
    _token, secret = do_create_api_token(admin, admin, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


# --- NUL characters -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/proposals/public?q=" + NUL,
        "/api/v1/workorders/track?number=" + NUL + "&phone=13800000000",
        "/api/v1/proposals/public?" + NUL + "=1",
    ],
)
def test_nul_in_a_public_query_is_refused_in_the_error_format(url):
    body = _is_error(Client().get(url), 422)
    assert any("NUL" in m for ms in body["errors"].values() for m in ms)


@pytest.mark.django_db
def test_nul_in_a_json_body_names_the_field(token_client):
    response = token_client.post(
        "/api/v1/workorders/track/feedback",
        json.dumps({"number": "GZ1", "phone": "13800000000", "rating": "satisfied", "comment": NUL}),
        content_type="application/json",
    )
    body = _is_error(response, 422)
    assert list(body["errors"]) == ["comment"]


@pytest.mark.django_db
def test_nul_in_an_authenticated_write_changes_nothing(token_client, admin):
    from huying.organisations.models import Organisation

    before = Organisation.objects.count()
    response = token_client.post(
        "/api/v1/organisations",
        json.dumps({"parent_id": 1, "name": NUL, "kind": "party", "level": "city"}),
        content_type="application/json",
    )
    body = _is_error(response, 422)
    assert "name" in body["errors"]
    assert Organisation.objects.count() == before


@pytest.mark.django_db
def test_nul_in_open311_answers_a_georeport_error():
    response = Client().get("/open311/v2/requests.json?status=" + NUL)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and "status" in error["description"]
    response = Client().post("/open311/v2/requests.xml", {"api_key": "k", "description": NUL})
    assert response.status_code == 400
    assert b"<errors>" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "/workorders/report/", {"content": NUL, "caller_phone": "13800000000"}),
        ("get", "/workorders/track/?number=" + NUL, None),
        ("post", "/workorders/track/", {"number": NUL, "phone": "13800000000"}),
        ("get", "/proposals/public/?q=" + NUL, None),
    ],
)
def test_nul_on_a_public_page_answers_the_400_page(method, url, data):
    client = Client()
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    assert "NUL" in response.content.decode()


@pytest.mark.django_db
def test_a_file_holding_nul_bytes_is_not_refused(token_client):
    """Only text fields are inspected: a file's bytes may hold NUL (the endpoint judges it)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\x00\x00", content_type="application/pdf")
    response = token_client.post("/api/v1/proposals/999/attachments", {"file": upload})
    assert response.status_code == 404


# --- integers past 64 bits -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/proposals/public?page=" + HUGE,
        "/api/v1/proposals/public?page=1&page_size=" + HUGE,
        "/api/v1/proposals/public/" + HUGE,
        "/api/v1/proposals?session=" + HUGE,
        "/api/v1/workorders?street=" + HUGE,
        "/api/v1/organisations?under=" + HUGE,
        "/api/v1/accounts/people?organisation=" + HUGE,
        "/api/v1/workorders/assignments/" + HUGE,
        "/api/v1/audit/" + HUGE,
    ],
)
def test_an_integer_past_64_bits_is_refused(token_client, url):
    body = _is_error(token_client.get(url), 422)
    assert body["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/organisations", {"parent_id": int(HUGE), "name": "x", "kind": "party", "level": "city"}, "parent_id"),
        ("/api/v1/proposals", {"session_id": int(HUGE), "title": "关于某事的建议"}, "session_id"),
    ],
)
def test_an_id_past_64_bits_in_a_body_is_refused(token_client, url, body, field):
    response = token_client.post(url, json.dumps(body), content_type="application/json")
    assert field in _is_error(response, 422)["errors"]


# --- paths the API does not know -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/api/v1/proposals/public/abc", "/api/v1/workorders/assignments/abc", "/api/v1/no-such-thing", "/api/v2/"],
)
def test_an_unknown_api_path_answers_json_404(token_client, url):
    _is_error(token_client.get(url), 404)


@pytest.mark.django_db
def test_a_post_to_an_unknown_api_path_answers_json_404_not_the_csrf_page():
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/workorders/no_such/dispatch", "{}", content_type="application/json"
    )
    _is_error(response, 404)


@pytest.mark.django_db
def test_pages_still_answer_the_html_404():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
