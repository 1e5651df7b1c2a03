"""Excellent-proposal awards (优秀提案评选): the actions and the reads.

Each year the proposals committee staff of a CPPCC committee open a selection; staff and
the special committees nominate filed proposals of that year, each with a reason; staff
decide every nomination (selected / not selected) and publish the final list, which is
then public. Every action locks the selection row, checks the actor's right
(``PermissionDenied``), refuses bad input with field errors and illegal moves with
``TransitionError`` (nothing changes), and writes an audit entry in the same transaction.

Who:

- **selection staff**: agency staff whose role is held at the selection's CPPCC committee
  or a committee above it (the proposals committee office) — open, nominate, decide,
  publish;
- **a special committee**: agency staff whose role is held at a special committee of that
  CPPCC committee — nominate in the committee's name;
- everyone (also anonymous visitors) reads published selections and their final lists.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.audit.actions import record
from huying.core.actors import is_person
from huying.organisations.choices import OrgKind
from huying.organisations.models import SEGMENT_WIDTH, Organisation
from huying.proposals import transitions
from huying.proposals.choices import AwardDecision, AwardStatus
from huying.proposals.models import AwardNomination, AwardSelection, Proposal
from huying.proposals.transitions import TransitionError

MIN_YEAR, MAX_YEAR = 2000, 2100
TITLE_MAX = 100
TEXT_MAX = 1000


# --- who ---------------------------------------------------------------------------------------
def _staff_roles(user: Any) -> list[Any]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [a for a in user.active_roles if a.role == Role.AGENCY_STAFF and a.organisation is not None]


def staff_cppcc_paths(user: Any) -> list[str]:
    """The CPPCC committees whose selections ``user`` works on, as path prefixes: the
    organisation of each agency-staff role, or for staff of a special committee or an
    office, the CPPCC committee it belongs to."""
    paths = []
    for a in _staff_roles(user):
        org = a.organisation
        if org.kind in (OrgKind.SPECIAL_COMMITTEE, OrgKind.CPPCC_OFFICE) and org.depth > 0:
            paths.append(org.path[: -(SEGMENT_WIDTH + 1)])
        else:
            paths.append(org.path)
    return paths


def is_selection_staff(user: Any, cppcc: Organisation) -> bool:
    """Agency staff of ``cppcc`` or of a CPPCC committee above it."""
    return any(cppcc.path.startswith(a.organisation.path) for a in _staff_roles(user))


def nominating_committees(user: Any, cppcc: Organisation) -> list[Organisation]:
    """The special committees of ``cppcc`` in which ``user`` holds an agency-staff role."""
    return [
        a.organisation
        for a in _staff_roles(user)
        if a.organisation.kind == OrgKind.SPECIAL_COMMITTEE and a.organisation.parent_id == cppcc.pk
    ]


def may_nominate(user: Any, selection: AwardSelection) -> bool:
    return is_selection_staff(user, selection.cppcc) or bool(nominating_committees(user, selection.cppcc))


def _check_staff(user: Any, selection: AwardSelection | None = None, cppcc: Organisation | None = None) -> None:
    target = cppcc if cppcc is not None else selection.cppcc  # type: ignore[union-attr]
    if not is_selection_staff(user, target):
        raise PermissionDenied(_("Only the proposals committee staff of this CPPCC may do this."))


def _check_open(selection: AwardSelection) -> None:
    if selection.status != AwardStatus.OPEN:
        raise TransitionError(_("This selection has been published; it can no longer change."), code="published")


def _lock(selection: AwardSelection) -> AwardSelection:
    return AwardSelection.objects.select_for_update().select_related("cppcc").get(pk=selection.pk)


# --- reads -------------------------------------------------------------------------------------
def access_selection(user: Any, pk: int) -> AwardSelection:
    from django.http import Http404

    try:
        return AwardSelection.objects.visible_to(user).select_related("cppcc").get(pk=pk)
    except AwardSelection.DoesNotExist:
        raise Http404(_("No such selection.")) from None


def nominations_for(user: Any, selection: AwardSelection) -> QuerySet[AwardNomination]:
    """Staff of the CPPCC committee (and its special committees) see every nomination with
    its reason and decision; everyone else sees the final list of a published selection."""
    qs = AwardNomination.objects.filter(selection=selection).select_related(
        "proposal",
        "proposal__session",
        "proposal__proposer",
        "proposal__collective",
        "committee",
        "nominated_by",
        "decided_by",
    )
    if any(selection.cppcc.path.startswith(path) for path in staff_cppcc_paths(user)):
        return qs.order_by("proposal__session_id", "proposal__number", "id")
    if selection.status == AwardStatus.PUBLISHED:
        return qs.filter(decision=AwardDecision.SELECTED).order_by("proposal__session_id", "proposal__number")
    return qs.none()


def eligible_proposals(selection: AwardSelection) -> QuerySet[Proposal]:
    """Filed (numbered) proposals of the selection's CPPCC committee, filed in its year,
    not yet nominated in it and not selected in another year."""
    return (
        Proposal.objects.filter(session__cppcc=selection.cppcc, number__isnull=False, decided_at__year=selection.year)
        .exclude(award_nominations__selection=selection)
        .exclude(award_nominations__decision=AwardDecision.SELECTED)
        .select_related("session", "proposer", "collective")
    )


# --- actions -----------------------------------------------------------------------------------
@transaction.atomic
def do_open_award_selection(
    actor: Any, *, cppcc: Organisation, year: int, title: str = "", note: str = ""
) -> AwardSelection:
    """Staff open the selection of ``year`` for their CPPCC committee (one per year)."""
    _check_staff(actor, cppcc=cppcc)
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = [_("Enter a year between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}]
    elif AwardSelection.objects.filter(cppcc=cppcc, year=year).exists():
        errors["year"] = [_("There is already a selection for this year.")]
    # Stored as data, in Chinese whatever the reader's language (like a session's name).
    title = title.strip() or (f"{year}年度优秀提案" if "year" not in errors else "")
    if len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(max)d characters.") % {"max": TITLE_MAX}]
    if len(note) > 2000:
        errors["note"] = [_("At most %(max)d characters.") % {"max": 2000}]
    if errors:
        raise ValidationError(errors)
    selection = AwardSelection.objects.create(
        cppcc=cppcc,
        year=year,
        title=title,
        note=note.strip(),
        opened_by=actor if is_person(actor) else None,
    )
    record(actor, "proposal.award_open", selection, {"year": year, "title": title})
    return selection


@transaction.atomic
def do_nominate_for_award(
    actor: Any,
    selection: AwardSelection,
    proposal: Proposal,
    *,
    reason: str,
    committee: Organisation | None = None,
) -> AwardNomination:
    """Nominate a filed proposal of the selection's year, with a reason: staff in their own
    name (``committee`` None), staff of a special committee in the committee's name (their
    committee is taken when they hold only one). A proposal is nominated once per
    selection, and is refused if it is not filed or was already selected in another year."""
    selection = _lock(selection)
    committees = nominating_committees(actor, selection.cppcc)
    staff = is_selection_staff(actor, selection.cppcc)
    if not staff and not committees:
        raise PermissionDenied(_("Only the agency staff and the special committees of this CPPCC may nominate."))
    _check_open(selection)
    errors: dict[str, list[str]] = {}
    if committee is None and not staff:
        if len(committees) == 1:
            committee = committees[0]
        else:
            errors["committee"] = [_("Choose the special committee you nominate for.")]
    elif committee is not None and committee not in committees:
        errors["committee"] = [_("You may nominate only for a special committee you work in.")]
    reason = reason.strip()
    if not reason:
        errors["reason"] = [_("Give the reason for the nomination.")]
    elif len(reason) > TEXT_MAX:
        errors["reason"] = [_("At most %(max)d characters.") % {"max": TEXT_MAX}]
    proposal = Proposal.objects.select_related("session").get(pk=proposal.pk)
    local_decided = timezone.localtime(proposal.decided_at) if proposal.decided_at else None
    if proposal.number is None:
        errors["proposal"] = [_("Only filed proposals can be nominated.")]
    elif (
        proposal.session.cppcc_id != selection.cppcc_id or local_decided is None or local_decided.year != selection.year
    ):
        errors["proposal"] = [
            _("Only proposals of this CPPCC filed in %(year)d can be nominated.") % {"year": selection.year}
        ]
    elif AwardNomination.objects.filter(selection=selection, proposal=proposal).exists():
        errors["proposal"] = [_("This proposal has already been nominated.")]
    elif AwardNomination.objects.filter(proposal=proposal, decision=AwardDecision.SELECTED).exists():
        errors["proposal"] = [_("This proposal has already been selected as an excellent proposal.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            nomination = AwardNomination.objects.create(
                selection=selection, proposal=proposal, nominated_by=actor, committee=committee, reason=reason
            )
    except IntegrityError:  # a concurrent nomination of the same proposal
        raise ValidationError({"proposal": [_("This proposal has already been nominated.")]}) from None
    record(
        actor,
        "proposal.award_nominate",
        nomination,
        {"selection": selection.title, "proposal": proposal.title, "committee": committee, "reason": reason},
        object_repr=f"{selection.title}: {proposal.title}",
    )
    return nomination


@transaction.atomic
def do_decide_nomination(actor: Any, nomination: AwardNomination, *, selected: bool, note: str = "") -> AwardNomination:
    """Staff decide a nomination: selected or not selected (changeable until publication)."""
    selection = _lock(nomination.selection)
    _check_staff(actor, selection)
    _check_open(selection)
    if len(note) > TEXT_MAX:
        raise ValidationError({"note": [_("At most %(max)d characters.") % {"max": TEXT_MAX}]})
    nomination = AwardNomination.objects.select_related("proposal").get(pk=nomination.pk)
    decision = AwardDecision.SELECTED if selected else AwardDecision.NOT_SELECTED
    if (
        selected
        and AwardNomination.objects.filter(proposal=nomination.proposal, decision=AwardDecision.SELECTED)
        .exclude(pk=nomination.pk)
        .exists()
    ):
        raise ValidationError({"selected": [_("This proposal has already been selected as an excellent proposal.")]})
    before = nomination.decision
    nomination.decision = decision
    nomination.decided_by = actor
    nomination.decided_at = timezone.now()
    nomination.decision_note = note.strip()
    nomination.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    record(
        actor,
        "proposal.award_decide",
        nomination,
        {"decision": [before, decision], "note": nomination.decision_note},
        object_repr=f"{selection.title}: {nomination.proposal.title}",
    )
    return nomination


@transaction.atomic
def do_publish_awards(actor: Any, selection: AwardSelection) -> AwardSelection:
    """Staff publish the final list once every nomination is decided and at least one was
    selected. The selection is then public and cannot change."""
    selection = _lock(selection)
    _check_staff(actor, selection)
    _check_open(selection)
    counts = selection.nominations.aggregate(
        pending=Count("id", filter=Q(decision=AwardDecision.PENDING)),
        selected=Count("id", filter=Q(decision=AwardDecision.SELECTED)),
    )
    if counts["pending"]:
        raise TransitionError(
            _("Decide every nomination before publishing (%(count)d waiting).") % {"count": counts["pending"]},
            code="pending",
        )
    if not counts["selected"]:
        raise TransitionError(_("Select at least one proposal before publishing."), code="empty")
    transitions.publish_selection(selection, actor)
    from huying.proposals import duty

    for nomination in selection.nominations.filter(decision=AwardDecision.SELECTED).select_related("proposal"):
        duty.excellent(nomination.proposal, now=selection.published_at)
    record(actor, "proposal.award_publish", selection, {"selected": counts["selected"]})
    return selection
