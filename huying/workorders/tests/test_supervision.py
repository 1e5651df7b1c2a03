"""The command centre's steps after dispatch — urge, extension decisions, feedback call,
reopen, close, cancel — and the unit's resolution with evidence photos: each allowed and
refused (status, people), and the order's status kept in step with its lead assignment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from conftest import Tree
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.handling import actions as engine
from huying.handling.choices import EventKind, ExtensionStatus, NotificationKind, Rating, Status
from huying.handling.models import Assignment, CaseEvent, ExtensionRequest, Feedback, Notification
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import AttachmentKind, Channel, OrderStatus
from huying.workorders.models import Attachment, Category, WorkOrder
from huying.workorders.tests.conftest import build_shared_unit_staff, order_data

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OUTSIDERS = ["street_handler", "charlie", "alice", "bob", "dora", "yuexiu"]


def photo(name: str = "现场.jpg", data: bytes = JPEG) -> actions.UploadedAttachment:
    return actions.UploadedAttachment(name, ContentFile(data, name=name))


@pytest.fixture
def yuexiu(tree: Tree) -> User:
    """A dispatcher of another district's command centre."""
    gov = OrganisationFactory(
        name="越秀区人民政府", kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY, parent=tree.city_gov
    )
    centre = OrganisationFactory(name="越秀区指挥中心", kind=OrgKind.COMMAND_CENTRE, parent=gov)
    return UserFactory(username="yuexiu", roles=[("dispatcher", centre)])


@pytest.fixture
def district_leader(tree: Tree) -> User:
    return UserFactory(username="lingdao", roles=[("leader", tree.district_gov)])


def person(request: Any, name: str) -> User:
    return request.getfixturevalue(name)


@pytest.fixture
def order(tree: Tree, dispatcher: User) -> WorkOrder:
    return actions.do_intake(dispatcher, order_data(), Channel.HOTLINE).order


@pytest.fixture
def lead(order: WorkOrder, tree: Tree, dispatcher: User) -> Assignment:
    return actions.do_dispatch(dispatcher, order, tree.street, category=Category.objects.get(code="010101"))[0]


@pytest.fixture
def accepted(lead: Assignment, street_handler: User) -> Assignment:
    engine.do_accept(street_handler, lead)
    return lead


@pytest.fixture
def resolved(accepted: Assignment, street_handler: User, order: WorkOrder) -> WorkOrder:
    actions.do_resolve(street_handler, accepted, result="摊贩已劝离，路口已清理")
    order.refresh_from_db()
    return order


def _status(order: WorkOrder) -> str:
    return WorkOrder.objects.values_list("status", flat=True).get(pk=order.pk)


def _fresh(a: Assignment) -> Assignment:
    a.refresh_from_db()
    return a


# --- urge (督办) ------------------------------------------------------------------------
def test_dispatcher_urges_an_open_assignment(lead: Assignment, dispatcher: User, tree: Tree) -> None:
    engine.do_urge(dispatcher, lead, text="请今日内到场处置")
    event = CaseEvent.objects.get(assignment=lead, kind=EventKind.URGED)
    assert event.note == "请今日内到场处置" and event.actor == dispatcher
    assert Notification.objects.filter(recipient_unit=tree.street, kind=NotificationKind.URGE).exists()


def test_district_leader_and_admin_may_urge(lead: Assignment, district_leader: User, admin: User) -> None:
    engine.do_urge(district_leader, lead, text="领导督办")
    engine.do_urge(admin, lead, text="系统管理员督办")
    assert CaseEvent.objects.filter(assignment=lead, kind=EventKind.URGED).count() == 2


@pytest.mark.parametrize("name", OUTSIDERS)
def test_others_may_not_urge(lead: Assignment, name: str, request: Any) -> None:
    with pytest.raises(PermissionDenied):
        engine.do_urge(person(request, name), lead, text="催")
    assert not CaseEvent.objects.filter(kind=EventKind.URGED).exists()


def test_urge_needs_text_and_an_open_assignment(resolved: WorkOrder, accepted: Assignment, dispatcher: User) -> None:
    with pytest.raises(ValidationError):
        engine.do_urge(dispatcher, _fresh(accepted), text="已办结还催")
    assert not CaseEvent.objects.filter(kind=EventKind.URGED).exists()


def test_urge_without_text_names_the_field(lead: Assignment, dispatcher: User) -> None:
    with pytest.raises(ValidationError) as error:
        engine.do_urge(dispatcher, lead, text=" ")
    assert "text" in error.value.message_dict


# --- extension decisions (延期审批) ------------------------------------------------------
@pytest.fixture
def extension(accepted: Assignment, street_handler: User) -> ExtensionRequest:
    assert accepted.resolve_due is not None
    return engine.do_request_extension(
        street_handler, accepted, until=accepted.resolve_due + timedelta(days=3), reason="需协调城管联合执法"
    )


def test_dispatcher_approves_an_extension(extension: ExtensionRequest, dispatcher: User, order: WorkOrder) -> None:
    lead = _fresh(extension.assignment)
    decided = engine.do_approve_extension(dispatcher, extension, expected_version=lead.version)
    lead = _fresh(lead)
    assert decided.status == ExtensionStatus.APPROVED and lead.resolve_due == extension.requested_due
    assert lead.extension_count == 1 and _status(order) == OrderStatus.IN_PROGRESS


def test_dispatcher_approves_a_shorter_extension(extension: ExtensionRequest, dispatcher: User) -> None:
    until = extension.requested_due - timedelta(days=1)
    decided = engine.do_approve_extension(dispatcher, extension, until=until, note="给两天")
    assert decided.granted_due == until and _fresh(extension.assignment).resolve_due == until


def test_dispatcher_refuses_an_extension_with_a_reason(extension: ExtensionRequest, dispatcher: User) -> None:
    due = _fresh(extension.assignment).resolve_due
    with pytest.raises(ValidationError) as error:
        engine.do_refuse_extension(dispatcher, extension, reason="")
    assert "reason" in error.value.message_dict
    decided = engine.do_refuse_extension(dispatcher, extension, reason="可按期办结")
    assert decided.status == ExtensionStatus.REFUSED and _fresh(extension.assignment).resolve_due == due
    with pytest.raises(ValidationError):  # decided already
        engine.do_approve_extension(dispatcher, extension)


def test_stale_extension_decision_is_refused_on_version(extension: ExtensionRequest, dispatcher: User) -> None:
    lead = _fresh(extension.assignment)
    with pytest.raises(ValidationError) as error:
        engine.do_approve_extension(dispatcher, extension, expected_version=lead.version - 1)
    assert "version" in error.value.message_dict
    assert ExtensionRequest.objects.get(pk=extension.pk).status == ExtensionStatus.PENDING


@pytest.mark.parametrize("name", OUTSIDERS)
def test_others_may_not_decide_extensions(extension: ExtensionRequest, name: str, request: Any) -> None:
    actor = person(request, name)
    with pytest.raises(PermissionDenied):
        engine.do_approve_extension(actor, extension)
    with pytest.raises(PermissionDenied):
        engine.do_refuse_extension(actor, extension, reason="不同意")
    assert ExtensionRequest.objects.get(pk=extension.pk).status == ExtensionStatus.PENDING


# --- resolve with evidence (办结) ---------------------------------------------------------
def test_resolve_with_evidence_photos(accepted: Assignment, street_handler: User, order: WorkOrder) -> None:
    actions.do_resolve(street_handler, accepted, result="已清理", files=[photo(), photo("after.png", PNG)])
    files = list(Attachment.objects.filter(order=order).order_by("id"))
    assert [(f.kind, f.assignment_id, f.content_type) for f in files] == [
        (AttachmentKind.EVIDENCE, accepted.pk, "image/jpeg"),
        (AttachmentKind.EVIDENCE, accepted.pk, "image/png"),
    ]
    assert files[0].uploaded_by == street_handler
    event = CaseEvent.objects.get(assignment=accepted, kind=EventKind.RESOLVED)
    assert event.data["evidence"] == [f.pk for f in files]
    assert _status(order) == OrderStatus.RESOLVED


def test_resolve_refuses_a_fake_photo_and_changes_nothing(
    accepted: Assignment, street_handler: User, order: WorkOrder
) -> None:
    with pytest.raises(ValidationError) as error:
        actions.do_resolve(street_handler, accepted, result="已清理", files=[photo("x.jpg", b"MZ\x90\x00 exe")])
    assert "photos" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.do_resolve(street_handler, accepted, result="已清理", files=[photo(f"{n}.jpg") for n in range(10)])
    assert "photos" in error.value.message_dict
    assert _fresh(accepted).status == Status.ACCEPTED and _status(order) == OrderStatus.IN_PROGRESS
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["charlie", "dispatcher", "dora", "yuexiu"])
def test_others_may_not_resolve_with_photos(accepted: Assignment, name: str, request: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_resolve(person(request, name), accepted, result="x", files=[photo()])
    assert not Attachment.objects.exists() and _fresh(accepted).status == Status.ACCEPTED


# --- feedback call (回访) ------------------------------------------------------------------
def test_satisfied_feedback_keeps_the_order_resolved(resolved: WorkOrder, dispatcher: User) -> None:
    feedback = actions.do_record_feedback(dispatcher, resolved, rating=Rating.SATISFIED, solved=True, comment="很满意")
    assert feedback.rating == Rating.SATISFIED and feedback.solved is True and feedback.rater_name == "张三"
    assert _status(resolved) == OrderStatus.RESOLVED
    assert CaseEvent.objects.filter(case_id=resolved.pk, kind=EventKind.FEEDBACK).exists()


def test_dissatisfied_but_not_attributable_still_closes(resolved: WorkOrder, dispatcher: User) -> None:
    actions.do_record_feedback(
        dispatcher, resolved, rating=Rating.DISSATISFIED, solved=False, comment="对政策不满，非单位原因"
    )
    assert _status(resolved) == OrderStatus.RESOLVED
    actions.do_close(dispatcher, resolved)
    assert _status(resolved) == OrderStatus.CLOSED


def test_dissatisfied_and_attributable_reopens(
    resolved: WorkOrder, accepted: Assignment, dispatcher: User, street_handler: User
) -> None:
    due = timezone.now() + timedelta(days=2)
    actions.do_record_feedback(
        dispatcher,
        resolved,
        rating=Rating.DISSATISFIED,
        solved=False,
        attributable_to_unit=True,
        comment="摊贩又回来了",
        reopen_due=due,
    )
    lead = _fresh(accepted)
    assert lead.status == Status.REOPENED and lead.reopen_count == 1 and lead.resolve_due == due
    assert _status(resolved) == OrderStatus.IN_PROGRESS
    # The unit resolves again; the earlier call is older than the new result.
    actions.do_resolve(street_handler, lead, result="已联合执法清理")
    resolved.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        actions.do_close(dispatcher, resolved)
    assert "note" in error.value.message_dict
    actions.do_record_feedback(dispatcher, resolved, rating=Rating.BASICALLY_SATISFIED, solved=True)
    assert Feedback.objects.filter(superseded=False).count() == 1  # the same caller: the old one superseded
    actions.do_close(dispatcher, resolved)
    assert _status(resolved) == OrderStatus.CLOSED


def test_attributable_only_counts_when_dissatisfied(resolved: WorkOrder, dispatcher: User) -> None:
    feedback = actions.do_record_feedback(dispatcher, resolved, rating=Rating.SATISFIED, attributable_to_unit=True)
    assert feedback.attributable_to_unit is False and _status(resolved) == OrderStatus.RESOLVED


def test_feedback_bad_input_names_the_field(resolved: WorkOrder, dispatcher: User) -> None:
    for kwargs, field in (
        ({"rating": "great"}, "rating"),
        ({"rating": Rating.SATISFIED, "channel": "pigeon"}, "channel"),
        ({"rating": Rating.DISSATISFIED, "attributable_to_unit": True, "reopen_due": timezone.now()}, "reopen_due"),
        ({"rating": Rating.SATISFIED, "version": resolved.version + 1}, "version"),
    ):
        with pytest.raises(ValidationError) as error:
            actions.do_record_feedback(dispatcher, resolved, **kwargs)
        assert field in error.value.message_dict
    assert not Feedback.objects.exists()


def test_feedback_only_on_a_resolved_order(accepted: Assignment, order: WorkOrder, dispatcher: User) -> None:
    with pytest.raises(ValidationError) as error:
        actions.do_record_feedback(dispatcher, order, rating=Rating.SATISFIED)
    assert "status" in error.value.message_dict
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("name", OUTSIDERS)
def test_others_may_not_record_feedback(resolved: WorkOrder, name: str, request: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_record_feedback(
            person(request, name), resolved, rating=Rating.DISSATISFIED, attributable_to_unit=True
        )
    assert not Feedback.objects.exists() and _status(resolved) == OrderStatus.RESOLVED


# --- reopen (重办) -------------------------------------------------------------------------
def test_dispatcher_reopens_a_resolved_order(resolved: WorkOrder, accepted: Assignment, dispatcher: User) -> None:
    with pytest.raises(ValidationError) as error:
        actions.do_reopen(dispatcher, resolved, reason="")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.do_reopen(dispatcher, resolved, reason="答复不实", due=timezone.now() - timedelta(hours=1))
    assert "due" in error.value.message_dict
    actions.do_reopen(dispatcher, resolved, reason="答复与现场不符")
    lead = _fresh(accepted)
    assert lead.status == Status.REOPENED and lead.resolve_due is not None and lead.resolve_due > timezone.now()
    assert _status(resolved) == OrderStatus.IN_PROGRESS
    with pytest.raises(ValidationError) as error:  # no longer resolved
        actions.do_reopen(dispatcher, resolved, reason="再次")
    assert "status" in error.value.message_dict


def test_a_closed_order_is_final(resolved: WorkOrder, dispatcher: User) -> None:
    actions.do_close(dispatcher, resolved, note="来电人拒绝回访")
    for step in (
        lambda: actions.do_reopen(dispatcher, resolved, reason="又来电"),
        lambda: actions.do_record_feedback(dispatcher, resolved, rating=Rating.DISSATISFIED),
        lambda: actions.do_close(dispatcher, resolved, note="再结"),
        lambda: actions.do_cancel(dispatcher, resolved, reason="撤"),
    ):
        with pytest.raises(ValidationError) as error:
            step()
        assert "status" in error.value.message_dict
    assert _status(resolved) == OrderStatus.CLOSED


@pytest.mark.parametrize("name", OUTSIDERS)
def test_others_may_not_reopen_or_close(resolved: WorkOrder, name: str, request: Any) -> None:
    actor = person(request, name)
    with pytest.raises(PermissionDenied):
        actions.do_reopen(actor, resolved, reason="重办")
    with pytest.raises(PermissionDenied):
        actions.do_close(actor, resolved, note="结案")
    assert _status(resolved) == OrderStatus.RESOLVED


# --- close (结案) ---------------------------------------------------------------------------
def test_close_needs_a_feedback_call_or_a_note(resolved: WorkOrder, accepted: Assignment, dispatcher: User) -> None:
    with pytest.raises(ValidationError) as error:
        actions.do_close(dispatcher, resolved)
    assert "note" in error.value.message_dict
    assert _status(resolved) == OrderStatus.RESOLVED
    with pytest.raises(ValidationError) as error:
        actions.do_close(dispatcher, resolved, note="匿名来电，无法回访", version=resolved.version - 1)
    assert "version" in error.value.message_dict
    actions.do_close(dispatcher, resolved, note="匿名来电，无法回访", version=resolved.version)
    assert _status(resolved) == OrderStatus.CLOSED and _fresh(accepted).status == Status.CLOSED


def test_close_withdraws_co_units_still_working(
    order: WorkOrder, tree: Tree, dispatcher: User, street_handler: User
) -> None:
    lead, co = actions.do_dispatch(dispatcher, order, tree.street, co_units=[tree.department])
    engine.do_accept(street_handler, lead)
    actions.do_resolve(street_handler, lead, result="已处理")
    order.refresh_from_db()
    actions.do_record_feedback(dispatcher, order, rating=Rating.SATISFIED, solved=True)
    actions.do_close(dispatcher, order)
    assert _fresh(lead).status == Status.CLOSED and _fresh(co).status == Status.CANCELLED


def test_close_only_a_resolved_order(accepted: Assignment, order: WorkOrder, dispatcher: User) -> None:
    with pytest.raises(ValidationError) as error:
        actions.do_close(dispatcher, order, note="提前结案")
    assert "status" in error.value.message_dict
    assert _status(order) == OrderStatus.IN_PROGRESS


# --- cancel (撤销) --------------------------------------------------------------------------
def test_cancel_a_new_order(order: WorkOrder, dispatcher: User) -> None:
    with pytest.raises(ValidationError) as error:
        actions.do_cancel(dispatcher, order, reason="")
    assert "reason" in error.value.message_dict
    actions.do_cancel(dispatcher, order, reason="来电人撤回诉求")
    assert _status(order) == OrderStatus.CANCELLED


def test_cancel_a_dispatched_order_withdraws_its_assignments(
    lead: Assignment, order: WorkOrder, dispatcher: User
) -> None:
    order.refresh_from_db()
    actions.do_cancel(dispatcher, order, reason="重复测试单")
    assert _status(order) == OrderStatus.CANCELLED and _fresh(lead).status == Status.CANCELLED


def test_cancel_refused_once_a_unit_works_on_it(accepted: Assignment, order: WorkOrder, dispatcher: User) -> None:
    with pytest.raises(ValidationError) as error:
        actions.do_cancel(dispatcher, order, reason="撤")
    assert "status" in error.value.message_dict
    assert _fresh(accepted).status == Status.ACCEPTED


@pytest.mark.parametrize("name", OUTSIDERS)
def test_others_may_not_cancel(order: WorkOrder, name: str, request: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_cancel(person(request, name), order, reason="撤")
    assert _status(order) == OrderStatus.NEW


# --- reassign an active lead (改派) ---------------------------------------------------------
def test_reassign_an_accepted_lead_with_a_stale_version(
    accepted: Assignment, order: WorkOrder, tree: Tree, dispatcher: User, charlie: User
) -> None:
    with pytest.raises(ValidationError) as error:
        engine.do_reassign(
            dispatcher, accepted, to_unit=tree.department, reason="专业执法", expected_version=accepted.version - 1
        )
    assert "version" in error.value.message_dict
    new = engine.do_reassign(
        dispatcher, accepted, to_unit=tree.department, reason="专业执法", expected_version=accepted.version
    )
    assert _fresh(accepted).status == Status.CANCELLED and _status(order) == OrderStatus.DISPATCHED
    engine.do_accept(charlie, new)
    assert _status(order) == OrderStatus.IN_PROGRESS


def test_stale_unit_steps_answer_on_version(lead: Assignment, street_handler: User) -> None:
    with pytest.raises(ValidationError) as error:
        engine.do_accept(street_handler, lead, expected_version=lead.version + 1)
    assert error.value.message_dict.keys() == {"version"}
    assert _fresh(lead).status == Status.ASSIGNED
