"""Reads of the proposal handling: the unit inbox, the staff supervision board, the
leaders' key proposals, the replies a member still has to rate, and the handling of one
proposal as a person may see it. Pages and the API both use these, so they agree.

Deadline states (ok / yellow / red) are derived from the engine's stored times at read time
(:func:`huying.handling.supervision.deadline_state`); the board filters and sorts on the
same conditions as indexed SQL (``Assignment.objects.overdue`` / ``due_soon``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.handling import access
from huying.handling.choices import (
    OPEN_STATUSES,
    AssignmentRole,
    EventScope,
    ExtensionStatus,
    Rating,
    Status,
    WarningLevel,
)
from huying.handling.history import events_for
from huying.handling.models import Assignment, AssignmentQuerySet, CaseEvent, ExtensionRequest
from huying.handling.supervision import LEVEL_ORDER, DeadlineState, deadline_state
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.proposals.actions import handling as ha
from huying.proposals.choices import CoSignStatus, HandlingStatus, ProposalStatus, ReplyStatus
from huying.proposals.models import HANDLING_WORKFLOW, CoSigner, Proposal, ProposalQuerySet, Reply, ReplyRating

STATE_LEVELS = (WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.OK)


@dataclass
class AssignmentRow:
    assignment: Assignment
    state: DeadlineState


@dataclass
class BoardRow:
    proposal: Proposal
    assignments: list[AssignmentRow] = field(default_factory=list)
    status_label: str = ""

    @property
    def level(self) -> str:
        levels = [r.state.level for r in self.assignments if r.assignment.status in OPEN_STATUSES]
        return max(levels, key=lambda level: LEVEL_ORDER[WarningLevel(level)], default=WarningLevel.OK)


def rows_for(assignments: list[Assignment], now: datetime) -> list[AssignmentRow]:
    return [AssignmentRow(a, deadline_state(a, now)) for a in assignments]


# --- unit inbox -----------------------------------------------------------------------
def unit_condition(user: Any) -> Q | None:
    """Assignments a person reads as staff of a unit (``huying.handling.access``): their
    unit's; a leader's also the units' below. Never a unit above their own; acting is for
    the assigned unit's own staff only (``access.can_act``)."""
    return access.unit_condition(user)


def inbox_assignments(user: Any, show: str = "open") -> AssignmentQuerySet:
    """The proposal assignments of the person's units, newest first; ``show`` open (the unit
    still owes something, or an objection is pending) or all."""
    condition = unit_condition(user) if getattr(user, "is_authenticated", False) else None
    if condition is None:
        return Assignment.objects.none()
    rows = Assignment.objects.filter(condition, workflow=HANDLING_WORKFLOW).select_related("unit")
    if show == "open":
        rows = rows.filter(status__in=(*OPEN_STATUSES, Status.OBJECTED))
    return rows.order_by("-assigned_at", "-id")


def with_proposals(assignments: list[Assignment], now: datetime) -> list[tuple[AssignmentRow, Proposal | None]]:
    """The page of assignments with their proposals (one query) and deadline states."""
    proposals = Proposal.objects.for_list().in_bulk([a.case_id for a in assignments])
    return [(AssignmentRow(a, deadline_state(a, now)), proposals.get(a.case_id)) for a in assignments]


# --- supervision board ------------------------------------------------------------------
def _case_assignments() -> AssignmentQuerySet:
    return Assignment.objects.filter(workflow=HANDLING_WORKFLOW, case_id=OuterRef("pk"))


def annotate_deadlines(queryset: ProposalQuerySet, now: datetime) -> ProposalQuerySet:
    """Red / yellow (any open assignment), the next reply deadline and a reply awaiting
    review, as SQL, ordered key proposals first, then red, yellow, the nearest deadline."""
    return queryset.annotate(
        is_red=Exists(_case_assignments().overdue(now)),
        is_yellow=Exists(_case_assignments().due_soon(now)),
        next_due=Subquery(
            _case_assignments()
            .open()
            .filter(resolve_due__isnull=False)
            .order_by("resolve_due")
            .values("resolve_due")[:1]
        ),
        reply_pending=Exists(Reply.objects.filter(proposal=OuterRef("pk"), status=ReplyStatus.SUBMITTED)),
    ).order_by("-is_key", "-is_red", "-is_yellow", F("next_due").asc(nulls_last=True), "number", "id")


def may_supervise(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and (user.is_administrator or user.has_role(Role.AGENCY_STAFF))


def board_queryset(user: Any, now: datetime, filters: dict[str, Any] | None = None) -> ProposalQuerySet:
    """Assigned proposals the person may see (filed, handling started), with the filters
    ``state`` (red / yellow / ok), ``key``, ``handling`` (a handling status), ``pending``
    (a reply awaits review), ``unit`` (an organisation id: assigned to it or below it),
    ``session`` and ``q`` (title substring)."""
    filters = filters or {}
    qs = (
        Proposal.objects.visible_to(user)
        .for_list()
        .filter(status=ProposalStatus.FILED)
        .exclude(handling_status=HandlingStatus.UNASSIGNED)
    )
    # Typed loosely: the stubs do not know the annotations the filters below use.
    rows: Any = annotate_deadlines(qs, now)
    state = filters.get("state")
    if state == WarningLevel.RED:
        rows = rows.filter(is_red=True)
    elif state == WarningLevel.YELLOW:
        rows = rows.filter(is_red=False, is_yellow=True)
    elif state == WarningLevel.OK:
        rows = rows.filter(is_red=False, is_yellow=False)
    if filters.get("key"):
        rows = rows.filter(is_key=True)
    if filters.get("handling") in HandlingStatus.values:
        rows = rows.filter(handling_status=filters["handling"])
    if filters.get("pending"):
        rows = rows.filter(reply_pending=True)
    unit = filters.get("unit")
    if isinstance(unit, Organisation):
        rows = rows.filter(Exists(_case_assignments().filter(unit__path__startswith=unit.path)))
    if filters.get("session"):
        rows = rows.filter(session_id=filters["session"])
    q = (filters.get("q") or "").strip()
    if q:
        rows = rows.filter(title__icontains=q)
    return rows  # type: ignore[no-any-return]


def board_rows(proposals: list[Proposal], now: datetime) -> list[BoardRow]:
    """A page of proposals with their assignments and deadline states (one query)."""
    by_case: dict[int, list[Assignment]] = {}
    assignments = (
        Assignment.objects.filter(workflow=HANDLING_WORKFLOW, case_id__in=[p.pk for p in proposals])
        .exclude(status=Status.CANCELLED)
        .select_related("unit")
        .order_by("assigned_at", "id")
    )
    for a in assignments:
        by_case.setdefault(a.case_id, []).append(a)
    labels = _rating_labels([p for p in proposals if p.handling_status == HandlingStatus.REPLIED], by_case)
    return [
        BoardRow(
            p,
            rows_for(by_case.get(p.pk, []), now),
            labels.get(p.pk) or str(HandlingStatus(p.handling_status).label),
        )
        for p in proposals
    ]


def _rating_labels(replied: list[Proposal], by_case: dict[int, list[Assignment]]) -> dict[int, str]:
    """The words of :func:`handling_label` for a page of replied proposals, in three queries
    (none when no proposal of the page awaits ratings)."""
    if not replied:
        return {}
    ids = [p.pk for p in replied]
    latest: dict[int, int] = {}
    for reply_id, assignment_id in (
        Reply.objects.filter(proposal_id__in=ids).order_by("id").values_list("id", "assignment_id")
    ):
        latest[assignment_id] = reply_id
    people: dict[int, set[int]] = {
        p.pk: {i for i in (p.proposer_id, p.submitted_by_id) if i is not None} for p in replied
    }
    for proposal_id, member_id in CoSigner.objects.filter(
        proposal_id__in=ids, status=CoSignStatus.CONFIRMED
    ).values_list("proposal_id", "member_id"):
        people[proposal_id].add(member_id)
    current = {p.pk: {latest[a.pk] for a in ha._responsible(by_case.get(p.pk, [])) if a.pk in latest} for p in replied}
    ratings: dict[int, list[tuple[int, str]]] = {}
    for reply_id, rater_id, rating in ReplyRating.objects.filter(
        reply_id__in=[r for replies in current.values() for r in replies]
    ).values_list("reply_id", "rater_id", "rating"):
        ratings.setdefault(reply_id, []).append((rater_id, rating))
    labels = {}
    for p in replied:
        given = [
            (rater, rating) for r in current[p.pk] for rater, rating in ratings.get(r, []) if rater in people[p.pk]
        ]
        labels[p.pk] = _words(
            p.handling_status,
            due=len(people[p.pk]) * len(current[p.pk]),
            done=len(given),
            dissatisfied=any(rating == Rating.DISSATISFIED for _rater, rating in given),
        )
    return labels


def key_queryset(user: Any, now: datetime) -> ProposalQuerySet:
    """The key proposals a leader supervises, by name or as a leader of the committee."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    committees = [a.organisation_id for a in user.active_roles if a.role == Role.LEADER and a.organisation_id]
    qs = (
        Proposal.objects.visible_to(user)
        .for_list()
        .filter(Q(key_leader=user) | Q(key_committee_id__in=committees), is_key=True)
        .select_related("key_committee", "key_leader")
    )
    return annotate_deadlines(qs, now)


# --- members: replies to rate -------------------------------------------------------------
def own_proposals(user: Any) -> QuerySet[Proposal]:
    return Proposal.objects.filter(
        Q(proposer=user)
        | Q(submitted_by=user)
        | Q(
            pk__in=Proposal.objects.filter(cosigners__member=user, cosigners__status=CoSignStatus.CONFIRMED).values(
                "pk"
            )
        )
    )


def replies_to_rate(user: Any) -> QuerySet[Reply]:
    """Accepted replies to the person's proposals that they have not rated and that can be
    rated now (the newest reply of a resolved assignment)."""
    if not getattr(user, "is_authenticated", False):
        return Reply.objects.none()
    newer = Reply.objects.filter(assignment=OuterRef("assignment"), pk__gt=OuterRef("pk"))
    rated = ReplyRating.objects.filter(reply=OuterRef("pk"), rater=user)
    return (
        Reply.objects.filter(
            proposal__in=own_proposals(user).values("pk"),
            status=ReplyStatus.ACCEPTED,
            assignment__status=Status.RESOLVED,
        )
        .exclude(Exists(newer))
        .exclude(Exists(rated))
        .select_related("proposal", "proposal__session", "unit")
        .order_by("reviewed_at", "id")
    )


# --- one proposal -----------------------------------------------------------------------
@dataclass
class ReplyView:
    reply: Reply
    ratings: list[ReplyRating]
    may_rate: bool
    my_rating: ReplyRating | None


@dataclass
class Handling:
    """The handling of one proposal as ``user`` may see it."""

    assignments: list[AssignmentRow]
    replies: list[ReplyView]
    staff: bool
    proposer: bool
    unit_assignments: list[Assignment]
    pending_extensions: list[ExtensionRequest]
    timeline: list[CaseEvent]
    co_views: list[CaseEvent]
    status_label: str = ""

    @property
    def active(self) -> list[AssignmentRow]:
        return [r for r in self.assignments if r.assignment.status != Status.CANCELLED]

    @property
    def pending_replies(self) -> list[ReplyView]:
        return [r for r in self.replies if r.reply.status == ReplyStatus.SUBMITTED]

    @property
    def to_rate(self) -> list[ReplyView]:
        return [r for r in self.replies if r.may_rate]

    @property
    def objected(self) -> list[AssignmentRow]:
        return [r for r in self.assignments if r.assignment.status == Status.OBJECTED]

    @property
    def open(self) -> list[AssignmentRow]:
        return [r for r in self.assignments if r.assignment.status in OPEN_STATUSES]


def handling_of(user: Any, proposal: Proposal, now: datetime | None = None) -> Handling:
    """Assignments (all who see the proposal), the replies they may see with ratings, what
    the person may do as staff or proposer, the units' timeline and co-handling views (staff
    and the units)."""
    now = now or timezone.now()
    assignments = ha.assignments_of(proposal)
    staff = ha.is_staff(user, proposal)
    proposer = ha.is_proposer(user, proposal)
    condition = unit_condition(user) if getattr(user, "is_authenticated", False) else None
    mine: list[Assignment] = []
    if condition is not None:
        ids = set(
            Assignment.objects.filter(condition, workflow=HANDLING_WORKFLOW, case_id=proposal.pk).values_list(
                "pk", flat=True
            )
        )
        mine = [a for a in assignments if a.pk in ids]
    by_id = {a.pk: a for a in assignments}
    replies = list(
        Reply.objects.visible_to(user)
        .filter(proposal=proposal)
        .select_related("unit", "reviewed_by", "submitted_by")
        .prefetch_related(Prefetch("ratings", queryset=ReplyRating.objects.select_related("rater")))
        .order_by("submitted_at", "id")
    )
    latest = ha.latest_replies(proposal)
    views = []
    for reply in replies:
        ratings = list(reply.ratings.all())
        my_rating = next((r for r in ratings if r.rater_id == getattr(user, "pk", None)), None)
        assignment = by_id.get(reply.assignment_id)
        may = (
            proposer
            and my_rating is None
            and assignment is not None
            and ha.rateable(
                reply, assignment, latest[reply.assignment_id].pk if reply.assignment_id in latest else None
            )
        )
        views.append(ReplyView(reply, ratings, bool(may), my_rating))
    insider = staff or bool(mine)
    timeline: list[CaseEvent] = []
    co_views: list[CaseEvent] = []
    pending: list[ExtensionRequest] = []
    if insider:
        timeline = list(events_for(proposal, scope=EventScope.ASSIGNMENT).select_related("assignment__unit"))
        co_ids = {a.pk for a in assignments if a.role == AssignmentRole.CO}
        co_views = [e for e in timeline if e.kind == "resolved" and e.assignment_id in co_ids]
    if staff:
        pending = list(
            ExtensionRequest.objects.filter(
                assignment__in=[a.pk for a in assignments], status=ExtensionStatus.PENDING
            ).select_related("assignment__unit")
        )
    return Handling(
        rows_for(assignments, now),
        views,
        staff,
        proposer,
        mine,
        pending,
        timeline,
        co_views,
        handling_label(proposal, assignments, latest),
    )


def handling_label(proposal: Proposal, assignments: list[Assignment], latest: dict[int, Reply]) -> str:
    """Where the handling stands, in words, from the stored status and the ratings of the
    current replies: awaiting ratings, some ratings in (how many), every rating in,
    re-handling after a dissatisfied rating, complete."""
    if proposal.handling_status != HandlingStatus.REPLIED:
        return _words(proposal.handling_status, due=0, done=0, dissatisfied=False)
    people = set(ha.raters(proposal))
    current = [latest[a.pk].pk for a in ha._responsible(assignments) if a.pk in latest]
    rated = ReplyRating.objects.filter(reply__in=current, rater__in=people)
    return _words(
        proposal.handling_status,
        due=len(people) * len(current),
        done=rated.count(),
        dissatisfied=rated.filter(rating=Rating.DISSATISFIED).exists(),
    )


def _words(status: str, *, due: int, done: int, dissatisfied: bool) -> str:
    if status != HandlingStatus.REPLIED:
        return str(HandlingStatus(status).label) if status in HandlingStatus.values else status
    if dissatisfied:
        return str(HandlingStatus.REHANDLING.label)
    if done == 0:
        return str(HandlingStatus.REPLIED.label)
    if done < due:
        return _("Replied, %(done)d of %(due)d ratings in") % {"done": done, "due": due}
    return _("Replied, all ratings in")


def area_units(cppcc: Organisation, limit: int = 500) -> list[Organisation]:
    """The units a CPPCC's staff may assign to: active government departments and
    governments of the CPPCC's area (by division code), the higher levels first. Also used
    by the opinion reports' instruction forms (huying.opinions)."""
    qs = Organisation.objects.filter(is_active=True, kind__in=(OrgKind.DEPARTMENT, OrgKind.GOVERNMENT))
    prefix = cppcc.division_code
    while prefix.endswith("00"):  # 440000 → 44: the province; 440100 → 4401: Guangzhou
        prefix = prefix[:-2]
    if prefix:
        qs = qs.filter(division_code__startswith=prefix)
    return list(qs.order_by("depth", "sort_order", "name")[:limit])


def candidate_units(proposal: Proposal, limit: int = 500) -> list[Organisation]:
    """Units offered in the assignment form: the CPPCC's ``area_units``, the proposal's
    suggested units first."""
    units = area_units(proposal.session.cppcc, limit)
    suggested = list(proposal.suggested_units.filter(is_active=True))
    seen = {u.pk for u in suggested}
    return suggested + [u for u in units if u.pk not in seen]


def committees_for(proposal: Proposal) -> list[Organisation]:
    cppcc = proposal.session.cppcc
    return list(
        Organisation.objects.filter(
            path__startswith=cppcc.path, kind__in=ha.COMMITTEE_KINDS, is_active=True, depth__lte=cppcc.depth + 1
        ).order_by("depth", "sort_order", "name")
    )


def leaders_for(proposal: Proposal, limit: int = 200) -> list[Any]:
    from huying.accounts.models import User

    return list(User.objects.holding(Role.LEADER).filter(is_active=True).order_by("real_name", "pk")[:limit])
