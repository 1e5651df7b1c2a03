"""The demo proposals: every pre-handling state, through the real actions, the demo
member's own proposals and invitation, nominations, idempotence."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from huying.audit.models import AuditEntry
from huying.demo import proposal_texts
from huying.demo.proposals import COUNTS, filed_demo_proposals, load_proposal_demo
from huying.proposals.choices import Category, CoSignStatus, ProposalStatus, SubmitterKind
from huying.proposals.models import AwardNomination, CoSigner, Proposal, ProposalEvent, ProposalSearch, Session
from huying.proposals.search import search

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("demo_data", "--scale", "small", "--no-logins", stdout=out)
    return out.getvalue()


def test_every_pre_handling_state_through_the_actions() -> None:
    load()
    session = Session.objects.get(is_current=True, cppcc__name="广东省政协")
    proposals = Proposal.objects.filter(session=session)
    assert proposals.count() == COUNTS["small"] + 1  # + the draft weiyuan is invited to sign
    states = Counter(proposals.values_list("status", flat=True))
    assert set(states) == set(ProposalStatus.values)
    assert set(proposals.values_list("submitter_kind", flat=True)) == set(SubmitterKind.values)
    assert set(proposals.values_list("category", flat=True)) >= {Category.ECONOMY, Category.HEALTH}
    # Filed proposals are numbered 1…n without gaps; rejections carry a reason.
    numbers = sorted(proposals.filter(status=ProposalStatus.FILED).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert not proposals.filter(status=ProposalStatus.REJECTED, reject_reason="").exists()
    assert not proposals.filter(status=ProposalStatus.MERGED, merged_into__isnull=True).exists()
    # Real actions: history, audit entries and search documents exist.
    assert ProposalEvent.objects.filter(proposal__session=session, kind="filed").count() == len(numbers)
    assert AuditEntry.objects.filter(action="proposal.filed").count() == len(numbers)
    assert ProposalSearch.objects.filter(proposal__session=session).count() == proposals.count()
    assert all(p.title.startswith("关于") and p.title.endswith("的建议") for p in proposals)
    # Co-signers: confirmed and declined ones on submitted proposals.
    signed = CoSigner.objects.filter(proposal__session=session).exclude(proposal__status=ProposalStatus.DRAFT)
    assert {CoSignStatus.CONFIRMED, CoSignStatus.DECLINED} <= set(signed.values_list("status", flat=True))
    assert [p.number for p in filed_demo_proposals()] == numbers
    assert AwardNomination.objects.count() == 3


def test_the_demo_member_and_staff() -> None:
    load()
    weiyuan_states = set(Proposal.objects.filter(proposer__username="weiyuan").values_list("status", flat=True))
    assert weiyuan_states >= {"draft", "submitted", "filed", "rejected", "merged", "withdrawn"}
    invitation = CoSigner.objects.get(member__username="weiyuan", status=CoSignStatus.INVITED)
    assert invitation.proposal.status == ProposalStatus.DRAFT
    from huying.accounts.models import User

    jiguan = User.objects.get(username="jiguan")
    visible = Proposal.objects.visible_to(jiguan)
    assert visible.filter(status=ProposalStatus.SUBMITTED).exists()
    topic = filed_demo_proposals()[0].title.removeprefix("关于").removesuffix("的建议")[-4:]
    assert search(visible, topic).exists()


def test_idempotent() -> None:
    load()
    before = (Proposal.objects.count(), AuditEntry.objects.count(), CoSigner.objects.count())
    assert "already loaded" in load()
    assert (Proposal.objects.count(), AuditEntry.objects.count(), CoSigner.objects.count()) == before
    assert load_proposal_demo("small").skipped
    assert load_proposal_demo("small", force=True).skipped
    assert (Proposal.objects.count(), AuditEntry.objects.count()) == before[:2]


def test_texts_are_deterministic_and_varied() -> None:
    first = proposal_texts.generate(500, seed=1)
    assert first == proposal_texts.generate(500, seed=1)
    assert len({t.title for t in first}) > 300
    assert {t.category for t in first} == {t.category for t in proposal_texts.THEMES}
    for text in first[:50]:
        assert text.suggestions.startswith("1. ") and text.summary and text.situation and text.analysis
