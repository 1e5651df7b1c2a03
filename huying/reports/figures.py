"""The figures of a monthly analysis report, computed once at generation and stored as
plain data (JSON) that the HTML page, the PDF and the Excel file all read.

Every number comes from the statistics functions the pages use:

- work orders: :mod:`huying.workorders.stats` (``period_stats`` for the volumes and the
  daily line, ``totals`` for the 三率 of the whole scope, ``unit_stats`` and
  ``street_stats`` ranked by the red/black list's ``composite_score``, ``category_stats``,
  ``red_black`` for a calendar month) with ``Scope.of_district(scope)``;
- hot topics: :func:`huying.reports.sources.hot_topics` (one function, so the source can
  change);
- proposals: :func:`huying.proposals.stats.session_stats` of the committee's current
  session (cumulative, as on the statistics page) and ``submitted_proposals`` for the
  period's intake;
- opinion reports: counts of the period in this module (the opinions app has no
  statistics page yet): reports received, adoptions, leaders' instructions.

Periods are inclusive dates ``[start, end]`` (``bounds`` gives the half-open datetimes
the statistics take)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.reports.choices import ReportKind
from huying.workorders import stats as wo

MAX_PERIOD_DAYS = 366
TOP_CATEGORIES = 8
TOP_TOPICS = 5
LIST_SIZE = 10


# --- periods ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def is_month(self) -> bool:
        last = calendar.monthrange(self.start.year, self.start.month)[1]
        return self.start.day == 1 and self.end == self.start.replace(day=last)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        return wo.day_start(self.start), wo.day_start(self.end + timedelta(days=1))

    def previous(self) -> Period:
        """The month before a calendar month; otherwise as many days just before."""
        if self.is_month:
            first = (self.start - timedelta(days=1)).replace(day=1)
            return month_period(first)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def last_year(self) -> Period:
        def shift(day: date) -> date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:  # 29 February
                return day.replace(year=day.year - 1, day=28)

        if self.is_month:
            return month_period(shift(self.start))
        return Period(shift(self.start), shift(self.end))

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "is_month": self.is_month}


def month_period(first: date) -> Period:
    first = first.replace(day=1)
    return Period(first, first.replace(day=calendar.monthrange(first.year, first.month)[1]))


def previous_month(today: date) -> Period:
    return month_period(today.replace(day=1) - timedelta(days=1))


def parse_period(*, month: Any = None, start: Any = None, end: Any = None, today: date | None = None) -> Period:
    """``month`` (``YYYY-MM``) or ``start`` and ``end`` (``YYYY-MM-DD``, inclusive); neither:
    the previous month. A month not yet over ends today (the month to date); a period may
    not start after today, end after today or last more than a year."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def parse_day(value: Any, name: str) -> date | None:
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            errors[name] = [_("Enter a date such as 2026-10-01.")]
            return None

    if month not in (None, "") and (start not in (None, "") or end not in (None, "")):
        raise ValidationError({"month": [_("Give a month or a first and last day, not both.")]})
    if month not in (None, ""):
        try:
            first = wo.parse_month(month)
        except ValidationError:
            raise ValidationError({"month": [_("Enter a month such as 2026-10.")]}) from None
        if first > today:
            raise ValidationError({"month": [_("That month has not begun yet.")]})
        period = month_period(first)
        return Period(period.start, min(period.end, today))
    first_day = parse_day(start, "start")
    last_day = parse_day(end, "end")
    if errors:
        raise ValidationError(errors)
    if first_day is None and last_day is None:
        return previous_month(today)
    if first_day is None:
        raise ValidationError({"start": [_("Give the first day of the period.")]})
    if last_day is None:
        raise ValidationError({"end": [_("Give the last day of the period.")]})
    if last_day < first_day:
        raise ValidationError({"end": [_("The end date is before the start date.")]})
    if last_day > today:
        raise ValidationError({"end": [_("The period cannot end after today.")]})
    if (last_day - first_day).days >= MAX_PERIOD_DAYS:
        raise ValidationError({"end": [_("Choose at most one year.")]})
    return Period(first_day, last_day)


# --- wording ----------------------------------------------------------------------------
def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_label(start: date, end: date, is_month: bool) -> str:
    if is_month:
        return f"{start.year}年{start.month}月"
    return f"{chinese_date(start)}至{chinese_date(end)}"


def report_title(scope_name: str, kind: str, start: date, end: date, is_month: bool) -> str:
    """荔湾区有呼必应工作月度分析报告（2026年11月）; a custom period: 分析报告（…至…）."""
    place = scope_name.removesuffix("人民政府")
    what = "有呼必应工作" if kind == ReportKind.HOTLINE else "提案办理和社情民意工作"
    if kind == ReportKind.CPPCC:
        place = place.removesuffix("委员会")
    span = "月度分析报告" if is_month or (start.day == 1 and start.month == end.month) else "分析报告"
    return f"{place}{what}{span}（{period_label(start, end, is_month)}）"


def issuing_unit(scope: Organisation) -> str:
    """The command centre of the district; the committee's general office for a CPPCC."""
    if scope.kind == OrgKind.CPPCC:
        office = Organisation.objects.filter(parent=scope, kind=OrgKind.CPPCC_OFFICE, name__contains="办公").first()
        return f"{scope.name}{office.name}" if office else f"{scope.name}办公室"
    centre = (
        Organisation.objects.filter(path__startswith=scope.path, kind=OrgKind.COMMAND_CENTRE).order_by("depth").first()
    )
    return centre.name if centre else scope.name


def change(current: int | float | None, before: int | float | None) -> float | None:
    """Relative change (0.125 = +12.5 %); ``None`` with nothing to compare to."""
    if current is None or before in (None, 0):
        return None
    return (current - before) / before  # type: ignore[operator]


# --- work orders --------------------------------------------------------------------------
RATE_NAMES = ("response_rate", "resolution_rate", "satisfaction_rate", "completion_rate", "on_time_rate")
COUNT_NAMES = ("assigned", "resolved", "returned", "reopened", "rated", "satisfied")


def _rates(row: Any) -> dict[str, Any]:
    data = {name: getattr(row.metrics, name) for name in RATE_NAMES}
    data.update({name: getattr(row.metrics, name) for name in COUNT_NAMES})
    data["overdue"] = row.overdue
    return data


def ranked(rows: list[Any]) -> list[dict[str, Any]]:
    """Rows with the red/black list's composite score, best first (ties: more assignments,
    then the name); rows with nothing to score last, unranked."""
    weights = wo.ranking_weights()
    scored = [(wo.composite_score(row, weights), row) for row in rows]
    with_score = sorted(
        [(s, r) for s, r in scored if s is not None], key=lambda i: (-i[0], -i[1].metrics.assigned, i[1].label)
    )
    without = sorted([r for s, r in scored if s is None], key=lambda r: r.label)
    out = []
    for i, (score, row) in enumerate(with_score, start=1):
        out.append({"rank": i, "score": score, "label": row.label, "key": row.key, **_rates(row), **_orders(row)})
    for row in without:
        out.append({"rank": None, "score": None, "label": row.label, "key": row.key, **_rates(row), **_orders(row)})
    return out


def _orders(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in ("received", "finished") if getattr(row, name) is not None}


def _volume(period: Period, scope: wo.Scope, now: datetime) -> tuple[dict[str, int], list[list[Any]]]:
    start, end = period.bounds()
    rows = wo.period_stats(start, end, granularity="day", scope=scope, now=now)
    counts = {
        name: sum((getattr(r, name) or 0) for r in rows) for name in ("received", "dispatched", "open", "finished")
    }
    return counts, [[r.key.isoformat(), r.received or 0] for r in rows]


def _case_items(qs: Any, now: datetime) -> list[dict[str, Any]]:
    from huying.handling.supervision import deadline_state
    from huying.workorders.models import WorkOrder

    rows = list(qs.select_related("unit").order_by("resolve_due", "id")[:LIST_SIZE])
    orders = WorkOrder.objects.select_related("street", "category").in_bulk([a.case_id for a in rows])
    items = []
    for a in rows:
        order = orders.get(a.case_id)
        state = deadline_state(a, now)
        hours = int((now - state.due).total_seconds() // 3600) if state.due and state.due < now else 0
        items.append(
            {
                "number": order.number if order else str(a.case_id),
                "unit": a.unit.name,
                "category": order.category.name if order and order.category else "",
                "street": order.street.name if order and order.street else "",
                "content": (order.content if order else "")[:60],
                "overdue_hours": hours,
                "reopened": a.reopen_count,
            }
        )
    return items


def hotline_figures(scope_org: Organisation, period: Period, *, now: datetime) -> dict[str, Any]:
    from huying.handling.metrics import cohort
    from huying.reports.sources import hot_topics

    scope = wo.Scope.of_district(scope_org)
    start, end = period.bounds()
    volume, daily = _volume(period, scope, now)
    previous = period.previous()
    before, _daily = _volume(previous, scope, now)
    last_year = period.last_year()
    _ly_start, ly_end = last_year.bounds()
    has_last_year = scope.orders().filter(created_at__lt=ly_end).exists()
    year_before = _volume(last_year, scope, now)[0] if has_last_year else None

    total = wo.totals(start, end, scope=scope, now=now)
    previous_total = wo.totals(*previous.bounds(), scope=scope, now=now)
    units = ranked(wo.unit_stats(start, end, scope=scope, now=now))
    streets = ranked(wo.street_stats(start, end, scope=scope, now=now))
    category_rows = sorted(
        wo.category_stats(start, end, scope=scope, now=now), key=lambda r: (-(r.received or 0), r.label)
    )
    received = volume["received"]
    categories = [
        {
            "label": r.label,
            "received": r.received or 0,
            "share": (r.received or 0) / received if received else None,
            "finished": r.finished or 0,
            "satisfaction_rate": r.metrics.satisfaction_rate,
        }
        for r in category_rows
        if r.received
    ]
    in_period: Any = cohort(start, end, workflow=wo.WORKFLOW).filter(scope.assignment_condition() or Q())
    overdue_items = _case_items(in_period.overdue(now), now)
    reopened_items = _case_items(in_period.filter(reopen_count__gt=0), now)
    red_black = None
    if period.is_month:
        rb = wo.red_black(period.start, scope=scope, now=now)
        red_black = {
            "red": [{"rank": r.rank, "label": r.row.label, "score": r.score} for r in rb.red],
            "black": [{"rank": r.rank, "label": r.row.label, "score": r.score} for r in rb.black],
            "min_volume": rb.min_volume,
        }
    return {
        "kind": ReportKind.HOTLINE,
        "volume": {
            **volume,
            "previous_received": before["received"],
            "last_year_received": year_before["received"] if year_before else None,
            "change_previous": change(received, before["received"]),
            "change_last_year": change(received, year_before["received"]) if year_before else None,
        },
        "rates": _rates(total),
        "previous_rates": _rates(previous_total),
        "daily": daily,
        "units": units,
        "streets": streets,
        "categories": categories[:TOP_CATEGORIES],
        "topics": hot_topics(scope, start, end, top=TOP_TOPICS),
        "overdue": {"count": total.overdue, "items": overdue_items},
        "reopened": {"count": total.metrics.reopened, "items": reopened_items},
        "red_black": red_black,
    }


# --- CPPCC --------------------------------------------------------------------------------
def opinion_counts(scope_org: Organisation, period: Period) -> dict[str, int]:
    """Opinion reports of the committee and those below it: received (submitted) in the
    period, adoptions recorded for the period, leaders' instructions given in it."""
    from huying.opinions.choices import ReportStatus
    from huying.opinions.models import Adoption, Instruction, OpinionReport

    start, end = period.bounds()
    path = scope_org.path
    received = (
        OpinionReport.objects.filter(cppcc__path__startswith=path, submitted_at__gte=start, submitted_at__lt=end)
        .exclude(status=ReportStatus.DRAFT)
        .count()
    )
    adopted = Adoption.objects.filter(
        cppcc__path__startswith=path, adopted_on__gte=period.start, adopted_on__lte=period.end
    ).count()
    instructions = Instruction.objects.filter(
        Q(report__cppcc__path__startswith=path) | Q(proposal__session__cppcc__path__startswith=path),
        instructed_on__gte=period.start,
        instructed_on__lte=period.end,
    ).count()
    return {"received": received, "adopted": adopted, "instructions": instructions}


def cppcc_figures(scope_org: Organisation, period: Period, *, now: datetime) -> dict[str, Any]:
    from huying.proposals.models import Session
    from huying.proposals.stats import session_stats, submitted_proposals

    start, end = period.bounds()
    session = Session.objects.filter(cppcc=scope_org).order_by("-is_current", "-term", "-number").first()
    proposals: dict[str, Any] | None = None
    if session is not None:
        s = session_stats(session)
        prev_start, prev_end = period.previous().bounds()
        in_period = submitted_proposals(session).filter(submitted_at__gte=start, submitted_at__lt=end).count()
        in_previous = (
            submitted_proposals(session).filter(submitted_at__gte=prev_start, submitted_at__lt=prev_end).count()
        )
        proposals = {
            "session": session.name or f"{session.term}届{session.number}次会议",
            "received_in_period": in_period,
            "received_previous": in_previous,
            "change_previous": change(in_period, in_previous),
            "submitted": s.totals.submitted,
            "pending": s.totals.pending,
            "filed": s.totals.filed,
            "filing_rate": s.totals.filing_rate,
            "assigned": sum(u.proposals for u in s.by_unit),
            "replied": s.replied,
            "replied_on_time": s.replied_on_time,
            "on_time_rate": s.on_time_rate,
            "ratings": s.ratings,
            "satisfaction_rate": s.satisfaction_rate,
            "satisfaction": [{"label": str(x.label), "count": x.count, "share": x.share} for x in s.satisfaction],
            "categories": [
                {"label": str(r.label), "submitted": r.counts.submitted, "filed": r.counts.filed}
                for r in sorted(s.by_category, key=lambda r: -r.counts.submitted)
                if r.counts.submitted
            ][:TOP_CATEGORIES],
            "units": [
                {
                    "rank": i,
                    "label": u.name,
                    "proposals": u.proposals,
                    "replied": u.replied,
                    "on_time_rate": u.on_time_rate,
                    "satisfaction_rate": u.satisfaction_rate,
                }
                for i, u in enumerate(
                    sorted(s.by_unit, key=lambda u: (-u.proposals, -u.replied, u.name))[: LIST_SIZE * 2], start=1
                )
            ],
        }
    opinions = opinion_counts(scope_org, period)
    previous_opinions = opinion_counts(scope_org, period.previous())
    return {
        "kind": ReportKind.CPPCC,
        "proposals": proposals,
        "opinions": {
            **opinions,
            "previous": previous_opinions,
            "change_previous": change(opinions["received"], previous_opinions["received"]),
            "adoption_rate": opinions["adopted"] / opinions["received"] if opinions["received"] else None,
        },
    }


def compute(scope_org: Organisation, kind: str, period: Period, *, now: datetime) -> dict[str, Any]:
    body = (
        hotline_figures(scope_org, period, now=now)
        if kind == ReportKind.HOTLINE
        else cppcc_figures(scope_org, period, now=now)
    )
    return {
        "title": report_title(scope_org.name, kind, period.start, period.end, period.is_month),
        "scope": scope_org.name,
        "issuer": issuing_unit(scope_org),
        "period": period.as_dict(),
        "previous": period.previous().as_dict(),
        "last_year": period.last_year().as_dict(),
        "generated_on": timezone.localtime(now).date().isoformat(),
        **body,
    }
