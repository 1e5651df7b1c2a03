"""Leaders' instructions (批示) on reports and key proposals: who may record them, the
feedback and duty entries, and an instruction that orders handling going through the
handling engine (the shared inbox, the units' steps, the report's handling status)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.duty.models import DutyEntry
from huying.handling import actions as engine
from huying.handling.models import Assignment, Notification
from huying.handling.transitions import NotAllowed
from huying.opinions import actions
from huying.opinions.choices import AdoptionLevel, HandlingStatus
from huying.opinions.models import WORKFLOW, Instruction, OpinionReport
from huying.opinions.tests.conftest import (
    build_shared_data,  # noqa: F401 - shared people (root conftest)
    received,
)

INSTRUCTION = {"text": "请省住建厅研究落实。", "level": AdoptionLevel.PROVINCE}


def adopted(alice: Any, xinxi: Any) -> OpinionReport:
    report = received(alice, xinxi)
    actions.do_adopt(xinxi, report, level=AdoptionLevel.PROVINCE)
    return report


def test_staff_enter_an_instruction_for_a_leader(alice: Any, xinxi: Any, erin: Any, wei: Any, dora: Any) -> None:
    report = adopted(alice, xinxi)
    for person in (alice, erin, wei, dora):
        with pytest.raises(PermissionDenied):
            actions.do_record_instruction(person, report=report, leader_name="张三", **INSTRUCTION)
    with pytest.raises(ValidationError) as exc:
        actions.do_record_instruction(xinxi, report=report, text="", level="cosmic")
    assert set(exc.value.message_dict) == {"text", "level", "leader_name"}
    instruction = actions.do_record_instruction(
        xinxi, report=report, leader_name="张三", leader_title="副省长", **INSTRUCTION
    )
    assert (instruction.leader_user, instruction.entered_by) == (None, xinxi)
    assert ("opinion.instructed", "province") in DutyEntry.objects.filter(member=alice).values_list("kind", "qualifier")
    assert Notification.objects.filter(recipient_user=alice, text__contains="张三").exists()
    assert not Assignment.objects.exists()


def test_a_leader_instructs_a_report_of_an_issue_sent_to_them(alice: Any, xinxi: Any, lingdao: Any, tree: Any) -> None:
    report = adopted(alice, xinxi)
    with pytest.raises(PermissionDenied):
        actions.do_record_instruction(lingdao, report=report, **INSTRUCTION)  # not sent to them yet
    issue = actions.do_create_issue(xinxi, tree.province_cppcc, reports=[report])
    actions.do_publish_issue(xinxi, issue, recipients=[lingdao])
    instruction = actions.do_record_instruction(lingdao, report=report, **INSTRUCTION)
    assert (instruction.leader_user, instruction.leader_name) == (lingdao, "林道")
    assert OpinionReport.objects.visible_to(lingdao).filter(pk=report.pk).exists()


def test_an_instruction_that_orders_handling_goes_through_the_engine(
    alice: Any, xinxi: Any, charlie: Any, tree: Any, wei: Any
) -> None:
    report = adopted(alice, xinxi)
    with pytest.raises(ValidationError):
        actions.do_record_instruction(
            xinxi, report=report, leader_name="张三", requires_handling=True, units=[], **INSTRUCTION
        )
    deadline = timezone.localdate() + datetime.timedelta(days=20)
    actions.do_record_instruction(
        xinxi,
        report=report,
        leader_name="张三",
        requires_handling=True,
        units=[tree.department],
        deadline=deadline,
        **INSTRUCTION,
    )
    [assignment] = Assignment.objects.filter(workflow=WORKFLOW, case_id=report.pk)
    assert assignment.unit == tree.department and assignment.owner == tree.province_cppcc
    assert timezone.localdate(assignment.resolve_due) == deadline
    report.refresh_from_db()
    assert report.handling_status == HandlingStatus.HANDLING
    # The unit reads it in the shared inbox and acts through the engine's steps.
    unit = Client()
    unit.force_login(charlie)
    page = unit.get("/inbox/", {"workflow": WORKFLOW}).content.decode()
    assert report.title in page
    assert OpinionReport.objects.visible_to(charlie).filter(pk=report.pk).exists()
    with pytest.raises(NotAllowed):
        engine.do_accept(wei, assignment)  # committee staff are not the unit
    with pytest.raises(NotAllowed):
        engine.do_urge(wei, assignment, "快")  # nor the supervising office
    engine.do_urge(xinxi, assignment, "请按批示要求按时办理")
    engine.do_accept(charlie, assignment)
    engine.do_resolve(charlie, assignment, result="已制定专项补贴办法")
    report.refresh_from_db()
    assert report.handling_status == HandlingStatus.REPLIED
    engine.do_close(xinxi, assignment)
    report.refresh_from_db()
    assert report.handling_status == HandlingStatus.CLOSED
    kinds = [e.kind for e in __import__("huying.handling.history", fromlist=["events_for"]).events_for(report)]
    assert {"instructed", "assigned", "accepted", "resolved", "closed", "handling"} <= set(kinds)


def test_key_proposal_instruction(alice: Any, bob: Any, tree: Any, lingdao: Any, xinxi: Any, charlie: Any) -> None:
    from huying.proposals import actions as proposals
    from huying.proposals.actions.handling import do_mark_key
    from huying.proposals.tests.conftest import make_draft, make_session

    session = make_session(tree)
    proposal = proposals.do_file(bob, proposals.do_submit(alice, make_draft(alice, session)))
    with pytest.raises(ValidationError):
        actions.do_record_instruction(bob, proposal=proposal, leader_name="张三", **INSTRUCTION)  # not key
    boss = UserFactory(username="boss", real_name="包领", roles=[(Role.LEADER, tree.province_gov)])
    do_mark_key(bob, proposal, is_key=True, leader=boss)
    with pytest.raises(PermissionDenied):
        actions.do_record_instruction(lingdao, proposal=proposal, **INSTRUCTION)  # not their key proposal
    with pytest.raises(ValidationError):
        actions.do_record_instruction(bob, proposal=proposal, report=OpinionReport(), **INSTRUCTION)
    actions.do_record_instruction(
        boss, proposal=proposal, requires_handling=True, units=[tree.department], **INSTRUCTION
    )
    [instruction] = Instruction.objects.filter(proposal=proposal)
    assert instruction.leader_name == "包领"
    # Through the proposals' own assignment: the department has it.
    assert Assignment.objects.filter(workflow="proposal", case_id=proposal.pk, unit=tree.department).exists()
    assert Notification.objects.filter(recipient_user=alice, case_id=proposal.pk, text__contains="包领").exists()
    assert not DutyEntry.objects.filter(kind="opinion.instructed").exists()


def test_key_proposal_instruction_page(alice: Any, bob: Any, tree: Any, wei: Any, dora: Any, xinxi: Any) -> None:
    from django.test import Client

    from huying.proposals import actions as proposals
    from huying.proposals.actions.handling import do_mark_key
    from huying.proposals.tests.conftest import make_draft, make_session

    session = make_session(tree)
    proposal = proposals.do_file(bob, proposals.do_submit(alice, make_draft(alice, session)))
    boss = UserFactory(username="boss", real_name="包领", roles=[(Role.LEADER, tree.province_gov)])
    do_mark_key(bob, proposal, is_key=True, leader=boss)
    for person in (wei, dora, xinxi, alice):
        c = Client()
        c.force_login(person)
        assert c.get("/opinions/instructions/proposals/").status_code == 403
        assert c.post("/opinions/instructions/proposals/", {"proposal": proposal.pk, "text": "x"}).status_code == 403
    staff = Client()
    staff.force_login(bob)
    assert proposal.title in staff.get("/opinions/instructions/proposals/").content.decode()
    staff.post(
        "/opinions/instructions/proposals/",
        {"proposal": proposal.pk, "text": "请认真办理。", "level": "province", "leader_name": "包领"},
    )
    leader = Client()
    leader.force_login(boss)
    leader.post(
        "/opinions/instructions/proposals/", {"proposal": proposal.pk, "text": "抓紧落实。", "level": "province"}
    )
    assert list(Instruction.objects.filter(proposal=proposal).values_list("text", "leader_user")) == [
        ("请认真办理。", None),
        ("抓紧落实。", boss.pk),
    ]
