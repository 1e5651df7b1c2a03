"""Statistics of one session's proposals (提案统计). Definitions (also in docs/proposals.md):

- **submitted** 提交: proposals that left the draft state (drafts are private and never
  counted); every other figure is a part of it.
- **awaiting review** 待审查: still ``submitted``.
- **filed** 立案: given a filing number (also once handled); **not filed** 不予立案,
  **merged** 并案, **converted** 转办, **withdrawn** 撤案: their status.
- **filing rate** 立案率 = filed ÷ (submitted − awaiting review − withdrawn), i.e. of the
  proposals the committee decided on.
- **by sector** 界别 / **by special committee** 专门委员会: the first proposer's member role
  in the session's CPPCC committee (else any active member role). Collective proposals
  count under "collective submitters" for sectors, and under the special committee that
  submitted them (else "none") for committees.
- **by handling unit** 承办单位: the engine's assignments of workflow ``proposal`` for
  the session's proposals, cancelled ones (reassigned) left out: proposals assigned, as
  lead/sole, co-handling and separate units, replied (assignment resolved or closed),
  replied on time (no later than the possibly extended ``resolve_due``), current ratings.
- **reply classes** 答复类别: the accepted replies, the latest round of each assignment
  (an earlier round's reply was superseded by re-handling).
- **satisfaction** 满意度: the current (not superseded) ratings of the session's
  proposals: 满意 / 基本满意 / 不满意 and their shares.
- **on-time reply rate** 按时答复率 = replied on time ÷ replied.

A share or rate with a zero denominator is ``None`` (shown as "—"). Seven queries make
the whole page, whatever the session's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.accounts.choices import Role
from huying.handling.choices import LEAD_ROLES, AssignmentRole, Rating, Status
from huying.handling.models import Assignment, Feedback
from huying.organisations.choices import OrgKind
from huying.organisations.models import SEGMENT_WIDTH, Organisation
from huying.proposals.choices import (
    Category,
    CollectiveKind,
    ProposalStatus,
    ReplyClass,
    ReplyStatus,
    SubmitterKind,
)
from huying.proposals.models import Proposal, Reply, Session

WORKFLOW = "proposal"
STATS_ROLES = (Role.AGENCY_STAFF, Role.LEADER)
RESOLVED = (Status.RESOLVED, Status.CLOSED)
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# --- who sees which sessions ------------------------------------------------------------------
def stats_paths(user: Any) -> list[str]:
    """Paths under which ``user`` may read the statistics: for agency staff and leaders the
    organisation of their role (a CPPCC committee and everything under it); staff of a
    special committee or an office read their own CPPCC committee's."""
    if not getattr(user, "is_authenticated", False):
        return []
    paths = []
    for a in user.active_roles:
        if a.role not in STATS_ROLES or a.organisation is None:
            continue
        org = a.organisation
        if org.kind in (OrgKind.SPECIAL_COMMITTEE, OrgKind.CPPCC_OFFICE) and org.depth > 0:
            paths.append(org.path[: -(SEGMENT_WIDTH + 1)])
        else:
            paths.append(org.path)
    return paths


def sessions_for(user: Any) -> QuerySet[Session]:
    """The sessions whose statistics ``user`` may read (administrators: all)."""
    qs = Session.objects.select_related("cppcc")
    if getattr(user, "is_authenticated", False) and user.is_administrator:
        return qs
    paths = stats_paths(user)
    if not paths:
        return qs.none()
    condition = Q()
    for path in paths:
        condition |= Q(cppcc__path__startswith=path)
    return qs.filter(condition)


def may_read_stats(user: Any) -> bool:
    """Whether ``user`` has any session's statistics to read (one query)."""
    return sessions_for(user).exists()


def check_may_view(user: Any, session: Session | None = None) -> None:
    """Refuse people with no statistics to read, or not those of ``session``."""
    allowed = sessions_for(user)
    if session is not None:
        allowed = allowed.filter(pk=session.pk)
    if not allowed.exists():
        raise PermissionDenied(
            _("Proposal statistics are open to CPPCC agency staff, CPPCC leaders and administrators.")
        )


# --- result types ---------------------------------------------------------------------------------
STATUS_COUNTS: dict[str, Count] = {
    "submitted": Count("id"),
    "pending": Count("id", filter=Q(status=ProposalStatus.SUBMITTED)),
    "filed": Count("id", filter=Q(number__isnull=False)),
    "rejected": Count("id", filter=Q(status=ProposalStatus.REJECTED)),
    "merged": Count("id", filter=Q(status=ProposalStatus.MERGED)),
    "converted": Count("id", filter=Q(status=ProposalStatus.CONVERTED)),
    "withdrawn": Count("id", filter=Q(status=ProposalStatus.WITHDRAWN)),
}
STATUS_LABELS = {
    "submitted": gettext_lazy("Submitted"),
    "pending": gettext_lazy("Awaiting review"),
    "filed": gettext_lazy("Filed"),
    "rejected": gettext_lazy("Not filed"),
    "merged": gettext_lazy("Merged"),
    "converted": gettext_lazy("Converted"),
    "withdrawn": gettext_lazy("Withdrawn"),
}


@dataclass
class StatusCounts:
    submitted: int = 0
    pending: int = 0
    filed: int = 0
    rejected: int = 0
    merged: int = 0
    converted: int = 0
    withdrawn: int = 0

    def add(self, row: dict[str, Any]) -> None:
        for name in STATUS_COUNTS:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))

    @property
    def decided(self) -> int:
        return self.submitted - self.pending - self.withdrawn

    @property
    def filing_rate(self) -> float | None:
        return _rate(self.filed, self.decided)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in STATUS_COUNTS}
        data["filing_rate"] = self.filing_rate
        return data


@dataclass
class Row:
    """One line of a breakdown: a key (a code or an id), its label and the counts."""

    key: str
    label: str
    counts: StatusCounts = field(default_factory=StatusCounts)


@dataclass
class UnitRow:
    unit_id: int
    name: str
    proposals: int = 0
    lead: int = 0
    co: int = 0
    separate: int = 0
    replied: int = 0
    replied_on_time: int = 0
    rated: int = 0
    satisfied: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.replied_on_time, self.replied)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)


@dataclass
class Share:
    key: str
    label: str
    count: int
    share: float | None


@dataclass
class SessionStats:
    session: Session
    totals: StatusCounts
    by_submitter_kind: list[Row]
    by_category: list[Row]
    by_sector: list[Row]
    by_committee: list[Row]
    by_unit: list[UnitRow]
    reply_classes: list[Share]
    satisfaction: list[Share]
    replied: int
    replied_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.replied_on_time, self.replied)

    @property
    def replies(self) -> int:
        return sum(s.count for s in self.reply_classes)

    @property
    def ratings(self) -> int:
        return sum(s.count for s in self.satisfaction)

    @property
    def satisfaction_rate(self) -> float | None:
        satisfied = sum(s.count for s in self.satisfaction if s.key in SATISFIED)
        return _rate(satisfied, self.ratings)


# --- the queries ---------------------------------------------------------------------------------
def submitted_proposals(session: Session) -> QuerySet[Proposal]:
    """The session's proposals that left the draft state (only drafts lack a submission
    time, so the status alone decides; the statistics index covers it)."""
    return Proposal.objects.filter(session=session).exclude(status=ProposalStatus.DRAFT)


def _by_kind_and_category(qs: QuerySet[Proposal]) -> tuple[StatusCounts, list[Row], list[Row]]:
    """Totals, by submitter kind and by category from one query grouped by both (at most
    3 × 10 groups)."""
    totals = StatusCounts()
    kinds = {str(v): Row(str(v), str(label)) for v, label in SubmitterKind.choices}
    categories = {str(v): Row(str(v), str(label)) for v, label in Category.choices}
    for row in qs.order_by().values("submitter_kind", "category").annotate(**STATUS_COUNTS):
        totals.add(row)
        if row["submitter_kind"] in kinds:
            kinds[row["submitter_kind"]].counts.add(row)
        if row["category"] in categories:
            categories[row["category"]].counts.add(row)
    return totals, list(kinds.values()), list(categories.values())


def _by_member_role(session: Session, qs: QuerySet[Proposal]) -> tuple[list[Row], list[Row]]:
    """Sector and special-committee breakdowns: one aggregate query per first proposer
    (and collective submitter), one query for the proposers' member roles; the sums are
    made here over those few hundred aggregate rows."""
    from huying.accounts.models import RoleAssignment

    grouped = list(qs.order_by().values("proposer_id", "collective_id", "collective_kind").annotate(**STATUS_COUNTS))
    roles = (
        RoleAssignment.objects.filter(
            user_id__in=qs.filter(proposer__isnull=False).values("proposer_id"), role=Role.MEMBER, is_active=True
        )
        .annotate(here=ExpressionWrapper(Q(organisation_id=session.cppcc_id), output_field=BooleanField()))
        .order_by("user_id", "-here", "id")
        .values("user_id", "sector_id", "sector__name", "sector__sort_order", "special_committee_id")
        .annotate(committee_name=F("special_committee__name"))
    )
    role_of: dict[int, dict[str, Any]] = {}
    for role in roles:
        role_of.setdefault(role["user_id"], role)
    # The special committees that may submit collectively: those of the session's CPPCC.
    collective_names = dict(
        Organisation.objects.filter(parent_id=session.cppcc_id, kind=OrgKind.SPECIAL_COMMITTEE).values_list(
            "pk", "name"
        )
    )

    none_label = _("None recorded")
    collective = Row("collective", _("Collective submitters"))
    sectors: dict[str, Row] = {}
    sector_order: dict[str, tuple[int, str]] = {}
    committees: dict[str, Row] = {}
    for row in grouped:
        if row["collective_id"]:
            collective.counts.add(row)
            if row["collective_kind"] == CollectiveKind.SPECIAL_COMMITTEE:
                key, label = str(row["collective_id"]), collective_names.get(row["collective_id"], "")
            else:
                key, label = "", none_label
            committees.setdefault(key, Row(key, label)).counts.add(row)
            continue
        role = role_of.get(row["proposer_id"]) or {}
        sector_key = str(role.get("sector_id") or "")
        sectors.setdefault(sector_key, Row(sector_key, role.get("sector__name") or none_label)).counts.add(row)
        sector_order[sector_key] = (role.get("sector__sort_order") or 10_000, sector_key)
        committee_key = str(role.get("special_committee_id") or "")
        committees.setdefault(committee_key, Row(committee_key, role.get("committee_name") or none_label)).counts.add(
            row
        )
    by_sector = sorted(sectors.values(), key=lambda r: (-r.counts.submitted, sector_order[r.key]))
    if collective.counts.submitted:
        by_sector.append(collective)
    by_committee = sorted(committees.values(), key=lambda r: (r.key == "", -r.counts.submitted, r.label))
    return by_sector, by_committee


def _proposal_cases(qs: QuerySet[Proposal]) -> Q:
    return Q(case_type__app_label="proposals", case_type__model="proposal", case_id__in=qs.values("id"))


def _by_unit(qs: QuerySet[Proposal], ratings: dict[int, dict[str, int]]) -> tuple[list[UnitRow], int, int]:
    assignments = (
        Assignment.objects.filter(_proposal_cases(qs), workflow=WORKFLOW)
        .exclude(status=Status.CANCELLED)
        .order_by()
        .values("unit_id", "unit__name")
        .annotate(
            proposals=Count("case_id", distinct=True),
            lead=Count("id", filter=Q(role__in=LEAD_ROLES)),
            co=Count("id", filter=Q(role=AssignmentRole.CO)),
            separate=Count("id", filter=Q(role=AssignmentRole.SEPARATE)),
            replied=Count("id", filter=Q(status__in=RESOLVED)),
            replied_on_time=Count(
                "id",
                filter=Q(status__in=RESOLVED) & (Q(resolve_due__isnull=True) | Q(resolved_at__lte=F("resolve_due"))),
            ),
        )
    )
    rows = []
    for row in assignments:
        unit_ratings = ratings.get(row["unit_id"], {})
        rows.append(
            UnitRow(
                unit_id=row["unit_id"],
                name=row["unit__name"],
                **{k: row[k] for k in ("proposals", "lead", "co", "separate", "replied", "replied_on_time")},
                rated=sum(unit_ratings.values()),
                satisfied=sum(n for rating, n in unit_ratings.items() if rating in SATISFIED),
            )
        )
    rows.sort(key=lambda r: (-r.proposals, r.name))
    return rows, sum(r.replied for r in rows), sum(r.replied_on_time for r in rows)


def _shares(counts: dict[str, int], choices: Iterable[tuple[str, Any]]) -> list[Share]:
    total = sum(counts.values())
    return [Share(str(v), str(label), counts.get(v, 0), _rate(counts.get(v, 0), total)) for v, label in choices]


def _reply_classes(session: Session) -> list[Share]:
    later = Reply.objects.filter(
        assignment=OuterRef("assignment"), status=ReplyStatus.ACCEPTED, round__gt=OuterRef("round")
    )
    rows = (
        Reply.objects.filter(proposal__session=session, status=ReplyStatus.ACCEPTED)
        .exclude(Exists(later))
        .order_by()
        .values("reply_class")
        .annotate(n=Count("id"))
    )
    return _shares({r["reply_class"]: r["n"] for r in rows}, ReplyClass.choices)


def _ratings(qs: QuerySet[Proposal]) -> tuple[list[Share], dict[int, dict[str, int]]]:
    """The current ratings by rating (the satisfaction table) and by the rated
    assignment's unit (the units table), from one query."""
    rows = (
        Feedback.objects.filter(_proposal_cases(qs), superseded=False)
        .order_by()
        .values("assignment__unit_id", "rating")
        .annotate(n=Count("id"))
    )
    overall: dict[str, int] = {}
    by_unit: dict[int, dict[str, int]] = {}
    for row in rows:
        overall[row["rating"]] = overall.get(row["rating"], 0) + row["n"]
        if row["assignment__unit_id"] is not None:
            unit = by_unit.setdefault(row["assignment__unit_id"], {})
            unit[row["rating"]] = unit.get(row["rating"], 0) + row["n"]
    return _shares(overall, Rating.choices), by_unit


def session_stats(session: Session) -> SessionStats:
    """Every figure of the statistics page for ``session``: seven queries (six aggregates
    and the names of the special committees)."""
    qs = submitted_proposals(session)
    totals, by_kind, by_category = _by_kind_and_category(qs)
    by_sector, by_committee = _by_member_role(session, qs)
    satisfaction, unit_ratings = _ratings(qs)
    by_unit, replied, replied_on_time = _by_unit(qs, unit_ratings)
    return SessionStats(
        session=session,
        totals=totals,
        by_submitter_kind=by_kind,
        by_category=by_category,
        by_sector=by_sector,
        by_committee=by_committee,
        by_unit=by_unit,
        reply_classes=_reply_classes(session),
        satisfaction=satisfaction,
        replied=replied,
        replied_on_time=replied_on_time,
    )


def as_json(stats: SessionStats) -> dict[str, Any]:
    """The figures as plain data: the API's answer and the charts' data."""

    def rows(items: list[Row]) -> list[dict[str, Any]]:
        return [{"key": r.key, "label": r.label, **r.counts.as_dict()} for r in items]

    def shares(items: list[Share]) -> list[dict[str, Any]]:
        return [{"key": s.key, "label": s.label, "count": s.count, "share": s.share} for s in items]

    return {
        "session": {"id": stats.session.pk, "name": stats.session.display_name},
        "totals": stats.totals.as_dict(),
        "status_labels": {k: str(v) for k, v in STATUS_LABELS.items()},
        "by_submitter_kind": rows(stats.by_submitter_kind),
        "by_category": rows(stats.by_category),
        "by_sector": rows(stats.by_sector),
        "by_committee": rows(stats.by_committee),
        "by_unit": [
            {
                "unit_id": u.unit_id,
                "name": u.name,
                "proposals": u.proposals,
                "lead": u.lead,
                "co": u.co,
                "separate": u.separate,
                "replied": u.replied,
                "replied_on_time": u.replied_on_time,
                "on_time_rate": u.on_time_rate,
                "rated": u.rated,
                "satisfied": u.satisfied,
                "satisfaction_rate": u.satisfaction_rate,
            }
            for u in stats.by_unit
        ],
        "reply_classes": shares(stats.reply_classes),
        "satisfaction": shares(stats.satisfaction),
        "replied": stats.replied,
        "replied_on_time": stats.replied_on_time,
        "on_time_rate": stats.on_time_rate,
        "satisfaction_rate": stats.satisfaction_rate,
    }
