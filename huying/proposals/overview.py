"""The proposal figures on the leaders' dashboard (领导驾驶舱): key proposals (重点提案)
and how their handling stands, and, for the leader of a government, the proposals assigned
to his units.

Which key proposals a leader reads (docs/leaders.md):

- those he supervises by name or as a leader of the supervising committee (his key
  proposals page, :func:`huying.proposals.supervision.key_queryset`);
- a leader of a CPPCC committee also reads the key proposals of that CPPCC's sessions (the
  sessions whose statistics he may read, :func:`huying.proposals.stats.sessions_for`) as
  figures and titles; a title links to the proposal only if he may open it;
- administrators read every key proposal.

The handling figures of the units are the engine's assignments of workflow ``proposal``
to the leader's organisation and the units below it, reassigned (cancelled) ones left out.
A fixed handful of queries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from huying.accounts.choices import Role
from huying.handling.choices import OPEN_STATUSES, Status
from huying.handling.models import Assignment
from huying.organisations.choices import HANDLING_KINDS
from huying.proposals.choices import HandlingStatus, ProposalStatus
from huying.proposals.models import HANDLING_WORKFLOW, Proposal
from huying.proposals.stats import sessions_for
from huying.proposals.supervision import annotate_deadlines, board_rows

LIST_SIZE = 6
REPLIED = (HandlingStatus.REPLIED, HandlingStatus.COMPLETED)


def key_proposals(user: Any) -> Any:
    """The key proposals ``user`` reads on the dashboard (see the module's docstring)."""
    base = Proposal.objects.filter(is_key=True, status=ProposalStatus.FILED)
    if user.is_administrator:
        return base
    committees = [a.organisation_id for a in user.active_roles if a.role == Role.LEADER and a.organisation_id]
    condition = Q(key_leader=user) | Q(key_committee_id__in=committees)
    condition |= Q(session__in=sessions_for(user).values("pk"))
    return base.filter(condition)


def _unit_roots(user: Any) -> list[str]:
    return [
        a.organisation.path
        for a in user.active_roles
        if a.role == Role.LEADER and a.organisation is not None and a.organisation.kind in HANDLING_KINDS
    ]


def leader_overview(user: Any, now: datetime | None = None) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False) or not (user.is_administrator or user.has_role(Role.LEADER)):
        return None
    now = now or timezone.now()
    key = key_proposals(user)
    overdue = Assignment.objects.filter(workflow=HANDLING_WORKFLOW, case_id=OuterRef("pk")).overdue(now)
    figures = key.aggregate(
        total=Count("id"),
        assigned=Count("id", filter=~Q(handling_status=HandlingStatus.UNASSIGNED)),
        replied=Count("id", filter=Q(handling_status__in=REPLIED)),
        completed=Count("id", filter=Q(handling_status=HandlingStatus.COMPLETED)),
        overdue=Count("id", filter=Q(Exists(overdue))),
    )
    readable = Proposal.objects.visible_to(user).filter(pk=OuterRef("pk"))
    listed = list(
        annotate_deadlines(key.for_list().select_related("key_leader", "key_committee"), now).annotate(
            readable=Exists(readable)
        )[:LIST_SIZE]
    )

    units = None
    roots = _unit_roots(user)
    if roots:
        under = Q()
        for root in roots:
            under |= Q(unit__path__startswith=root)
        assignments = Assignment.objects.filter(under, workflow=HANDLING_WORKFLOW).exclude(status=Status.CANCELLED)
        units = assignments.aggregate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            replied=Count("id", filter=Q(status__in=(Status.RESOLVED, Status.CLOSED))),
        )
        units["overdue"] = assignments.overdue(now).count()

    return {
        "figures": figures,
        "rows": board_rows(listed, now),
        "more": figures["total"] > len(listed),
        "units": units,
        "may_open_key_page": user.has_role(Role.LEADER),
    }
