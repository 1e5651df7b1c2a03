"""The proposals' models: a package, one module a concern (the proposals and their
handling records, the excellent-proposal awards, the search index). Import them from here:
``from huying.proposals.models import Proposal``."""

from huying.proposals.models.awards import AwardNomination, AwardSelection
from huying.proposals.models.proposals import (
    HANDLING_WORKFLOW,
    CoSigner,
    Proposal,
    ProposalAttachment,
    ProposalQuerySet,
    Reply,
    ReplyQuerySet,
    ReplyRating,
    Session,
    attachment_upload_to,
    chinese_number,
    format_number,
    reply_upload_to,
)
from huying.proposals.models.search import ProposalSearch

__all__ = [
    "HANDLING_WORKFLOW",
    "AwardNomination",
    "AwardSelection",
    "CoSigner",
    "Proposal",
    "ProposalAttachment",
    "ProposalQuerySet",
    "ProposalSearch",
    "Reply",
    "ReplyQuerySet",
    "ReplyRating",
    "Session",
    "attachment_upload_to",
    "chinese_number",
    "format_number",
    "reply_upload_to",
]
