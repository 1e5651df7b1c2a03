"""The proposal editor and review pages (issue 8, points 3, 4 and 12): a refused save
changes nothing, a stale save says so and keeps the typed text, submission needs every
section, co-signers are picked by name and notified, the handling status reads right for
every combination of ratings, the review forms pre-select nothing and ask for confirmation,
upload errors name the right file, and only those entitled open each page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.handling.choices import Rating
from huying.handling.models import Notification
from huying.proposals import actions
from huying.proposals.choices import HandlingStatus, ProposalStatus
from huying.proposals.models import CoSigner, Proposal, ProposalAttachment, Session
from huying.proposals.tests.conftest import COMPLETE, make_draft
from huying.proposals.tests.test_handling import replied

pytestmark = pytest.mark.django_db


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _state(proposal: Proposal) -> tuple[Any, ...]:
    proposal.refresh_from_db()
    return (
        proposal.title,
        proposal.situation,
        proposal.version,
        proposal.status,
        CoSigner.objects.filter(proposal=proposal).count(),
        Notification.objects.count(),
    )


@pytest.fixture
def outsider(tree: Any) -> Any:
    """A member of another province's CPPCC committee: not a possible co-signer."""
    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.organisations.tests.factories import OrganisationFactory

    other = OrganisationFactory(name="湖南省政协", kind=OrgKind.CPPCC, level=OrgLevel.PROVINCE)
    return UserFactory(username="olga", real_name="周欧", roles=[(Role.MEMBER, other)])


# --- 3a: a refused save changes nothing; a stale save says so ------------------------------
def test_page_save_with_a_bad_cosigner_changes_nothing(alice: Any, erin: Any, outsider: Any, session: Session) -> None:
    draft = make_draft(alice, session)
    before = _state(draft)
    typed = {
        "title": "关于新标题的建议",
        "summary": "新案由",
        **COMPLETE,
        "situation": "新的基本情况",
        "version": draft.version,
    }
    r = _client(alice).post(f"/proposals/{draft.pk}/edit/", {**typed, "invite": [erin.pk, outsider.pk]})
    assert r.status_code == 422
    assert _state(draft) == before  # not the text, not the version, not erin's invitation
    page = r.content.decode()
    assert "新的基本情况" in page and "关于新标题的建议" in page  # what was typed is kept
    assert "周欧 不是本级政协委员，不能联名。" in page
    assert f'name="version" value="{draft.version}"' in page
    # The next save (without the outsider) goes through: the form's version is still right.
    r = _client(alice).post(f"/proposals/{draft.pk}/edit/", {**typed, "invite": [erin.pk]})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert (draft.situation, draft.version) == ("新的基本情况", before[2] + 1)
    assert list(draft.cosigners.values_list("member", flat=True)) == [erin.pk]


def test_page_stale_save_says_so_and_keeps_the_typed_text(alice: Any, session: Session) -> None:
    draft = make_draft(alice, session)
    opened = draft.version
    actions.do_save_draft(alice, draft, title="关于别处保存的建议", summary="别处", version=opened)
    before = _state(draft)
    r = _client(alice).post(
        f"/proposals/{draft.pk}/edit/",
        {"title": "关于我刚输入的建议", "summary": "我刚输入的案由", **COMPLETE, "version": opened},
    )
    assert r.status_code == 422
    assert _state(draft) == before
    page = r.content.decode()
    assert "该提案已被他人修改" in page
    assert "我刚输入的案由" in page and "关于我刚输入的建议" in page
    # The form now carries the saved version: saving again (on purpose) replaces it.
    assert f'name="version" value="{before[2]}"' in page
    r = _client(alice).post(
        f"/proposals/{draft.pk}/edit/",
        {"title": "关于我刚输入的建议", "summary": "我刚输入的案由", **COMPLETE, "version": before[2]},
    )
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "我刚输入的案由"


def test_api_save_with_a_bad_cosigner_changes_nothing(
    alice: Any, erin: Any, outsider: Any, dora: Any, session: Session
) -> None:
    draft = make_draft(alice, session)
    before = _state(draft)
    body = {"title": "关于新标题的建议", "summary": "新案由", "version": draft.version}
    for bad in ([erin.pk, outsider.pk], [erin.pk, 999999], [alice.pk], [erin.pk, erin.pk, dora.pk]):
        r = _client(alice).put(
            f"/api/v1/proposals/{draft.pk}", {**body, "invite_ids": bad}, content_type="application/json"
        )
        assert r.status_code == 422, bad
        assert list(r.json()["errors"]) == ["invite_ids"]
        assert _state(draft) == before
    r = _client(alice).put(
        f"/api/v1/proposals/{draft.pk}", {**body, "invite_ids": [erin.pk]}, content_type="application/json"
    )
    assert r.status_code == 200
    assert [c["member_id"] for c in r.json()["proposal"]["cosigners"]] == [erin.pk]
    # A stale version is refused in the same format, and changes nothing.
    after = _state(draft)
    r = _client(alice).put(f"/api/v1/proposals/{draft.pk}", body, content_type="application/json")
    assert r.status_code == 422 and list(r.json()["errors"]) == ["version"]
    assert _state(draft) == after


# --- 3b: submission needs every section and the title form --------------------------------
def test_submission_requires_every_section(alice: Any, session: Session) -> None:
    draft = make_draft(alice, session, "加强电梯管理", situation="", analysis="", suggestions="")
    with pytest.raises(Exception) as exc:
        actions.do_submit(alice, draft)
    assert set(exc.value.message_dict) == {"title", "situation", "analysis", "suggestions"}  # type: ignore[attr-defined]
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT
    # The detail page's submit button: refused with the reasons, still a draft.
    r = _client(alice).post(f"/proposals/{draft.pk}/act/submit/", follow=True)
    page = r.content.decode()
    assert "提交前请填写基本情况。" in page and "标题须为“关于…的建议”的形式。" in page
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT


def test_page_save_and_submit_of_an_incomplete_draft_saves_nothing(alice: Any, session: Session) -> None:
    r = _client(alice).post("/proposals/new/", {"session": session.pk, "title": "关于只有标题的建议", "submit": "1"})
    assert r.status_code == 422
    assert not Proposal.objects.exists()
    page = r.content.decode()
    assert "提交前请填写案由。" in page and "提交前请填写具体建议。" in page
    assert 'value="关于只有标题的建议"' in page
    # A draft may be incomplete.
    assert (
        _client(alice).post("/proposals/new/", {"session": session.pk, "title": "关于只有标题的建议"}).status_code
        == 302
    )
    assert Proposal.objects.get().status == ProposalStatus.DRAFT


# --- 3c: co-signers are found by name and notified ----------------------------------------
def test_member_search_finds_members_of_the_same_cppcc_by_name(
    alice: Any, erin: Any, frank: Any, outsider: Any, bob: Any, dora: Any, session: Session
) -> None:
    erin.mobile = "13800138000"
    erin.save()
    r = _client(alice).get("/proposals/members/", {"member_q": "周", "session": session.pk})
    assert r.status_code == 200
    page = r.content.decode()
    assert "周燕" in page and f'value="{erin.pk}"' in page
    assert "周欧" not in page  # a member of another CPPCC committee
    assert "吴帆" not in page  # does not match the name
    assert "13800138000" not in page and "138" not in page
    sector = erin.role_assignments.get(role=Role.MEMBER).sector
    assert sector.name in page
    # Members already invited to alice's draft are not offered again.
    draft = make_draft(alice, session)
    actions.do_invite_cosigner(alice, draft, erin)
    r = _client(alice).get("/proposals/members/", {"member_q": "周", "session": session.pk, "exclude": draft.pk})
    assert "周燕" not in r.content.decode()
    # Only members may search; the public and staff may not.
    assert _client(dora).get("/proposals/members/", {"member_q": "周"}).status_code == 403
    assert _client(bob).get("/proposals/members/", {"member_q": "周"}).status_code == 403
    assert _client().get("/proposals/members/", {"member_q": "周"}).status_code == 302


def test_picked_cosigner_is_invited_and_notified(alice: Any, erin: Any, session: Session) -> None:
    draft = make_draft(alice, session)
    r = _client(alice).post(
        f"/proposals/{draft.pk}/edit/",
        {"title": draft.title, "summary": draft.summary, **COMPLETE, "version": draft.version, "invite": [erin.pk]},
    )
    assert r.status_code == 302
    assert CoSigner.objects.filter(proposal=draft, member=erin).exists()
    [note] = Notification.objects.filter(recipient_user=erin, case_id=draft.pk)
    assert "王丽" in note.text and draft.title in note.text
    # The editor shows the picker (a name search), no login-name field.
    page = _client(alice).get(f"/proposals/{draft.pk}/edit/").content.decode()
    assert 'id="id_member_q"' in page and "login name" not in page and 'name="invite"' not in page


# --- 3d: the handling status reads right for every combination of ratings -------------------
def _label(user: Any, proposal: Proposal) -> str:
    page = _client(user).get(f"/proposals/{proposal.pk}/").content.decode()
    match = re.search(r'id="handling-title".*?<strong>(.*?)</strong>', page, re.S)
    assert match is not None
    return match.group(1).strip()


def test_handling_status_reads_right_as_ratings_come_in(
    filed: Proposal, alice: Any, erin: Any, bob: Any, gina: Any, edu: Any
) -> None:
    _assignment, reply = replied(bob, gina, filed, edu)
    assert _label(alice, filed) == "已答复，待测评"
    assert "已答复，待测评" in _client(bob).get("/proposals/supervision/").content.decode()
    actions.do_rate(alice, reply, rating=Rating.SATISFIED)
    assert _label(alice, filed) == "已答复，测评中（已测评 1/2）"
    assert _label(bob, filed) == "已答复，测评中（已测评 1/2）"
    # The supervision board's list says the same.
    assert "已答复，测评中（已测评 1/2）" in _client(bob).get("/proposals/supervision/").content.decode()
    actions.do_rate(erin, reply, rating=Rating.BASICALLY_SATISFIED)
    filed.refresh_from_db()
    assert filed.handling_status == HandlingStatus.COMPLETED
    assert _label(alice, filed) == "办理完毕"


def test_handling_status_after_a_dissatisfied_rating(
    filed: Proposal, alice: Any, erin: Any, bob: Any, gina: Any, edu: Any
) -> None:
    _assignment, reply = replied(bob, gina, filed, edu)
    actions.do_rate(alice, reply, rating=Rating.SATISFIED)
    actions.do_rate(erin, reply, rating=Rating.DISSATISFIED, comment="没有落实")
    assert _label(erin, filed) == "再办理中"


# --- 4: the review forms pre-select nothing and ask for confirmation -------------------------
@pytest.fixture
def submitted(alice: Any, bob: Any, session: Session) -> Proposal:
    actions.do_file(bob, actions.do_submit(alice, make_draft(alice, session, "关于已立案的建议")))
    return actions.do_submit(alice, make_draft(alice, session, "关于待审查的建议"))


def test_review_page_preselects_nothing(bob: Any, submitted: Proposal) -> None:
    page = _client(bob).get(f"/proposals/{submitted.pk}/").content.decode()
    for name in ("reason", "into", "to"):
        select = re.search(rf'<select id="id_{name}" name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select is not None, name
        options = re.findall(r"<option([^>]*)>", select.group(1))
        assert options[0] == ' value="" selected'  # 请选择…
        assert all("selected" not in o for o in options[1:])
    assert "请选择…" in page
    assert page.count('name="confirm"') == 3


@pytest.mark.parametrize(
    ("verb", "data"),
    [
        ("reject", {"reason": "state_secrets", "explanation": "涉密"}),
        ("merge", {"into": "TARGET"}),
        ("convert", {"to": "public_opinion"}),
    ],
)
def test_review_decisions_need_a_choice_and_a_confirmation(
    bob: Any, submitted: Proposal, verb: str, data: dict[str, str]
) -> None:
    target = Proposal.objects.get(title="关于已立案的建议")
    data = {k: (str(target.pk) if v == "TARGET" else v) for k, v in data.items()}
    url = f"/proposals/{submitted.pk}/act/{verb}/"
    empty = {k: ("" if k in ("reason", "into", "to") else v) for k, v in data.items()}
    for refused in (data, {**empty, "confirm": "1"}):
        r = _client(bob).post(url, refused, follow=True)
        assert r.status_code == 200
        submitted.refresh_from_db()
        assert submitted.status == ProposalStatus.SUBMITTED, refused
    assert "请勾选确认框" in _client(bob).post(url, data, follow=True).content.decode()
    _client(bob).post(url, {**data, "confirm": "1"})
    submitted.refresh_from_db()
    assert submitted.status == {"reject": "rejected", "merge": "merged", "convert": "converted"}[verb]


def test_confirmation_is_asked_only_of_those_who_may_decide(alice: Any, charlie: Any, submitted: Proposal) -> None:
    assert _client(alice).post(f"/proposals/{submitted.pk}/act/reject/", {"reason": "state_secrets"}).status_code == 403
    assert (
        _client(charlie).post(f"/proposals/{submitted.pk}/act/reject/", {"reason": "state_secrets"}).status_code == 404
    )


def test_withdrawal_asks_for_confirmation(alice: Any, submitted: Proposal) -> None:
    _client(alice).post(f"/proposals/{submitted.pk}/act/withdraw/", {"note": "重复"})
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.SUBMITTED
    _client(alice).post(f"/proposals/{submitted.pk}/act/withdraw/", {"note": "重复", "confirm": "1"})
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.WITHDRAWN


# --- 4: upload errors name the right file ---------------------------------------------------
def test_attachment_errors_name_the_attachment(alice: Any, session: Session) -> None:
    draft = make_draft(alice, session)
    for upload, expected in (
        (SimpleUploadedFile("病毒.exe", b"MZ\x90\x00" * 10), "附件“病毒.exe”须为 PDF、Word"),
        (SimpleUploadedFile("空白.pdf", b""), "附件“空白.pdf”为空文件"),
    ):
        r = _client(alice).post(f"/proposals/{draft.pk}/attachments/", {"file": upload}, follow=True)
        page = r.content.decode()
        assert expected in page
        assert "答复文件" not in page
    assert not ProposalAttachment.objects.exists()


def test_reply_document_errors_name_the_reply_document(filed: Proposal, bob: Any, gina: Any, edu: Any) -> None:
    from huying.proposals.tests.test_handling import assign_single, reply_fields

    assignment = assign_single(bob, filed, edu)
    with pytest.raises(Exception) as exc:
        actions.do_submit_reply(gina, assignment, **reply_fields(), document=SimpleUploadedFile("x.exe", b"MZ.."))
    assert exc.value.message_dict["document"] == [  # type: ignore[attr-defined]
        "答复文件须为 PDF、Word（DOC 或 DOCX）、JPEG、PNG 或 WebP 文件。"
    ]


# --- 12: each page for those entitled, 403 or the login page for everyone else ---------------
def test_only_members_open_the_editor(
    alice: Any, bob: Any, charlie: Any, dora: Any, tree: Any, session: Session
) -> None:
    dispatcher = UserFactory(username="dispatch", roles=[(Role.DISPATCHER, tree.district_gov)])
    assert _client(alice).get("/proposals/new/").status_code == 200
    for user in (dora, charlie, dispatcher, bob):
        r = _client(user).get("/proposals/new/")
        assert r.status_code == 403, user
        assert "只有政协委员可以在此起草提案" in r.content.decode()
        assert (
            _client(user).post("/proposals/new/", {"session": session.pk, "title": "关于某事的建议"}).status_code == 403
        )
        assert _client(user).get("/proposals/similar/", {"title": "电梯"}).status_code in (200, 403)
    assert not Proposal.objects.exists()
    r = _client().get("/proposals/new/")
    assert r.status_code == 302 and "/login" in r["Location"]


def test_proposal_pages_refuse_those_not_entitled(
    alice: Any, erin: Any, bob: Any, charlie: Any, dora: Any, tree: Any, filed: Proposal, session: Session
) -> None:
    dispatcher = UserFactory(username="dispatch", roles=[(Role.DISPATCHER, tree.district_gov)])
    draft = make_draft(alice, session, "关于草稿的建议")
    pages = [
        "/proposals/",
        "/proposals/new/",
        "/proposals/members/?member_q=王",
        "/proposals/similar/?title=电梯",
        "/proposals/review/",
        f"/proposals/{filed.pk}/",
        f"/proposals/{draft.pk}/",
        f"/proposals/{draft.pk}/edit/",
        "/proposals/supervision/",
        "/proposals/key/",
    ]
    for user in (dora, charlie, dispatcher):
        for url in pages:
            assert _client(user).get(url).status_code in (403, 404), (user, url)
    for url in pages:
        r = _client().get(url)
        assert r.status_code == 302 and "/login" in r["Location"], url
    # erin (a co-signer) reads the proposal but does not edit alice's draft.
    assert _client(erin).get(f"/proposals/{filed.pk}/").status_code == 200
    actions.do_invite_cosigner(alice, draft, erin)
    assert _client(erin).get(f"/proposals/{draft.pk}/edit/").status_code == 403
