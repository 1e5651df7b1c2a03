"""Handling metrics: the 三率 and friends, by unit (or any grouping) for a period.

Cohort definition: the assignments *assigned* in ``[start, end)``, minus those cancelled
by the office (改派: the office's decision, not the unit's performance). One query per
grouping with conditional aggregation (``COUNT(DISTINCT CASE WHEN …)``), the same SQL on
SQLite and PostgreSQL; rates are derived from the counts. Definitions (also in
docs/handling-engine.md):

- response rate 响应率 = accepted no later than the accept deadline ÷ assigned
- completion rate 办结率 = resolved (now resolved or closed) ÷ handled, where handled =
  assigned minus returned, called up (escalated) and under objection
- resolution rate 解决率 = current ratings saying "solved" ÷ current ratings answering the
  question (as in 12345 practice the caller, not the unit, says whether it was solved)
- satisfaction rate 满意率 = current ratings satisfied or basically satisfied ÷ current ratings
- on-time completion 按时办结率 = resolved no later than the (possibly extended) resolve
  deadline ÷ resolved
- return rate 退单率 = returned ÷ assigned
- reopen rate 重办率 = reopened at least once ÷ resolved at least once

"Current" ratings: the latest rating of each person on an assignment (earlier ones are
superseded). A rate with a zero denominator is ``None`` (shown as "—"), never 0 or 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.db.models import Count, F, Q, QuerySet

from huying.handling.choices import OPEN_STATUSES, Rating, Status
from huying.handling.models import Assignment, Feedback, _stage_condition

RESOLVED = (Status.RESOLVED, Status.CLOSED)
NOT_HANDLED = (Status.RETURNED, Status.ESCALATED, Status.OBJECTED)
CURRENT = Q(feedbacks__superseded=False)


def _distinct(condition: Q | None = None) -> Count:
    return Count("id", distinct=True, filter=condition)


COUNTS: dict[str, Count] = {
    "assigned": _distinct(),
    "accepted_in_time": _distinct(
        Q(accepted_at__isnull=False) & (Q(accept_due__isnull=True) | Q(accepted_at__lte=F("accept_due")))
    ),
    "handled": _distinct(~Q(status__in=NOT_HANDLED)),
    "resolved": _distinct(Q(status__in=RESOLVED)),
    "resolved_on_time": _distinct(
        Q(status__in=RESOLVED) & (Q(resolve_due__isnull=True) | Q(resolved_at__lte=F("resolve_due")))
    ),
    "returned": _distinct(Q(status=Status.RETURNED)),
    "reopened": _distinct(Q(reopen_count__gt=0)),
    "resolved_ever": _distinct(Q(status__in=RESOLVED) | Q(reopen_count__gt=0)),
    "rated": Count("feedbacks", filter=CURRENT),
    "satisfied": Count(
        "feedbacks", filter=CURRENT & Q(feedbacks__rating__in=(Rating.SATISFIED, Rating.BASICALLY_SATISFIED))
    ),
    "solved_answered": Count("feedbacks", filter=CURRENT & Q(feedbacks__solved__isnull=False)),
    "solved": Count("feedbacks", filter=CURRENT & Q(feedbacks__solved=True)),
}


def overdue_condition(now: datetime) -> Q:
    """Open assignments past the deadline of a stage still running, as a condition for
    conditional aggregation (the same test as ``Assignment.objects.overdue(now)``)."""
    return Q(status__in=OPEN_STATUSES) & _stage_condition(now, "due")


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class HandlingMetrics:
    key: dict[str, Any] = field(default_factory=dict)
    assigned: int = 0
    accepted_in_time: int = 0
    handled: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    returned: int = 0
    reopened: int = 0
    resolved_ever: int = 0
    rated: int = 0
    satisfied: int = 0
    solved_answered: int = 0
    solved: int = 0

    @property
    def response_rate(self) -> float | None:
        return _rate(self.accepted_in_time, self.assigned)

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.resolved, self.handled)

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.solved, self.solved_answered)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.resolved_on_time, self.resolved)

    @property
    def return_rate(self) -> float | None:
        return _rate(self.returned, self.assigned)

    @property
    def reopen_rate(self) -> float | None:
        return _rate(self.reopened, self.resolved_ever)


def cohort(
    start: datetime, end: datetime, *, workflow: str | None = None, queryset: QuerySet[Assignment] | None = None
) -> QuerySet[Assignment]:
    qs = (queryset if queryset is not None else Assignment.objects.all()).filter(
        assigned_at__gte=start, assigned_at__lt=end
    )
    if workflow:
        qs = qs.filter(workflow=workflow)
    return qs.exclude(status=Status.CANCELLED)


def handling_metrics(
    start: datetime,
    end: datetime,
    *,
    group_by: tuple[str, ...] = ("unit",),
    workflow: str | None = None,
    queryset: QuerySet[Assignment] | None = None,
) -> list[HandlingMetrics]:
    """Metrics per group (default: per unit id) in one query. ``group_by=()`` gives one
    overall row. ``queryset`` narrows the cohort (e.g. a workflow's cases in one street:
    ``Assignment.objects.filter(case_id__in=…)``); ``group_by`` may follow relations
    (``"unit__parent"``)."""
    qs = cohort(start, end, workflow=workflow, queryset=queryset)
    if not group_by:
        totals = qs.aggregate(**COUNTS)
        return [HandlingMetrics(key={}, **totals)]
    rows = qs.order_by().values(*group_by).annotate(**COUNTS).order_by(*group_by)
    return [HandlingMetrics(key={k: row[k] for k in group_by}, **{k: row[k] for k in COUNTS}) for row in rows]


def unit_metrics(start: datetime, end: datetime, *, workflow: str | None = None) -> dict[int, HandlingMetrics]:
    """Per unit id."""
    return {m.key["unit"]: m for m in handling_metrics(start, end, workflow=workflow)}


# --- The same metrics in two plain aggregate queries (for large cohorts) ---------------------
#
# ``handling_metrics`` joins every assignment to its ratings and counts DISTINCT ids, which
# makes the database sort the cohort once per count. At a million work orders a year (about
# 90,000 assignments a month) the split form below is about twice as fast on PostgreSQL:
# one query counts the assignments (one row each, no join, plain ``COUNT(*) FILTER``), the
# other counts the current ratings of the same cohort. The definitions are the same;
# ``tests/test_split_metrics.py`` checks both forms agree.

ASSIGNMENT_COUNTS: dict[str, Count] = {
    "assigned": Count("id"),
    "accepted_in_time": Count(
        "id", filter=Q(accepted_at__isnull=False) & (Q(accept_due__isnull=True) | Q(accepted_at__lte=F("accept_due")))
    ),
    "handled": Count("id", filter=~Q(status__in=NOT_HANDLED)),
    "resolved": Count("id", filter=Q(status__in=RESOLVED)),
    "resolved_on_time": Count(
        "id", filter=Q(status__in=RESOLVED) & (Q(resolve_due__isnull=True) | Q(resolved_at__lte=F("resolve_due")))
    ),
    "returned": Count("id", filter=Q(status=Status.RETURNED)),
    "reopened": Count("id", filter=Q(reopen_count__gt=0)),
    "resolved_ever": Count("id", filter=Q(status__in=RESOLVED) | Q(reopen_count__gt=0)),
}
# Over ``Feedback`` rows that are current (not superseded) and linked to a cohort assignment.
FEEDBACK_COUNTS: dict[str, Count] = {
    "rated": Count("id"),
    "satisfied": Count("id", filter=Q(rating__in=(Rating.SATISFIED, Rating.BASICALLY_SATISFIED))),
    "solved_answered": Count("id", filter=Q(solved__isnull=False)),
    "solved": Count("id", filter=Q(solved=True)),
}


def prefixed(condition: Q, prefix: str) -> Q:
    """``condition`` on assignments rewritten for a query over their feedback rows
    (``unit_id__in`` → ``assignment__unit_id__in``). Values are kept as they are, so the
    condition must not compare with ``F()`` expressions."""
    rewritten = Q()
    rewritten.connector, rewritten.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            rewritten.children.append(prefixed(child, prefix))
        else:
            lookup, value = cast(tuple[str, Any], child)
            rewritten.children.append((f"{prefix}{lookup}", value))
    return rewritten


def cohort_feedback(
    start: datetime, end: datetime, *, workflow: str | None = None, condition: Q | None = None
) -> QuerySet[Feedback]:
    """The current ratings of :func:`cohort`'s assignments (same filters, through the
    ``assignment`` foreign key)."""
    qs = Feedback.objects.filter(
        superseded=False, assignment__assigned_at__gte=start, assignment__assigned_at__lt=end
    ).exclude(assignment__status=Status.CANCELLED)
    if workflow:
        qs = qs.filter(assignment__workflow=workflow)
    if condition is not None:
        qs = qs.filter(prefixed(condition, "assignment__"))
    return qs


def merge_counts(
    keys: tuple[str, ...],
    assignment_rows: list[dict[str, Any]],
    feedback_rows: list[dict[str, Any]],
    feedback_keys: tuple[str, ...] | None = None,
) -> list[HandlingMetrics]:
    """Join the rows of the two queries on their key columns: ``keys`` in the assignment
    rows, ``feedback_keys`` (default: the same names) in the feedback rows. Every rating
    counted belongs to a cohort assignment, so no group has ratings but no assignments."""
    feedback_keys = feedback_keys or keys
    ratings = {tuple(row[k] for k in feedback_keys): row for row in feedback_rows}
    result = []
    for row in assignment_rows:
        key = tuple(row[k] for k in keys)
        rated = ratings.get(key, {})
        counts = {name: row[name] for name in ASSIGNMENT_COUNTS}
        counts.update({name: rated.get(name, 0) for name in FEEDBACK_COUNTS})
        result.append(HandlingMetrics(key=dict(zip(keys, key, strict=True)), **counts))
    return result


def split_metrics(
    start: datetime,
    end: datetime,
    *,
    group_by: tuple[str, ...] = ("unit",),
    workflow: str | None = None,
    condition: Q | None = None,
) -> list[HandlingMetrics]:
    """:func:`handling_metrics` in two queries without ``DISTINCT``: per group of
    assignment field paths (``()`` for one overall row), for the cohort narrowed by
    ``condition`` (a ``Q`` on assignment fields, e.g. ``Q(unit_id__in=ids)``)."""
    assignments = cohort(start, end, workflow=workflow)
    if condition is not None:
        assignments = assignments.filter(condition)
    feedback = cohort_feedback(start, end, workflow=workflow, condition=condition)
    if not group_by:
        counts = assignments.aggregate(**ASSIGNMENT_COUNTS)
        counts.update(feedback.aggregate(**FEEDBACK_COUNTS))
        return [HandlingMetrics(key={}, **counts)]
    # Aliases, not the paths themselves: a path may clash with a feedback field (case_id).
    aliases = tuple(f"key_{i}" for i in range(len(group_by)))
    by_alias = {alias: F(f"assignment__{path}") for alias, path in zip(aliases, group_by, strict=True)}
    assignment_rows = list(assignments.order_by().values(*group_by).annotate(**ASSIGNMENT_COUNTS).order_by(*group_by))
    feedback_rows = list(feedback.order_by().values(**by_alias).annotate(**FEEDBACK_COUNTS))
    return merge_counts(group_by, assignment_rows, feedback_rows, aliases)
