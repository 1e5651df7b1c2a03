"""Dispatch wired to the handling engine: who may dispatch, reassign and act for a unit,
and how the order's status follows its lead assignment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import Tree
from huying.accounts.models import User
from huying.handling import actions as engine
from huying.handling.choices import AssignmentRole, EventKind, Status
from huying.handling.models import Assignment, CaseEvent, ExtensionRequest
from huying.workorders import actions
from huying.workorders.choices import Channel, OrderStatus
from huying.workorders.models import Category, DispatchDecision, RoutingRule, WorkOrder
from huying.workorders.tests.conftest import build_shared_unit_staff, order_data

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff


@pytest.fixture
def order(tree: Tree, dispatcher: User) -> WorkOrder:
    RoutingRule.objects.create(category_prefix="0101", unit=tree.street, tier=1)
    return actions.do_intake(dispatcher, order_data(category=""), Channel.HOTLINE).order


@pytest.fixture
def lead(order: WorkOrder, tree: Tree, dispatcher: User) -> Assignment:
    return actions.do_dispatch(dispatcher, order, tree.street, category=Category.objects.get(code="010101"))[0]


def _status(order: WorkOrder) -> str:
    return WorkOrder.objects.values_list("status", flat=True).get(pk=order.pk)


def test_suggestion_names_category_confidence_and_routed_unit(order: WorkOrder, tree: Tree) -> None:
    suggestion = actions.dispatch_suggestion(order)
    assert suggestion.category is not None and suggestion.category.code.startswith("0101")
    assert suggestion.confidence is not None and 0 < suggestion.confidence <= 1
    assert suggestion.unit == tree.street


def test_dispatcher_dispatches_lead_and_co_units_with_deadlines(order: WorkOrder, tree: Tree, dispatcher: User) -> None:
    category = Category.objects.get(code="010101")
    made = actions.do_dispatch(dispatcher, order, tree.street, category=category, co_units=[tree.department])
    assert [(a.unit, a.role) for a in made] == [
        (tree.street, AssignmentRole.LEAD),
        (tree.department, AssignmentRole.CO),
    ]
    assert all(a.accept_due and a.resolve_due and a.owner == tree.command_centre for a in made)
    assert all(a.workflow == "workorder" and a.case_id == order.pk for a in made)
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED and order.category == category
    decision = DispatchDecision.objects.get(order=order)
    assert decision.chosen_category == category and decision.chosen_unit == tree.street
    assert decision.suggested_unit == tree.street and not decision.unit_corrected
    assert decision.decided_by == dispatcher


def test_dispatcher_correction_is_recorded(order: WorkOrder, tree: Tree, dispatcher: User) -> None:
    other = Category.objects.get(code="02")
    actions.do_dispatch(dispatcher, order, tree.department, category=other)
    decision = DispatchDecision.objects.get(order=order)
    assert decision.category_corrected and decision.unit_corrected
    assert decision.suggested_unit == tree.street and decision.chosen_unit == tree.department
    order.refresh_from_db()
    assert order.category == other


@pytest.mark.parametrize("person", ["street_handler", "charlie", "dora", "bob"])
def test_others_may_not_dispatch(order: WorkOrder, tree: Tree, person: str, request: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_dispatch(
            request.getfixturevalue(person), order, tree.street, category=Category.objects.get(code="01")
        )
    assert _status(order) == OrderStatus.NEW
    assert not Assignment.objects.exists() and not DispatchDecision.objects.exists()


def test_dispatch_needs_a_category_and_a_new_order(order: WorkOrder, tree: Tree, dispatcher: User) -> None:
    with pytest.raises(ValidationError) as error:
        actions.do_dispatch(dispatcher, order, tree.street)
    assert "category" in error.value.message_dict
    actions.do_dispatch(dispatcher, order, tree.street, category=Category.objects.get(code="01"))
    with pytest.raises(ValidationError) as error:
        actions.do_dispatch(dispatcher, order, tree.department, category=Category.objects.get(code="01"))
    assert "status" in error.value.message_dict
    assert Assignment.objects.count() == 1


def test_co_unit_cannot_repeat_the_lead(order: WorkOrder, tree: Tree, dispatcher: User) -> None:
    with pytest.raises(ValidationError) as error:
        actions.do_dispatch(
            dispatcher, order, tree.street, category=Category.objects.get(code="01"), co_units=[tree.street]
        )
    assert "co_units" in error.value.message_dict
    assert not Assignment.objects.exists()


def test_unit_accepts_and_order_is_in_progress(lead: Assignment, order: WorkOrder, street_handler: User) -> None:
    engine.do_accept(street_handler, lead)
    assert lead.status == Status.ACCEPTED and _status(order) == OrderStatus.IN_PROGRESS


@pytest.mark.parametrize("person", ["charlie", "dora", "dispatcher"])
def test_others_may_not_act_for_the_unit(lead: Assignment, order: WorkOrder, person: str, request: Any) -> None:
    with pytest.raises(PermissionDenied):
        engine.do_accept(request.getfixturevalue(person), lead)
    lead.refresh_from_db()
    assert lead.status == Status.ASSIGNED and _status(order) == OrderStatus.DISPATCHED


def test_co_unit_acceptance_leaves_the_order_status(
    order: WorkOrder, tree: Tree, dispatcher: User, charlie: User
) -> None:
    made = actions.do_dispatch(
        dispatcher, order, tree.street, category=Category.objects.get(code="01"), co_units=[tree.department]
    )
    engine.do_accept(charlie, made[1])
    assert _status(order) == OrderStatus.DISPATCHED


def test_return_puts_the_order_back_and_dispatcher_reassigns(
    lead: Assignment, order: WorkOrder, tree: Tree, dispatcher: User, street_handler: User, charlie: User
) -> None:
    with pytest.raises(ValidationError):
        engine.do_return(street_handler, lead, reason=" ")
    assert _status(order) == OrderStatus.DISPATCHED
    engine.do_return(street_handler, lead, reason="不属于本街道辖区")
    assert lead.status == Status.RETURNED and _status(order) == OrderStatus.NEW
    order.refresh_from_db()
    new = actions.do_dispatch(dispatcher, order, tree.department)[0]
    assert new.unit == tree.department and _status(order) == OrderStatus.DISPATCHED
    engine.do_accept(charlie, new)
    assert _status(order) == OrderStatus.IN_PROGRESS


def test_return_after_the_accept_limit_is_refused(lead: Assignment, order: WorkOrder, street_handler: User) -> None:
    now = timezone.now()
    Assignment.objects.filter(pk=lead.pk).update(
        assigned_at=now - timedelta(days=2), accept_due=now - timedelta(minutes=1)
    )
    lead.refresh_from_db()
    with pytest.raises(ValidationError):
        engine.do_return(street_handler, lead, reason="太迟")
    assert _status(order) == OrderStatus.DISPATCHED


def test_reassign_of_an_active_lead(lead: Assignment, order: WorkOrder, tree: Tree, dispatcher: User) -> None:
    new = engine.do_reassign(dispatcher, lead, to_unit=tree.department, reason="专业问题")
    lead.refresh_from_db()
    assert lead.status == Status.CANCELLED and new.unit == tree.department
    assert _status(order) == OrderStatus.DISPATCHED


def test_reassign_refused_to_the_unit(lead: Assignment, tree: Tree, street_handler: User) -> None:
    with pytest.raises(PermissionDenied):
        engine.do_reassign(street_handler, lead, to_unit=tree.department, reason="不想办")
    lead.refresh_from_db()
    assert lead.status == Status.ASSIGNED


def test_progress_extension_and_resolve(lead: Assignment, order: WorkOrder, street_handler: User) -> None:
    engine.do_accept(street_handler, lead)
    engine.do_add_progress(street_handler, lead, note="已到现场")
    assert lead.resolve_due is not None
    request = engine.do_request_extension(
        street_handler, lead, until=lead.resolve_due + timedelta(days=3), reason="需协调"
    )
    assert ExtensionRequest.objects.filter(pk=request.pk).exists()
    assert _status(order) == OrderStatus.IN_PROGRESS
    with pytest.raises(ValidationError):
        actions.do_resolve(street_handler, lead, result="")
    actions.do_resolve(street_handler, lead, result="已清理")
    assert lead.status == Status.RESOLVED and _status(order) == OrderStatus.RESOLVED
    kinds = set(CaseEvent.objects.filter(case_id=order.pk).values_list("kind", flat=True))
    assert {EventKind.PROGRESS, EventKind.EXTENSION_REQUESTED, EventKind.RESOLVED} <= kinds


@pytest.mark.parametrize("person", ["charlie", "dora"])
def test_others_may_not_resolve_or_note(lead: Assignment, street_handler: User, person: str, request: Any) -> None:
    engine.do_accept(street_handler, lead)
    other = request.getfixturevalue(person)
    with pytest.raises(PermissionDenied):
        actions.do_resolve(other, lead, result="x")
    with pytest.raises(PermissionDenied):
        engine.do_add_progress(other, lead, note="x")
    lead.refresh_from_db()
    assert lead.status == Status.ACCEPTED


def test_escalate_calls_the_department(
    lead: Assignment, order: WorkOrder, tree: Tree, street_handler: User, charlie: User
) -> None:
    engine.do_accept(street_handler, lead)
    with pytest.raises(PermissionDenied):
        engine.do_escalate(charlie, lead, to_unit=tree.department, reason="x")
    called = engine.do_escalate(street_handler, lead, to_unit=tree.department, reason="需执法部门处理")
    assert called.tier == 2 and called.unit == tree.department and called.called_by == tree.street
    assert _status(order) == OrderStatus.DISPATCHED
    engine.do_accept(charlie, called)
    assert _status(order) == OrderStatus.IN_PROGRESS
