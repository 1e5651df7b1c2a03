"""The command-centre dashboard reads as a product: no developer notes, and durations as
days and hours through the one ``duration`` filter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from huying.workorders.templatetags.workorder_stats import duration
from huying.workorders.tests.metrics_data import NOW, Month, build_month

pytestmark = pytest.mark.django_db

DASHBOARD = "/workorders/dashboard/"


@pytest.fixture
def month(tree: Any, dispatcher: Any, street_handler: Any, charlie: Any) -> Month:
    return build_month(tree, dispatcher, street_handler, charlie)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    ("value", "chinese", "english"),
    [
        (875, "36天11小时", "36 days 11 hours"),
        (48, "2天", "2 days"),
        (5, "5小时", "5 hours"),
        (1, "1小时", "1 hour"),
        (25, "1天1小时", "1 day 1 hour"),
        (0, "不足1小时", "less than an hour"),
        (timedelta(days=3, hours=2, minutes=59), "3天2小时", "3 days 2 hours"),
        (None, "—", "—"),
    ],
)
def test_duration_reads_as_days_and_hours(value: Any, chinese: str, english: str) -> None:
    with translation.override("zh-hans"):
        assert duration(value) == chinese
    with translation.override("en"):
        assert duration(value) == english


def test_the_filter_is_available_to_templates() -> None:
    with translation.override("zh-hans"):
        html = Template("{% load workorder_stats %}{{ value|duration }}").render(Context({"value": 875}))
    assert html == "36天11小时"


def test_dashboard_has_no_developer_text_and_shows_overdue_in_days(client: Any, month: Month) -> None:
    client.force_login(month.dispatcher)
    html = client.get(DASHBOARD).content.decode()
    assert "docs/" not in html and ".md" not in html and "口径见" not in html
    data_overdue = client.get(DASHBOARD).context["data"].overdue
    assert data_overdue
    for item in data_overdue:
        with translation.override("zh-hans"):
            assert duration(item.overdue_hours) in html
    assert not re.search(r"<td>\d+ ?小时</td>", html) or all(i.overdue_hours < 24 for i in data_overdue)
    assert not re.search(r"<td>\d{3,} ?小时</td>", html)
