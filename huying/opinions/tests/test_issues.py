"""Periodical issues 《社情民意》第N期: compiling, gap-free numbering per committee and year
(also under two concurrent senders on PostgreSQL), sending to leaders, the PDF."""

from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from huying.handling.models import Notification
from huying.opinions import actions
from huying.opinions.choices import AdoptionLevel, IssueStatus
from huying.opinions.models import Issue, OpinionReport
from huying.opinions.pdf import issue_pdf
from huying.opinions.tests.conftest import received
from huying.opinions.transitions import TransitionError

T0 = timezone.make_aware(datetime(2026, 5, 6, 10, 0))


def adopted(member: Any, staff: Any, title: str) -> OpinionReport:
    report = received(member, staff, title=title)
    actions.do_adopt(staff, report, level=AdoptionLevel.PROVINCE)
    return report


def test_compile_number_send(alice: Any, erin: Any, xinxi: Any, wei: Any, lingdao: Any, tree: Any, dora: Any) -> None:
    one = adopted(alice, xinxi, "关于加装电梯的建议")
    two = adopted(erin, xinxi, "关于社区食堂的建议")
    not_adopted = received(alice, xinxi, title="未采用的信息")
    with pytest.raises(PermissionDenied):
        actions.do_create_issue(wei, tree.province_cppcc)
    with time_machine.travel(T0, tick=False):
        issue = actions.do_create_issue(xinxi, tree.province_cppcc, reports=[two, one])
        assert [i.report for i in issue.items.all()] == [two, one] and issue.number is None
        with pytest.raises(ValidationError):
            actions.do_set_issue_reports(xinxi, issue, [one, not_adopted])
        with pytest.raises(ValidationError):
            actions.do_publish_issue(xinxi, issue, recipients=[alice])  # not a leader
        with pytest.raises(PermissionDenied):
            actions.do_publish_issue(wei, issue, recipients=[lingdao])
        assert Issue.objects.visible_to(lingdao).count() == 0  # not sent yet
        actions.do_publish_issue(xinxi, issue, recipients=[lingdao])
        issue.refresh_from_db()
        assert (issue.status, issue.year, issue.number) == (IssueStatus.PUBLISHED, 2026, 1)
        assert issue.display_name == "《社情民意》2026年第1期"
        with pytest.raises(TransitionError):
            actions.do_publish_issue(xinxi, issue, recipients=[lingdao])
        with pytest.raises(TransitionError):
            actions.do_set_issue_reports(xinxi, issue, [one])
        second = actions.do_create_issue(xinxi, tree.province_cppcc, reports=[one])
        second = actions.do_publish_issue(xinxi, second, recipients=[lingdao])
    assert second.number == 2
    # Leaders see the issues sent to them, and the reports in them; others do not.
    assert set(Issue.objects.visible_to(lingdao)) == {issue, second}
    assert OpinionReport.objects.visible_to(lingdao).filter(pk=two.pk).exists()
    for person in (alice, wei, dora):
        assert not Issue.objects.visible_to(person).exists()
    assert Notification.objects.filter(recipient_user=erin, text__contains="2026年第1期").exists()


def test_numbers_per_committee_and_year(alice: Any, xinxi: Any, people: Any, lingdao: Any, tree: Any) -> None:
    city_staff = people["city_xinxi"]
    city_report = adopted(people["city_member"], city_staff, "市里的信息")
    province_report = adopted(alice, xinxi, "省里的信息")
    with time_machine.travel(T0, tick=False):
        a = actions.do_publish_issue(
            xinxi, actions.do_create_issue(xinxi, tree.province_cppcc, reports=[province_report]), recipients=[lingdao]
        )
        b = actions.do_publish_issue(
            city_staff,
            actions.do_create_issue(city_staff, tree.city_cppcc, reports=[city_report]),
            recipients=[lingdao],
        )
    with time_machine.travel(datetime(2027, 1, 5, 10, tzinfo=timezone.get_current_timezone()), tick=False):
        c = actions.do_publish_issue(
            xinxi, actions.do_create_issue(xinxi, tree.province_cppcc, reports=[province_report]), recipients=[lingdao]
        )
    assert [(x.year, x.number) for x in (a, b, c)] == [(2026, 1), (2026, 1), (2027, 1)]


def test_a_refused_send_gives_its_number_back(alice: Any, xinxi: Any, lingdao: Any, tree: Any) -> None:
    report = adopted(alice, xinxi, "信息")
    empty = actions.do_create_issue(xinxi, tree.province_cppcc)
    with pytest.raises(ValidationError):
        actions.do_publish_issue(xinxi, empty, recipients=[lingdao])
    issue = actions.do_create_issue(xinxi, tree.province_cppcc, reports=[report])
    assert actions.do_publish_issue(xinxi, issue, recipients=[lingdao]).number == 1


def test_pdf_is_a_periodical(alice: Any, xinxi: Any, lingdao: Any, tree: Any) -> None:
    report = adopted(alice, xinxi, "关于加装电梯的建议")
    issue = actions.do_publish_issue(
        xinxi, actions.do_create_issue(xinxi, tree.province_cppcc, reports=[report]), recipients=[lingdao]
    )
    long = received(alice, xinxi, title="长篇信息", situation="情况。" * 900)
    actions.do_adopt(xinxi, long, level=AdoptionLevel.PROVINCE)
    one_page = issue_pdf(issue)
    assert one_page.startswith(b"%PDF-") and one_page.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", one_page)) == 1
    assert b"STSong-Light" in one_page
    two = actions.do_create_issue(xinxi, tree.province_cppcc, reports=[report, long])
    assert len(re.findall(rb"/Type /Page\b(?!s)", issue_pdf(two))) > 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_never_share_a_number(tree: Any, people: Any, alice: Any, lingdao: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writes anyway)")
    xinxi = people["xinxi"]
    report = adopted(alice, xinxi, "信息")
    issues = [actions.do_create_issue(xinxi, tree.province_cppcc, reports=[report]) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(issue: Issue) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                actions.do_publish_issue(xinxi, issue, recipients=[lingdao])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in issues]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(Issue.objects.values_list("number", flat=True)) == [1, 2]
