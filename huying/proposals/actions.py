"""Every write of the proposals app. Views, the API and tests call these functions.

Status changes go through :mod:`huying.proposals.transitions`; the ``do_*`` wrappers here
exist so callers have one place to import from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.audit.actions import record
from huying.organisations.models import Organisation
from huying.proposals import search, transitions
from huying.proposals.awards import (  # noqa: F401 - the award actions, re-exported: one place to import writes from
    do_decide_nomination,
    do_nominate_for_award,
    do_open_award_selection,
    do_publish_awards,
)
from huying.proposals.choices import Category, CollectiveKind, CoSignStatus, EventKind, ProposalStatus, SubmitterKind
from huying.proposals.models import CoSigner, Proposal, ProposalEvent, Session

TITLE_PATTERN = re.compile(r"^关于.+的(建议|提案)$")
TITLE_MAX_ADVISED = 20
BODY_MAX_ADVISED = 1500
SUGGESTIONS_MAX_ADVISED = 3
# Numbered items at the start of a line: 一、 1. 1、 （1） (1)
_NUMBERED_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\d+[.、．]|[（(]\d+[)）])", re.MULTILINE)


@dataclass
class DraftResult:
    proposal: Proposal
    warnings: list[str] = field(default_factory=list)


def access_proposal(user: Any, pk: int) -> Proposal:
    """The proposal ``pk`` if ``user`` may see it, else 404 (no hint that it exists)."""
    try:
        return Proposal.objects.visible_to(user).for_list().get(pk=pk)
    except Proposal.DoesNotExist:
        raise Http404(_("No such proposal.")) from None


def _is_member_of(user: Any, session: Session) -> bool:
    return any(
        a.role == Role.MEMBER and a.organisation is not None and a.organisation.path.startswith(session.cppcc.path)
        for a in user.active_roles
    )


def _may_submit_for(user: Any, collective: Organisation, session: Session) -> bool:
    """Staff holding a role in the collective submitter (or agency staff of the CPPCC)."""
    for a in user.active_roles:
        if a.organisation is None or a.role in (Role.MEMBER, Role.PUBLIC):
            continue
        if a.organisation.path and collective.path.startswith(a.organisation.path):
            return True
        if a.role == Role.AGENCY_STAFF and session.cppcc.path.startswith(a.organisation.path):
            return True
    return False


def format_warnings(title: str, summary: str, situation: str, analysis: str, suggestions: str) -> list[str]:
    """Format rules that warn without blocking: title form and length, body length and
    the one-issue-per-proposal heuristics."""
    warnings: list[str] = []
    title = title.strip()
    if title and not TITLE_PATTERN.match(title):
        warnings.append(_("The title should take the form “关于…的建议”."))
    if len(title) > TITLE_MAX_ADVISED:
        warnings.append(
            _("The title has %(count)d characters; keep it to %(max)d or fewer.")
            % {"count": len(title), "max": TITLE_MAX_ADVISED}
        )
    body = len(situation) + len(analysis) + len(suggestions)
    if body > BODY_MAX_ADVISED:
        warnings.append(
            _("The body has %(count)d characters; keep it to %(max)d or fewer.")
            % {"count": body, "max": BODY_MAX_ADVISED}
        )
    items = len(_NUMBERED_ITEM.findall(suggestions))
    if items > SUGGESTIONS_MAX_ADVISED:
        warnings.append(
            _("There are %(count)d suggestions; a proposal should make at most %(max)d.")
            % {"count": items, "max": SUGGESTIONS_MAX_ADVISED}
        )
    subject = title.removeprefix("关于").removesuffix("的建议")
    if subject.count("、") >= 2 or ("和" in subject and "及" in subject) or "；" in subject:
        warnings.append(_("The title seems to raise several issues; a proposal should deal with one issue only."))
    return warnings


@transaction.atomic
def do_save_draft(
    actor: Any,
    proposal: Proposal | None = None,
    *,
    session: Session | None = None,
    title: str,
    summary: str = "",
    situation: str = "",
    analysis: str = "",
    suggestions: str = "",
    category: str = Category.OTHER,
    suggested_units: list[Organisation] | None = None,
    collective: Organisation | None = None,
    collective_kind: str = "",
    version: int | None = None,
) -> DraftResult:
    """Create (``proposal`` is None) or update a draft.

    A member drafts their own proposal in a session of their CPPCC; staff of a collective
    submitter (party, people's organisation, sector, special committee, member group) draft
    for it. Only the author edits, and only while it is a draft; ``version`` guards against
    overwriting a newer edit. Errors name the field and change nothing; format problems are
    returned as warnings.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to draft a proposal."))
    errors: dict[str, list[str]] = {}
    title = title.strip()
    if proposal is not None:
        proposal = Proposal.objects.select_for_update().select_related("session__cppcc").get(pk=proposal.pk)
        if not proposal.is_author(actor):
            raise PermissionDenied(_("Only the first proposer or the authorised staff may do this."))
        if proposal.status != ProposalStatus.DRAFT:
            raise ValidationError(_("Only drafts can be edited."), code="not_draft")
        if version is not None and version != proposal.version:
            raise ValidationError(
                {"version": [_("Someone saved this draft in the meantime; reload it and try again.")]}
            )
        session = proposal.session
        collective = proposal.collective
    if session is None:
        errors["session"] = [_("Choose the session.")]
    if not title:
        errors.setdefault("title", []).append(_("Enter a title."))
    elif len(title) > 100:
        errors.setdefault("title", []).append(_("The title may have at most 100 characters."))
    for name, value, limit in (
        ("summary", summary, 500),
        ("situation", situation, 3000),
        ("analysis", analysis, 3000),
        ("suggestions", suggestions, 3000),
    ):
        if len(value) > limit:
            errors[name] = [_("At most %(max)d characters.") % {"max": limit}]
    if category not in Category.values:
        errors["category"] = [_("Choose a category from the list.")]
    if collective is not None and proposal is None and collective_kind not in CollectiveKind.values:
        errors["collective_kind"] = [_("Choose the kind of collective submitter.")]
    if errors:
        raise ValidationError(errors)
    assert session is not None
    if proposal is None:
        if collective is not None:
            if not _may_submit_for(actor, collective, session):
                raise PermissionDenied(_("You are not authorised to submit proposals for this organisation."))
        elif not _is_member_of(actor, session):
            raise PermissionDenied(_("Only members of this CPPCC committee may submit proposals to its sessions."))
    values = {
        "title": title,
        "summary": summary.strip(),
        "situation": situation.strip(),
        "analysis": analysis.strip(),
        "suggestions": suggestions.strip(),
        "category": category,
    }
    if proposal is None:
        proposal = Proposal(
            session=session,
            proposer=None if collective is not None else actor,
            collective=collective,
            collective_kind=collective_kind if collective is not None else "",
            submitted_by=actor if collective is not None else None,
            submitter_kind=SubmitterKind.COLLECTIVE if collective is not None else SubmitterKind.MEMBER,
            kind=session.kind_on(timezone.localdate()),
            **values,
        )
        proposal.save()
        ProposalEvent.objects.create(proposal=proposal, kind=EventKind.CREATED, actor=actor)
        record(actor, "proposal.create", proposal, values)
    else:
        changes = {k: [getattr(proposal, k), v] for k, v in values.items() if getattr(proposal, k) != v}
        for k, v in values.items():
            setattr(proposal, k, v)
        proposal.version += 1
        proposal.save()
        if changes:
            record(actor, "proposal.update", proposal, changes)
    if suggested_units is not None:
        proposal.suggested_units.set(suggested_units)
    search.index_proposal(proposal)
    return DraftResult(proposal, format_warnings(title, summary, situation, analysis, suggestions))


@transaction.atomic
def do_invite_cosigner(actor: Any, proposal: Proposal, member: Any) -> CoSigner:
    """The first proposer invites another member of the same CPPCC to co-sign a draft."""
    proposal = Proposal.objects.select_for_update().select_related("session__cppcc").get(pk=proposal.pk)
    if proposal.proposer_id is None or proposal.proposer_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the first proposer may invite co-signers."))
    if proposal.status != ProposalStatus.DRAFT:
        raise ValidationError(_("Co-signers can be invited only while the proposal is a draft."), code="not_draft")
    if member is None or member.pk == actor.pk:
        raise ValidationError({"member": [_("Invite another member.")]})
    if not _is_member_of(member, proposal.session):
        raise ValidationError({"member": [_("Only members of this CPPCC committee can co-sign.")]})
    if CoSigner.objects.filter(proposal=proposal, member=member).exists():
        raise ValidationError({"member": [_("This member has already been invited.")]})
    cosigner = CoSigner.objects.create(proposal=proposal, member=member)
    ProposalEvent.objects.create(
        proposal=proposal,
        kind=EventKind.COSIGNER_INVITED,
        actor=actor,
        data={"member": member.pk, "member_name": str(member)},
    )
    record(actor, "proposal.invite_cosigner", proposal, {"member": str(member)})
    return cosigner


@transaction.atomic
def do_respond_cosign(actor: Any, proposal: Proposal, *, confirm: bool) -> CoSigner:
    """An invited member confirms or declines, once. A second answer is refused, also when
    two answers race (conditional update on the invited state)."""
    try:
        cosigner = CoSigner.objects.select_related("proposal").get(proposal=proposal, member=actor)
    except CoSigner.DoesNotExist:
        raise PermissionDenied(_("You have not been invited to co-sign this proposal.")) from None
    if cosigner.proposal.status != ProposalStatus.DRAFT:
        raise ValidationError(_("This proposal has already been submitted."), code="not_draft")
    status = CoSignStatus.CONFIRMED if confirm else CoSignStatus.DECLINED
    now = timezone.now()
    updated = CoSigner.objects.filter(pk=cosigner.pk, status=CoSignStatus.INVITED).update(
        status=status, responded_at=now
    )
    if not updated:
        raise ValidationError(_("You have already answered this invitation."), code="already_answered")
    cosigner.status, cosigner.responded_at = status, now
    ProposalEvent.objects.create(
        proposal=cosigner.proposal,
        kind=EventKind.COSIGNER_CONFIRMED if confirm else EventKind.COSIGNER_DECLINED,
        actor=actor,
        data={"member": actor.pk, "member_name": str(actor)},
    )
    record(actor, "proposal.cosign_" + ("confirm" if confirm else "decline"), cosigner.proposal)
    return cosigner


@transaction.atomic
def do_submit(actor: Any, proposal: Proposal) -> Proposal:
    proposal = transitions.submit(proposal, actor)
    search.index_proposal(proposal)
    return proposal


def do_withdraw(actor: Any, proposal: Proposal, *, note: str = "") -> Proposal:
    return transitions.withdraw(proposal, actor, note=note)


def do_file(actor: Any, proposal: Proposal, *, note: str = "") -> Proposal:
    return transitions.file(proposal, actor, note=note)


def do_reject(actor: Any, proposal: Proposal, *, reason: str, explanation: str) -> Proposal:
    return transitions.reject(proposal, actor, reason=reason, explanation=explanation)


@transaction.atomic
def do_merge(actor: Any, proposal: Proposal, *, into: Proposal, note: str = "") -> Proposal:
    proposal = transitions.merge(proposal, actor, into=into, note=note)
    # The target's document carries the titles of the proposals merged into it.
    search.index_proposal(into)
    return proposal


def do_convert(actor: Any, proposal: Proposal, *, to: str, note: str = "") -> Proposal:
    return transitions.convert(proposal, actor, to=to, note=note)


@transaction.atomic
def do_create_session(
    actor: Any,
    *,
    cppcc: Organisation,
    term: int,
    number: int,
    name: str = "",
    is_current: bool = False,
    **dates: Any,
) -> Session:
    """Create a session (administrators and commands; ``actor`` may be None)."""
    if is_current:
        Session.objects.filter(cppcc=cppcc, is_current=True).update(is_current=False)
    session = Session(cppcc=cppcc, term=term, number=number, name=name, is_current=is_current, **dates)
    session.full_clean()
    session.save()
    record(actor, "proposal.create_session", session, {"name": session.display_name})
    return session


@transaction.atomic
def do_record_stats_export(actor: Any, session: Session, *, file_format: str) -> None:
    """Record that ``actor`` exported the statistics of ``session`` (exporting figures is an
    auditable act, as for the audit log). Agency staff, leaders and administrators who may
    read that session's statistics."""
    from huying.proposals.stats import check_may_view

    check_may_view(actor, session)
    record(actor, "proposal.stats_export", session, {"format": file_format, "session": session.display_name})


# Handling of filed proposals (交办 → 办理 → 答复 → 测评 → 公开) lives in its own module;
# re-exported here so that callers have one place to import from.
from huying.proposals.attachments import do_add_attachment, do_remove_attachment  # noqa: E402
from huying.proposals.handling_actions import (  # noqa: E402
    do_accept,
    do_assign,
    do_cancel_assignment,
    do_decide_extension,
    do_mark_key,
    do_object,
    do_object_publication,
    do_overrule_objection,
    do_publish,
    do_rate,
    do_reassign,
    do_record_contact,
    do_request_extension,
    do_restrict_publication,
    do_review_reply,
    do_submit_co_view,
    do_submit_reply,
    do_urge,
)

__all__ = [
    "DraftResult",
    "access_proposal",
    "do_accept",
    "do_add_attachment",
    "do_assign",
    "do_cancel_assignment",
    "do_convert",
    "do_create_session",
    "do_decide_extension",
    "do_file",
    "do_invite_cosigner",
    "do_mark_key",
    "do_merge",
    "do_object",
    "do_object_publication",
    "do_overrule_objection",
    "do_publish",
    "do_rate",
    "do_reassign",
    "do_record_contact",
    "do_record_stats_export",
    "do_reject",
    "do_remove_attachment",
    "do_request_extension",
    "do_respond_cosign",
    "do_restrict_publication",
    "do_review_reply",
    "do_save_draft",
    "do_submit",
    "do_submit_co_view",
    "do_submit_reply",
    "do_urge",
    "do_withdraw",
    "format_warnings",
]
