"""GET /api/v1/audit and /api/v1/audit/{id}: administrators only, same filters as the page."""

from __future__ import annotations

import datetime as dt

import pytest

from huying.accounts.actions import do_create_api_token
from huying.audit.actions import record
from huying.audit.tests.helpers import SHANGHAI, entry_at

URL = "/api/v1/audit"


@pytest.fixture
def log(admin, alice, bob):
    return [
        entry_at(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI), admin, "role.assign", alice, {"role": "member"}),
        entry_at(
            dt.datetime(2026, 3, 2, 23, 59, tzinfo=SHANGHAI),
            bob,
            "user.update",
            bob,
            {"real_name": ["李波", "李博"]},
            channel="api",
        ),
    ]


def test_anonymous_is_refused(client, log):
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_everyone_but_administrators_gets_403_json(client, request, who, log):
    client.force_login(request.getfixturevalue(who))
    for url in (URL, f"{URL}/{log[0].pk}"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403
        assert response.json() == {"message": "The audit log is open to system administrators only.", "errors": {}}


def test_administrators_list_newest_first_with_filters(client, admin, bob, log):
    client.force_login(admin)
    response = client.get(URL, {"actor": "bob"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["id"] == log[1].pk
    assert item["actor_username"] == "bob"
    assert item["action_label"] == "Changed a person"
    assert item["changes"] == {"real_name": ["李波", "李博"]}
    assert item["channel"] == "api"
    assert item["channel_label"] == "API"
    everything = client.get(URL).json()
    ours = [i["id"] for i in everything["items"] if i["id"] in {e.pk for e in log}]
    assert ours == [log[1].pk, log[0].pk]
    assert [i["id"] for i in client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-02"}).json()["items"]] == [
        log[1].pk
    ]
    assert client.get(URL, {"action": "role.", "date_to": "2026-03-01"}).json()["count"] == 1


def test_bad_filters_are_named(client, admin, log):
    client.force_login(admin)
    response = client.get(URL, {"date_from": "2026-03-05", "date_to": "2026-03-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["errors"] == {"date_to": ["The end date must not be before the start date."]}
    response = client.get(URL, {"channel": "fax"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["channel"]


def test_one_entry(client, admin, log):
    client.force_login(admin)
    response = client.get(f"{URL}/{log[0].pk}")
    assert response.status_code == 200
    assert response.json()["action"] == "role.assign"
    assert client.get(f"{URL}/999999999").status_code == 404


def test_token_authentication(client, admin, log):
    _token, secret = do_create_api_token(admin, admin, "审计系统")
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


def test_pagination_and_query_count(client, admin, alice, django_assert_num_queries):
    for n in range(60):
        record(admin if n % 2 else alice, "user.update", alice, {"mobile": [str(n), str(n + 1)]})
    client.force_login(admin)
    client.get(URL)
    # session, user, roles, count, page
    with django_assert_num_queries(5):
        first = client.get(URL, {"action": "user.update"}).json()
    assert first["count"] == 60
    assert len(first["items"]) == 50
    second = client.get(URL, {"action": "user.update", "page": 2}).json()
    assert len(second["items"]) == 10
