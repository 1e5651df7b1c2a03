"""The proposal workflow's own handling steps (办理) on the shared engine
(``huying.handling``, workflow ``proposal``): 交办 with a handling mode, contact with the
proposer, co-handling views, replies (class A/B/C with the reply document), their review,
the proposers' ratings, key proposals and publication. Pages, the API, the demo loader and
the tests call these (re-exported from :mod:`huying.proposals.actions`).

The units' generic steps — accept, object, ask for more time, progress notes — and the
office's — urge, decide extensions, overrule objections, reassign, withdraw a co-handling
unit — are the engine's own moves (:mod:`huying.handling.actions`, the shared assignments
API and inbox). The proposal's states follow them through the proposals adapter,
:func:`huying.proposals.transitions.on_assignment_move`; the steps here write the states
only through :mod:`huying.proposals.transitions`. Who may do what (docs/proposals.md,
"Handling"):

- *staff*: agency staff (提案委) of the session's CPPCC or a committee above it, and
  administrators (:func:`supervisor_unit`, also the engine's policy): assign, overrule
  objections, reassign, cancel co-handling units, decide extensions, review replies, urge,
  mark key proposals, publish and restrict;
- *unit*: staff of the assigned unit (engine rule: a handling role at the assigned unit
  itself, not above or below it — ``huying.handling.access``):
  accept, object, record contact with the proposer, give co-handling views, reply, ask for
  more time;
- *proposers* (first proposer, confirmed co-signers, the staff who submitted a collective
  proposal): rate accepted replies, object to publication;
- the platform (``actor=None`` or the engine's ``SYSTEM``: loaders, commands) may do all of
  the staff's and units' steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.audit.actions import record
from huying.core.actors import SYSTEM, is_person, is_system
from huying.core.uploads import check_upload_batch, random_name
from huying.handling import actions as engine
from huying.handling import history
from huying.handling.choices import (
    ACTIVE_STATUSES,
    LEAD_ROLES,
    OPEN_STATUSES,
    WORKING_STATUSES,
    AssignmentRole,
    FeedbackChannel,
    NotificationKind,
    Rating,
    Status,
)
from huying.handling.models import Assignment, CaseEvent
from huying.handling.transitions import HANDLER, TransitionError, accept_on_work, authorise, check_right
from huying.organisations.choices import HANDLING_KINDS, OrgKind
from huying.organisations.models import Organisation
from huying.proposals import duty, notifications, transitions
from huying.proposals.choices import (
    HandlingEventKind,
    HandlingMode,
    HandlingStatus,
    ProposalStatus,
    Publication,
    ReplyClass,
    ReplyStatus,
)
from huying.proposals.documents import check_document
from huying.proposals.models import HANDLING_WORKFLOW, Proposal, Reply, ReplyRating
from huying.proposals.transitions import recipients

WORKFLOW = HANDLING_WORKFLOW
# Roles that carry a reply: the sole unit, the lead, each unit answering separately.
RESPONSIBLE_ROLES = (*LEAD_ROLES, AssignmentRole.SEPARATE)
MAX_UNITS = 10
COMMITTEE_KINDS = (OrgKind.SPECIAL_COMMITTEE, OrgKind.CPPCC, OrgKind.CPPCC_OFFICE)
_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")


# --- who ------------------------------------------------------------------------------
def supervisor_unit(user: Any, owner: Organisation) -> Organisation | None:
    """The engine policy's supervisor check for proposals: agency staff at the owning CPPCC
    committee or a committee above it (the same people who review and file), and
    administrators. Leaders supervise key proposals by reading them (their page), not by
    acting on assignments."""
    for role in user.active_roles:
        org = role.organisation
        if org is not None and role.role == Role.AGENCY_STAFF and owner.path.startswith(org.path):
            return org
    if user.is_administrator:
        return owner
    return None


def raters(proposal: Proposal) -> list[int]:
    """The people who rate replies and may object to publication: the first proposer, each
    confirmed co-signer, the staff who submitted a collective proposal."""
    return recipients(proposal)


def may_rate(user: Any, case_type_id: int, case_id: int) -> bool:
    """Engine policy hook: a proposer may record feedback on their proposal."""
    proposal = Proposal.objects.filter(pk=case_id).first()
    return proposal is not None and user.pk in raters(proposal)


def is_staff(user: Any, proposal: Proposal) -> bool:
    if is_system(user):
        return True
    return is_person(user) and user.is_active and supervisor_unit(user, proposal.session.cppcc) is not None


def check_staff(user: Any, proposal: Proposal) -> None:
    if not is_staff(user, proposal):
        raise PermissionDenied(_("Only the proposals committee staff of this CPPCC may do this."))


def is_proposer(user: Any, proposal: Proposal) -> bool:
    return is_person(user) and user.pk in raters(proposal)


def owner_of(proposal: Proposal) -> Organisation:
    """The supervising office of a proposal's assignments: the session's CPPCC committee."""
    return proposal.session.cppcc


# --- helpers ----------------------------------------------------------------------------
def _engine_actor(actor: Any) -> Any:
    return SYSTEM if actor is None else actor


def _lock(proposal_pk: int) -> Proposal:
    return Proposal.objects.select_for_update().select_related("session__cppcc").get(pk=proposal_pk)


def _proposal_of(assignment: Assignment) -> Proposal:
    if assignment.workflow != WORKFLOW:
        raise ValidationError({"assignment": _("This assignment is not a proposal's.")})
    return Proposal.objects.select_related("session__cppcc").get(pk=assignment.case_id)


def _event(
    proposal: Proposal,
    kind: str,
    actor: Any,
    now: datetime,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    notify: bool = True,
) -> CaseEvent:
    """A step of the proposal's history at ``now`` (a loader replaying the past passes its
    time), its audit entry and (unless ``notify`` is false) the proposers' notification;
    delivered after commit by the engine's delivery hooks."""
    written = timezone.now()
    # The time of writing, unless a loader replaying the past gives another.
    at = now if abs((written - now).total_seconds()) > 1 else written
    event = history.append(proposal, kind, actor, note=note, data=data, now=at)
    record(actor if is_person(actor) else None, f"proposal.{kind}", proposal, {**(data or {}), "note": note})
    if notify:
        user_ids = raters(proposal)
        notifications.notify_event(proposal, event, user_ids)
    return event


def _save(proposal: Proposal, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.version += 1
    proposal.save(update_fields=[*fields, "version", "updated_at"])


def _require(value: str, field: str, message: str, limit: int = 1000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    if len(value) > limit:
        raise ValidationError({field: [_("At most %(max)d characters.") % {"max": limit}]})
    return value


def offers(assignment: Assignment, step: str) -> bool:
    """The engine policy's step filter: only a co-handling unit is withdrawn (``cancel``);
    a responsible unit is reassigned, so that a proposal is never left without one."""
    return step != "cancel" or assignment.role == AssignmentRole.CO


def check_unit(unit: Organisation) -> None:
    """The engine policy's unit check: a unit that handles proposals and is active."""
    _check_unit(unit, "unit")


def _check_unit(unit: Organisation | None, field: str) -> Organisation:
    if unit is None:
        raise ValidationError({field: [_("Choose a handling unit.")]})
    if not unit.is_active or unit.kind not in HANDLING_KINDS:
        raise ValidationError({field: [_("%(unit)s cannot handle proposals.") % {"unit": unit.name}]})
    return unit


def _units_text(units: Sequence[tuple[Organisation, str]]) -> str:
    return "、".join(
        f"{unit.name}（{AssignmentRole(role).label}）" if role != AssignmentRole.SINGLE else unit.name
        for unit, role in units
    )


def assignments_of(proposal: Proposal) -> list[Assignment]:
    return list(
        Assignment.objects.filter(workflow=WORKFLOW, case_id=proposal.pk)
        .select_related("unit", "owner")
        .order_by("assigned_at", "id")
    )


def latest_replies(proposal: Proposal) -> dict[int, Reply]:
    """The newest reply of each assignment of ``proposal``, by assignment id."""
    latest: dict[int, Reply] = {}
    for reply in Reply.objects.filter(proposal=proposal).order_by("id"):
        latest[reply.assignment_id] = reply
    return latest


def _responsible(assignments: list[Assignment]) -> list[Assignment]:
    return [a for a in assignments if a.role in RESPONSIBLE_ROLES and a.status in (*ACTIVE_STATUSES, Status.CLOSED)]


def _all_replies_accepted(proposal: Proposal) -> bool:
    responsible = _responsible(assignments_of(proposal))
    latest = latest_replies(proposal)
    return bool(responsible) and all(
        a.status in (Status.RESOLVED, Status.CLOSED) and a.pk in latest and latest[a.pk].status == ReplyStatus.ACCEPTED
        for a in responsible
    )


# --- assignment (交办) ------------------------------------------------------------------
@transaction.atomic
def do_assign(
    actor: Any,
    proposal: Proposal,
    *,
    mode: str,
    units: Sequence[Organisation],
    co_units: Sequence[Organisation] = (),
    note: str = "",
    now: datetime | None = None,
) -> list[Assignment]:
    """交办 a filed proposal (staff). ``mode`` single (单办: one unit in ``units``), separate
    (分办: two or more units in ``units``, each answers) or lead (主办/会办: the lead unit in
    ``units``, one or more ``co_units`` that send their views to it). Deadlines come from
    the ``proposal`` time-limit rules (nature = the proposal's kind, category code = its
    category). Refused while the proposal has active assignments (reassign them instead).
    Returns the assignments, responsible ones first."""
    now = now or timezone.now()
    proposal = _lock(proposal.pk)
    check_staff(actor, proposal)
    errors: dict[str, list[str]] = {}
    units, co_units = list(units), list(co_units)
    if mode not in HandlingMode.values:
        errors["mode"] = [_("Choose single, separate or lead and co-handling.")]
    elif mode == HandlingMode.SINGLE and len(units) != 1:
        errors["units"] = [_("Choose exactly one handling unit.")]
    elif mode == HandlingMode.SEPARATE and len(units) < 2:
        errors["units"] = [_("Choose at least two units to answer separately.")]
    elif mode == HandlingMode.LEAD:
        if len(units) != 1:
            errors["units"] = [_("Choose one lead unit.")]
        if not co_units:
            errors["co_units"] = [_("Choose at least one co-handling unit.")]
    if mode != HandlingMode.LEAD and co_units:
        errors["co_units"] = [_("Only an assignment with a lead unit has co-handling units.")]
    if len(units) + len(co_units) > MAX_UNITS:
        errors["units"] = [_("Assign at most %(max)d units.") % {"max": MAX_UNITS}]
    every = [*units, *co_units]
    if len({u.pk for u in every}) != len(every):
        errors.setdefault("units", []).append(_("Each unit can take part only once."))
    for field, group in (("units", units), ("co_units", co_units)):
        for unit in group:
            try:
                _check_unit(unit, field)
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.message_dict[field])
    if len(note) > 1000:
        errors["note"] = [_("At most %(max)d characters.") % {"max": 1000}]
    if errors:
        raise ValidationError(errors)
    if proposal.status != ProposalStatus.FILED:
        raise TransitionError(_("Only filed proposals can be assigned."), code="not_filed")
    if proposal.handling_status == HandlingStatus.COMPLETED:
        raise TransitionError(_("The handling of this proposal is complete."), code="completed")
    if Assignment.objects.filter(workflow=WORKFLOW, case_id=proposal.pk, status__in=ACTIVE_STATUSES).exists():
        raise TransitionError(
            _("This proposal is already assigned; reassign or cancel the units instead."), code="assigned"
        )
    role = {
        HandlingMode.SINGLE: AssignmentRole.SINGLE,
        HandlingMode.SEPARATE: AssignmentRole.SEPARATE,
        HandlingMode.LEAD: AssignmentRole.LEAD,
    }[HandlingMode(mode)]
    common: dict[str, Any] = {
        "workflow": WORKFLOW,
        "owner": owner_of(proposal),
        "nature": proposal.kind,
        "category_code": proposal.category,
        "reason": note.strip(),
        "now": now,
    }
    who = _engine_actor(actor)
    made = [engine.do_assign(who, proposal, unit=unit, role=role, **common) for unit in units]
    made += [engine.do_assign(who, proposal, unit=unit, role=AssignmentRole.CO, **common) for unit in co_units]
    _event(
        proposal,
        HandlingEventKind.ASSIGNED,
        actor,
        now,
        note=note.strip(),
        data={
            "mode": mode,
            "units": _units_text([(a.unit, a.role) for a in made]),
            "assignments": [{"id": a.pk, "unit": a.unit_id, "role": a.role} for a in made],
        },
    )
    return made


def units_changed(actor: Any, proposal: Proposal, assignment: Assignment, event: Any, now: datetime) -> None:
    """The proposers hear that the units changed (改派 or a co-handling unit withdrawn):
    called by the proposals adapter (``transitions.on_assignment_move``) after the move."""
    active = [a for a in assignments_of(proposal) if a.status in ACTIVE_STATUSES]
    data: dict[str, Any] = {
        "from_unit": event.data.get("from_unit", assignment.unit_id),
        "units": _units_text([(a.unit, a.role) for a in active]),
    }
    if event.data.get("reassigned_from"):
        data.update({"to_unit": assignment.unit_id, "assignment": assignment.pk})
    _event(proposal, HandlingEventKind.ASSIGNMENT_CHANGED, actor, now, note=event.note, data=data)


# --- the unit's steps -------------------------------------------------------------------
def _accept_if_new(actor: Any, assignment: Assignment, version: int | None, now: datetime | None) -> int | None:
    """Sign for the assignment first if the unit has not yet (the engine's
    ``accept_on_work``: a unit that starts working on a proposal has accepted it). Returns
    the version to expect next."""
    return accept_on_work(_engine_actor(actor), assignment, now=now, expected_version=version)


@transaction.atomic
def do_record_contact(
    actor: Any, assignment: Assignment, *, note: str, version: int | None = None, now: datetime | None = None
) -> CaseEvent:
    """联系提案者 (unit): record how and when the unit talked with the proposer. The first
    contact is the engine's *respond* step (the ``respond`` deadline, 15 working days by
    default); later ones are progress notes marked as contacts."""
    _proposal_of(assignment)
    check_right(_engine_actor(actor), assignment, "progress")
    note = _require(note, "note", _("Describe the contact with the proposer."))
    version = _accept_if_new(actor, assignment, version, now)
    who = _engine_actor(actor)
    if assignment.status in (Status.ACCEPTED, Status.REOPENED):
        engine.do_respond(who, assignment, note=note, now=now, expected_version=version)
        return CaseEvent.objects.filter(assignment=assignment).order_by("-id").first()  # type: ignore[return-value]
    return engine.do_add_progress(who, assignment, note=note, data={"contact": True}, now=now)


@transaction.atomic
def do_submit_co_view(
    actor: Any, assignment: Assignment, *, view: str, version: int | None = None, now: datetime | None = None
) -> Assignment:
    """会办意见 (co-handling unit): its views, sent to the lead unit. This completes the
    co-handling unit's part (engine *resolve*, the view is the result); the lead sees it on
    its page and in the timeline."""
    proposal = _proposal_of(assignment)
    check_right(_engine_actor(actor), assignment, "resolve")
    if assignment.role != AssignmentRole.CO:
        raise PermissionDenied(_("Only a co-handling unit gives co-handling views; reply instead."))
    view = _require(view, "view", _("Write the views of your unit."), limit=5000)
    version = _accept_if_new(actor, assignment, version, now)
    lead = next(
        (a for a in assignments_of(proposal) if a.role == AssignmentRole.LEAD and a.status in ACTIVE_STATUSES), None
    )
    engine.do_resolve(
        _engine_actor(actor),
        assignment,
        result=view,
        data={"co_view": True, "lead_unit": lead.unit_id if lead else None},
        now=now,
        expected_version=version,
    )
    if lead is not None:
        notifications.send(
            proposal,
            _("%(unit)s sent its co-handling views on “%(title)s”.")
            % {"unit": assignment.unit.name, "title": proposal.title},
            now or timezone.now(),
            units=[lead.unit_id],
            assignment=lead,
        )
    return assignment


@transaction.atomic
def do_submit_reply(
    actor: Any,
    assignment: Assignment,
    *,
    reply_class: str,
    reference_number: str,
    contact_person: str,
    contact_phone: str = "",
    body: str,
    document: Any = None,
    version: int | None = None,
    now: datetime | None = None,
) -> Reply:
    """答复 (the sole, lead or a separate unit): class A/B/C, reference number (文号),
    contact person and phone, the text and the reply document (PDF, Word or an image, by
    its bytes, at most 20 MB). Resolves the unit's assignment (engine); the staff then review
    it. Co-handling units give views instead (refused here); units outside the assignment
    are refused by the engine (403)."""
    now = now or timezone.now()
    proposal = _proposal_of(assignment)
    # The unit's right first: an outsider learns nothing from field errors.
    authorise(_engine_actor(actor), assignment, HANDLER)
    if assignment.role not in RESPONSIBLE_ROLES:
        raise PermissionDenied(_("A co-handling unit sends its views to the lead unit; the lead unit replies."))
    errors: dict[str, list[str]] = {}
    if reply_class not in ReplyClass.values:
        errors["reply_class"] = [_("Choose class A, B or C.")]
    fields = {
        "reference_number": (reference_number, 60, _("Enter the reference number of the reply.")),
        "contact_person": (contact_person, 40, _("Enter the contact person.")),
        "body": (body, 10000, _("Write the reply.")),
    }
    cleaned: dict[str, str] = {}
    for name, (value, limit, message) in fields.items():
        try:
            cleaned[name] = _require(value, name, message, limit)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    contact_phone = (contact_phone or "").strip()
    if contact_phone and not _PHONE.match(contact_phone):
        errors["contact_phone"] = [_("Enter a telephone number (digits, spaces, +, - and brackets).")]
    extension = ""
    if document is not None:
        try:
            check_upload_batch([document], field="document")
            extension = check_document(document)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if assignment.status not in (Status.ASSIGNED, *WORKING_STATUSES):
        raise TransitionError(
            _("A unit replies while it handles the proposal; this assignment is “%(status)s”.")
            % {"status": assignment.get_status_display()},
            code="illegal",
        )
    version = _accept_if_new(actor, assignment, version, now)
    contacted = CaseEvent.objects.filter(assignment=assignment, kind="responded").exists() or (
        CaseEvent.objects.filter(assignment=assignment, kind="progress", data__contact=True).exists()
    )
    reply = Reply(
        proposal=proposal,
        assignment=assignment,
        unit=assignment.unit,
        round=proposal.handling_round,
        reply_class=reply_class,
        contact_phone=contact_phone,
        proposer_contacted=contacted,
        submitted_by=actor if is_person(actor) else None,
        submitted_at=now,
        **cleaned,
    )
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise TransitionError(_("A reply of this unit is already waiting for review."), code="pending") from None
    engine.do_resolve(
        _engine_actor(actor),
        assignment,
        result=_("Reply %(ref)s (class %(cls)s)") % {"ref": reply.reference_number, "cls": reply_class},
        data={"reply": reply.pk, "reply_class": reply_class, "round": reply.round},
        now=now,
        expected_version=version,
    )
    if document is not None:
        # Stored last, once the engine has taken the reply: a refused reply leaves no file.
        document.seek(0)
        reply.document.save(random_name(extension), document, save=False)
        Reply.objects.filter(pk=reply.pk).update(document=reply.document.name)
    record(
        actor if is_person(actor) else None,
        "proposal.reply_submit",
        proposal,
        {"reply": reply.pk, "unit": assignment.unit_id, "class": reply_class, "round": reply.round},
    )
    return reply


# --- review, rating, completion ---------------------------------------------------------
@transaction.atomic
def do_review_reply(
    actor: Any,
    reply: Reply,
    *,
    accept: bool,
    note: str = "",
    due: datetime | None = None,
    now: datetime | None = None,
) -> Reply:
    """Staff review a reply awaiting review: accept it (the proposers are asked to rate
    it) or send it back with a note (the assignment is reopened with a new deadline:
    ``due``, else the policy's re-handling limit, one month)."""
    now = now or timezone.now()
    proposal = _lock(reply.proposal_id)
    check_staff(actor, proposal)
    note = note.strip()
    if len(note) > 1000:
        raise ValidationError({"note": [_("At most %(max)d characters.") % {"max": 1000}]})
    if not accept and not note:
        raise ValidationError({"note": [_("Tell the unit why the reply is sent back.")]})
    if not transitions.review_reply(reply, accept=accept, actor=actor, note=note, now=now):
        raise TransitionError(_("This reply has already been reviewed."), code="reviewed")
    reply.refresh_from_db()
    assignment = Assignment.objects.select_related("unit").get(pk=reply.assignment_id)
    if accept:
        _event(
            proposal,
            HandlingEventKind.REPLY_ACCEPTED,
            actor,
            now,
            note=note,
            data={"reply": reply.pk, "unit": assignment.unit.name, "class": reply.reply_class, "round": reply.round},
        )
        notifications.send(
            proposal,
            _("Your reply to “%(title)s” was accepted.") % {"title": proposal.title},
            now,
            units=[assignment.unit_id],
            assignment=assignment,
        )
        if _all_replies_accepted(proposal):
            transitions.set_handling(proposal, HandlingStatus.REPLIED)
            if not raters(proposal):
                _complete(actor, proposal, now)
    else:
        engine.do_reopen(
            _engine_actor(actor),
            assignment,
            reason=_("Reply sent back: %(note)s") % {"note": note},
            due=due,
            now=now,
        )
        record(actor if is_person(actor) else None, "proposal.reply_return", proposal, {"reply": reply.pk})
    return reply


def _complete(actor: Any, proposal: Proposal, now: datetime) -> None:
    """All replies accepted and rated, none dissatisfied: close the responsible
    assignments, withdraw co-handling units still open, publish unless the proposer
    objected or the staff restricted it."""
    for a in assignments_of(proposal):
        if a.status == Status.RESOLVED:
            engine.do_close(SYSTEM, a, note=_("Handling completed."), now=now)
        elif a.status in OPEN_STATUSES and a.role == AssignmentRole.CO:
            engine.do_cancel(
                SYSTEM, a, reason=_("Handling completed without these views."), now=now, data={"completion": True}
            )
    transitions.set_handling(proposal, HandlingStatus.COMPLETED, handling_completed_at=now)
    _event(proposal, HandlingEventKind.COMPLETED, actor, now, data={"round": proposal.handling_round})
    if proposal.publication == Publication.UNPUBLISHED:
        _publish(SYSTEM, proposal, now, note=_("Published automatically when the handling was completed."))


def rateable(reply: Reply, assignment: Assignment, latest_id: int | None) -> bool:
    """Whether ``reply`` can be rated now: accepted, the newest reply of its assignment,
    and the assignment resolved (not reopened, not yet closed)."""
    return reply.status == ReplyStatus.ACCEPTED and latest_id == reply.pk and assignment.status == Status.RESOLVED


@transaction.atomic
def do_rate(actor: Any, reply: Reply, *, rating: str, comment: str = "", now: datetime | None = None) -> ReplyRating:
    """满意度测评 (each proposer, once per reply — a second rating is refused): satisfied,
    basically satisfied or dissatisfied, with a comment (required when dissatisfied).
    Recorded as engine feedback (counts in the satisfaction rate). Dissatisfied sends the
    unit's assignment back for re-handling (再办理) with a new deadline (one month) and
    opens the next round; once every proposer has rated every current reply and none is
    dissatisfied, the handling is complete."""
    now = now or timezone.now()
    proposal = _lock(reply.proposal_id)
    if not is_proposer(actor, proposal):
        raise PermissionDenied(_("Only the proposers rate the replies to a proposal."))
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    if rating not in Rating.values:
        errors["rating"] = [_("Choose satisfied, basically satisfied or dissatisfied.")]
    if rating == Rating.DISSATISFIED and not comment:
        errors["comment"] = [_("Say what is unsatisfactory, so that the unit can handle it again.")]
    if len(comment) > 1000:
        errors["comment"] = [_("At most %(max)d characters.") % {"max": 1000}]
    if errors:
        raise ValidationError(errors)
    if ReplyRating.objects.filter(reply=reply, rater=actor).exists():
        raise TransitionError(_("You have already rated this reply."), code="rated")
    assignment = Assignment.objects.select_related("unit", "owner").get(pk=reply.assignment_id)
    latest_id = Reply.objects.filter(assignment=assignment).order_by("-id").values_list("id", flat=True).first()
    if not rateable(reply, assignment, latest_id):
        raise TransitionError(_("This reply cannot be rated now."), code="not_rateable")
    dissatisfied = rating == Rating.DISSATISFIED
    feedback = engine.do_record_feedback(
        actor,
        proposal,
        rating=rating,
        channel=FeedbackChannel.WEB,
        assignment=assignment,
        rater=actor,
        attributable_to_unit=dissatisfied,
        comment=comment,
        now=now,
    )
    try:
        with transaction.atomic():
            rated = ReplyRating.objects.create(
                proposal=proposal,
                reply=reply,
                round=reply.round,
                rater=actor,
                rating=rating,
                comment=comment,
                feedback=feedback,
                created_at=now,
            )
    except IntegrityError:
        raise TransitionError(_("You have already rated this reply."), code="rated") from None
    label = str(Rating(rating).label)
    _event(
        proposal,
        HandlingEventKind.RATED,
        actor,
        now,
        note=comment,
        data={"reply": reply.pk, "unit": assignment.unit.name, "rating": rating, "round": reply.round},
        notify=False,
    )
    notifications.send(
        proposal,
        _("%(name)s rated the reply to “%(title)s”: %(rating)s.")
        % {"name": str(actor), "title": proposal.title, "rating": label},
        now,
        kind=NotificationKind.FEEDBACK,
        units=[assignment.unit_id, assignment.owner_id],
        assignment=assignment,
    )
    if dissatisfied:
        # The engine reopened the assignment (dissatisfied, attributable to the unit) and
        # the adapter opened the next round.
        proposal.refresh_from_db()
        _event(
            proposal,
            HandlingEventKind.REHANDLING,
            SYSTEM,
            now,
            note=comment,
            data={"round": proposal.handling_round, "unit": assignment.unit.name, "assignment": assignment.pk},
        )
    elif _all_rated(proposal):
        _complete(actor, proposal, now)
    return rated


def _all_rated(proposal: Proposal) -> bool:
    if proposal.handling_status != HandlingStatus.REPLIED:
        return False
    people = set(raters(proposal))
    latest = latest_replies(proposal)
    current = [latest[a.pk] for a in _responsible(assignments_of(proposal)) if a.pk in latest]
    if not current:
        return False
    ratings: dict[int, set[int]] = {}
    for r in ReplyRating.objects.filter(reply__in=current):
        if r.rating == Rating.DISSATISFIED:
            return False
        ratings.setdefault(r.reply_id, set()).add(r.rater_id)
    return all(people <= ratings.get(reply.pk, set()) for reply in current)


# --- supervision: key proposals ---------------------------------------------------------
@transaction.atomic
def do_mark_key(
    actor: Any,
    proposal: Proposal,
    *,
    is_key: bool,
    leader: Any = None,
    committee: Organisation | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Proposal:
    """重点提案 (staff): mark a filed proposal as key with a supervising leader (a person
    holding a leader role) and/or a supervising committee; or unmark it. The leader is
    told and sees it on their page; the proposers are told."""
    now = now or timezone.now()
    proposal = _lock(proposal.pk)
    check_staff(actor, proposal)
    if proposal.status != ProposalStatus.FILED:
        raise TransitionError(_("Only filed proposals can be key proposals."), code="not_filed")
    note = note.strip()
    if is_key:
        errors: dict[str, list[str]] = {}
        if leader is None and committee is None:
            errors["leader"] = [_("Name a supervising leader or committee.")]
        if leader is not None and not (leader.is_active and leader.has_role(Role.LEADER)):
            errors["leader"] = [_("The supervising leader must hold a leader role.")]
        if committee is not None and (not committee.is_active or committee.kind not in COMMITTEE_KINDS):
            errors["committee"] = [_("Choose a special committee or CPPCC office.")]
        if errors:
            raise ValidationError(errors)
        old_leader = proposal.key_leader_id
        _save(proposal, is_key=True, key_leader=leader, key_committee=committee)
        duty.key_changed(proposal, is_key=True, now=now)
        _event(
            proposal,
            HandlingEventKind.KEY_MARKED,
            actor,
            now,
            note=note,
            data={
                "leader": leader.pk if leader else None,
                "leader_name": str(leader) if leader else "",
                "committee": committee.pk if committee else None,
                "committee_name": committee.name if committee else "",
            },
        )
        if leader is not None and leader.pk != old_leader:
            notifications.send(
                proposal,
                _("You supervise the key proposal “%(title)s”.") % {"title": proposal.title},
                now,
                kind=NotificationKind.SUPERVISION,
                users=[leader.pk],
            )
        return proposal
    if not proposal.is_key:
        raise TransitionError(_("This is not a key proposal."), code="not_key")
    _save(proposal, is_key=False, key_leader=None, key_committee=None)
    duty.key_changed(proposal, is_key=False)
    _event(proposal, HandlingEventKind.KEY_UNMARKED, actor, now, note=note)
    return proposal


# --- publication ------------------------------------------------------------------------
def _publish(actor: Any, proposal: Proposal, now: datetime, *, note: str = "") -> None:
    transitions.set_publication(proposal, Publication.PUBLISHED, published_at=now, publication_note=note)
    _event(proposal, HandlingEventKind.PUBLISHED, actor, now, note=note)


@transaction.atomic
def do_publish(actor: Any, proposal: Proposal, *, note: str = "", now: datetime | None = None) -> Proposal:
    """公开 (staff): publish a filed proposal with an accepted reply to the public zone, also
    lifting a staff restriction. Refused while the proposer objects. (The handling's
    completion publishes automatically unless objected or restricted.)"""
    now = now or timezone.now()
    proposal = _lock(proposal.pk)
    check_staff(actor, proposal)
    if proposal.status != ProposalStatus.FILED:
        raise TransitionError(_("Only filed proposals can be published."), code="not_filed")
    if proposal.publication == Publication.PUBLISHED:
        raise TransitionError(_("This proposal is already published."), code="published")
    if proposal.publication == Publication.OBJECTED:
        raise TransitionError(_("The proposer objected to publication; it can only be restricted."), code="objected")
    if not Reply.objects.filter(proposal=proposal, status=ReplyStatus.ACCEPTED).exists():
        raise TransitionError(_("Publish a proposal once a reply to it has been accepted."), code="no_reply")
    _publish(actor, proposal, now, note=note.strip()[:1000])
    return proposal


@transaction.atomic
def do_object_publication(actor: Any, proposal: Proposal, *, reason: str, now: datetime | None = None) -> Proposal:
    """A proposer asks, with a reason, that the proposal and its replies not be published
    (before publication only). The supervising office is told."""
    now = now or timezone.now()
    proposal = _lock(proposal.pk)
    if not is_proposer(actor, proposal):
        raise PermissionDenied(_("Only the proposers may object to publication."))
    reason = _require(reason, "reason", _("Give the reason for not publishing."))
    if proposal.status != ProposalStatus.FILED:
        raise TransitionError(_("Only filed proposals are published."), code="not_filed")
    if proposal.publication != Publication.UNPUBLISHED:
        raise TransitionError(
            _("Publication is already “%(state)s”.") % {"state": proposal.get_publication_display()},
            code="decided",
        )
    transitions.set_publication(proposal, Publication.OBJECTED, publication_note=reason)
    _event(proposal, HandlingEventKind.PUBLICATION_OBJECTED, actor, now, note=reason, notify=False)
    notifications.send(
        proposal,
        _("A proposer objects to publishing “%(title)s”: %(reason)s") % {"title": proposal.title, "reason": reason},
        now,
        units=[proposal.session.cppcc_id],
    )
    return proposal


@transaction.atomic
def do_restrict_publication(actor: Any, proposal: Proposal, *, reason: str, now: datetime | None = None) -> Proposal:
    """不予公开 (staff), with a reason: keeps the proposal out of the public zone, and
    withdraws it from there if it was published."""
    now = now or timezone.now()
    proposal = _lock(proposal.pk)
    check_staff(actor, proposal)
    reason = _require(reason, "reason", _("Give the reason for restricting publication."))
    if proposal.status != ProposalStatus.FILED:
        raise TransitionError(_("Only filed proposals are published."), code="not_filed")
    if proposal.publication == Publication.RESTRICTED:
        raise TransitionError(_("Publication is already restricted."), code="restricted")
    transitions.set_publication(proposal, Publication.RESTRICTED, publication_note=reason, published_at=None)
    _event(proposal, HandlingEventKind.RESTRICTED, actor, now, note=reason)
    return proposal
