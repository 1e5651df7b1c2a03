"""Every move allowed and refused, rights, conditions, concurrency and side effects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from huying.audit.models import AuditEntry
from huying.handling import notify
from huying.handling.choices import EventKind, ExtensionStatus, LimitUnit, Status
from huying.handling.limits import Limit, Limits
from huying.handling.models import Assignment, CaseEvent, ExtensionRequest, Notification
from huying.handling.signals import transitioned
from huying.handling.tests.conftest import T0, at
from huying.handling.transitions import (
    MOVES,
    NotAllowed,
    StaleUpdate,
    TransitionError,
    available_actions,
    do_accept,
    do_add_progress,
    do_approve_extension,
    do_cancel,
    do_close,
    do_escalate,
    do_object,
    do_overrule_objection,
    do_reassign,
    do_refuse_extension,
    do_reopen,
    do_request_extension,
    do_resolve,
    do_respond,
    do_return,
    do_urge,
)

pytestmark = pytest.mark.django_db


def put_in(assignment: Assignment, status: str) -> Assignment:
    """Test set-up only: force an assignment into ``status`` with consistent timestamps."""
    now = assignment.assigned_at + timedelta(minutes=5)
    values = {"status": status}
    if status not in (Status.ASSIGNED, Status.RETURNED):
        values["accepted_at"] = now
    if status in (Status.RESPONDED, Status.RESOLVED, Status.CLOSED):
        values["responded_at"] = now
    if status in (Status.RESOLVED, Status.CLOSED):
        values["resolved_at"] = now
    if status == Status.CLOSED:
        values["closed_at"] = now
    Assignment.objects.filter(pk=assignment.pk).update(**values)
    assignment.refresh_from_db()
    return assignment


def pending_request(assignment: Assignment) -> ExtensionRequest:
    return ExtensionRequest.objects.create(
        assignment=assignment,
        requested_at=T0,
        previous_due=assignment.resolve_due,
        requested_due=assignment.resolve_due + timedelta(days=3),
        reason="需协调多个部门",
    )


def run(action: str, a: Assignment, people, tree):  # type: ignore[no-untyped-def]
    h, s = people.street_handler, people.dispatcher
    match action:
        case "accept":
            return do_accept(h, a)
        case "return":
            return do_return(h, a, reason="不属于本街道职责")
        case "object":
            return do_object(h, a, reason="应由区住建局办理")
        case "overrule_objection":
            return do_overrule_objection(s, a, reason="属于街道属地管理")
        case "respond":
            return do_respond(h, a, note="已联系来电人")
        case "resolve":
            return do_resolve(h, a, result="已清理占道经营")
        case "close":
            return do_close(s, a)
        case "reopen":
            return do_reopen(s, a, reason="来电人不满意")
        case "escalate":
            return do_escalate(h, a, to_unit=tree.department, reason="需执法部门处理")
        case "cancel":
            return do_cancel(s, a, reason="改派")
        case "request_extension":
            return do_request_extension(h, a, until=a.resolve_due + timedelta(days=3), reason="需协调")
        case "approve_extension":
            return do_approve_extension(s, pending_request(a))
        case "refuse_extension":
            return do_refuse_extension(s, pending_request(a), reason="时限充足")
        case "progress":
            return do_add_progress(h, a, note="已到现场")
        case "urge":
            return do_urge(s, a, "请尽快办理")
    raise AssertionError(action)


CASES = [(action, status) for action in MOVES for status in Status.values]


@pytest.mark.parametrize(("action", "status"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_state_machine(action, status, make_assignment, people, tree, frozen):
    a = put_in(make_assignment(), status)
    move = MOVES[action]
    version = a.version
    events = CaseEvent.objects.count()
    if status in move.sources:
        run(action, a, people, tree)
        a.refresh_from_db()
        assert a.status == (move.target or status)
        assert CaseEvent.objects.filter(assignment=a, kind=move.event).exists()
        assert a.version == (version + 1 if move.writes else version)
        assert AuditEntry.objects.filter(action=f"assignment.{action}").exists()
    else:
        with pytest.raises(TransitionError) as exc:
            run(action, a, people, tree)
        assert exc.value.code == "illegal"
        a.refresh_from_db()
        assert (a.status, a.version) == (status, version)
        assert CaseEvent.objects.count() == events


def test_available_actions(make_assignment, frozen):
    a = make_assignment()
    assert set(available_actions(a)) == {"accept", "return", "object", "cancel", "progress", "urge"}


def test_happy_path_with_timestamps(make_assignment, people, frozen):
    a = make_assignment()
    assert a.accept_due == at(2026, 3, 3, 9, 0)
    assert a.resolve_due == at(2026, 3, 9, 9, 0)
    frozen.shift(timedelta(hours=1))
    do_accept(people.street_handler, a)
    assert a.accepted_at == at(2026, 3, 2, 10, 0)
    with pytest.raises(NotAllowed):  # a community below the street does not act for it
        do_respond(people.community_handler, a, note="网格员到场")
    do_respond(people.street_handler, a, note="网格员到场")
    do_resolve(people.street_handler, a, result="已处理", data={"evidence": [1, 2]})
    do_close(people.dispatcher, a)
    a.refresh_from_db()
    assert a.status == Status.CLOSED
    assert a.version == 5
    kinds = list(CaseEvent.objects.filter(assignment=a).values_list("kind", flat=True))
    assert kinds == ["assigned", "accepted", "responded", "resolved", "closed"]
    resolved = CaseEvent.objects.get(assignment=a, kind="resolved")
    assert resolved.data["evidence"] == [1, 2]
    assert resolved.actor == people.street_handler
    assert resolved.actor_unit.name == "沙面街道"


# --- rights ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dispatcher", "department_staff", "outsider", "member", "public", "district_leader"])
def test_only_the_unit_handles(who, make_assignment, people, frozen):
    a = make_assignment()
    with pytest.raises(NotAllowed):
        do_accept(getattr(people, who), a)
    a.refresh_from_db()
    assert a.status == Status.ASSIGNED and a.version == 1


def test_anonymous_and_inactive_refused(make_assignment, people, frozen):
    a = make_assignment()
    with pytest.raises(NotAllowed):
        do_accept(AnonymousUser(), a)
    people.street_handler.is_active = False
    with pytest.raises(NotAllowed):
        do_accept(people.street_handler, a)


@pytest.mark.parametrize("who", ["street_handler", "department_staff", "outsider", "member", "public"])
def test_only_the_office_supervises(who, make_assignment, people, frozen):
    a = make_assignment()
    with pytest.raises(NotAllowed):
        do_cancel(getattr(people, who), a, reason="改派")
    with pytest.raises(NotAllowed):
        do_urge(getattr(people, who), a, "催办")
    assert not CaseEvent.objects.filter(kind__in=["cancelled", "urged"]).exists()


def test_leader_above_the_office_and_admin_supervise(make_assignment, people, admin, frozen):
    a = make_assignment()
    do_urge(people.district_leader, a, "请加快")
    do_urge(admin, a, "请加快")
    assert CaseEvent.objects.filter(assignment=a, kind="urged").count() == 2


def test_dispatch_needs_the_office(case, tree, people, frozen):
    from huying.handling.transitions import do_assign

    with pytest.raises(NotAllowed):
        do_assign(people.street_handler, case, workflow="test", unit=tree.street, owner=tree.command_centre)
    assert not Assignment.objects.exists()


# --- conditions --------------------------------------------------------------------------


def test_return_only_within_the_limit(make_assignment, people, frozen):
    a = make_assignment()
    frozen.move_to(at(2026, 3, 3, 9, 1))  # one minute past the accept deadline
    with pytest.raises(TransitionError) as exc:
        do_return(people.street_handler, a, reason="不属于本街道")
    assert exc.value.code == "too_late"
    assert Assignment.objects.get(pk=a.pk).status == Status.ASSIGNED


@pytest.mark.parametrize("blank", ["", "   "])
def test_reasons_are_required(blank, make_assignment, people, frozen):
    a = make_assignment()
    for call in (
        lambda: do_return(people.street_handler, a, reason=blank),
        lambda: do_object(people.street_handler, a, reason=blank),
        lambda: do_cancel(people.dispatcher, a, reason=blank),
    ):
        with pytest.raises(TransitionError) as exc:
            call()
        assert "reason" in exc.value.message_dict
    do_accept(people.street_handler, a)
    with pytest.raises(TransitionError) as exc:
        do_resolve(people.street_handler, a, result=blank)
    assert "result" in exc.value.message_dict
    assert a.status == Status.ACCEPTED


def test_objection_period(make_assignment, people, tree, frozen):
    no_period = make_assignment(limits=Limits(resolve=Limit(5, LimitUnit.WORKING_DAYS)))
    with pytest.raises(TransitionError) as exc:
        do_object(people.street_handler, no_period, reason="非本单位职责")
    assert exc.value.code == "no_objection"
    b = make_assignment(tree.department, role="co")
    frozen.move_to(at(2026, 3, 9, 9, 1))  # objection period: 5 working days, to 9 March 09:00
    with pytest.raises(TransitionError) as exc:
        do_object(people.department_staff, b, reason="非本单位职责")
    assert exc.value.code == "too_late"
    assert Assignment.objects.get(pk=b.pk).status == Status.ASSIGNED


def test_objection_then_overrule_or_reassign(make_assignment, people, tree, frozen):
    a = make_assignment()
    do_object(people.street_handler, a, reason="应由城管局办理")
    do_overrule_objection(people.dispatcher, a, reason="属地管理")
    assert a.status == Status.ACCEPTED and a.accepted_at is not None
    b = make_assignment(tree.department, role="co")
    do_object(people.department_staff, b, reason="非本单位职责")
    new = do_reassign(people.dispatcher, b, to_unit=tree.community, reason="改派社区")
    b.refresh_from_db()
    assert b.status == Status.CANCELLED
    assert new.unit == tree.community and new.status == Status.ASSIGNED and new.role == "co"


def test_reassign_after_return(make_assignment, people, tree, frozen):
    a = make_assignment()
    do_return(people.street_handler, a, reason="不属于本街道")
    new = do_reassign(people.dispatcher, a, to_unit=tree.department, reason="改派城管局")
    assert new.tier == 1 and new.unit == tree.department
    with pytest.raises(TransitionError):
        do_reassign(
            people.dispatcher,
            put_in(make_assignment(tree.community, role="co"), Status.CLOSED),
            to_unit=tree.street,
            reason="x",
        )


def test_extension_rules(make_assignment, people, settings, frozen):
    settings.HANDLING_MAX_EXTENSIONS = 2
    a = make_assignment()
    do_accept(people.street_handler, a)
    with pytest.raises(TransitionError) as exc:
        do_request_extension(people.street_handler, a, until=a.resolve_due - timedelta(hours=1), reason="需协调")
    assert "until" in exc.value.message_dict
    first_due = a.resolve_due
    req = do_request_extension(people.street_handler, a, until=first_due + timedelta(days=2), reason="需协调")
    with pytest.raises(TransitionError) as exc:
        do_request_extension(people.street_handler, a, until=first_due + timedelta(days=3), reason="再次")
    assert exc.value.code == "pending"
    with pytest.raises(NotAllowed):
        do_approve_extension(people.street_handler, req)
    req = do_approve_extension(people.dispatcher, req, note="同意")
    a.refresh_from_db()
    assert req.status == ExtensionStatus.APPROVED
    assert a.resolve_due == first_due + timedelta(days=2) and a.extension_count == 1
    with pytest.raises(TransitionError) as exc:
        do_approve_extension(people.dispatcher, req)
    assert exc.value.code == "decided"
    req2 = do_request_extension(people.street_handler, a, until=a.resolve_due + timedelta(days=1), reason="再次")
    do_refuse_extension(people.dispatcher, req2, reason="时限充足")
    req3 = do_request_extension(people.street_handler, a, until=a.resolve_due + timedelta(days=1), reason="三次")
    do_approve_extension(people.dispatcher, req3)
    a.refresh_from_db()
    assert a.extension_count == 2
    with pytest.raises(TransitionError) as exc:
        do_request_extension(people.street_handler, a, until=a.resolve_due + timedelta(days=1), reason="超限")
    assert exc.value.code == "too_many"
    frozen.move_to(a.resolve_due + timedelta(minutes=1))
    settings.HANDLING_MAX_EXTENSIONS = 5
    with pytest.raises(TransitionError) as exc:
        do_request_extension(people.street_handler, a, until=a.resolve_due + timedelta(days=1), reason="逾期")
    assert exc.value.code == "too_late"


def test_pending_extension_closes_with_the_assignment(make_assignment, people, frozen):
    a = make_assignment()
    do_accept(people.street_handler, a)
    req = do_request_extension(people.street_handler, a, until=a.resolve_due + timedelta(days=2), reason="需协调")
    do_resolve(people.street_handler, a, result="已办结")
    req.refresh_from_db()
    assert req.status == ExtensionStatus.REFUSED


def test_escalation_through_three_tiers(make_assignment, people, tree, frozen):
    a = make_assignment(role="lead")
    do_accept(people.street_handler, a)
    dept = do_escalate(people.street_handler, a, to_unit=tree.department, reason="专业执法问题")
    a.refresh_from_db()
    assert a.status == Status.ESCALATED
    assert (dept.tier, dept.role, dept.called_by, dept.escalated_from, dept.status) == (
        2,
        "lead",
        tree.street,
        a,
        Status.ASSIGNED,
    )
    # No rule behind the test limits: the department gets the same spans, counted from now.
    assert dept.resolve_due == at(2026, 3, 9, 9, 0) + (dept.assigned_at - a.assigned_at)
    assert Notification.objects.filter(assignment=dept, recipient_unit=tree.department).exists()
    do_accept(people.department_staff, dept)
    with pytest.raises(TransitionError) as exc:
        do_escalate(people.department_staff, dept, to_unit=tree.department, reason="自己")
    assert "to_unit" in exc.value.message_dict
    top = do_escalate(people.department_staff, dept, to_unit=tree.district_gov, reason="跨部门疑难问题")
    assert top.tier == 3 and top.called_by == tree.department
    do_accept(people.district_leader, top)
    with pytest.raises(TransitionError) as exc:
        do_escalate(people.district_leader, top, to_unit=tree.city_gov, reason="再上呼")
    assert exc.value.code == "top_tier"
    event = CaseEvent.objects.get(assignment=a, kind=EventKind.ESCALATED)
    assert event.data["new_assignment"] == dept.pk and event.note == "专业执法问题"


# --- concurrency and the database's invariants ---------------------------------------------


def test_stale_update_is_refused_and_changes_nothing(make_assignment, people, frozen):
    a = make_assignment()
    seen_by_other = Assignment.objects.get(pk=a.pk)
    do_accept(people.street_handler, a)
    events = CaseEvent.objects.count()
    with pytest.raises(StaleUpdate):
        do_return(people.street_handler, seen_by_other, reason="不属于本街道")
    a.refresh_from_db()
    assert a.status == Status.ACCEPTED and a.version == 2
    assert CaseEvent.objects.count() == events
    assert not AuditEntry.objects.filter(action="assignment.return").exists()
    # An explicit version from a form is checked the same way.
    with pytest.raises(StaleUpdate):
        do_respond(people.street_handler, a, expected_version=1)


def test_notes_and_urges_do_not_make_forms_stale(make_assignment, people, frozen):
    a = make_assignment()
    form_copy = Assignment.objects.get(pk=a.pk)
    do_urge(people.dispatcher, a, "请尽快签收")
    do_add_progress(people.street_handler, a, note="正在核实")
    do_accept(people.street_handler, form_copy)
    assert form_copy.status == Status.ACCEPTED


def test_one_active_lead_per_case(make_assignment, people, tree, frozen):
    make_assignment(role="lead")
    with pytest.raises(TransitionError) as exc:
        make_assignment(tree.department, role="single")
    assert "role" in exc.value.message_dict
    make_assignment(tree.department, role="co")
    with pytest.raises(TransitionError) as exc:
        make_assignment(tree.department, role="co")
    assert "unit" in exc.value.message_dict
    assert Assignment.objects.count() == 2


def test_check_constraints(make_assignment, frozen):
    a = make_assignment()
    for values in (
        {"tier": 4},
        {"status": "lost"},
        {"accept_due": a.assigned_at - timedelta(hours=1)},
        {"status": Status.RESOLVED, "resolved_at": None},
        {"called_by": a.unit, "tier": 1},
        {"supervision_level": 3},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Assignment.objects.filter(pk=a.pk).update(**values)


# --- side effects ------------------------------------------------------------------------


def test_notifications_and_hooks_after_commit(make_assignment, people, tree, django_capture_on_commit_callbacks):
    delivered = []
    received = []

    def hook(n):
        delivered.append(n.text)

    def listener(sender, assignment, event, action, **kwargs):
        received.append(action)

    notify.delivery_hooks.append(hook)
    transitioned.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            a = make_assignment()
            do_accept(people.street_handler, a)
            do_resolve(people.street_handler, a, result="已处理")
        assert delivered == [] and received == []  # nothing before commit
        for callback in callbacks:
            callback()
    finally:
        notify.delivery_hooks.remove(hook)
        transitioned.disconnect(listener)
    assert received == ["assign", "accept", "resolve"]
    assert any("测试案件" in text for text in delivered)
    assert Notification.objects.filter(recipient_unit=tree.street, kind="assignment").count() == 1
    assert Notification.objects.filter(recipient_unit=tree.command_centre).count() == 1  # resolved


def test_notifications_visible_to_unit_staff(make_assignment, people, tree, frozen):
    from huying.handling.actions import do_mark_notification_read

    make_assignment()
    note = Notification.objects.get(recipient_unit=tree.street)
    assert list(Notification.objects.visible_to(people.street_handler)) == [note]
    assert not Notification.objects.visible_to(people.outsider).exists()
    assert not Notification.objects.visible_to(AnonymousUser()).exists()
    with pytest.raises(NotAllowed):
        do_mark_notification_read(people.outsider, note)
    do_mark_notification_read(people.street_handler, note)
    note.refresh_from_db()
    assert note.read_at is not None


def test_assignments_visible_to(make_assignment, people, tree, admin, frozen):
    a = make_assignment()
    # The street's own handler, the owning centre's dispatcher, a leader above (reading);
    # not a community below the street, not a department beside it.
    for who in ("street_handler", "dispatcher", "district_leader"):
        assert list(Assignment.objects.visible_to(getattr(people, who))) == [a], who
    for who in ("community_handler", "department_staff", "outsider", "member", "public"):
        assert not Assignment.objects.visible_to(getattr(people, who)).exists(), who
    assert Assignment.objects.visible_to(admin).count() == 1
    assert not Assignment.objects.visible_to(AnonymousUser()).exists()


def test_refusals_are_in_chinese(make_assignment, people, frozen):
    from django.utils import translation

    a = make_assignment()
    do_accept(people.street_handler, a)
    with translation.override("zh-hans"):
        with pytest.raises(TransitionError) as exc:
            do_accept(people.street_handler, a)
        assert exc.value.messages == ["状态为“已签收”的交办事项不能签收。"]
        with pytest.raises(NotAllowed) as denied:
            do_resolve(people.outsider, a, result="x")
        assert str(denied.value) == "只有承办单位（沙面街道）的工作人员可以进行此操作。"
