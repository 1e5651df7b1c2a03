"""The points ledger: what each act counts under the rules table.

An entry's points are those of the rule valid on the entry's date for its kind — the rule
naming the entry's qualifier if there is one, else the kind's rule for any qualifier, else
0 — and 0 once the act is retracted. They are written on the entry when it is recorded and
rewritten for every affected entry, in the same transaction, when a rule changes
(:func:`recompute`), so the ledger is always a pure function of the entries and the rules.
The yearly summaries (:class:`~huying.duty.models.DutySummary`) follow the entries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from huying.duty.models import DutyEntry, DutySummary, PointRule


def points_for(kind: str, qualifier: str, day: datetime.date) -> int:
    rule = (
        PointRule.objects.filter(Q(qualifier=qualifier) | Q(qualifier=""), kind=kind, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-qualifier")
        .values_list("points", flat=True)
        .first()
    )
    return rule or 0


def _rule_points() -> Subquery:
    rules = (
        PointRule.objects.filter(
            Q(qualifier=OuterRef("qualifier")) | Q(qualifier=""),
            kind=OuterRef("kind"),
            valid_from__lte=OuterRef("occurred_on"),
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("occurred_on")))
        .order_by("-qualifier")
        .values("points")[:1]
    )
    return Subquery(rules, output_field=models.IntegerField())


def bump(member_id: int, year: int, points: int, acts: int) -> None:
    """Add to ``member_id``'s summary of ``year`` (made if missing)."""
    if not points and not acts:
        return
    updated = DutySummary.objects.filter(member_id=member_id, year=year).update(
        points=F("points") + points, acts=F("acts") + acts
    )
    if not updated:
        summary, _ = DutySummary.objects.get_or_create(member_id=member_id, year=year)
        DutySummary.objects.filter(pk=summary.pk).update(points=F("points") + points, acts=F("acts") + acts)


@transaction.atomic
def recompute(
    kinds: Iterable[str] | None = None, start: datetime.date | None = None, end: datetime.date | None = None
) -> int:
    """Rewrite the points of every entry of ``kinds`` (all kinds when None) dated from
    ``start`` to ``end`` (open when None) from the rules table, then rebuild the yearly
    summaries of the years those entries fall in. Deterministic: the result depends only on
    the entries and the rules. Answers how many entries were rewritten."""
    entries = DutyEntry.objects.all()
    if kinds is not None:
        entries = entries.filter(kind__in=list(kinds))
    if start is not None:
        entries = entries.filter(occurred_on__gte=start)
    if end is not None:
        entries = entries.filter(occurred_on__lte=end)
    count = entries.update(
        points=Case(
            When(retracted_at__isnull=False, then=Value(0)),
            default=Coalesce(_rule_points(), Value(0)),
            output_field=models.IntegerField(),
        )
    )
    years = sorted(y for y in entries.values_list("year", flat=True).distinct().order_by() if y is not None)
    rebuild_summaries(years)
    return count


Period = tuple[datetime.date, datetime.date | None]
ONE_DAY = datetime.timedelta(days=1)


def affected_span(old: Period | None, new: Period | None, *, same_value: bool) -> tuple[Any, Any] | None:
    """The dates whose points a rule change can alter, as one (start, end) span (None =
    open), or None when nothing changes. A rule whose kind, qualifier or points changed
    affects both its old and new periods; one whose dates alone changed only the days that
    one period covers and the other does not (ending a rule today touches only the acts
    from tomorrow, not the years before)."""
    periods = [p for p in (old, new) if p is not None]
    if not periods:
        return None
    if not same_value or len(periods) == 1:
        start = min(p[0] for p in periods)
        end = None if any(p[1] is None for p in periods) else max(p[1] for p in periods if p[1] is not None)
        return start, end
    assert old is not None and new is not None
    (f1, t1), (f2, t2) = old, new
    if (f1, t1) == (f2, t2):
        return None
    infinity = datetime.date.max
    t1x, t2x = t1 or infinity, t2 or infinity
    start = min(f1, f2) if f1 != f2 else min(t1x, t2x) + ONE_DAY
    end_date = max(t1x, t2x) if t1x != t2x else max(f1, f2) - ONE_DAY
    return start, (None if end_date == infinity else end_date)


def rebuild_summaries(years: Iterable[int] | None = None) -> None:
    """Rebuild the yearly summaries (of ``years``, or all) from the entries in one
    statement per year: INSERT … SELECT … GROUP BY on SQLite and PostgreSQL alike."""
    summaries = DutySummary._meta.db_table
    entries = DutyEntry._meta.db_table
    year_list: list[Any] = list(years) if years is not None else []
    with connection.cursor() as cursor:
        if years is None:
            DutySummary.objects.all().delete()
            where, params = "", []
        else:
            if not year_list:
                return
            DutySummary.objects.filter(year__in=year_list).delete()
            where, params = f"AND year IN ({', '.join(['%s'] * len(year_list))})", year_list
        cursor.execute(
            f"INSERT INTO {summaries} (member_id, year, points, acts) "  # noqa: S608 - table names, bound values
            f"SELECT member_id, year, SUM(points), COUNT(*) FROM {entries} "
            f"WHERE retracted_at IS NULL AND year IS NOT NULL {where} GROUP BY member_id, year",
            params,
        )
