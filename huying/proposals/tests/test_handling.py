"""Handling of filed proposals (交办 → 办理 → 答复 → 审核 → 测评 → 再办理 → 办结 → 公开):
every step allowed and refused, with the named people of the conftests.

alice: first proposer · erin: confirmed co-signer · frank: another member · bob: proposals
committee staff · gina: staff of the education bureau (the assigned unit) · hank: staff of
the health bureau · charlie: staff of the city-management bureau (outside) · dora: public ·
lei: a leader.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.handling import actions as engine
from huying.handling import calendar
from huying.handling.actions import do_save_time_limit_rule
from huying.handling.choices import AssignmentRole, EventScope, ExtensionStatus, Rating, Status
from huying.handling.models import Assignment, CaseEvent, Feedback, Notification, TimeLimitRule, Warning
from huying.handling.sweep import sweep
from huying.handling.transitions import TransitionError
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.proposals import actions
from huying.proposals.choices import HandlingEventKind, HandlingStatus, Publication, ReplyStatus
from huying.proposals.models import Proposal, Reply, ReplyRating
from huying.proposals.notifications import proposal_type
from huying.proposals.tests.conftest import COMPLETE, make_draft

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday, an ordinary working week


@pytest.fixture(autouse=True)
def _calendar() -> Iterator[None]:
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


# --- files ------------------------------------------------------------------------------
def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a word document")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
GOOD_FILES = {
    "reply.pdf": (PDF, "pdf"),
    "reply.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "doc"),
    "reply.docx": (_docx(), "docx"),
    "scan.jpg": (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "jpg"),
    "scan.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "png"),
    "scan.webp": (b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 32, "webp"),
}
BAD_FILES = {
    "reply.pdf": b"MZ\x90\x00 this is a program pretending to be a PDF",
    "reply.docx": _zip(),
    "reply.txt": "答复：已采纳".encode(),
    "empty.pdf": b"",
}


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def reply_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "reply_class": "A",
        "reference_number": "荔教函〔2026〕12号",
        "contact_person": "郭娜",
        "contact_phone": "020-81234567",
        "body": "经研究，所提建议已采纳，并纳入年度重点工作。",
    }
    fields.update(overrides)
    return fields


def assign_single(bob: Any, proposal: Proposal, unit: Any) -> Assignment:
    [assignment] = actions.do_assign(bob, proposal, mode="single", units=[unit])
    return assignment


def replied(bob: Any, gina: Any, proposal: Proposal, unit: Any, *, accept: bool = True) -> tuple[Assignment, Reply]:
    assignment = assign_single(bob, proposal, unit)
    reply = actions.do_submit_reply(gina, assignment, **reply_fields())
    if accept:
        actions.do_review_reply(bob, reply, accept=True)
    assignment.refresh_from_db()
    return assignment, reply


def _state(proposal: Proposal) -> tuple[Any, ...]:
    proposal.refresh_from_db()
    return (
        proposal.handling_status,
        proposal.handling_round,
        proposal.publication,
        proposal.is_key,
        proposal.version,
        Assignment.objects.count(),
        Reply.objects.count(),
        ReplyRating.objects.count(),
        CaseEvent.objects.filter(scope=EventScope.CASE).count(),
        Notification.objects.count(),
    )


# --- assignment -------------------------------------------------------------------------
def test_single_assignment_takes_the_proposal_rule_and_tells_everyone(
    frozen: Any, filed: Proposal, alice: Any, erin: Any, bob: Any, edu: Any
) -> None:
    assignment = assign_single(bob, filed, edu)
    assert (assignment.workflow, assignment.role, assignment.status) == ("proposal", "single", Status.ASSIGNED)
    assert assignment.owner == filed.session.cppcc
    # The seeded proposal rule: objection and acceptance within 5 working days, contact
    # the proposer within 15, reply within 3 months.
    assert assignment.objection_due == datetime(2026, 3, 9, 9, 0, tzinfo=SHANGHAI)
    assert assignment.respond_due == datetime(2026, 3, 23, 9, 0, tzinfo=SHANGHAI)
    assert assignment.resolve_due == datetime(2026, 6, 2, 9, 0, tzinfo=SHANGHAI)
    filed.refresh_from_db()
    assert filed.handling_status == HandlingStatus.ASSIGNED
    event = filed.events.get(kind=HandlingEventKind.ASSIGNED)
    assert event.actor == bob and event.data["units"] == "荔湾区教育局"
    told = Notification.objects.filter(case_type=proposal_type(), case_id=filed.pk)
    assert set(told.filter(recipient_unit=edu).values_list("kind", flat=True)) == {"assignment"}
    assert {alice.pk, erin.pk} <= set(told.values_list("recipient_user", flat=True))


def test_separate_mode_gives_each_unit_its_own_answer(filed: Proposal, bob: Any, edu: Any, health: Any) -> None:
    made = actions.do_assign(bob, filed, mode="separate", units=[edu, health])
    assert [(a.unit, a.role) for a in made] == [(edu, AssignmentRole.SEPARATE), (health, AssignmentRole.SEPARATE)]
    filed.refresh_from_db()
    assert filed.handling_status == HandlingStatus.ASSIGNED


def test_lead_mode(filed: Proposal, bob: Any, edu: Any, health: Any, tree: Any) -> None:
    made = actions.do_assign(bob, filed, mode="lead", units=[edu], co_units=[health, tree.department], note="请主办")
    assert [(a.unit, a.role) for a in made] == [
        (edu, AssignmentRole.LEAD),
        (health, AssignmentRole.CO),
        (tree.department, AssignmentRole.CO),
    ]
    assert all(a.reason == "请主办" for a in made)


@pytest.mark.parametrize(
    ("mode", "units", "co_units", "field"),
    [
        ("together", ["edu"], [], "mode"),
        ("single", ["edu", "health"], [], "units"),
        ("single", [], [], "units"),
        ("single", ["edu"], ["health"], "co_units"),
        ("separate", ["edu"], [], "units"),
        ("separate", ["edu", "edu"], [], "units"),
        ("lead", ["edu"], [], "co_units"),
        ("lead", ["edu", "health"], ["department"], "units"),
        ("lead", ["edu"], ["edu"], "units"),
        ("single", ["cppcc"], [], "units"),
        ("single", ["inactive"], [], "units"),
    ],
)
def test_assignment_refuses_bad_input_and_changes_nothing(
    filed: Proposal,
    bob: Any,
    edu: Any,
    health: Any,
    tree: Any,
    mode: str,
    units: list[str],
    co_units: list[str],
    field: str,
) -> None:
    inactive = OrganisationFactory(
        name="已撤销局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
    )
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    named = {
        "edu": edu,
        "health": health,
        "department": tree.department,
        "cppcc": tree.city_cppcc,
        "inactive": inactive,
    }
    before = _state(filed)
    with pytest.raises(ValidationError) as caught:
        actions.do_assign(bob, filed, mode=mode, units=[named[u] for u in units], co_units=[named[u] for u in co_units])
    assert field in caught.value.message_dict
    assert _state(filed) == before


def test_only_filed_proposals_are_assigned_once(
    alice: Any, bob: Any, filed: Proposal, session: Any, edu: Any, health: Any
) -> None:
    submitted = actions.do_submit(alice, make_draft(alice, session, "关于另一件事的建议"))
    with pytest.raises(TransitionError):
        actions.do_assign(bob, submitted, mode="single", units=[edu])
    assign_single(bob, filed, edu)
    before = _state(filed)
    with pytest.raises(TransitionError):
        actions.do_assign(bob, filed, mode="single", units=[health])
    assert _state(filed) == before


@pytest.mark.parametrize("who", ["alice", "erin", "frank", "gina", "charlie", "dora", "lei", "city_staff"])
def test_only_the_committee_staff_assign(
    request: pytest.FixtureRequest, filed: Proposal, edu: Any, tree: Any, who: str
) -> None:
    if who == "city_staff":
        person = UserFactory(roles=[(Role.AGENCY_STAFF, tree.city_cppcc)])  # a lower CPPCC's staff
    else:
        person = request.getfixturevalue(who)
    before = _state(filed)
    with pytest.raises(PermissionDenied):
        actions.do_assign(person, filed, mode="single", units=[edu])
    assert _state(filed) == before


def test_an_administrator_assigns(filed: Proposal, admin: Any, edu: Any) -> None:
    assert assign_single(admin, filed, edu).status == Status.ASSIGNED


# --- objection, reassignment, cancellation -----------------------------------------------
def test_objection_within_the_period_then_reassignment(
    frozen: Any, filed: Proposal, alice: Any, bob: Any, gina: Any, hank: Any, edu: Any, health: Any
) -> None:
    assignment = assign_single(bob, filed, edu)
    with pytest.raises(ValidationError) as caught:
        engine.do_object(gina, assignment, reason=" ")
    assert "reason" in caught.value.message_dict
    frozen.shift(timedelta(days=3))
    engine.do_object(gina, assignment, reason="属教育局职责之外，应由卫健局办理")
    assert assignment.status == Status.OBJECTED
    assert Notification.objects.filter(recipient_unit=filed.session.cppcc, text__contains="卫健局").exists()
    with pytest.raises(PermissionDenied):
        engine.do_reassign(gina, assignment, to_unit=health, reason="自行转办")  # a unit never passes it on
    new = engine.do_reassign(bob, assignment, to_unit=health, reason="异议成立，改由卫健局办理")
    assignment.refresh_from_db()
    assert assignment.status == Status.CANCELLED
    assert (new.unit, new.role, new.status) == (health, AssignmentRole.SINGLE, Status.ASSIGNED)
    event = filed.events.get(kind=HandlingEventKind.ASSIGNMENT_CHANGED)
    assert event.data["units"] == "荔湾区卫生健康局"
    assert Notification.objects.filter(recipient_user=alice, text__contains="卫生健康局").exists()
    reply = actions.do_submit_reply(hank, new, **reply_fields())
    assert reply.unit == health


def test_objection_after_the_period_is_refused(frozen: Any, filed: Proposal, bob: Any, gina: Any, edu: Any) -> None:
    assignment = assign_single(bob, filed, edu)
    frozen.shift(timedelta(days=8))  # past 5 working days
    with pytest.raises(TransitionError):
        engine.do_object(gina, assignment, reason="太晚了")
    assignment.refresh_from_db()
    assert assignment.status == Status.ASSIGNED


def test_overruled_objection_makes_the_unit_handle_it(filed: Proposal, bob: Any, gina: Any, edu: Any) -> None:
    assignment = assign_single(bob, filed, edu)
    engine.do_object(gina, assignment, reason="不属本单位职责")
    with pytest.raises(PermissionDenied):
        engine.do_overrule_objection(gina, assignment, reason="x")
    with pytest.raises(ValidationError):
        engine.do_overrule_objection(bob, assignment, reason="")
    engine.do_overrule_objection(bob, assignment, reason="课后服务属教育局职责")
    assert assignment.status == Status.ACCEPTED
    with pytest.raises(TransitionError):
        engine.do_overrule_objection(bob, assignment, reason="again")
    assert Notification.objects.filter(recipient_unit=edu, text__contains="课后服务属教育局职责").exists()


def test_only_co_handling_units_are_withdrawn(filed: Proposal, bob: Any, edu: Any, health: Any) -> None:
    lead, co = actions.do_assign(bob, filed, mode="lead", units=[edu], co_units=[health])
    with pytest.raises(TransitionError):
        engine.do_cancel(bob, lead, reason="x")
    with pytest.raises(ValidationError):
        engine.do_cancel(bob, co, reason="")
    engine.do_cancel(bob, co, reason="异议成立")
    co.refresh_from_db()
    assert co.status == Status.CANCELLED
    assert filed.events.filter(kind=HandlingEventKind.ASSIGNMENT_CHANGED).count() == 1


# --- extension, contact, co-handling views ---------------------------------------------
def test_extension_request_and_decisions(frozen: Any, filed: Proposal, bob: Any, gina: Any, edu: Any) -> None:
    assignment = assign_single(bob, filed, edu)
    due = assignment.resolve_due
    assert due is not None
    with pytest.raises(ValidationError) as caught:
        engine.do_request_extension(gina, assignment, until=None, reason="需调研")
    assert "until" in caught.value.message_dict
    request = engine.do_request_extension(gina, assignment, until=due + timedelta(days=30), reason="需实地调研")
    assignment.refresh_from_db()
    assert assignment.status == Status.ACCEPTED  # asking for time means the unit took it on
    with pytest.raises(PermissionDenied):
        engine.do_decide_extension(gina, request, approve=True)
    with pytest.raises(ValidationError):
        engine.do_decide_extension(bob, request, approve=False, reason="")
    engine.do_decide_extension(bob, request, approve=True)
    assignment.refresh_from_db()
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED
    assert assignment.resolve_due == due + timedelta(days=30) and assignment.extension_count == 1
    second = engine.do_request_extension(gina, assignment, until=due + timedelta(days=60), reason="再延")
    engine.do_decide_extension(bob, second, approve=False, reason="不予延期")
    assignment.refresh_from_db()
    assert assignment.resolve_due == due + timedelta(days=30)


def test_contact_with_the_proposer_is_recorded(filed: Proposal, bob: Any, gina: Any, charlie: Any, edu: Any) -> None:
    assignment = assign_single(bob, filed, edu)
    with pytest.raises(PermissionDenied):
        actions.do_record_contact(charlie, assignment, note="冒充联系")
    with pytest.raises(ValidationError):
        actions.do_record_contact(gina, assignment, note="")
    actions.do_record_contact(gina, assignment, note="3月5日电话联系王丽委员")
    assert assignment.status == Status.RESPONDED and assignment.responded_at is not None
    actions.do_record_contact(gina, assignment, note="3月20日上门座谈")
    kinds = list(CaseEvent.objects.filter(assignment=assignment).values_list("kind", flat=True))
    assert kinds == ["assigned", "accepted", "responded", "progress"]
    reply = actions.do_submit_reply(gina, assignment, **reply_fields())
    assert reply.proposer_contacted is True


def test_co_handling_views_go_to_the_lead(
    filed: Proposal, bob: Any, gina: Any, hank: Any, edu: Any, health: Any
) -> None:
    lead, co = actions.do_assign(bob, filed, mode="lead", units=[edu], co_units=[health])
    with pytest.raises(PermissionDenied):
        actions.do_submit_co_view(gina, lead, view="主办单位不提会办意见")
    with pytest.raises(PermissionDenied):
        actions.do_submit_reply(hank, co, **reply_fields())  # co units do not give the final reply
    with pytest.raises(PermissionDenied):
        actions.do_submit_co_view(gina, co, view="不是本单位")  # gina is not at the health bureau
    actions.do_submit_co_view(hank, co, view="同意主办单位意见，配合做好课后服务卫生保障")
    co.refresh_from_db()
    assert co.status == Status.RESOLVED
    assert Notification.objects.filter(recipient_unit=edu, assignment=lead, text__contains=health.name).exists()
    view = CaseEvent.objects.get(assignment=co, kind="resolved")
    assert view.note.startswith("同意主办单位意见") and view.data["co_view"] is True
    assert Reply.objects.count() == 0


# --- the reply --------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(GOOD_FILES))
def test_reply_documents_are_checked_by_their_bytes(filed: Proposal, bob: Any, gina: Any, edu: Any, name: str) -> None:
    content, extension = GOOD_FILES[name]
    assignment = assign_single(bob, filed, edu)
    reply = actions.do_submit_reply(gina, assignment, document=upload(name, content), **reply_fields())
    assert reply.document.name.endswith(f".{extension}")
    # The platform names the file: a random token, nothing of the case or the uploader's name.
    assert re.fullmatch(rf"proposals/replies/{filed.pk}/[A-Za-z0-9_-]{{32}}\.{extension}", reply.document.name)
    assert reply.document.read() == content


def test_reply_documents_are_served_only_to_their_readers(
    client: Any, filed: Proposal, alice: Any, bob: Any, gina: Any, charlie: Any, dora: Any, edu: Any
) -> None:
    assignment = assign_single(bob, filed, edu)
    reply = actions.do_submit_reply(gina, assignment, document=upload("reply.pdf", PDF), **reply_fields())
    actions.do_review_reply(bob, reply, accept=True)  # the proposers read accepted replies
    url = f"/proposals/replies/{reply.pk}/document/"
    assert client.get(url).status_code == 404  # anonymous: the proposal is not published
    for outsider in (charlie, dora):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    for reader in (alice, bob, gina):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")


def test_more_than_the_request_limit_stores_nothing(
    filed: Proposal, bob: Any, gina: Any, edu: Any, settings: Any
) -> None:
    from pathlib import Path

    settings.UPLOAD_MAX_FILE_MB = 1
    assignment = assign_single(bob, filed, edu)
    before = _state(filed), assignment.version
    big = upload("reply.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_reply(gina, assignment, document=big, **reply_fields())
    assert "1 MB" in caught.value.message_dict["document"][0]
    assignment.refresh_from_db()
    assert (_state(filed), assignment.version) == before
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_other_files_are_refused_and_nothing_changes(filed: Proposal, bob: Any, gina: Any, edu: Any, name: str) -> None:
    assignment = assign_single(bob, filed, edu)
    before = _state(filed), assignment.version
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_reply(gina, assignment, document=upload(name, BAD_FILES[name]), **reply_fields())
    assert list(caught.value.message_dict) == ["document"]
    assignment.refresh_from_db()
    assert (_state(filed), assignment.version) == before
    assert assignment.status == Status.ASSIGNED


def test_reply_documents_have_a_size_limit(filed: Proposal, bob: Any, gina: Any, edu: Any, monkeypatch: Any) -> None:
    from huying.proposals import documents

    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 64)
    assignment = assign_single(bob, filed, edu)
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_reply(gina, assignment, document=upload("big.pdf", PDF + b"0" * 100), **reply_fields())
    assert "document" in caught.value.message_dict
    assert Reply.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"reply_class": "D"}, {"reply_class"}),
        ({"reference_number": " "}, {"reference_number"}),
        ({"contact_person": ""}, {"contact_person"}),
        ({"body": ""}, {"body"}),
        ({"contact_phone": "call me"}, {"contact_phone"}),
        ({"reply_class": "", "body": "", "contact_person": ""}, {"reply_class", "body", "contact_person"}),
    ],
)
def test_reply_field_errors_name_the_fields(
    filed: Proposal, bob: Any, gina: Any, edu: Any, overrides: dict[str, Any], fields: set[str]
) -> None:
    assignment = assign_single(bob, filed, edu)
    before = _state(filed)
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_reply(gina, assignment, **reply_fields(**overrides))
    assert set(caught.value.message_dict) == fields
    assert _state(filed) == before


def test_a_unit_outside_the_assignment_cannot_reply(
    filed: Proposal, bob: Any, gina: Any, hank: Any, charlie: Any, alice: Any, edu: Any, health: Any
) -> None:
    edu_part, health_part = actions.do_assign(bob, filed, mode="separate", units=[edu, health])
    before = _state(filed)
    for outsider in (charlie, hank, alice, bob):
        with pytest.raises(PermissionDenied):
            actions.do_submit_reply(outsider, edu_part, **reply_fields())
    assert _state(filed) == before
    actions.do_submit_reply(hank, health_part, **reply_fields())
    actions.do_submit_reply(gina, edu_part, **reply_fields())
    assert Reply.objects.count() == 2


def test_no_reply_while_objecting_and_no_file_left_behind(
    filed: Proposal, bob: Any, gina: Any, edu: Any, settings: Any
) -> None:
    from pathlib import Path

    assignment = assign_single(bob, filed, edu)
    engine.do_object(gina, assignment, reason="不属本单位职责")
    with pytest.raises(TransitionError):
        actions.do_submit_reply(gina, assignment, document=upload("reply.pdf", PDF), **reply_fields())
    assert Reply.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_one_reply_at_a_time(filed: Proposal, bob: Any, gina: Any, edu: Any) -> None:
    assignment = assign_single(bob, filed, edu)
    actions.do_submit_reply(gina, assignment, **reply_fields())
    with pytest.raises(TransitionError):
        actions.do_submit_reply(gina, assignment, **reply_fields(reference_number="第二份"))
    assert Reply.objects.count() == 1


# --- review ---------------------------------------------------------------------------
def test_accepting_the_reply_asks_the_proposers_to_rate(
    filed: Proposal, alice: Any, erin: Any, bob: Any, gina: Any, edu: Any
) -> None:
    assignment, reply = replied(bob, gina, filed, edu, accept=False)
    assert reply.status == ReplyStatus.SUBMITTED and assignment.status == Status.RESOLVED
    for person in (gina, alice):
        with pytest.raises(PermissionDenied):
            actions.do_review_reply(person, reply, accept=True)
    actions.do_review_reply(bob, reply, accept=True, note="答复规范")
    reply.refresh_from_db()
    filed.refresh_from_db()
    assert (reply.status, reply.reviewed_by, filed.handling_status) == (
        ReplyStatus.ACCEPTED,
        bob,
        HandlingStatus.REPLIED,
    )
    for person in (alice, erin):
        assert Notification.objects.filter(recipient_user=person, kind="feedback").exists()
    with pytest.raises(TransitionError):
        actions.do_review_reply(bob, reply, accept=False, note="再看看")


def test_sending_the_reply_back_reopens_the_assignment(
    frozen: Any, filed: Proposal, bob: Any, gina: Any, edu: Any
) -> None:
    assignment, reply = replied(bob, gina, filed, edu, accept=False)
    with pytest.raises(ValidationError) as caught:
        actions.do_review_reply(bob, reply, accept=False, note="")
    assert "note" in caught.value.message_dict
    actions.do_review_reply(bob, reply, accept=False, note="请补充具体措施")
    reply.refresh_from_db()
    assignment.refresh_from_db()
    assert reply.status == ReplyStatus.RETURNED and reply.review_note == "请补充具体措施"
    assert assignment.status == Status.REOPENED
    assert assignment.resolve_due == datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI)  # one month
    assert Notification.objects.filter(recipient_unit=edu, text__contains="请补充具体措施").exists()
    again = actions.do_submit_reply(gina, assignment, **reply_fields(reference_number="荔教函〔2026〕13号"))
    assert again.round == 1  # a sent-back reply is answered in the same round
    # The staff may give the new deadline themselves.
    actions.do_review_reply(bob, again, accept=False, note="仍不具体", due=T0 + timedelta(days=10))
    assignment.refresh_from_db()
    assert assignment.resolve_due == T0 + timedelta(days=10)


# --- rating and re-handling ---------------------------------------------------------------
def test_every_proposer_rates_once_and_the_handling_completes(
    filed: Proposal, alice: Any, erin: Any, frank: Any, bob: Any, gina: Any, charlie: Any, edu: Any
) -> None:
    assignment, reply = replied(bob, gina, filed, edu)
    for outsider in (frank, bob, gina, charlie):
        with pytest.raises(PermissionDenied):
            actions.do_rate(outsider, reply, rating=Rating.SATISFIED)
    actions.do_rate(erin, reply, rating=Rating.BASICALLY_SATISFIED, comment="基本解决")
    before = _state(filed)
    with pytest.raises(TransitionError):
        actions.do_rate(erin, reply, rating=Rating.DISSATISFIED, comment="改主意了")  # once per reply
    assert _state(filed) == before
    assert filed.handling_status == HandlingStatus.REPLIED  # alice has not rated yet
    actions.do_rate(alice, reply, rating=Rating.SATISFIED)
    filed.refresh_from_db()
    assignment.refresh_from_db()
    assert filed.handling_status == HandlingStatus.COMPLETED and filed.handling_completed_at is not None
    assert assignment.status == Status.CLOSED
    assert filed.publication == Publication.PUBLISHED  # nobody objected
    assert Feedback.objects.filter(assignment=assignment, superseded=False).count() == 2
    assert Notification.objects.filter(recipient_unit=edu, kind="feedback").count() == 2
    kinds = list(filed.events.values_list("kind", flat=True))
    assert kinds[-4:] == ["rated", "rated", "completed", "published"]


@pytest.mark.parametrize(
    ("rating", "comment", "field"),
    [("great", "", "rating"), (Rating.DISSATISFIED, "", "comment"), (Rating.SATISFIED, "长" * 1001, "comment")],
)
def test_bad_ratings_name_the_field(
    filed: Proposal, alice: Any, bob: Any, gina: Any, edu: Any, rating: str, comment: str, field: str
) -> None:
    _assignment, reply = replied(bob, gina, filed, edu)
    before = _state(filed)
    with pytest.raises(ValidationError) as caught:
        actions.do_rate(alice, reply, rating=rating, comment=comment)
    assert field in caught.value.message_dict
    assert _state(filed) == before


def test_a_reply_under_review_cannot_be_rated(filed: Proposal, alice: Any, bob: Any, gina: Any, edu: Any) -> None:
    _assignment, reply = replied(bob, gina, filed, edu, accept=False)
    with pytest.raises(TransitionError):
        actions.do_rate(alice, reply, rating=Rating.SATISFIED)


def test_dissatisfied_sends_it_back_for_round_two(
    frozen: Any, filed: Proposal, alice: Any, erin: Any, bob: Any, gina: Any, edu: Any
) -> None:
    assignment, first = replied(bob, gina, filed, edu)
    actions.do_rate(alice, first, rating=Rating.SATISFIED)
    frozen.shift(timedelta(days=1))
    actions.do_rate(erin, first, rating=Rating.DISSATISFIED, comment="只有原则表态，没有具体措施")
    assignment.refresh_from_db()
    filed.refresh_from_db()
    assert assignment.status == Status.REOPENED and assignment.reopen_count == 1
    assert assignment.resolve_due == datetime(2026, 4, 3, 9, 0, tzinfo=SHANGHAI)  # one month for 再办理
    assert (filed.handling_status, filed.handling_round) == (HandlingStatus.REHANDLING, 2)
    assert filed.events.filter(kind=HandlingEventKind.REHANDLING).exists()
    assert Notification.objects.filter(recipient_unit=edu, text__contains="只有原则表态").exists()
    with pytest.raises(TransitionError):
        actions.do_rate(alice, first, rating=Rating.SATISFIED)  # round 1 is over
    second = actions.do_submit_reply(gina, assignment, **reply_fields(reply_class="B", reference_number="再办理1号"))
    assert second.round == 2
    actions.do_review_reply(bob, second, accept=True)
    actions.do_rate(alice, second, rating=Rating.SATISFIED)
    actions.do_rate(erin, second, rating=Rating.BASICALLY_SATISFIED)
    filed.refresh_from_db()
    assert filed.handling_status == HandlingStatus.COMPLETED
    # The history keeps both rounds: replies, ratings and the engine's feedback.
    assert list(Reply.objects.filter(proposal=filed).values_list("round", "status")) == [
        (1, ReplyStatus.ACCEPTED),
        (2, ReplyStatus.ACCEPTED),
    ]
    assert ReplyRating.objects.filter(proposal=filed, round=1).count() == 2
    assert ReplyRating.objects.filter(proposal=filed, round=2).count() == 2
    assert Feedback.objects.filter(rater=erin, superseded=True).count() == 1  # round 1, replaced by round 2


def test_separate_units_are_rated_each_and_complete_together(
    filed: Proposal, alice: Any, erin: Any, bob: Any, gina: Any, hank: Any, edu: Any, health: Any
) -> None:
    edu_part, health_part = actions.do_assign(bob, filed, mode="separate", units=[edu, health])
    edu_reply = actions.do_submit_reply(gina, edu_part, **reply_fields())
    actions.do_review_reply(bob, edu_reply, accept=True)
    filed.refresh_from_db()
    assert filed.handling_status == HandlingStatus.ASSIGNED  # health has not replied
    actions.do_rate(alice, edu_reply, rating=Rating.SATISFIED)
    actions.do_rate(erin, edu_reply, rating=Rating.SATISFIED)
    health_reply = actions.do_submit_reply(hank, health_part, **reply_fields(reply_class="C"))
    actions.do_review_reply(bob, health_reply, accept=True)
    filed.refresh_from_db()
    assert filed.handling_status == HandlingStatus.REPLIED
    actions.do_rate(alice, health_reply, rating=Rating.SATISFIED)
    filed.refresh_from_db()
    assert filed.handling_status == HandlingStatus.REPLIED
    actions.do_rate(erin, health_reply, rating=Rating.BASICALLY_SATISFIED)
    filed.refresh_from_db()
    assert filed.handling_status == HandlingStatus.COMPLETED
    assert set(Assignment.objects.values_list("status", flat=True)) == {Status.CLOSED}


def test_lead_replies_after_the_views_and_idle_co_units_are_withdrawn_at_the_end(
    filed: Proposal, alice: Any, erin: Any, bob: Any, gina: Any, hank: Any, edu: Any, health: Any, tree: Any
) -> None:
    lead, co, idle = actions.do_assign(bob, filed, mode="lead", units=[edu], co_units=[health, tree.department])
    actions.do_submit_co_view(hank, co, view="配合做好卫生保障")
    reply = actions.do_submit_reply(gina, lead, **reply_fields())
    actions.do_review_reply(bob, reply, accept=True)
    actions.do_rate(alice, reply, rating=Rating.SATISFIED)
    actions.do_rate(erin, reply, rating=Rating.SATISFIED)
    statuses = {a.pk: a.status for a in Assignment.objects.all()}
    assert statuses == {lead.pk: Status.CLOSED, co.pk: Status.CLOSED, idle.pk: Status.CANCELLED}


def test_collective_proposals_are_rated_by_the_submitting_staff(
    bob: Any, tree: Any, session: Any, gina: Any, edu: Any
) -> None:
    party = OrganisationFactory(name="民盟广东省委", kind=OrgKind.PARTY, level=OrgLevel.PROVINCE)
    clerk = UserFactory(username="clerk", roles=[(Role.UNIT_STAFF, party)])
    proposal = actions.do_save_draft(
        clerk,
        session=session,
        title="关于加强职业教育的建议",
        collective=party,
        collective_kind="party",
        summary="案由",
        **COMPLETE,
    ).proposal
    actions.do_submit(clerk, proposal)
    actions.do_file(bob, proposal)
    _assignment, reply = replied(bob, gina, proposal, edu)
    from django.test import Client

    client = Client()
    client.force_login(clerk)
    page = client.get("/proposals/")  # the submitting staff find the replies to rate too
    assert page.status_code == 200 and "关于加强职业教育的建议" in page.content.decode()
    actions.do_rate(clerk, reply, rating=Rating.SATISFIED)
    proposal.refresh_from_db()
    assert proposal.handling_status == HandlingStatus.COMPLETED


# --- supervision ----------------------------------------------------------------------------
def test_key_proposals_have_a_supervising_leader_or_committee(
    filed: Proposal, alice: Any, bob: Any, lei: Any, frank: Any, tree: Any, edu: Any
) -> None:
    committee = OrganisationFactory(
        name="提案委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )
    assert not Proposal.objects.visible_to(lei).filter(pk=filed.pk).exists()
    for bad, field in (({}, "leader"), ({"leader": frank}, "leader"), ({"committee": edu}, "committee")):
        with pytest.raises(ValidationError) as caught:
            actions.do_mark_key(bob, filed, is_key=True, **bad)
        assert field in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.do_mark_key(alice, filed, is_key=True, leader=lei)
    actions.do_mark_key(bob, filed, is_key=True, leader=lei, committee=committee, note="年度重点督办")
    filed.refresh_from_db()
    assert (filed.is_key, filed.key_leader, filed.key_committee) == (True, lei, committee)
    assert Proposal.objects.visible_to(lei).filter(pk=filed.pk).exists()
    assert Notification.objects.filter(recipient_user=lei, kind="supervision").exists()
    assert Notification.objects.filter(
        recipient_user=alice, case_id=filed.pk, created_at__gte=filed.updated_at, text__contains=filed.title
    ).exists()
    actions.do_mark_key(bob, filed, is_key=False)
    filed.refresh_from_db()
    assert (filed.is_key, filed.key_leader) == (False, None)
    assert not Proposal.objects.visible_to(lei).filter(pk=filed.pk).exists()
    with pytest.raises(TransitionError):
        actions.do_mark_key(bob, filed, is_key=False)


def test_urging_notices(filed: Proposal, bob: Any, gina: Any, edu: Any) -> None:
    assignment = assign_single(bob, filed, edu)
    with pytest.raises(PermissionDenied):
        engine.do_urge(gina, assignment, text="自己催自己")
    with pytest.raises(ValidationError):
        engine.do_urge(bob, assignment, text=" ")
    engine.do_urge(bob, assignment, text="请抓紧办理")
    assert CaseEvent.objects.filter(assignment=assignment, kind="urged", note="请抓紧办理").exists()
    assert Notification.objects.filter(recipient_unit=edu, kind="urge").exists()


def test_the_sweep_warns_on_proposal_deadlines(frozen: Any, filed: Proposal, bob: Any, gina: Any, edu: Any) -> None:
    assignment = assign_single(bob, filed, edu)
    actions.do_record_contact(gina, assignment, note="已联系")
    frozen.move_to(datetime(2026, 5, 20, 9, 0, tzinfo=SHANGHAI))  # inside the last fifth of three months
    result = sweep()
    assert result.yellow == 1
    frozen.move_to(datetime(2026, 6, 3, 9, 0, tzinfo=SHANGHAI))  # overdue
    assert sweep().red == 1
    assert set(Warning.objects.values_list("level", "stage")) == {("yellow", "resolve"), ("red", "resolve")}
    assert Notification.objects.filter(recipient_unit=filed.session.cppcc, kind="warning").exists()


def test_the_time_limits_are_configurable(frozen: Any, filed: Proposal, bob: Any, edu: Any, admin: Any) -> None:
    rule = TimeLimitRule.objects.get(workflow="proposal", nature="", urgency="", category_prefix="")
    do_save_time_limit_rule(admin, rule, resolve_amount=2, objection_amount=3)
    assignment = assign_single(bob, filed, edu)
    assert assignment.resolve_due == datetime(2026, 5, 2, 9, 0, tzinfo=SHANGHAI)
    assert assignment.objection_due == datetime(2026, 3, 5, 9, 0, tzinfo=SHANGHAI)


# --- publication ---------------------------------------------------------------------------
def test_a_proposer_objects_before_publication(
    filed: Proposal, alice: Any, erin: Any, frank: Any, bob: Any, gina: Any, edu: Any
) -> None:
    _assignment, reply = replied(bob, gina, filed, edu)
    with pytest.raises(PermissionDenied):
        actions.do_object_publication(frank, filed, reason="别人的提案")
    with pytest.raises(ValidationError):
        actions.do_object_publication(erin, filed, reason="")
    actions.do_object_publication(erin, filed, reason="涉及学校内部数据")
    filed.refresh_from_db()
    assert (filed.publication, filed.publication_note) == (Publication.OBJECTED, "涉及学校内部数据")
    assert Notification.objects.filter(recipient_unit=filed.session.cppcc, text__contains="涉及学校内部数据").exists()
    with pytest.raises(TransitionError):
        actions.do_publish(bob, filed)  # the objection stands
    with pytest.raises(TransitionError):
        actions.do_object_publication(alice, filed, reason="我也反对")
    actions.do_rate(alice, reply, rating=Rating.SATISFIED)
    actions.do_rate(erin, reply, rating=Rating.SATISFIED)
    filed.refresh_from_db()
    assert (filed.handling_status, filed.publication) == (HandlingStatus.COMPLETED, Publication.OBJECTED)


def test_staff_publish_and_restrict(filed: Proposal, alice: Any, bob: Any, gina: Any, edu: Any) -> None:
    with pytest.raises(TransitionError):
        actions.do_publish(bob, filed)  # no accepted reply yet
    replied(bob, gina, filed, edu)
    with pytest.raises(PermissionDenied):
        actions.do_publish(alice, filed)
    with pytest.raises(PermissionDenied):
        actions.do_restrict_publication(gina, filed, reason="x")
    actions.do_publish(bob, filed)
    filed.refresh_from_db()
    assert filed.publication == Publication.PUBLISHED and filed.published_at is not None
    with pytest.raises(TransitionError):
        actions.do_publish(bob, filed)
    with pytest.raises(TransitionError):
        actions.do_object_publication(alice, filed, reason="晚了")  # only before publication
    with pytest.raises(ValidationError):
        actions.do_restrict_publication(bob, filed, reason="")
    actions.do_restrict_publication(bob, filed, reason="涉及未公开的规划")
    filed.refresh_from_db()
    assert (filed.publication, filed.published_at) == (Publication.RESTRICTED, None)
    assert Notification.objects.filter(recipient_user=alice, text__contains="涉及未公开的规划").exists()
    with pytest.raises(TransitionError):
        actions.do_restrict_publication(bob, filed, reason="again")
    actions.do_publish(bob, filed, note="规划已公布")  # the staff lift their own restriction
    filed.refresh_from_db()
    assert filed.publication == Publication.PUBLISHED


def test_a_restricted_proposal_is_not_published_when_completed(
    filed: Proposal, alice: Any, erin: Any, bob: Any, gina: Any, edu: Any
) -> None:
    _assignment, reply = replied(bob, gina, filed, edu)
    actions.do_restrict_publication(bob, filed, reason="涉密")
    actions.do_rate(alice, reply, rating=Rating.SATISFIED)
    actions.do_rate(erin, reply, rating=Rating.SATISFIED)
    filed.refresh_from_db()
    assert (filed.handling_status, filed.publication) == (HandlingStatus.COMPLETED, Publication.RESTRICTED)


# --- notifications of the review decisions ---------------------------------------------------
def test_filing_and_rejection_notify_the_proposers(alice: Any, erin: Any, bob: Any, session: Any) -> None:
    draft = make_draft(alice, session, "关于通知测试的建议")
    actions.do_invite_cosigner(alice, draft, erin)
    actions.do_respond_cosign(erin, draft, confirm=True)
    actions.do_submit(alice, draft)
    actions.do_reject(bob, draft, reason="empty", explanation="内容空泛")
    for person, expected in ((alice, 2), (erin, 3)):
        told = Notification.objects.filter(recipient_user=person, case_id=draft.pk).order_by("id")
        assert len(told) == expected  # (erin: invited,) submitted, not filed
        assert all("关于通知测试的建议" in n.text for n in told)
    other = actions.do_submit(alice, make_draft(alice, session, "关于立案通知的建议"))
    actions.do_file(bob, other)
    assert Notification.objects.filter(recipient_user=alice, case_id=other.pk, text__contains="第0001号").exists()


def test_rating_a_reply_still_under_review_says_so(client, bob, gina, alice, filed, edu):
    """The proposer cannot see a reply before the staff accept it; asking to rate it is a
    clear 422 (not "not found"), and nothing is recorded."""
    _assignment, reply = replied(bob, gina, filed, edu, accept=False)
    client.force_login(alice)
    response = client.post(
        f"/api/v1/proposals/replies/{reply.pk}/rate", {"rating": "satisfied"}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert "审核" in response.json()["message"]
    assert not ReplyRating.objects.exists()


def test_rating_a_reply_of_someone_elses_proposal_stays_404(client, bob, gina, frank, filed, edu):
    _assignment, reply = replied(bob, gina, filed, edu, accept=False)
    client.force_login(frank)
    response = client.post(
        f"/api/v1/proposals/replies/{reply.pk}/rate", {"rating": "satisfied"}, content_type="application/json"
    )
    assert response.status_code == 404
