"""The proposals' writes before handling: sessions, drafts, co-signing, submission,
review and filing (the status moves themselves are :mod:`huying.proposals.transitions`),
statistics exports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.audit.actions import record
from huying.handling import history
from huying.organisations.models import Organisation
from huying.proposals import search, transitions
from huying.proposals.choices import Category, CollectiveKind, EventKind, ProposalStatus, SubmitterKind
from huying.proposals.models import CoSigner, Proposal, Session

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


def is_member_of(user: Any, session: Session) -> bool:
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
    invite: Sequence[Any] = (),
) -> DraftResult:
    """Create (``proposal`` is None) or update a draft.

    A member drafts their own proposal in a session of their CPPCC; staff of a collective
    submitter (party, people's organisation, sector, special committee, member group) draft
    for it. Only the author edits, and only while it is a draft; ``version`` guards against
    overwriting a newer edit. ``invite`` lists members to invite as co-signers in the same
    save (first proposer only). Everything is checked before anything is written: errors
    name the field and change nothing; format problems are returned as warnings.
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
                {"version": [_("This proposal has been changed by someone else since you opened it.")]},
                code="stale",
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
    if invite and session is not None:
        invite_errors = _check_invitees(actor, proposal, session, list(invite), first_proposer=collective is None)
        if invite_errors:
            errors["member"] = invite_errors
    if errors:
        raise ValidationError(errors)
    assert session is not None
    if proposal is None:
        if collective is not None:
            if not _may_submit_for(actor, collective, session):
                raise PermissionDenied(_("You are not authorised to submit proposals for this organisation."))
        elif not is_member_of(actor, session):
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
        history.append(proposal, EventKind.CREATED, actor)
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
    for member in invite:
        _invite(actor, proposal, member)
    search.index_proposal(proposal)
    return DraftResult(proposal, format_warnings(title, summary, situation, analysis, suggestions))


def _check_invitees(
    actor: Any, proposal: Proposal | None, session: Session, members: list[Any], *, first_proposer: bool
) -> list[str]:
    """What is wrong with inviting ``members`` to co-sign (empty when nothing is)."""
    if not first_proposer or (proposal is not None and proposal.proposer_id != getattr(actor, "pk", None)):
        return [_("Only the first proposer may invite co-signers.")]
    already = set(CoSigner.objects.filter(proposal=proposal).values_list("member_id", flat=True)) if proposal else set()
    errors: list[str] = []
    seen: set[int] = set()
    for member in members:
        if member is None or member.pk == actor.pk:
            errors.append(_("Invite another member."))
        elif not member.is_active or not is_member_of(member, session):
            errors.append(
                _("%(name)s is not a member of this CPPCC committee and cannot co-sign.") % {"name": str(member)}
            )
        elif member.pk in already or member.pk in seen:
            errors.append(_("%(name)s has already been invited.") % {"name": str(member)})
        else:
            seen.add(member.pk)
    return errors


def _invite(actor: Any, proposal: Proposal, member: Any) -> CoSigner:
    """Write one invitation (checked by the caller): the co-signer row, the history event,
    the audit entry and the invitee's notification (delivered after commit)."""
    cosigner = CoSigner.objects.create(proposal=proposal, member=member)
    history.append(proposal, EventKind.COSIGNER_INVITED, actor, data={"member": member.pk, "member_name": str(member)})
    record(actor, "proposal.invite_cosigner", proposal, {"member": str(member)})
    from huying.proposals import notifications

    notifications.send(
        proposal,
        _("%(name)s invites you to co-sign the proposal “%(title)s”.") % {"name": str(actor), "title": proposal.title},
        timezone.now(),
        users=[member.pk],
    )
    return cosigner


@transaction.atomic
def do_invite_cosigner(actor: Any, proposal: Proposal, member: Any) -> CoSigner:
    """The first proposer invites another member of the same CPPCC to co-sign a draft."""
    proposal = Proposal.objects.select_for_update().select_related("session__cppcc").get(pk=proposal.pk)
    if proposal.proposer_id is None or proposal.proposer_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the first proposer may invite co-signers."))
    if proposal.status != ProposalStatus.DRAFT:
        raise ValidationError(_("Co-signers can be invited only while the proposal is a draft."), code="not_draft")
    errors = _check_invitees(actor, proposal, proposal.session, [member], first_proposer=True)
    if errors:
        raise ValidationError({"member": errors})
    return _invite(actor, proposal, member)


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
    now = timezone.now()
    if not transitions.answer_cosign(cosigner, confirm=confirm, now=now):
        raise ValidationError(_("You have already answered this invitation."), code="already_answered")
    history.append(
        cosigner.proposal,
        EventKind.COSIGNER_CONFIRMED if confirm else EventKind.COSIGNER_DECLINED,
        actor,
        data={"member": actor.pk, "member_name": str(actor)},
        now=now,
    )
    record(actor, "proposal.cosign_" + ("confirm" if confirm else "decline"), cosigner.proposal)
    return cosigner


def _required_at_submission() -> dict[str, str]:
    return {
        "summary": _("Fill in the case summary before submitting."),
        "situation": _("Fill in the situation before submitting."),
        "analysis": _("Fill in the analysis before submitting."),
        "suggestions": _("Fill in the suggestions before submitting."),
    }


def check_submittable(proposal: Proposal) -> None:
    """The content rules a draft must meet before it is submitted (drafts may be
    incomplete): 案由, 基本情况, 问题分析 and 具体建议 filled in, and the title in the form
    “关于…的建议”. Raises a ``ValidationError`` naming each field."""
    errors: dict[str, list[str]] = {}
    if not TITLE_PATTERN.match(proposal.title.strip()):
        errors["title"] = [_("The title must take the form “关于…的建议”.")]
    for name, message in _required_at_submission().items():
        if not getattr(proposal, name).strip():
            errors[name] = [message]
    if errors:
        raise ValidationError(errors, code="incomplete")


@transaction.atomic
def do_submit(actor: Any, proposal: Proposal) -> Proposal:
    """Submit a draft (its author). Refused, with the fields named, unless the content
    rules of :func:`check_submittable` are met."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status == ProposalStatus.DRAFT and locked.is_author(actor):
        check_submittable(locked)
    proposal = transitions.submit(proposal, actor)
    search.index_proposal(proposal)
    return proposal


@transaction.atomic
def do_save_and_submit(actor: Any, proposal: Proposal | None = None, **values: Any) -> DraftResult:
    """Save the draft and submit it, all or nothing: when the submission is refused (an
    incomplete draft, say) the save is undone too, and the caller re-shows what was typed."""
    result = do_save_draft(actor, proposal, **values)
    result.proposal = do_submit(actor, result.proposal)
    return result


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
