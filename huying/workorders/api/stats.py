"""Work-order statistics under /api/v1/workorders: the tables (by unit, street, category or
period), the monthly red/black list and the dashboard's figures, as JSON or (``format=xlsx``)
as the same Excel file the pages export. Same scope rules as the pages
(:class:`huying.workorders.stats.Scope`): dispatchers see their district, leaders and units
their subtree, administrators everything; others are refused (403).

A router of its own, mounted in ``huying/api.py`` before the work-order router: that one
answers ``/workorders/{number}``, which would otherwise take ``/workorders/stats``."""

from datetime import date, datetime, timedelta
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id
from huying.workorders import stats
from huying.workorders.views.dashboard import red_black_xlsx, stats_xlsx

router = Router(tags=["workorders"])

RATE = "A share from 0 to 1 (0.953 = 95.3 %); null when there is nothing to measure."


class StatsRowOut(Schema):
    key: str | None = Field(description="Unit or street id, first-level category code, or the period's first day.")
    label: str
    received: int | None = Field(description="Orders created in the period (not for units).")
    dispatched: int | None = Field(description="Of those, dispatched (and not back in the queue).")
    open: int | None = Field(description="Of those, still waiting for an answer.")
    finished: int | None = Field(description="Of those, resolved or closed.")
    assigned: int = Field(description="Assignments made in the period (cancelled ones excluded).")
    accepted_in_time: int
    handled: int
    resolved: int
    resolved_on_time: int
    returned: int
    reopened: int
    resolved_ever: int
    rated: int
    satisfied: int
    solved_answered: int
    solved: int
    overdue: int = Field(description="Of the assignments, open and past a deadline now.")
    tier2: int = Field(description="Of the assignments, called up to tier 2 (二呼).")
    tier3: int = Field(description="Of the assignments, called up to tier 3 (三呼).")
    response_rate: float | None = Field(description=f"响应率. {RATE}")
    completion_rate: float | None = Field(description=f"办结率. {RATE}")
    resolution_rate: float | None = Field(description=f"解决率. {RATE}")
    satisfaction_rate: float | None = Field(description=f"满意率. {RATE}")
    on_time_rate: float | None = Field(description=f"按时办结率. {RATE}")
    return_rate: float | None = Field(description=f"退单率. {RATE}")
    reopen_rate: float | None = Field(description=f"重办率. {RATE}")


class OrderStatsOut(Schema):
    group_by: str
    date_from: date
    date_to: date
    granularity: str
    rows: list[StatsRowOut]


COUNT_NAMES = (
    "assigned",
    "accepted_in_time",
    "handled",
    "resolved",
    "resolved_on_time",
    "returned",
    "reopened",
    "resolved_ever",
    "rated",
    "satisfied",
    "solved_answered",
    "solved",
)
RATE_NAMES = (
    "response_rate",
    "completion_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_rate",
    "return_rate",
    "reopen_rate",
)


def row_out(row: stats.StatsRow) -> dict[str, Any]:
    m = row.metrics
    key = row.key.isoformat() if isinstance(row.key, date) else (None if row.key is None else str(row.key))
    return {
        "key": key,
        "label": row.label,
        "received": row.received,
        "dispatched": row.dispatched,
        "open": row.open,
        "finished": row.finished,
        **{name: getattr(m, name) for name in COUNT_NAMES},
        "overdue": row.overdue,
        "tier2": row.tier2,
        "tier3": row.tier3,
        **{name: getattr(m, name) for name in RATE_NAMES},
    }


@router.get(
    "/stats",
    response={200: OrderStatsOut, 403: ErrorOut, 422: ErrorOut},
    summary="Work-order statistics by unit, street, category or period",
)
def get_stats(
    request: HttpRequest,
    group_by: Literal["unit", "street", "category", "period"] = "unit",
    date_from: date | None = None,
    date_to: date | None = None,
    granularity: Literal["day", "week", "month"] = "day",
    format: Literal["json", "xlsx"] = "json",
) -> Any:
    """Counts and rates (definitions: docs/workorders-metrics.md) for the orders created and
    the assignments made from ``date_from`` to ``date_to`` (inclusive; default: this month
    to today), within the caller's scope. ``group_by=period`` gives one row per
    ``granularity`` (day: at most a year). ``format=xlsx`` answers the Excel file
    (recorded in the audit log) instead of JSON."""
    user = request.user
    stats.check_may_view_stats(user)
    start, end = stats.parse_date_range(date_from, date_to)
    if group_by == "period":
        stats.check_granularity(start, end, granularity)
    filters = {
        "group_by": group_by,
        "date_from": timezone.localtime(start).date(),
        "date_to": timezone.localtime(end).date() - timedelta(days=1),
        "granularity": granularity,
    }
    if format == "xlsx":
        return stats_xlsx(user, filters, start, end)
    rows = stats.stats(group_by, start, end, scope=stats.Scope.for_user(user), granularity=granularity)
    return Status(200, {**filters, "rows": [row_out(r) for r in rows]})


class RankedOut(Schema):
    rank: int
    score: float = Field(description="Composite score 0–100 (weighted 三率).")
    unit_id: int
    unit: str
    row: StatsRowOut


class RedBlackOut(Schema):
    month: str
    weights: dict[str, float]
    min_volume: int
    red: list[RankedOut]
    black: list[RankedOut]
    ranking: list[RankedOut]
    not_ranked: list[StatsRowOut] = Field(description="Units below the minimum volume or with no rate to score.")


def _red_black_out(result: stats.RedBlack) -> dict[str, Any]:
    return {
        "month": f"{result.month:%Y-%m}",
        "weights": result.weights,
        "min_volume": result.min_volume,
        "red": [_ranked_out(i) for i in result.red],
        "black": [_ranked_out(i) for i in result.black],
        "ranking": [_ranked_out(i) for i in result.ranking],
        "not_ranked": [row_out(r) for r in result.below_volume],
    }


def _ranked_out(item: stats.Ranked) -> dict[str, Any]:
    return {
        "rank": item.rank,
        "score": item.score,
        "unit_id": item.row.key,
        "unit": item.row.label,
        "row": row_out(item.row),
    }


@router.get(
    "/stats/red-black",
    response={200: RedBlackOut, 403: ErrorOut, 422: ErrorOut},
    summary="Monthly red and black list of the handling units",
)
def get_red_black(
    request: HttpRequest,
    month: str = Query("", description="YYYY-MM; default: the current month."),
    size: int = Query(stats.DEFAULT_LIST_SIZE, ge=1, le=50, description="Units on each list."),
    format: Literal["json", "xlsx"] = "json",
) -> Any:
    """红黑榜: the units of the caller's scope with at least the minimum number of
    assignments in the month, ranked by the composite score; the best ``size`` are the red
    list, the worst ``size`` of the others the black list (worst first)."""
    user = request.user
    stats.check_may_view_stats(user)
    first = stats.parse_month(month)
    if format == "xlsx":
        return red_black_xlsx(user, first, size=size)
    result = stats.red_black(first, scope=stats.Scope.for_user(user), size=size)
    return Status(200, _red_black_out(result))


class SubCountOut(Schema):
    code: str | None
    name: str
    count: int


class CountOut(Schema):
    code: str | None
    name: str
    count: int
    children: list[SubCountOut] = Field(default_factory=list)


class StreetOut(Schema):
    street_id: int | None
    name: str
    count: int
    latitude: float | None = Field(description="Mean latitude of the street's orders with coordinates.")
    longitude: float | None


class OverdueOut(Schema):
    number: str | None
    unit: str
    status: str
    stage: str | None
    due: datetime | None
    overdue_hours: int
    supervision_level: int


class DayOut(Schema):
    day: date
    received: int


class DashboardOut(Schema):
    date_from: date
    date_to: date
    today_received: int
    received: int
    open_now: int
    overdue_now: int
    totals: StatsRowOut
    by_status: list[CountOut]
    categories: list[CountOut]
    focus: list[CountOut] = Field(description="六乱 and 五类车 with their sub-categories.")
    trend: list[DayOut]
    streets: list[StreetOut]
    overdue: list[OverdueOut]
    red_black: RedBlackOut


def _count_out(c: stats.CategoryCount) -> dict[str, Any]:
    children = [{"code": x.code, "name": x.name, "count": x.count} for x in c.children]
    return {"code": c.code, "name": c.name, "count": c.count, "children": children}


@router.get(
    "/dashboard",
    response={200: DashboardOut, 403: ErrorOut, 422: ErrorOut},
    summary="The command centre's dashboard figures: tiles, series, overdue list, red/black list",
)
def get_dashboard(
    request: HttpRequest,
    period: Literal["month", "last_month", "30d", "90d", "year"] = "month",
    street: Id | None = None,
    trend_days: Literal[30, 90] = 30,
) -> Any:
    """What /workorders/dashboard/ shows, for dispatchers, leaders and administrators,
    within their scope. ``street``: an organisation id of a street in the scope."""
    user = request.user
    stats.check_may_view_dashboard(user)
    scope = stats.Scope.for_user(user)
    if street is not None and not scope.streets().filter(pk=street).exists():
        raise ValidationError({"street": _("Choose a street in your area.")})
    start, end = stats.period_bounds(period)
    month = timezone.localtime(end - timedelta(microseconds=1)).date().replace(day=1)
    data = stats.dashboard(scope, start=start, end=end, street=street, trend_days=trend_days, month=month)
    return Status(
        200,
        {
            "date_from": timezone.localtime(start).date(),
            "date_to": timezone.localtime(end).date() - timedelta(days=1),
            "today_received": data.today_received,
            "received": data.received,
            "open_now": data.open_now,
            "overdue_now": data.overdue_now,
            "totals": row_out(data.totals),
            "by_status": [{"code": code, "name": name, "count": n, "children": []} for code, name, n in data.by_status],
            "categories": [_count_out(c) for c in data.categories],
            "focus": [_count_out(c) for c in data.focus],
            "trend": [{"day": d, "received": n} for d, n in data.trend],
            "streets": [vars(s) for s in data.streets],
            "overdue": [
                {
                    "number": item.order.number if item.order else None,
                    "unit": item.assignment.unit.name,
                    "status": item.assignment.status,
                    "stage": item.state.stage,
                    "due": item.state.due,
                    "overdue_hours": item.overdue_hours,
                    "supervision_level": item.assignment.supervision_level,
                }
                for item in data.overdue
            ],
            "red_black": _red_black_out(data.red_black),
        },
    )
