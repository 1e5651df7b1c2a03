"""Proposals land in the duty record as they happen: submission (first proposer and
confirmed co-signers), withdrawal, filing, key proposals, excellent proposals; and
``duty_rebuild`` re-creates missing entries without counting anything twice."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from huying.duty.models import DutyEntry, DutySummary
from huying.proposals import actions
from huying.proposals.tests.conftest import make_draft, make_session

pytestmark = pytest.mark.django_db


def _acts(member: Any) -> set[tuple[str, str, int]]:
    return {(e.kind, e.qualifier, e.points) for e in DutyEntry.objects.filter(member=member, retracted_at__isnull=True)}


def _joint(alice: Any, erin: Any, tree: Any, title: str = "关于推进中小学课后服务提质的建议") -> Any:
    proposal = make_draft(alice, make_session(tree), title, summary="课后服务")
    actions.do_invite_cosigner(alice, proposal, erin)
    actions.do_respond_cosign(erin, proposal, confirm=True)
    return proposal


def test_submission_filing_key_and_award_are_recorded(alice, bob, erin, tree):
    proposal = _joint(alice, erin, tree)
    assert not DutyEntry.objects.exists()  # drafts and co-signing are not acts yet
    actions.do_submit(alice, proposal)
    assert _acts(alice) == {("proposal.submitted", "first", 2)}
    assert _acts(erin) == {("proposal.submitted", "cosigner", 1)}
    actions.do_file(bob, proposal)
    assert _acts(alice) == {("proposal.submitted", "first", 2), ("proposal.filed", "first", 5)}
    assert _acts(erin) >= {("proposal.filed", "cosigner", 2)}
    lei = _leader(tree)
    actions.do_mark_key(bob, proposal, is_key=True, leader=lei)
    assert ("proposal.key", "", 5) in _acts(alice) and ("proposal.key", "", 5) in _acts(erin)
    actions.do_mark_key(bob, proposal, is_key=False)
    assert ("proposal.key", "", 5) not in _acts(alice)
    assert DutyEntry.objects.filter(member=alice, kind="proposal.key").exclude(retracted_at=None).count() == 1
    proposal.refresh_from_db()
    year = proposal.submitted_at.year
    selection = actions.do_open_award_selection(bob, cppcc=tree.province_cppcc, year=year)
    nomination = actions.do_nominate_for_award(bob, selection, proposal, reason="调研深入")
    actions.do_decide_nomination(bob, nomination, selected=True)
    assert not DutyEntry.objects.filter(kind="proposal.excellent").exists()  # not final before publication
    actions.do_publish_awards(bob, selection)
    assert ("proposal.excellent", "", 10) in _acts(alice)
    summary = DutySummary.objects.get(member=alice, year=year)
    assert (summary.points, summary.acts) == (2 + 5 + 10, 3)


def _leader(tree: Any) -> Any:
    from huying.accounts.choices import Role
    from huying.accounts.tests.factories import UserFactory

    return UserFactory(username="lei", real_name="雷主席", roles=[(Role.LEADER, tree.province_cppcc)])


def test_a_withdrawn_proposal_leaves_a_retracted_entry(alice, erin, tree):
    proposal = _joint(alice, erin, tree)
    actions.do_submit(alice, proposal)
    actions.do_withdraw(alice, proposal, note="情况变化")
    entry = DutyEntry.objects.get(member=alice)
    assert entry.retracted_at is not None and entry.points == 0
    assert DutySummary.objects.get(member=alice).points == 0


def test_rebuild_recreates_missing_entries_once(alice, bob, erin, tree):
    proposal = _joint(alice, erin, tree)
    actions.do_submit(alice, proposal)
    actions.do_file(bob, proposal)
    before = sorted(DutyEntry.objects.values_list("member", "kind", "qualifier", "points", "occurred_at"))
    DutyEntry.objects.all().delete()
    DutySummary.objects.all().delete()
    call_command("duty_rebuild", stdout=io.StringIO())
    call_command("duty_rebuild", stdout=io.StringIO())
    after = sorted(DutyEntry.objects.values_list("member", "kind", "qualifier", "points", "occurred_at"))
    assert after == before and len(after) == 4
    assert DutySummary.objects.get(member=alice).points == 7
