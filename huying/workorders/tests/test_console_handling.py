"""The console's supervision queues and the order page's steps (urge, reassign, extension
decisions, feedback call, reopen, close, cancel, merge), the inbox's evidence photos and
the attachment view: allowed, refused, bad input, query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import Tree
from huying.accounts.models import User
from huying.handling import actions as engine
from huying.handling.choices import EventKind, ExtensionStatus, Rating, Status
from huying.handling.models import Assignment, CaseEvent, ExtensionRequest, Feedback
from huying.workorders import actions, deadlines
from huying.workorders.choices import AttachmentKind, Channel, OrderStatus
from huying.workorders.models import Attachment, WorkOrder
from huying.workorders.tests.conftest import build_shared_unit_staff, order_data

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

CONSOLE = "/workorders/console/"
INBOX = "/workorders/inbox/"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _order(dispatcher: User, n: Any, **extra: Any) -> WorkOrder:
    return actions.do_intake(dispatcher, order_data(external_id=f"C-{n}", **extra), Channel.HOTLINE).order


@pytest.fixture
def order(tree: Tree, dispatcher: User) -> WorkOrder:
    return _order(dispatcher, 1)


@pytest.fixture
def lead(order: WorkOrder, tree: Tree, dispatcher: User) -> Assignment:
    return actions.do_dispatch(dispatcher, order, tree.street)[0]


@pytest.fixture
def accepted(lead: Assignment, street_handler: User) -> Assignment:
    engine.do_accept(street_handler, lead)
    return lead


@pytest.fixture
def resolved(accepted: Assignment, street_handler: User, order: WorkOrder) -> WorkOrder:
    actions.do_resolve(street_handler, accepted, result="摊贩已劝离")
    order.refresh_from_db()
    return order


def act(client: Any, order: WorkOrder, verb: str, data: dict[str, Any]) -> Any:
    return client.post(f"{CONSOLE}{order.pk}/{verb}/", data)


def _overdue(assignment: Assignment) -> None:
    past = timezone.now() - timedelta(hours=1)
    Assignment.objects.filter(pk=assignment.pk).update(
        assigned_at=past - timedelta(days=3), accept_due=past, resolve_due=past
    )
    deadlines.refresh(assignment.case_id)  # what the move that set these deadlines would have done


# --- queues -----------------------------------------------------------------------------
def test_queues_list_what_needs_the_centre(client: Any, tree: Tree, dispatcher: User, street_handler: User) -> None:
    late, asking, done, rated = (_order(dispatcher, n) for n in ("late", "asking", "done", "rated"))
    late_lead = actions.do_dispatch(dispatcher, late, tree.street)[0]
    _overdue(late_lead)
    asking_lead = actions.do_dispatch(dispatcher, asking, tree.street)[0]
    engine.do_accept(street_handler, asking_lead)
    assert asking_lead.resolve_due is not None
    engine.do_request_extension(
        street_handler, asking_lead, until=asking_lead.resolve_due + timedelta(days=2), reason="协调"
    )
    for o in (done, rated):
        a = actions.do_dispatch(dispatcher, o, tree.street)[0]
        engine.do_accept(street_handler, a)
        actions.do_resolve(street_handler, a, result="已处理")
    rated.refresh_from_db()
    actions.do_record_feedback(dispatcher, rated, rating=Rating.SATISFIED)
    client.force_login(dispatcher)

    def listed(**params: Any) -> set[str]:
        page = client.get(CONSOLE, params).content.decode()
        return {o.number for o in (late, asking, done, rated) if o.number in page}

    assert listed(queue="supervise") == {late.number}
    assert listed(queue="extensions") == {asking.number}
    assert listed(queue="feedback") == {done.number}
    page = client.get(CONSOLE, {"queue": "supervise"}).content.decode()
    assert "badge-red" in page and 'aria-current="page"' in page


def test_queue_query_counts_are_fixed(
    client: Any, tree: Tree, dispatcher: User, street_handler: User, django_assert_num_queries: Any
) -> None:
    def make(n: int) -> None:
        a = actions.do_dispatch(dispatcher, _order(dispatcher, f"q{n}"), tree.street)[0]
        _overdue(a)

    for n in range(2):
        make(n)
    client.force_login(dispatcher)
    for queue in ("supervise", "extensions", "feedback"):
        client.get(CONSOLE, {"queue": queue})
    with django_assert_num_queries(13):
        client.get(CONSOLE, {"queue": "supervise"})
    for n in range(2, 7):
        make(n)
    with django_assert_num_queries(13):
        page = client.get(CONSOLE, {"queue": "supervise"}).content.decode()
    assert page.count("badge-red") >= 7


# --- the order page ----------------------------------------------------------------------
def test_order_page_offers_the_steps_of_its_status(
    client: Any, order: WorkOrder, dispatcher: User, tree: Tree, street_handler: User
) -> None:
    client.force_login(dispatcher)
    page = client.get(f"{CONSOLE}{order.pk}/").content.decode()
    assert "/cancel/" in page and "/merge/" in page and 'name="unit"' in page and "/feedback/" not in page
    lead = actions.do_dispatch(dispatcher, order, tree.street)[0]
    page = client.get(f"{CONSOLE}{order.pk}/").content.decode()
    assert "/urge/" in page and "/reassign/" in page and "/cancel/" in page
    engine.do_accept(street_handler, lead)
    actions.do_resolve(
        street_handler,
        lead,
        result="摊贩已劝离",
        files=[actions.UploadedAttachment("a.jpg", SimpleUploadedFile("a.jpg", JPEG))],
    )
    page = client.get(f"{CONSOLE}{order.pk}/").content.decode()
    assert "/feedback/" in page and "/close/" in page and "/reopen/" in page and "/urge/" not in page
    assert "摊贩已劝离" in page and "/workorders/attachments/" in page


def test_urge_and_reassign_from_the_page(
    client: Any, lead: Assignment, order: WorkOrder, dispatcher: User, tree: Tree
) -> None:
    client.force_login(dispatcher)
    bad = act(client, order, "urge", {"assignment": lead.pk, "text": ""})
    assert bad.status_code == 400 and 'class="error"' in bad.content.decode()
    assert act(client, order, "urge", {"assignment": lead.pk, "text": "请今日处置"}).status_code == 302
    assert CaseEvent.objects.filter(assignment=lead, kind=EventKind.URGED).count() == 1
    missing = act(client, order, "reassign", {"assignment": lead.pk, "reason": "改派", "version": lead.version})
    assert missing.status_code == 400
    done = act(
        client,
        order,
        "reassign",
        {"assignment": lead.pk, "to_unit": tree.department.pk, "reason": "专业执法", "version": lead.version},
    )
    assert done.status_code == 302
    lead.refresh_from_db()
    assert lead.status == Status.CANCELLED
    assert Assignment.objects.filter(case_id=order.pk, unit=tree.department, status=Status.ASSIGNED).exists()


def test_extension_decisions_from_the_page(
    client: Any, accepted: Assignment, order: WorkOrder, dispatcher: User, street_handler: User
) -> None:
    assert accepted.resolve_due is not None
    first = engine.do_request_extension(
        street_handler, accepted, until=accepted.resolve_due + timedelta(days=2), reason="协调"
    )
    client.force_login(dispatcher)
    page = client.get(f"{CONSOLE}{order.pk}/").content.decode()
    assert "/approve/" in page and "/refuse/" in page
    assert act(client, order, "refuse", {"request": first.pk, "reason": ""}).status_code == 400
    assert act(client, order, "refuse", {"request": first.pk, "reason": "可按期办结"}).status_code == 302
    accepted.refresh_from_db()
    second = engine.do_request_extension(
        street_handler, accepted, until=accepted.resolve_due + timedelta(days=2), reason="再协调"
    )
    accepted.refresh_from_db()
    stale = act(client, order, "approve", {"request": second.pk, "version": accepted.version - 1})
    assert stale.status_code == 400
    assert act(client, order, "approve", {"request": second.pk, "version": accepted.version}).status_code == 302
    assert ExtensionRequest.objects.get(pk=second.pk).status == ExtensionStatus.APPROVED
    assert act(client, order, "approve", {"request": 99999}).status_code == 400


def test_feedback_call_reopen_and_close_from_the_page(
    client: Any, resolved: WorkOrder, accepted: Assignment, dispatcher: User, street_handler: User
) -> None:
    client.force_login(dispatcher)
    bad = act(client, resolved, "feedback", {"rating": "", "version": resolved.version})
    assert bad.status_code == 400 and not Feedback.objects.exists()
    sent_back = act(
        client,
        resolved,
        "feedback",
        {
            "rating": "dissatisfied",
            "solved": "no",
            "attributable": "1",
            "comment": "没解决",
            "version": resolved.version,
        },
    )
    assert sent_back.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == OrderStatus.IN_PROGRESS
    accepted.refresh_from_db()
    actions.do_resolve(street_handler, accepted, result="已联合执法")
    resolved.refresh_from_db()
    no_note = act(client, resolved, "close", {"version": resolved.version})
    assert no_note.status_code == 400 and no_note.content.decode().count('class="error"') == 1
    assert act(client, resolved, "reopen", {"reason": "", "version": resolved.version}).status_code == 400
    assert act(client, resolved, "reopen", {"reason": "复核未解决", "version": resolved.version}).status_code == 302
    accepted.refresh_from_db()
    actions.do_resolve(street_handler, accepted, result="已彻底清理")
    resolved.refresh_from_db()
    ok = act(client, resolved, "feedback", {"rating": "satisfied", "solved": "yes", "version": resolved.version})
    assert ok.status_code == 302
    resolved.refresh_from_db()
    assert act(client, resolved, "close", {"version": resolved.version}).status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == OrderStatus.CLOSED


def test_cancel_and_merge_from_the_page(client: Any, order: WorkOrder, dispatcher: User) -> None:
    twin = _order(dispatcher, "twin")
    third = _order(dispatcher, "third")
    client.force_login(dispatcher)
    page = client.get(f"{CONSOLE}{order.pk}/").content.decode()
    assert twin.number in page and third.number in page  # likely duplicates
    assert act(client, order, "merge", {"children": [twin.pk], "reason": ""}).status_code == 400
    two = act(client, order, "merge", {"children": [twin.pk, third.pk], "direction": "into_other", "reason": "重复"})
    assert two.status_code == 400  # into another: exactly one
    done = act(client, order, "merge", {"children": [twin.pk], "reason": "同一事项", "version": order.version})
    assert done.status_code == 302
    twin.refresh_from_db()
    assert twin.status == OrderStatus.MERGED and twin.parent == order
    into = act(client, third, "merge", {"number": order.number, "direction": "into_other", "reason": "重复"})
    assert into.status_code == 302
    third.refresh_from_db()
    assert third.parent == order
    merged_page = client.get(f"{CONSOLE}{twin.pk}/").content.decode()
    assert order.number in merged_page and "/merge/" not in merged_page
    assert act(client, order, "cancel", {"reason": ""}).status_code == 400
    assert act(client, order, "cancel", {"reason": "来电人撤回", "version": order.version}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


@pytest.mark.parametrize("person", ["street_handler", "charlie", "dora", "alice"])
def test_console_steps_refuse_others(
    client: Any, lead: Assignment, order: WorkOrder, person: str, request: Any
) -> None:
    client.force_login(request.getfixturevalue(person))
    for verb in ("urge", "cancel", "merge", "feedback", "close"):
        assert act(client, order, verb, {"assignment": lead.pk, "text": "x", "reason": "x"}).status_code == 403
    assert not CaseEvent.objects.filter(kind=EventKind.URGED).exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED


def test_unknown_console_step_is_404(client: Any, order: WorkOrder, dispatcher: User) -> None:
    client.force_login(dispatcher)
    assert act(client, order, "explode", {}).status_code == 404


# --- the inbox's evidence photos and the attachment view -------------------------------------
def test_unit_resolves_with_photos_from_the_inbox(
    client: Any, accepted: Assignment, order: WorkOrder, street_handler: User, charlie: User, dispatcher: User
) -> None:
    client.force_login(street_handler)
    page = client.get(f"{INBOX}{accepted.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page
    fake = SimpleUploadedFile("x.jpg", b"GIF89a not allowed")
    bad = client.post(
        f"{INBOX}{accepted.pk}/resolve/", {"result": "已清理", "version": accepted.version, "photos": fake}
    )
    assert bad.status_code == 400 and not Attachment.objects.exists()
    good = SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")
    done = client.post(
        f"{INBOX}{accepted.pk}/resolve/", {"result": "已清理", "version": accepted.version, "photos": good}
    )
    assert done.status_code == 302
    evidence = Attachment.objects.get()
    assert evidence.kind == AttachmentKind.EVIDENCE and evidence.assignment_id == accepted.pk
    url = f"/workorders/attachments/{evidence.pk}/"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and b"".join(response.streaming_content) == JPEG
    client.force_login(dispatcher)
    assert client.get(url).status_code == 200
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404  # no login page either: nothing hints the file exists


def test_inbox_marks_overdue_assignments(client: Any, lead: Assignment, street_handler: User) -> None:
    _overdue(lead)
    client.force_login(street_handler)
    assert "badge-red" in client.get("/inbox/").content.decode()
    assert "badge-red" in client.get(f"{INBOX}{lead.pk}/").content.decode()
