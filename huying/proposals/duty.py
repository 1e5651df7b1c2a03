"""The proposals' acts in the members' duty record (我的履职, docs/duty.md).

Registered from :class:`~huying.proposals.apps.ProposalsConfig` and called inside the
transaction of each move: submission (first proposer and confirmed co-signers), withdrawal
(the submission is retracted), filing, marking/unmarking a key proposal, publication of
the excellent-proposal list. :func:`backfill` re-records the acts of existing proposals
(``manage.py duty_rebuild``); recording is idempotent, so it never counts an act twice.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from huying.duty.acts import ActKind, record, register_kind, retract

PROPOSER_PARTS: dict[str, str | Promise] = {"first": _("first proposer"), "cosigner": _("co-signer")}


def register_kinds() -> None:
    register_kind(ActKind("proposal.submitted", _("Proposal submitted"), group="proposal", qualifiers=PROPOSER_PARTS))
    register_kind(ActKind("proposal.filed", _("Proposal filed"), group="proposal", qualifiers=PROPOSER_PARTS))
    register_kind(ActKind("proposal.key", _("Key proposal"), group="proposal"))
    register_kind(ActKind("proposal.excellent", _("Excellent proposal"), group="proposal"))


def proposers(proposal: Any) -> list[tuple[Any, str]]:
    """The members credited with ``proposal``: the first proposer and the confirmed
    co-signers (a collective's proposal without a first proposer credits no one)."""
    from huying.proposals.choices import CoSignStatus

    people: list[tuple[Any, str]] = []
    if proposal.proposer_id:
        people.append((proposal.proposer, "first"))
    for cosigner in proposal.cosigners.filter(status=CoSignStatus.CONFIRMED).select_related("member"):
        people.append((cosigner.member, "cosigner"))
    return people


def submitted(proposal: Any) -> None:
    for member, part in proposers(proposal):
        record(
            member,
            "proposal.submitted",
            source=proposal,
            qualifier=part,
            occurred_at=proposal.submitted_at,
            title=proposal.title,
        )


def withdrawn(proposal: Any) -> None:
    for member, _part in proposers(proposal):
        retract(member, "proposal.submitted", source=proposal)


def filed(proposal: Any) -> None:
    for member, part in proposers(proposal):
        record(
            member,
            "proposal.filed",
            source=proposal,
            qualifier=part,
            occurred_at=proposal.decided_at,
            title=proposal.title,
        )


def key_changed(proposal: Any, *, is_key: bool, now: datetime.datetime | None = None) -> None:
    for member, _part in proposers(proposal):
        if is_key:
            record(member, "proposal.key", source=proposal, occurred_at=now, title=proposal.title)
        else:
            retract(member, "proposal.key", source=proposal)


def excellent(proposal: Any, *, now: datetime.datetime | None = None) -> None:
    for member, _part in proposers(proposal):
        record(member, "proposal.excellent", source=proposal, occurred_at=now, title=proposal.title)


def backfill() -> int:
    """Record the acts of every existing proposal that the record lacks (idempotent).
    Answers how many proposals were read."""
    from huying.proposals.choices import AwardDecision, AwardStatus, ProposalStatus
    from huying.proposals.models import AwardNomination, Proposal

    count = 0
    proposals = (
        Proposal.objects.exclude(status=ProposalStatus.DRAFT)
        .select_related("proposer")
        .prefetch_related("cosigners__member")
        .order_by("pk")
    )
    for proposal in proposals.iterator(chunk_size=500):
        count += 1
        if proposal.status == ProposalStatus.WITHDRAWN:
            continue
        if proposal.submitted_at:
            submitted(proposal)
        if proposal.status == ProposalStatus.FILED:
            filed(proposal)
            if proposal.is_key:
                key_changed(proposal, is_key=True, now=proposal.decided_at)
    for nomination in AwardNomination.objects.filter(
        decision=AwardDecision.SELECTED, selection__status=AwardStatus.PUBLISHED
    ).select_related("proposal", "selection"):
        excellent(nomination.proposal, now=nomination.selection.published_at)
    return count
