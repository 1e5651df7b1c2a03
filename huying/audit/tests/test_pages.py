"""The audit log pages: administrators browse, filter and open entries; nobody else does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from huying.audit.actions import record
from huying.audit.models import AuditEntry
from huying.audit.tests.helpers import SHANGHAI, entry_at
from huying.core.navigation import entries_for

INDEX = reverse("audit:index")


@pytest.fixture
def log(admin, alice, bob, tree):
    """Four entries on three Shanghai days, newest last."""
    return [
        entry_at(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI), admin, "role.assign", alice, {"role": "member"}),
        entry_at(
            dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI),
            admin,
            "user.update",
            bob,
            {"real_name": ["李波", "李博"]},
            channel="api",
            ip="198.51.100.4",
        ),
        entry_at(dt.datetime(2026, 3, 2, 0, 10, tzinfo=SHANGHAI), bob, "role.revoke", alice, {"role": "member"}),
        entry_at(
            dt.datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI),
            bob,
            "organisation.move",
            tree.street,
            {"parent": ["A", "B"]},
        ),
    ]


def shown(response) -> list[int]:
    return [e.pk for e in response.context["page_obj"].object_list]


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
@pytest.mark.parametrize("url", [INDEX, "detail", reverse("audit:export", args=["csv"])])
def test_everyone_but_administrators_is_refused(client, request, who, url, admin):
    entry = record(admin, "user.update", admin, {"mobile": ["1", "2"]})
    if url == "detail":
        url = reverse("audit:detail", args=[entry.pk])
    client.force_login(request.getfixturevalue(who))
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert response.status_code == 403
    assert "The audit log is open to system administrators only." in response.content.decode()
    assert AuditEntry.objects.filter(action="audit.export").count() == 0


def test_the_refusal_is_in_chinese_by_default(client, alice):
    client.force_login(alice)
    response = client.get(INDEX)
    assert response.status_code == 403
    assert "审计日志仅向系统管理员开放" in response.content.decode()


def test_administrators_see_everything_newest_first(client, admin, log):
    client.force_login(admin)
    response = client.get(INDEX)
    assert response.status_code == 200
    ours = {e.pk for e in log}
    assert [pk for pk in shown(response) if pk in ours] == [e.pk for e in reversed(log)]
    page = response.content.decode()
    assert "2026年3月3日 08:00" in page  # Chinese date format, Shanghai time
    assert "2026年3月1日 23:30" in page
    assert "分配角色" in page  # human label of role.assign
    assert "<del>李波</del> → <ins>李博</ins>" in page
    assert "198.51.100.4" in page
    assert ">接口</td>" in page  # channel


def test_english_labels(client, admin, log):
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    page = client.get(INDEX).content.decode()
    assert "Audit log" in page
    assert "Assigned a role" in page
    assert "Real name" in page  # the field's verbose name, not its code


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "李"}, [3, 2]),
        ({"actor": "bob"}, [3, 2]),  # login name
        ({"actor": "BOB"}, [3, 2]),
        ({"actor": "系统管理员"}, [1, 0]),
        ({"action": "role."}, [2, 0]),
        ({"action": "role.assign"}, [0]),
        ({"object_type": "organisations.organisation"}, [3]),
        ({"object_type": "accounts.user", "object_id": "OBJ_BOB"}, [1]),
        ({"channel": "api"}, [1]),
        ({"date_from": "2026-03-02"}, [3, 2]),
        ({"date_to": "2026-03-01"}, [1, 0]),  # 23:30 Shanghai is still 1 March
        ({"date_from": "2026-03-02", "date_to": "2026-03-02"}, [2]),  # 00:10 Shanghai is 2 March
        ({"actor": "nobody"}, []),
    ],
)
def test_filters(client, admin, bob, log, query, expected):
    query = {k: (str(bob.pk) if v == "OBJ_BOB" else v) for k, v in query.items()}
    client.force_login(admin)
    response = client.get(INDEX, query)
    assert response.status_code == 200
    got = [pk for pk in shown(response) if pk in {e.pk for e in log}]
    assert got == [log[i].pk for i in expected]


def test_bad_filters_name_the_field_and_show_nothing(client, admin, log):
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    response = client.get(INDEX, {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"date_to": ["The end date must not be before the start date."]}
    assert shown(response) == []
    response = client.get(INDEX, {"channel": "fax", "date_from": "yesterday"})
    assert set(response.context["form"].errors) == {"channel", "date_from"}


def test_pagination_keeps_the_filters(client, admin):
    for n in range(55):
        record(admin, "user.update", admin, {"mobile": [str(n), str(n + 1)]})
    record(admin, "role.assign", admin, {"role": "admin"})
    client.force_login(admin)
    first = client.get(INDEX, {"action": "user.up"})
    assert len(shown(first)) == 50
    assert first.context["page_obj"].paginator.count == 55
    assert "?action=user.up&amp;page=2" in first.content.decode()
    second = client.get(INDEX, {"action": "user.up", "page": 2})
    assert len(shown(second)) == 5


def test_list_query_count_does_not_grow_with_rows(client, admin, alice, django_assert_num_queries):
    client.force_login(admin)
    record(admin, "user.update", alice, {"real_name": ["a", "b"]})
    client.get(INDEX)  # warm caches that are per process, not per request
    # session, user, roles, count, page (with actors joined)
    with django_assert_num_queries(5):
        client.get(INDEX)
    for n in range(30):
        record(alice if n % 2 else admin, "user.update", alice, {"real_name": [str(n), "b"]})
    with django_assert_num_queries(5):
        response = client.get(INDEX)
    assert len(shown(response)) == AuditEntry.objects.count()


def test_detail_page(client, admin, log):
    client.force_login(admin)
    entry = log[1]
    client.cookies["django_language"] = "en"
    response = client.get(reverse("audit:detail", args=[entry.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Audit entry {entry.pk}" in page
    assert "23:30:00" in page
    assert "<code>user.update</code>" in page
    assert client.get(reverse("audit:detail", args=[10**9])).status_code == 404


def test_entries_of_a_deleted_person_still_show(client, admin, alice, bob):
    record(bob, "role.assign", alice, {"role": "member"})
    bob.delete()
    client.force_login(admin)
    response = client.get(INDEX, {"action": "role.assign"})
    assert response.status_code == 200
    assert "李波" in response.content.decode()


def test_console_entry_for_administrators_only(admin, bob):
    assert [e.key for e in entries_for(admin, "console") if e.key == "audit"] == ["audit"]
    assert not [e for e in entries_for(bob, "console") if e.key == "audit"]
