"""Audit entries read in Chinese: every action the platform records has a label; recorded
fields and values (choices, booleans, times) read as words, on the page and in exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from huying.audit.labels import action_label, changes_of, changes_text, field_label
from huying.audit.tests.helpers import SHANGHAI, entry_at
from huying.handling.transitions import MOVES
from huying.proposals.choices import EventKind, HandlingEventKind

# Every action code written by the platform's code (huying/*/actions.py, transitions,
# exports, the sweep, the demo loader), and the families built from event kinds.
RECORDED = [
    "user.create", "user.update", "user.deactivate", "user.reactivate", "user.password_change", "user.login",
    "role.assign", "role.revoke", "api_token.create", "api_token.revoke",
    "two_factor.start", "two_factor.enable", "two_factor.disable", "two_factor.reset", "two_factor.backup_codes",
    "organisation.create", "organisation.update", "organisation.move", "sector.create", "audit.export",
    "demo.load", "demo.proposals", "demo.people.create", "demo.routing_rules.create",
    "assignment.assign", "feedback.record", "handling.sweep", "time_limit_rule.save", "calendar.set",
    "calendar.delete", "notification.read", "notification.read_all",
    "workorder.intake", "workorder.dispatch", "workorder.status", "workorder.merge", "workorder.merge_moved",
    "workorder.export",
    "proposal.create", "proposal.update", "proposal.invite_cosigner", "proposal.cosign_confirm",
    "proposal.cosign_decline", "proposal.create_session", "proposal.stats_export", "proposal.attachment_add",
    "proposal.attachment_remove", "proposal.reply_submit", "proposal.reply_return",
    "proposal.award_open", "proposal.award_nominate", "proposal.award_decide", "proposal.award_publish",
    *[f"proposal.{kind}" for kind in EventKind.values],
    *[f"proposal.{kind}" for kind in HandlingEventKind.values],
    *[f"assignment.{move}" for move in MOVES],
]  # fmt: skip

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("code", RECORDED)
def test_every_recorded_action_has_a_chinese_label(code: str) -> None:
    with translation.override("zh-hans"):
        label = action_label(code)
    assert label != code
    assert HAN.search(label), label


def test_booleans_choices_and_times_read_as_words() -> None:
    with translation.override("zh-hans"):
        assert changes_text("accounts.user", {"two_factor": "False"}) == "双重验证: 否"
        assert (
            changes_text("handling.feedback", {"solved": "True", "rating": "satisfied"}) == "是否解决: 是; 评价: 满意"
        )
        assert changes_text("accounts.user", {"role": "unit_staff"}) == "角色: 承办单位工作人员"
        [status] = changes_of("workorders.workorder", {"status": ["new", "merged"]})
        assert (status.label, status.old, status.new) == ("状态", "待派单", "已并单")
        [accepted] = changes_of("handling.assignment", {"accepted_at": "2026-12-03T04:46:17+00:00"})
        assert accepted.new == "2026-12-03 12:46"  # Asia/Shanghai
        # A number is never taken for a time; unknown values stay as recorded.
        assert changes_text("proposals.proposal", {"number": "145", "mode": "single"}) == "案号: 145; 办理方式: 单办"
        assert field_label("demo.dataset", "leader") == "领导"


def test_page_and_csv_show_labels_not_codes(client, admin, alice) -> None:
    entry_at(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI), alice, "user.login", alice, {"two_factor": "False"})
    client.force_login(admin)
    page = client.get(reverse("audit:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "登录" in page
    assert "双重验证" in page and "Two_factor" not in page and "False" not in page
    response = client.get(reverse("audit:export", args=["csv"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    text = "\n".join(",".join(row) for row in rows)
    assert "登录" in text and "双重验证: 否" in text
