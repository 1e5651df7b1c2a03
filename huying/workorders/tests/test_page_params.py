"""Ids and codes in query strings and posts never crash a page: "²" passes str.isdigit()
but not int(), and an id past 64 bits is no id (huying.core.params)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from huying.core.params import MAX_ID, is_ascii_digits, parse_id, parse_ids

BAD_IDS = ["²", "①", "٣", str(MAX_ID + 1), "99999999999999999999", "-1", "0", "1e3", " 7", ""]


@pytest.mark.parametrize("value", BAD_IDS)
def test_parse_id_refuses_what_is_not_an_id(value: str) -> None:
    assert parse_id(value) is None


def test_parse_id_and_ids() -> None:
    assert parse_id("7") == 7
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_ids(["3", "²", "x", "12", str(MAX_ID + 1)]) == [3, 12]
    assert is_ascii_digits("0401") and not is_ascii_digits("０４") and not is_ascii_digits("²")


@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
@pytest.mark.parametrize("param", ["street", "category", "page"])
def test_console_list_ignores_odd_filter_values(dispatcher: Any, param: str, value: str) -> None:
    client = Client()
    client.force_login(dispatcher)
    response = client.get("/workorders/console/", {param: value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_dashboard_ignores_odd_filter_values(dispatcher: Any, value: str) -> None:
    client = Client()
    client.force_login(dispatcher)
    for param in ("street", "trend", "category"):
        response = client.get("/workorders/dashboard/", {param: value})
        # ignored, or refused as a bad filter: never a server error
        assert response.status_code in (200, 400), (param, response.status_code)
