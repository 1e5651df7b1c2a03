from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huying.proposals import actions
from huying.proposals.choices import CoSignStatus, EventKind, ProposalStatus, RejectReason, SubmitterKind
from huying.proposals.models import Proposal
from huying.proposals.tests.conftest import COMPLETE, make_draft
from huying.proposals.transitions import TransitionError

pytestmark = pytest.mark.django_db


def _at(status: str, alice: Any, bob: Any, session: Any) -> Proposal:
    p = make_draft(alice, session)
    if status == "draft":
        return p
    actions.do_submit(alice, p)
    if status == "submitted":
        return p
    if status == "filed":
        return actions.do_file(bob, p)
    if status == "withdrawn":
        return actions.do_withdraw(alice, p)
    if status == "rejected":
        return actions.do_reject(bob, p, reason=RejectReason.EMPTY, explanation="内容空泛")
    raise AssertionError(status)


def _run(verb: str, p: Proposal, alice: Any, bob: Any, session: Any) -> Proposal:
    if verb == "submit":
        return actions.do_submit(alice, p)
    if verb == "withdraw":
        return actions.do_withdraw(alice, p)
    if verb == "file":
        return actions.do_file(bob, p)
    if verb == "reject":
        return actions.do_reject(bob, p, reason=RejectReason.PERSONAL, explanation="属个人事务")
    if verb == "convert":
        return actions.do_convert(bob, p, to="public_opinion")
    if verb == "merge":
        target = actions.do_file(
            bob, actions.do_submit(alice, make_draft(alice, session, "关于既有住宅增设电梯的建议"))
        )
        return actions.do_merge(bob, p, into=target)
    raise AssertionError(verb)


ALLOWED = {
    ("draft", "submit"): ProposalStatus.SUBMITTED,
    ("submitted", "withdraw"): ProposalStatus.WITHDRAWN,
    ("submitted", "file"): ProposalStatus.FILED,
    ("submitted", "reject"): ProposalStatus.REJECTED,
    ("submitted", "merge"): ProposalStatus.MERGED,
    ("submitted", "convert"): ProposalStatus.CONVERTED,
}
STATES = ["draft", "submitted", "filed", "withdrawn", "rejected"]
VERBS = ["submit", "withdraw", "file", "reject", "merge", "convert"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("verb", VERBS)
def test_transition_table(state: str, verb: str, alice: Any, bob: Any, session: Any) -> None:
    p = _at(state, alice, bob, session)
    before = p.events.count()
    if (state, verb) in ALLOWED:
        result = _run(verb, p, alice, bob, session)
        assert result.status == ALLOWED[(state, verb)]
        assert p.events.count() == before + 1
        assert p.events.last().to_status == result.status
    else:
        with pytest.raises(TransitionError):
            _run(verb, p, alice, bob, session)
        p.refresh_from_db()
        assert p.status == state
        assert p.events.count() == before


@pytest.mark.parametrize("verb", ["file", "reject", "merge", "convert"])
def test_review_refused_to_non_staff(verb: str, alice: Any, bob: Any, charlie: Any, session: Any) -> None:
    p = _at("submitted", alice, bob, session)
    for person in (alice, charlie):
        with pytest.raises(PermissionDenied):
            _run(verb, p, person, person, session) if verb != "merge" else actions.do_merge(person, p, into=p)
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED


def test_submit_and_withdraw_refused_to_others(alice: Any, bob: Any, frank: Any, session: Any) -> None:
    p = make_draft(alice, session)
    with pytest.raises(PermissionDenied):
        actions.do_submit(frank, p)
    actions.do_submit(alice, p)
    for person in (frank, bob):
        with pytest.raises(PermissionDenied):
            actions.do_withdraw(person, p)


def test_numbers_are_sequential_and_formatted(alice: Any, bob: Any, session: Any) -> None:
    filed = [actions.do_file(bob, _at("submitted", alice, bob, session)) for _ in range(3)]
    assert [p.number for p in filed] == [1, 2, 3]
    assert filed[1].formatted_number == "十三届三次会议 第0002号"
    merged = actions.do_merge(bob, _at("submitted", alice, bob, session), into=filed[0])
    assert merged.formatted_number == "十三届三次会议 第0001号"
    assert merged.events.last().data["number"] == 1
    assert actions.do_file(bob, _at("submitted", alice, bob, session)).number == 4


def test_reject_needs_reason_and_explanation(alice: Any, bob: Any, session: Any) -> None:
    p = _at("submitted", alice, bob, session)
    with pytest.raises(ValidationError) as exc:
        actions.do_reject(bob, p, reason="nonsense", explanation="x")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.do_reject(bob, p, reason=RejectReason.ACADEMIC, explanation=" ")
    assert "explanation" in exc.value.message_dict
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED


def test_merge_only_into_filed(alice: Any, bob: Any, session: Any) -> None:
    p = _at("submitted", alice, bob, session)
    other = _at("submitted", alice, bob, session)
    with pytest.raises(ValidationError) as exc:
        actions.do_merge(bob, p, into=other)
    assert "into" in exc.value.message_dict


def test_joint_proposal_keeps_only_confirmed(alice: Any, erin: Any, frank: Any, bob: Any, session: Any) -> None:
    p = make_draft(alice, session)
    actions.do_invite_cosigner(alice, p, erin)
    actions.do_invite_cosigner(alice, p, frank)
    actions.do_respond_cosign(erin, p, confirm=True)
    with pytest.raises(ValidationError):
        actions.do_respond_cosign(erin, p, confirm=False)
    actions.do_submit(alice, p)
    p.refresh_from_db()
    assert p.submitter_kind == SubmitterKind.JOINT
    assert list(p.cosigners.values_list("member__username", "status")) == [("erin", CoSignStatus.CONFIRMED)]
    assert p.events.filter(kind=EventKind.COSIGNER_DROPPED, data__member=frank.pk).exists()
    with pytest.raises(ValidationError):
        actions.do_respond_cosign(erin, p, confirm=True)


def test_invite_refusals(alice: Any, erin: Any, charlie: Any, session: Any) -> None:
    p = make_draft(alice, session)
    with pytest.raises(PermissionDenied):
        actions.do_invite_cosigner(erin, p, charlie)
    for person in (alice, charlie):
        with pytest.raises(ValidationError) as exc:
            actions.do_invite_cosigner(alice, p, person)
        assert "member" in exc.value.message_dict
    actions.do_invite_cosigner(alice, p, erin)
    with pytest.raises(ValidationError):
        actions.do_invite_cosigner(alice, p, erin)
    with pytest.raises(PermissionDenied):
        actions.do_respond_cosign(charlie, p, confirm=True)


def test_kind_from_submission_window(alice: Any, session: Any) -> None:
    p = actions.do_submit(alice, make_draft(alice, session))
    assert p.kind == "ordinary"
    session.window_closes = session.window_closes.replace(year=2100)
    session.save()
    assert actions.do_submit(alice, make_draft(alice, session)).kind == "plenary"


def test_bad_draft_input_changes_nothing(alice: Any, session: Any) -> None:
    p = make_draft(alice, session)
    with pytest.raises(ValidationError) as exc:
        actions.do_save_draft(alice, p, title="", category="bogus")
    assert {"title", "category"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        actions.do_save_draft(alice, p, title="关于新标题的建议", version=p.version + 5)
    assert "version" in exc.value.message_dict
    p.refresh_from_db()
    assert p.title == "关于加强老旧小区加装电梯工作的建议"
    assert Proposal.objects.count() == 1


def test_format_warnings(alice: Any, session: Any) -> None:
    result = actions.do_save_draft(
        alice,
        session=session,
        title="加强城市交通、教育、医疗和养老及住房工作的若干意见和想法",
        suggestions="1. 甲\n2. 乙\n3. 丙\n4. 丁",
        situation="字" * 1600,
    )
    assert len(result.warnings) == 5
    assert result.proposal.pk  # warnings do not block


def test_draft_refused_to_non_members(bob: Any, charlie: Any, dora: Any, session: Any) -> None:
    for person in (bob, charlie, dora):
        with pytest.raises(PermissionDenied):
            actions.do_save_draft(person, session=session, title="关于某事的建议")
    assert Proposal.objects.count() == 0


def test_collective_proposal_by_authorised_staff(bob: Any, charlie: Any, tree: Any, session: Any) -> None:
    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.organisations.tests.factories import OrganisationFactory

    party = OrganisationFactory(name="民盟省委会", kind=OrgKind.PARTY, level=OrgLevel.PROVINCE)
    with pytest.raises(PermissionDenied):
        actions.do_save_draft(
            charlie, session=session, title="关于某事的建议", collective=party, collective_kind="party"
        )
    p = actions.do_save_draft(
        bob,
        session=session,
        title="关于某事的建议",
        collective=party,
        collective_kind="party",
        summary="案由",
        **COMPLETE,
    ).proposal
    actions.do_submit(bob, p)
    assert p.submitter_kind == SubmitterKind.COLLECTIVE


def test_proposal_events_reach_the_engines_delivery_hooks_after_commit(
    alice: Any, bob: Any, session: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """One hook registry for every workflow: a filed proposal's notification rows go to
    huying.handling.notify.delivery_hooks, once the transaction commits."""
    from huying.handling import notify

    delivered: list[Any] = []
    notify.delivery_hooks.append(delivered.append)
    try:
        proposal = actions.do_submit(alice, make_draft(alice, session, "关于送达钩子的建议"))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            actions.do_file(bob, proposal)
        assert delivered == []  # nothing before commit
        for callback in callbacks:
            callback()
    finally:
        notify.delivery_hooks.remove(delivered.append)
    assert [(n.recipient_user_id, n.case_id) for n in delivered] == [(alice.pk, proposal.pk)]
    assert "关于送达钩子的建议" in delivered[0].text
