"""The assignments of every workflow as one list: the shared inbox page (``handling:inbox``)
and ``GET /api/v1/assignments`` read through :func:`assignments_for` and describe each case
with its workflow's card (:attr:`huying.handling.policy.Policy.cards`).

Visibility is the engine's (``Assignment.objects.visible_to``): an assignment the reader may
not see is in no list, whatever the filters say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from huying.handling import access
from huying.handling.choices import OPEN_STATUSES, Status
from huying.handling.models import Assignment, AssignmentQuerySet
from huying.handling.policy import CaseCard, policy_for, registered
from huying.handling.supervision import DeadlineState, deadline_state

PAGE_SIZE = 25
ORDERS = ("newest", "due")


@dataclass(frozen=True)
class Row:
    """One assignment as a list shows it."""

    assignment: Assignment
    card: CaseCard
    state: DeadlineState
    page_url: str | None  # the workflow's page of this assignment (its own steps), for the unit's staff

    @property
    def url(self) -> str | None:
        return self.page_url or self.card.url

    @property
    def workflow_label(self) -> str:
        policy = policy_for(self.assignment.workflow)
        return str(policy.label or policy.workflow)


def case_type_of(value: str) -> ContentType | None:
    """``"app_label.model"`` → its content type (``None`` when there is no such model)."""
    app_label, _dot, model = value.lower().partition(".")
    if not app_label or not model:
        return None
    return ContentType.objects.filter(app_label=app_label, model=model).first()


def assignments_for(
    user: Any,
    *,
    workflow: str = "",
    case_type: ContentType | None = None,
    case_id: int | None = None,
    unit: int | None = None,
    statuses: Sequence[str] = (),
    open_only: bool = False,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    overdue: bool | None = None,
    order: str = "newest",
    now: datetime | None = None,
) -> AssignmentQuerySet:
    """The assignments ``user`` may read, filtered. ``statuses``: any of the engine's
    statuses (``open_only`` for the open ones); ``due_before`` / ``due_after``: on the
    resolve deadline; ``overdue``: past the deadline of a running stage (True) or not
    (False); ``order``: ``newest`` (assigned last first) or ``due`` (resolve deadline
    first, none last)."""
    now = now or timezone.now()
    qs = Assignment.objects.visible_to(user).select_related("unit", "owner", "case_type")
    if workflow:
        qs = qs.filter(workflow=workflow)
    if case_type is not None:
        qs = qs.filter(case_type=case_type)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    if statuses:
        qs = qs.filter(status__in=list(statuses))
    elif open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if due_before is not None:
        qs = qs.filter(resolve_due__lt=due_before)
    if due_after is not None:
        qs = qs.filter(resolve_due__gte=due_after)
    if overdue is True:
        qs = qs.overdue(now)
    elif overdue is False:
        qs = qs.exclude(pk__in=Assignment.objects.overdue(now).values("pk"))
    if order == "due":
        from django.db.models import F

        return qs.order_by(F("resolve_due").asc(nulls_last=True), "-assigned_at", "-id")
    return qs.order_by("-assigned_at", "-id")


def cards_for(user: Any, assignments: Iterable[Assignment]) -> dict[tuple[str, int], CaseCard]:
    """{(workflow, case id): card} for a page of assignments: one ``cards`` call (one or two
    queries) per workflow on the page. A workflow without cards gets "<label> #<id>"."""
    by_workflow: dict[str, set[int]] = defaultdict(set)
    for a in assignments:
        by_workflow[a.workflow].add(a.case_id)
    found: dict[tuple[str, int], CaseCard] = {}
    for workflow, ids in by_workflow.items():
        policy = policy_for(workflow)
        cards = policy.cards(user, sorted(ids)) if policy.cards is not None else {}
        for case_id in ids:
            found[(workflow, case_id)] = cards.get(case_id) or CaseCard(
                number=f"#{case_id}", title=str(policy.label or workflow), status=""
            )
    return found


def rows_for(user: Any, assignments: Iterable[Assignment], now: datetime | None = None) -> list[Row]:
    assignments = list(assignments)
    now = now or timezone.now()
    cards = cards_for(user, assignments)
    rows = []
    for a in assignments:
        policy = policy_for(a.workflow)
        page_url = None
        # The workflow's page of the assignment is the unit's; others follow the card.
        if policy.assignment_page and access.reads_unit(user, a.unit):
            from django.urls import reverse

            page_url = reverse(policy.assignment_page, args=[a.pk])
        rows.append(Row(a, cards[(a.workflow, a.case_id)], deadline_state(a, now), page_url))
    return rows


def workflows() -> list[tuple[str, str]]:
    """(workflow, label) of every registered workflow that has assignments, for the
    inbox's tabs and filter (a notices-only policy, ``has_assignments=False``, is left out)."""
    return [(p.workflow, str(p.label or p.workflow)) for p in registered() if p.has_assignments]


STATUS_CHOICES = Status.choices


def shared_inbox_url(workflow: str, request: Any = None) -> str:
    """The shared inbox's tab of ``workflow``, where the workflows' old inbox lists lead
    (their ``show=all`` becomes ``state=all``)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    params = {"workflow": workflow}
    if request is not None and request.GET.get("show") == "all":
        params["state"] = "all"
    return f"{reverse('handling:inbox')}?{urlencode(params)}"


def step_redirect(pk: int, step: str) -> Any:
    """308 (the same POST, again) to the shared step view: what the workflows' old inbox
    form addresses answer for the generic steps."""
    from django.http import HttpResponsePermanentRedirect
    from django.urls import reverse

    return HttpResponsePermanentRedirect(reverse("handling:act", args=[pk, step]), status=308)
