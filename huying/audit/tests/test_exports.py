"""Exports of the filtered audit log: XLSX and CSV, themselves recorded in the log."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from openpyxl import load_workbook

from huying.accounts.models import User
from huying.audit import exports
from huying.audit.actions import record
from huying.audit.models import AuditEntry
from huying.audit.tests.helpers import SHANGHAI, entry_at


@pytest.fixture
def log(admin, alice, bob):
    return [
        entry_at(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI), admin, "role.assign", alice, {"role": "member"}),
        entry_at(
            dt.datetime(2026, 3, 2, 10, 5, 9, tzinfo=SHANGHAI),
            admin,
            "user.update",
            bob,
            {"real_name": ["李波", '=HYPERLINK("http://x")']},
            channel="api",
            ip="198.51.100.4",
        ),
    ]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_xlsx_has_chinese_headers_and_the_filtered_rows(client, admin, log):
    client.force_login(admin)
    response = client.get(reverse("audit:export", args=["xlsx"]), {"action": "user."})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'attachment; filename="audit-log-' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(body(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "时间",
        "操作人",
        "登录名",
        "操作",
        "操作代码",
        "对象类型",
        "对象编号",
        "对象",
        "变更内容",
        "IP 地址",
        "渠道",
    )
    user_rows = [r for r in rows[1:] if r[4] == "user.update"]
    assert len(user_rows) == 1
    row = user_rows[0]
    assert row[0] == dt.datetime(2026, 3, 2, 10, 5, 9)  # Shanghai wall-clock time
    assert row[1:3] == ("系统管理员", "admin")
    assert row[3] == "修改人员信息"
    with translation.override("zh-hans"):
        real_name = capfirst(str(User._meta.get_field("real_name").verbose_name))
    assert row[8] == f'{real_name}: 李波 → =HYPERLINK("http://x")'  # text, never a formula
    assert row[9:] == ("198.51.100.4", "接口")
    assert all(r[4].startswith("user.") for r in rows[1:])  # the filter applies
    assert sheet.cell(row=len(rows), column=9).data_type == "s"


def test_csv_has_a_bom_and_english_headers_on_request(client, admin, log):
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("audit:export", args=["csv"]), {"action": "role.", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Time,Actor,Login name,Action,Action code,")
    assert len(lines) == 2
    assert lines[1].startswith("2026-03-01 09:00:00,系统管理员,admin,Assigned a role,role.assign,User,")


def test_csv_neutralises_formulas(client, admin, log):
    client.force_login(admin)
    data = body(client.get(reverse("audit:export", args=["csv"]), {"action": "user.update"}))
    assert "'=HYPERLINK" not in data.decode()  # the formula is inside the changes cell, not at its start
    record(admin, "user.update", admin, object_repr="=1+1")
    data = body(client.get(reverse("audit:export", args=["csv"]), {"object_id": str(admin.pk)}))
    assert ",'=1+1," in data.decode()


def test_an_export_is_recorded_and_not_part_of_itself(client, admin, log):
    client.force_login(admin)
    body(client.get(reverse("audit:export", args=["csv"]), {"channel": "api"}))
    entry = AuditEntry.objects.get(action="audit.export")
    assert entry.actor == admin
    assert entry.changes == {"format": "csv", "rows": "1", "filters": "channel=api"}
    assert entry.channel == "web"
    data = body(client.get(reverse("audit:export", args=["csv"]), {"action": "audit."}))
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 2  # header + the first export; the second one is not in its own file
    assert AuditEntry.objects.filter(action="audit.export").count() == 2


def test_bad_filters_export_nothing(client, admin, log):
    client.force_login(admin)
    response = client.get(reverse("audit:export", args=["xlsx"]), {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="audit.export").exists()
    assert client.get(reverse("audit:export", args=["pdf"])).status_code == 404


def test_exports_read_the_database_in_chunks(admin, log, django_assert_num_queries):
    """The writer consumes an iterator; with chunk_size=1 every row is its own fetch on
    PostgreSQL's server-side cursor, and the rows still all arrive."""
    queryset = AuditEntry.objects.select_related("actor").order_by("pk")
    seen = []

    class Spy:
        def iterator(self, chunk_size: int):
            seen.append(chunk_size)
            return queryset.iterator(chunk_size=chunk_size)

    handle = exports.write_xlsx(exports.stream(Spy()))
    rows = list(load_workbook(handle).active.iter_rows(values_only=True))
    assert seen == [exports.CHUNK_SIZE]
    assert len(rows) == 1 + queryset.count()
