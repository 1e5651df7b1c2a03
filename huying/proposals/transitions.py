"""The proposal workflow. The only module that writes ``Proposal.status``.

Each transition locks the proposal row, refuses an illegal move with
:class:`TransitionError` (a ``ValidationError``), checks the actor's right
(``PermissionDenied``), writes a step of the proposal's history (the engine's
:class:`~huying.handling.models.CaseEvent`, scope *case*) and an audit entry in the same
transaction, writes the proposers' notifications (the engine's ``Notification`` rows) and
delivers them once the transaction commits.

=========  =========================  ====================================
from       to                         who
=========  =========================  ====================================
draft      submitted                  first proposer / authorised staff
submitted  withdrawn                  first proposer / authorised staff
submitted  filed (numbered)           agency staff of the session's CPPCC
submitted  rejected (reason)          agency staff of the session's CPPCC
submitted  merged (into a filed one)  agency staff of the session's CPPCC
submitted  converted                  agency staff of the session's CPPCC
=========  =========================  ====================================

It also writes the proposal's other two states, in one place each:

- ``handling_status`` (办理状态): :func:`on_assignment_move`, the proposals adapter of the
  handling engine (the engine calls it inside the transaction of every move on a
  proposal's assignment: the first assignment makes it *being handled*, a reopening after
  a dissatisfied rating *being handled again* in the next round), and
  :func:`set_handling` for the proposal's own steps (every reply accepted → *replied*,
  every rating in → *completed*), both checked against :data:`HANDLING_MOVES`;
- ``publication`` (公开): :func:`set_publication`, checked against
  :data:`PUBLICATION_MOVES`;
- an excellent-proposal selection's ``status`` (open → published, final):
  :func:`publish_selection`; a co-signer's answer (invited → confirmed or declined, once):
  :func:`answer_cosign`; a reply's review (submitted → accepted or returned, once):
  :func:`review_reply`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.audit.actions import record
from huying.core.actors import is_person
from huying.core.counters import next_value
from huying.handling import history
from huying.handling.models import CaseEvent
from huying.handling.policy import Moved
from huying.proposals import duty
from huying.proposals.choices import (
    AwardStatus,
    ConvertTarget,
    CoSignStatus,
    EventKind,
    HandlingStatus,
    ProposalStatus,
    Publication,
    RejectReason,
    SubmitterKind,
)
from huying.proposals.models import AwardSelection, CoSigner, Proposal, Reply


class TransitionError(ValidationError):
    """An illegal move in the proposal workflow."""


def _refuse_status(proposal: Proposal, allowed: tuple[str, ...], verb: str) -> None:
    if proposal.status not in allowed:
        raise TransitionError(
            _("A proposal that is %(status)s cannot be %(verb)s.")
            % {"status": proposal.get_status_display(), "verb": verb},
            code="illegal_transition",
        )


def is_author(user: Any, proposal: Proposal) -> bool:
    return proposal.is_author(user)


def is_reviewer(user: Any, proposal: Proposal) -> bool:
    """Agency staff (提案委) of the session's CPPCC committee or a committee above it."""
    if not getattr(user, "is_authenticated", False):
        return False
    cppcc_path = proposal.session.cppcc.path
    return any(
        a.role == Role.AGENCY_STAFF and a.organisation is not None and cppcc_path.startswith(a.organisation.path)
        for a in user.active_roles
    )


def check_author(user: Any, proposal: Proposal) -> None:
    if not is_author(user, proposal):
        raise PermissionDenied(_("Only the first proposer or the authorised staff may do this."))


def check_reviewer(user: Any, proposal: Proposal) -> None:
    if not is_reviewer(user, proposal):
        raise PermissionDenied(_("Only the proposals committee staff of this CPPCC may review this proposal."))


def recipients(proposal: Proposal) -> list[int]:
    ids = {proposal.proposer_id, proposal.submitted_by_id}
    ids.update(
        proposal.cosigners.filter(status=CoSignStatus.CONFIRMED).values_list("member_id", flat=True)  # type: ignore[arg-type]
    )
    return sorted(i for i in ids if i is not None)


def _lock(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().select_related("session__cppcc").get(pk=proposal.pk)
    return locked


def _move(
    proposal: Proposal,
    actor: Any,
    kind: str,
    to_status: str,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
) -> CaseEvent:
    from_status = proposal.status
    proposal.status = to_status
    for name, value in (fields or {}).items():
        setattr(proposal, name, value)
    proposal.version += 1
    proposal.save()
    event = history.append(proposal, kind, actor, from_status=from_status, to_status=to_status, note=note, data=data)
    changes: dict[str, Any] = {"status": [from_status, to_status]}
    changes.update(data or {})
    record(actor, f"proposal.{kind}", proposal, changes)
    user_ids = recipients(proposal)
    from huying.proposals.notifications import notify_event

    # Delivered after commit by the engine's delivery hooks (huying.handling.notify).
    notify_event(proposal, event, user_ids)
    return event


@transaction.atomic
def submit(proposal: Proposal, actor: Any) -> Proposal:
    proposal = _lock(proposal)
    check_author(actor, proposal)
    _refuse_status(proposal, (ProposalStatus.DRAFT,), _("submitted"))
    now = timezone.now()
    pending = list(proposal.cosigners.filter(status=CoSignStatus.INVITED).select_related("member"))
    for cosigner in pending:
        history.append(
            proposal,
            EventKind.COSIGNER_DROPPED,
            actor,
            data={"member": cosigner.member_id, "member_name": str(cosigner.member)},
            now=now,
        )
    if pending:
        CoSigner.objects.filter(pk__in=[c.pk for c in pending]).delete()
    confirmed = proposal.cosigners.filter(status=CoSignStatus.CONFIRMED).count()
    submitter_kind = proposal.submitter_kind
    if submitter_kind != SubmitterKind.COLLECTIVE:
        submitter_kind = SubmitterKind.JOINT if confirmed else SubmitterKind.MEMBER
    kind = proposal.session.kind_on(timezone.localdate(now))
    _move(
        proposal,
        actor,
        EventKind.SUBMITTED,
        ProposalStatus.SUBMITTED,
        data={"kind": kind, "cosigners": confirmed, "dropped": len(pending)},
        fields={"submitted_at": now, "kind": kind, "submitter_kind": submitter_kind},
    )
    duty.submitted(proposal)
    return proposal


@transaction.atomic
def withdraw(proposal: Proposal, actor: Any, *, note: str = "") -> Proposal:
    proposal = _lock(proposal)
    check_author(actor, proposal)
    _refuse_status(proposal, (ProposalStatus.SUBMITTED,), _("withdrawn"))
    _move(proposal, actor, EventKind.WITHDRAWN, ProposalStatus.WITHDRAWN, note=note)
    duty.withdrawn(proposal)
    return proposal


def _next_number(proposal: Proposal) -> int:
    """The session's next filing number: gap-free (a rolled-back filing gives it back)."""
    return next_value(f"proposal:{proposal.session_id}")


@transaction.atomic
def file(proposal: Proposal, actor: Any, *, note: str = "") -> Proposal:
    proposal = _lock(proposal)
    check_reviewer(actor, proposal)
    _refuse_status(proposal, (ProposalStatus.SUBMITTED,), _("filed"))
    number = _next_number(proposal)
    from huying.proposals.models import format_number

    _move(
        proposal,
        actor,
        EventKind.FILED,
        ProposalStatus.FILED,
        note=note,
        data={"number": number, "formatted_number": format_number(proposal.session, number)},
        fields={"number": number, "decided_at": timezone.now()},
    )
    duty.filed(proposal)
    return proposal


@transaction.atomic
def reject(proposal: Proposal, actor: Any, *, reason: str, explanation: str) -> Proposal:
    if reason not in RejectReason.values:
        raise ValidationError({"reason": [_("Choose one of the standard reasons.")]})
    if not explanation.strip():
        raise ValidationError({"explanation": [_("Explain the decision to the proposer.")]})
    proposal = _lock(proposal)
    check_reviewer(actor, proposal)
    _refuse_status(proposal, (ProposalStatus.SUBMITTED,), _("rejected"))
    _move(
        proposal,
        actor,
        EventKind.REJECTED,
        ProposalStatus.REJECTED,
        note=explanation.strip(),
        data={"reason": reason},
        fields={"reject_reason": reason, "explanation": explanation.strip(), "decided_at": timezone.now()},
    )
    return proposal


@transaction.atomic
def merge(proposal: Proposal, actor: Any, *, into: Proposal, note: str = "") -> Proposal:
    proposal = _lock(proposal)
    check_reviewer(actor, proposal)
    _refuse_status(proposal, (ProposalStatus.SUBMITTED,), _("merged"))
    target = Proposal.objects.select_for_update().select_related("session").get(pk=into.pk)
    if target.pk == proposal.pk:
        raise ValidationError({"into": [_("A proposal cannot be merged into itself.")]})
    if target.status != ProposalStatus.FILED or target.session_id != proposal.session_id:
        raise ValidationError({"into": [_("Merge only into a filed proposal of the same session.")]})
    from huying.proposals.models import format_number

    assert target.number is not None
    _move(
        proposal,
        actor,
        EventKind.MERGED,
        ProposalStatus.MERGED,
        note=note,
        data={
            "into": target.pk,
            "number": target.number,
            "formatted_number": format_number(target.session, target.number),
        },
        fields={"merged_into": target, "decided_at": timezone.now()},
    )
    return proposal


@transaction.atomic
def convert(proposal: Proposal, actor: Any, *, to: str, note: str = "") -> Proposal:
    if to not in ConvertTarget.values:
        raise ValidationError({"to": [_("Choose what the proposal is converted to.")]})
    proposal = _lock(proposal)
    check_reviewer(actor, proposal)
    _refuse_status(proposal, (ProposalStatus.SUBMITTED,), _("converted"))
    _move(
        proposal,
        actor,
        EventKind.CONVERTED,
        ProposalStatus.CONVERTED,
        note=note,
        data={"to": to},
        fields={"converted_to": to, "decided_at": timezone.now()},
    )
    return proposal


# --- handling status and publication ---------------------------------------------------
HANDLING_MOVES: dict[str, frozenset[str]] = {
    HandlingStatus.UNASSIGNED: frozenset({HandlingStatus.ASSIGNED, HandlingStatus.REHANDLING}),
    HandlingStatus.ASSIGNED: frozenset({HandlingStatus.REPLIED, HandlingStatus.REHANDLING}),
    HandlingStatus.REPLIED: frozenset({HandlingStatus.REHANDLING, HandlingStatus.COMPLETED}),
    HandlingStatus.REHANDLING: frozenset({HandlingStatus.REPLIED, HandlingStatus.REHANDLING}),
    HandlingStatus.COMPLETED: frozenset(),
}
PUBLICATION_MOVES: dict[str, frozenset[str]] = {
    Publication.UNPUBLISHED: frozenset({Publication.PUBLISHED, Publication.OBJECTED, Publication.RESTRICTED}),
    Publication.PUBLISHED: frozenset({Publication.RESTRICTED}),
    Publication.OBJECTED: frozenset({Publication.RESTRICTED}),
    Publication.RESTRICTED: frozenset({Publication.PUBLISHED}),
}


def _write(proposal: Proposal, field: str, to: str, allowed: dict[str, frozenset[str]], **fields: Any) -> None:
    current = getattr(proposal, field)
    if to not in allowed.get(current, frozenset()):
        model_field = Proposal._meta.get_field(field)
        assert isinstance(model_field, models.Field)
        raise TransitionError(
            _("A proposal's %(field)s cannot go from “%(from)s” to “%(to)s”.")
            % {
                "field": model_field.verbose_name,
                "from": getattr(proposal, f"get_{field}_display")(),
                "to": dict(model_field.flatchoices).get(to, to),
            },
            code="illegal_transition",
        )
    setattr(proposal, field, to)
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.version += 1
    proposal.save(update_fields=[field, *fields, "version", "updated_at"])


def set_handling(proposal: Proposal, to: str, **fields: Any) -> None:
    """Move the handling status of ``proposal`` (locked by the caller) to ``to``, with
    ``fields`` written alongside; an illegal move raises :class:`TransitionError`."""
    _write(proposal, "handling_status", to, HANDLING_MOVES, **fields)


def set_publication(proposal: Proposal, to: str, **fields: Any) -> None:
    """Move the publication state of ``proposal`` (locked by the caller) to ``to``."""
    _write(proposal, "publication", to, PUBLICATION_MOVES, **fields)


def open_status(proposal: Proposal) -> str:
    """*Being handled*, or *being handled again* after the first round."""
    return HandlingStatus.ASSIGNED if proposal.handling_round <= 1 else HandlingStatus.REHANDLING


def on_assignment_move(moved: Moved) -> None:
    """The engine's adapter for proposals (see the module docstring). Besides the handling
    status it keeps two rules of the proposal workflow: a responsible unit (单办, 主办,
    分办) is replaced by reassigning, never just withdrawn, so that a proposal is never
    left without one; and the proposers hear when the units change."""
    from huying.handling.choices import AssignmentRole
    from huying.handling.transitions import TransitionError as EngineTransitionError

    action, data, assignment = moved.action, moved.event.data, moved.assignment
    if (
        action == "cancel"
        and assignment.role != AssignmentRole.CO
        and not (data.get("reassign") or data.get("completion"))
    ):
        raise EngineTransitionError(
            _("Only a co-handling unit can be withdrawn; reassign a responsible unit instead."), code="responsible"
        )
    if action not in ("assign", "cancel", "reopen"):
        return
    proposal = Proposal.objects.select_for_update().select_related("session__cppcc").get(pk=assignment.case_id)
    if action == "assign" and proposal.handling_status == HandlingStatus.UNASSIGNED:
        set_handling(proposal, open_status(proposal))
    elif action == "reopen" and data.get("feedback"):
        # 再办理: a proposer's dissatisfied rating reopened the unit's assignment.
        set_handling(proposal, HandlingStatus.REHANDLING, handling_round=proposal.handling_round + 1)
    if (action == "assign" and data.get("reassigned_from")) or (
        action == "cancel" and not (data.get("reassign") or data.get("completion"))
    ):
        from huying.proposals.actions.handling import units_changed

        units_changed(moved.actor, proposal, assignment, moved.event, moved.now)


def publish_selection(selection: AwardSelection, actor: Any) -> None:
    """An excellent-proposal selection (locked by the caller, checked by
    :func:`huying.proposals.awards.do_publish_awards`) becomes published: final."""
    if selection.status != AwardStatus.OPEN:
        raise TransitionError(_("This selection has been published; it can no longer change."), code="published")
    selection.status = AwardStatus.PUBLISHED
    selection.published_at = timezone.now()
    selection.published_by = actor if is_person(actor) else None
    selection.save(update_fields=["status", "published_at", "published_by"])


def answer_cosign(cosigner: CoSigner, *, confirm: bool, now: datetime) -> bool:
    """An invited co-signer's answer, once: a conditional update on the invited state, so
    that of two racing answers one wins. Answers whether this call answered."""
    status = CoSignStatus.CONFIRMED if confirm else CoSignStatus.DECLINED
    if not CoSigner.objects.filter(pk=cosigner.pk, status=CoSignStatus.INVITED).update(status=status, responded_at=now):
        return False
    cosigner.status, cosigner.responded_at = status, now
    return True


def review_reply(reply: Reply, *, accept: bool, actor: Any, note: str, now: datetime) -> bool:
    """A reply awaiting review is accepted or sent back, once (conditional update on the
    submitted state). Answers whether this call reviewed it; ``reply`` is reloaded."""
    from huying.proposals.choices import ReplyStatus

    updated = Reply.objects.filter(pk=reply.pk, status=ReplyStatus.SUBMITTED).update(
        status=ReplyStatus.ACCEPTED if accept else ReplyStatus.RETURNED,
        reviewed_by=actor if is_person(actor) else None,
        reviewed_at=now,
        review_note=note,
    )
    if updated:
        reply.refresh_from_db()
    return bool(updated)
