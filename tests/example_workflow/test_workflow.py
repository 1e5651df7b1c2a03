"""A third workflow on the engine: every part of the engine works for it unchanged.

The workflow (tests/example_workflow) is a case model, its status table and adapter, and a
``Policy``; these tests drive it through the engine's own moves and read the engine's own
deadlines, sweep, history, notifications, visibility and metrics.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.handling import access, centre
from huying.handling import actions as engine
from huying.handling.choices import LimitUnit, Status
from huying.handling.metrics import handling_metrics
from huying.handling.models import Assignment, CaseEvent, Notification, TimeLimitRule
from huying.handling.policy import policy_for
from huying.handling.sweep import sweep
from huying.handling.transitions import NotAllowed, TransitionError
from tests.example_workflow.models import OpinionRequest, OpinionStatus
from tests.example_workflow.transitions import WORKFLOW

T0 = timezone.make_aware(datetime(2026, 3, 2, 9, 0))  # a Monday


@pytest.fixture
def rule(db: None) -> TimeLimitRule:
    return TimeLimitRule.objects.create(
        workflow=WORKFLOW,
        name="专家意见征询",
        accept_amount=4,
        accept_unit=LimitUnit.HOURS,
        resolve_amount=3,
        resolve_unit=LimitUnit.DAYS,
    )


@pytest.fixture
def request_(tree: Any) -> OpinionRequest:
    return OpinionRequest.objects.create(
        number="ZJ-2026-001", title="关于老旧小区加装电梯的意见", office=tree.province_cppcc
    )


@pytest.fixture
def outsider(tree: Any) -> User:
    """Staff of another unit (a street office): sees and does nothing here."""
    return UserFactory(username="jiedao", real_name="黄街", roles=[(Role.STREET_HANDLER, tree.street)])


def assign(bob: User, request_: OpinionRequest, tree: Any, now: datetime = T0) -> Assignment:
    return engine.do_assign(bob, request_, workflow=WORKFLOW, unit=tree.department, owner=tree.province_cppcc, now=now)


def kinds(request_: OpinionRequest) -> list[str]:
    case_type = ContentType.objects.get_for_model(OpinionRequest)
    return list(CaseEvent.objects.filter(case_type=case_type, case_id=request_.pk).values_list("kind", flat=True))


def test_a_request_goes_through_the_engine(
    rule: TimeLimitRule, request_: OpinionRequest, tree: Any, bob: User, charlie: User
) -> None:
    assignment = assign(bob, request_, tree)
    request_.refresh_from_db()
    assert request_.status == OpinionStatus.CONSULTING
    # Deadlines from the workflow's own time-limit rule.
    assert assignment.rule_id == rule.pk
    assert assignment.accept_due == T0 + timedelta(hours=4)
    assert assignment.resolve_due == T0 + timedelta(days=3)

    engine.do_accept(charlie, assignment, now=T0 + timedelta(hours=1))
    asked = engine.do_request_extension(
        charlie, assignment, until=T0 + timedelta(days=5), reason="需补充调研", now=T0 + timedelta(hours=2)
    )
    engine.do_decide_extension(bob, asked, approve=True, now=T0 + timedelta(hours=3))
    assignment.refresh_from_db()
    assert assignment.resolve_due == T0 + timedelta(days=5)
    engine.do_resolve(charlie, assignment, result="建议分类推进", now=T0 + timedelta(days=4))
    request_.refresh_from_db()
    assert request_.status == OpinionStatus.ANSWERED
    engine.do_close(bob, assignment, now=T0 + timedelta(days=4, hours=1))
    request_.refresh_from_db()
    assert request_.status == OpinionStatus.CLOSED
    # One history, written by the moves.
    assert kinds(request_) == [
        "assigned",
        "accepted",
        "extension_requested",
        "extension_approved",
        "resolved",
        "closed",
    ]


def test_return_and_reassign(request_: OpinionRequest, tree: Any, bob: User, charlie: User, outsider: User) -> None:
    assignment = assign(bob, request_, tree, now=timezone.now())
    engine.do_return(charlie, assignment, reason="不属本组研究领域")
    request_.refresh_from_db()
    assert request_.status == OpinionStatus.NEW
    new = engine.do_reassign(bob, assignment, to_unit=tree.street, reason="改请街道调研组")
    request_.refresh_from_db()
    assert request_.status == OpinionStatus.CONSULTING
    assert new.unit == tree.street and new.status == Status.ASSIGNED
    engine.do_accept(outsider, new)  # now the street's staff are the assigned unit's
    assert new.status == Status.ACCEPTED


def test_who_may_act(request_: OpinionRequest, tree: Any, bob: User, charlie: User, outsider: User, dora: User) -> None:
    assignment = assign(bob, request_, tree, now=timezone.now())
    for person in (outsider, dora, bob):
        with pytest.raises(NotAllowed):
            engine.do_accept(person, assignment)
    with pytest.raises(NotAllowed):
        engine.do_urge(charlie, assignment, "快")  # the unit does not urge itself
    assert access.can_act(charlie, assignment) and not access.can_act(outsider, assignment)
    visible = Assignment.objects.filter(access.visible_condition(charlie))
    assert list(visible) == [assignment]
    assert not Assignment.objects.filter(access.visible_condition(outsider)).exists()
    assignment.refresh_from_db()
    assert assignment.status == Status.ASSIGNED


def test_illegal_moves_change_nothing(request_: OpinionRequest, tree: Any, bob: User, charlie: User) -> None:
    assignment = assign(bob, request_, tree, now=timezone.now())
    with pytest.raises(TransitionError):
        engine.do_close(bob, assignment)
    engine.do_accept(charlie, assignment)
    # The adapter refuses a move the case cannot make: the engine's write is rolled back.
    OpinionRequest.objects.filter(pk=request_.pk).update(status=OpinionStatus.CLOSED)
    with pytest.raises(ValidationError):
        engine.do_resolve(charlie, assignment, result="答复")
    assignment.refresh_from_db()
    assert assignment.status == Status.ACCEPTED
    assert "resolved" not in kinds(request_)


def test_the_unit_is_notified_and_the_case_is_named(
    request_: OpinionRequest, tree: Any, bob: User, charlie: User
) -> None:
    assignment = assign(bob, request_, tree, now=timezone.now())
    notes = centre.notifications_for(charlie)
    assert [n.assignment_id for n in notes] == [assignment.pk]
    assert "ZJ-2026-001" in notes[0].text
    assert policy_for(WORKFLOW).case_label(assignment) == "ZJ-2026-001"
    card = policy_for(WORKFLOW).cards(charlie, [request_.pk])[request_.pk]  # type: ignore[misc]
    assert (card.number, card.status) == ("ZJ-2026-001", "征询中")


def test_sweep_warns_and_metrics_count(
    rule: TimeLimitRule, request_: OpinionRequest, tree: Any, bob: User, charlie: User
) -> None:
    late = assign(bob, request_, tree)
    other = OpinionRequest.objects.create(number="ZJ-2026-002", title="关于社区养老的意见", office=tree.province_cppcc)
    on_time = assign(bob, other, tree)
    engine.do_accept(charlie, on_time, now=T0 + timedelta(hours=1))
    result = sweep(T0 + timedelta(hours=5))
    assert result.red == 1
    assert Notification.objects.filter(assignment=late, kind="warning").exists()
    assert not Notification.objects.filter(assignment=on_time, kind="warning").exists()
    assert "warning" in kinds(request_)
    assert sweep(T0 + timedelta(hours=5)).warnings == 0  # idempotent
    engine.do_resolve(charlie, on_time, result="已答复", now=T0 + timedelta(days=1))
    [row] = handling_metrics(T0 - timedelta(days=1), T0 + timedelta(days=1), workflow=WORKFLOW, group_by=())
    assert (row.assigned, row.accepted_in_time, row.resolved, row.resolved_on_time) == (2, 1, 1, 1)


def test_the_shared_inbox_and_assignments_api_serve_it(
    request_: OpinionRequest, tree: Any, bob: User, charlie: User, outsider: User
) -> None:
    assignment = assign(bob, request_, tree, now=timezone.now())
    unit = Client()
    unit.force_login(charlie)
    body = unit.get("/api/v1/assignments", {"workflow": WORKFLOW}).json()
    assert [item["id"] for item in body["items"]] == [assignment.pk]
    case = body["items"][0]["case"]
    assert (case["number"], case["title"], case["status"]) == ("ZJ-2026-001", request_.title, "征询中")
    detail = unit.get(f"/api/v1/assignments/{assignment.pk}").json()
    assert detail["allowed_actions"] == ["accept", "return", "object", "progress"]
    accepted = unit.post(
        f"/api/v1/assignments/{assignment.pk}/accept",
        json.dumps({"version": assignment.version}),
        content_type="application/json",
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == Status.ACCEPTED
    page = unit.get("/inbox/", {"workflow": WORKFLOW}).content.decode()
    assert "ZJ-2026-001" in page and request_.title in page
    # The one step view of the inbox: a progress note, then back to the inbox.
    assert unit.post(f"/inbox/{assignment.pk}/progress/", {"note": "已组织专家座谈"}).status_code == 302
    assert kinds(request_)[-1] == "progress"
    # Someone of another unit neither sees nor acts on it; nothing changes.
    other = Client()
    other.force_login(outsider)
    assert other.get(f"/api/v1/assignments/{assignment.pk}").status_code == 404
    assert other.post(f"/inbox/{assignment.pk}/progress/", {"note": "x"}).status_code == 404
    assert kinds(request_)[-1] == "progress" and len(kinds(request_)) == 3
