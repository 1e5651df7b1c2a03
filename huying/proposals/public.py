"""The public zone's proposals (公开): what everyone, anonymous visitors included, may read.

A proposal is public when it is filed and published (``publication = published``; the
staff publish it, or the handling's completion does unless a proposer objected or the staff
restricted it). Its public page shows the text, the number, the proposers' names and the
accepted replies; nothing of the review, the units' internal steps or the ratings.

The list goes through two functions so that other parts can plug in:

- :func:`public_queryset` — the published proposals, ready for a list;
- :func:`search` — narrows a queryset by the visitor's query. A title substring for now;
  the Chinese full-text search (``huying/proposals/search.py``) takes its place by
  providing ``search(queryset, q)`` with the same signature.
"""

from __future__ import annotations

from django.db.models import Prefetch

from huying.proposals.choices import CoSignStatus, ProposalStatus, Publication, ReplyStatus
from huying.proposals.models import CoSigner, Proposal, ProposalQuerySet, Reply


def public_queryset() -> ProposalQuerySet:
    """Published proposals, newest publication first, with what a list shows."""
    return (
        Proposal.objects.filter(status=ProposalStatus.FILED, publication=Publication.PUBLISHED)
        .for_list()
        .order_by("-published_at", "-id")
    )


def search(queryset: ProposalQuerySet, q: str) -> ProposalQuerySet:
    """Proposals of ``queryset`` matching ``q`` by the Chinese full-text search
    (:func:`huying.proposals.search.search`: jieba words in FTS5 / tsvector, title matches
    as the fallback), best first; the whole queryset for an empty query."""
    from huying.proposals.search import search as full_text

    return full_text(queryset, q)


def public_detail_queryset() -> ProposalQuerySet:
    """Published proposals with their confirmed co-signers and accepted replies prefetched."""
    return public_queryset().prefetch_related(
        Prefetch(
            "cosigners",
            queryset=CoSigner.objects.filter(status=CoSignStatus.CONFIRMED).select_related("member"),
            to_attr="public_cosigners",
        ),
        Prefetch(
            "replies",
            queryset=Reply.objects.filter(status=ReplyStatus.ACCEPTED)
            .select_related("unit")
            .order_by("reviewed_at", "id"),
            to_attr="public_replies",
        ),
    )


def proposer_names(proposal: Proposal) -> list[str]:
    """The first proposer and the confirmed co-signers, or the collective submitter
    (needs :func:`public_detail_queryset`'s prefetch)."""
    if proposal.collective_id:
        return [proposal.submitter_name]
    names = [str(proposal.proposer)] if proposal.proposer_id else []
    return names + [str(c.member) for c in getattr(proposal, "public_cosigners", [])]
