"""The demo handling of filed proposals (``handle_demo_proposals``), on a few proposals."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.demo.proposal_handling import OUTCOMES, handle_demo_proposals
from huying.handling.choices import Status
from huying.handling.models import Assignment, Feedback
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.proposals import actions
from huying.proposals.choices import HandlingStatus, Publication, ReplyStatus
from huying.proposals.models import Proposal, Reply, ReplyRating

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _filed(tree: Any, count: int) -> tuple[list[Proposal], list[Any]]:
    staff = UserFactory(roles=[(Role.AGENCY_STAFF, tree.province_cppcc)])
    UserFactory(roles=[(Role.LEADER, tree.province_cppcc)])
    OrganisationFactory(
        name="提案委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )
    members = [UserFactory(roles=[(Role.MEMBER, tree.province_cppcc)]) for _ in range(4)]
    session = actions.do_create_session(None, cppcc=tree.province_cppcc, term=13, number=3, is_current=True)
    proposals = []
    for i in range(count):
        author, cosigner = members[i % 4], members[(i + 1) % 4]
        draft = actions.do_save_draft(
            author,
            session=session,
            title=f"关于第{i}项民生工作的建议",
            summary="民生",
            situation="（基本情况）",
            analysis="（问题分析）",
            suggestions="（具体建议）",
        ).proposal
        if i % 2:
            actions.do_invite_cosigner(author, draft, cosigner)
            actions.do_respond_cosign(cosigner, draft, confirm=True)
        actions.do_submit(author, draft)
        proposals.append(actions.do_file(staff, draft))
    units = [
        tree.department,
        OrganisationFactory(
            name="荔湾区教育局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
        ),
        OrganisationFactory(
            name="荔湾区卫健局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
        ),
    ]
    UserFactory(roles=[(Role.UNIT_STAFF, units[1])])
    return proposals, units


def test_a_realistic_spread_through_the_actions(tree: Any) -> None:
    proposals, units = _filed(tree, 24)
    now = timezone.now()
    result = handle_demo_proposals(proposals, units, random.Random(7), now)
    outcomes = Counter({k: v for k, v in result.items() if k in dict(OUTCOMES)})
    assert sum(outcomes.values()) == 24
    states = Counter(Proposal.objects.values_list("handling_status", flat=True))
    assert states[HandlingStatus.COMPLETED] == outcomes["completed"]
    assert states[HandlingStatus.UNASSIGNED] == outcomes["unassigned"]
    assert states[HandlingStatus.REHANDLING] == outcomes["rehandling"]
    # Everything happened in the past, through the engine and the proposals' records.
    assert not Assignment.objects.filter(assigned_at__gt=now).exists()
    assert not Reply.objects.filter(submitted_at__gt=now).exists()
    assert Reply.objects.filter(status=ReplyStatus.ACCEPTED).count() >= outcomes["completed"]
    assert ReplyRating.objects.count() == Feedback.objects.count()
    completed = Proposal.objects.filter(handling_status=HandlingStatus.COMPLETED)
    assert all(
        p.publication in (Publication.PUBLISHED, Publication.OBJECTED, Publication.RESTRICTED) for p in completed
    )
    assert not Assignment.objects.filter(case_id__in=completed.values("pk"), status=Status.RESOLVED).exists()
    # A second run moves only the proposals still waiting to be assigned.
    handled = set(Assignment.objects.values_list("pk", flat=True))
    again = handle_demo_proposals(list(Proposal.objects.all()), units, random.Random(8), now)
    assert sum(v for k, v in again.items() if k in dict(OUTCOMES)) == outcomes["unassigned"]
    waiting = [
        p.pk
        for p in proposals
        if p.pk not in set(Assignment.objects.filter(pk__in=handled).values_list("case_id", flat=True))
    ]
    assert set(Assignment.objects.exclude(pk__in=handled).values_list("case_id", flat=True)) <= set(waiting)


def test_needs_two_units(tree: Any) -> None:
    with pytest.raises(ValueError):
        handle_demo_proposals([], [tree.department], random.Random(1), dt.datetime.now(dt.UTC))
