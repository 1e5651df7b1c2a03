"""Pages of the command centre's figures: the dashboard (指挥中心驾驶舱, also the leaders'
dashboard), the statistics tables, the monthly red/black list, and the XLSX exports of
those and of the console and inbox lists. Thin: the figures come from
:mod:`huying.workorders.stats`, the files from :mod:`huying.workorders.exports`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from huying.core.params import is_ascii_digits, parse_id
from huying.handling.choices import OPEN_STATUSES, Status
from huying.handling.models import Assignment
from huying.workorders import exports, stats
from huying.workorders.choices import OrderStatus
from huying.workorders.models import WorkOrder, dispatcher_districts
from huying.workorders.views.console import _errors, _order_type, _require_dispatcher, _require_unit


def _may_open_console(user: Any) -> bool:
    return bool(user.is_administrator or dispatcher_districts(user))


# --- filters ------------------------------------------------------------------------------
def _dashboard_filters(request: HttpRequest, scope: stats.Scope) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    period = request.GET.get("period") or "month"
    if period not in stats.PERIODS:
        errors["period"] = [_("Choose this month, last month, 30 days, 90 days or this year.")]
        period = "month"
    trend = parse_id(request.GET.get("trend")) or 30
    if trend not in stats.TREND_DAYS:
        errors["trend"] = [_("Choose 30 or 90 days.")]
        trend = 30
    streets = list(scope.streets())
    street = parse_id(request.GET.get("street"))
    if request.GET.get("street") and street not in {s.pk for s in streets}:
        errors["street"] = [_("Choose a street in your area.")]
        street = None
    return {"period": period, "trend": trend, "street": street, "streets": streets}, errors


def _chart_data(data: stats.Dashboard, districts: list[str]) -> dict[str, Any]:
    """What dashboard.js draws, as plain JSON (through ``json_script``)."""
    return {
        "status": [{"code": code, "name": name, "value": n} for code, name, n in data.by_status if n],
        "categories": [{"name": c.name, "value": c.count} for c in data.categories],
        "focus": [
            {"name": f.name, "value": f.count, "children": [{"name": c.name, "value": c.count} for c in f.children]}
            for f in data.focus
        ],
        "trend": {"days": [d.isoformat() for d, _n in data.trend], "values": [n for _d, n in data.trend]},
        "streets": [
            {"name": s.name, "value": [s.longitude, s.latitude, s.count]}
            for s in data.streets
            if s.latitude is not None and s.longitude is not None
        ],
        "geo": {"url": static("geo/guangzhou_districts.geojson"), "districts": districts},
        "text": {
            "received": _("Received"),
            "orders": _("orders"),
            "loading": _("Loading the map…"),
            "noData": _("No orders in this period."),
            "mapFailed": _("The map could not be loaded; the table below has the same figures."),
        },
    }


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    stats.check_may_view_dashboard(user)
    scope = stats.Scope.for_user(user)
    filters, errors = _dashboard_filters(request, scope)
    start, end = stats.period_bounds(filters["period"])
    month = timezone.localtime(end - timedelta(microseconds=1)).date().replace(day=1)
    data = stats.dashboard(
        scope, start=start, end=end, street=filters["street"], trend_days=filters["trend"], month=month
    )
    districts = stats.district_codes(scope, start=start, end=end)
    context = {
        **filters,
        "data": data,
        "chart": _chart_data(data, districts),
        "periods": _period_choices(),
        "trend_choices": stats.TREND_DAYS,
        "errors": errors,
        "last_day": end - timedelta(days=1),
        "may_open_console": _may_open_console(user),
        "active_area": "dashboard" if user.has_role("leader") else "console",
    }
    return render(request, "workorders/dashboard/dashboard.html", context, status=400 if errors else 200)


def _period_choices() -> list[tuple[str, str]]:
    return [
        ("month", _("This month")),
        ("last_month", _("Last month")),
        ("30d", _("Last 30 days")),
        ("90d", _("Last 90 days")),
        ("year", _("This year")),
    ]


def _group_choices() -> list[tuple[str, str]]:
    return [
        ("unit", _("By unit")),
        ("street", _("By street")),
        ("category", _("By category")),
        ("period", _("By period")),
    ]


def _granularity_choices() -> list[tuple[str, str]]:
    return [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))]


def _stats_filters(params: Any) -> tuple[dict[str, Any], datetime, datetime]:
    """Raises ``ValidationError`` naming the fields at fault."""
    group_by = params.get("group_by") or "unit"
    if group_by not in stats.GROUPINGS:
        raise ValidationError({"group_by": _("Group by unit, street, category or period.")})
    start, end = stats.parse_date_range(params.get("date_from"), params.get("date_to"))
    granularity = params.get("granularity") or "day"
    if group_by == "period":
        stats.check_granularity(start, end, granularity)
    elif granularity not in stats.GRANULARITIES:
        granularity = "day"
    filters = {
        "group_by": group_by,
        "date_from": timezone.localtime(start).date(),
        "date_to": timezone.localtime(end).date() - timedelta(days=1),
        "granularity": granularity,
    }
    return filters, start, end


@require_safe
@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    stats.check_may_view_stats(user)
    scope = stats.Scope.for_user(user)
    errors: dict[str, list[str]] = {}
    rows: list[stats.StatsRow] = []
    try:
        filters, start, end = _stats_filters(request.GET)
    except ValidationError as exc:
        errors = _errors(exc)
        today = timezone.localdate()
        filters = {
            "group_by": request.GET.get("group_by") if request.GET.get("group_by") in stats.GROUPINGS else "unit",
            "date_from": request.GET.get("date_from", today.replace(day=1)),
            "date_to": request.GET.get("date_to", today),
            "granularity": "day",
        }
    else:
        rows = stats.stats(filters["group_by"], start, end, scope=scope, granularity=filters["granularity"])
    query = request.GET.copy()
    context = {
        **filters,
        # What the date fields show: the dates used, or what was typed when it was refused.
        "date_from_value": _date_value(filters["date_from"]),
        "date_to_value": _date_value(filters["date_to"]),
        "rows": rows,
        "total": stats.sum_metrics(r.metrics for r in rows),
        "errors": errors,
        "groups": _group_choices(),
        "granularities": _granularity_choices(),
        "query": query.urlencode(),
        "export_limit": f"{exports.export_limit():,}",
        "active_area": "dashboard" if user.has_role("leader") else "console",
    }
    return render(request, "workorders/dashboard/stats.html", context, status=400 if errors else 200)


def _date_value(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@require_safe
@login_required
def red_black_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    stats.check_may_view_stats(user)
    errors: dict[str, list[str]] = {}
    result = None
    try:
        month = stats.parse_month(request.GET.get("month"))
    except ValidationError as exc:
        errors = _errors(exc)
        month = timezone.localdate().replace(day=1)
    else:
        result = stats.red_black(month, scope=stats.Scope.for_user(user))
    context = {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "result": result,
        "errors": errors,
        "previous_month": f"{(month - timedelta(days=1)):%Y-%m}",
        "weights": stats.ranking_weights(),
        "min_volume": stats.ranking_min_volume(),
        "active_area": "dashboard" if user.has_role("leader") else "console",
    }
    return render(request, "workorders/dashboard/red_black.html", context, status=400 if errors else 200)


# --- exports ------------------------------------------------------------------------------
@require_safe
@login_required
def console_export(request: HttpRequest) -> HttpResponseBase:
    """The console's list with the console's filters (search, status, first-level category, street)."""
    user: Any = request.user
    districts = _require_dispatcher(user)
    search = " ".join(request.GET.get("q", "").split())[:100]
    status = request.GET.get("status", "all" if search else OrderStatus.NEW)
    orders = (
        WorkOrder.objects.visible_to(user).with_related().search(search, phone_districts=districts or None)  # type: ignore[arg-type]
    )
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    else:
        status = "all"
    category = request.GET.get("category", "").strip()
    if is_ascii_digits(category):
        orders = orders.in_category(category)
    street = parse_id(request.GET.get("street"))
    if street:
        orders = orders.filter(street_id=street)
    returned = Assignment.objects.filter(case_type=_order_type(), case_id=OuterRef("pk"), status=Status.RETURNED)
    orders = orders.annotate(was_returned=Exists(returned)).order_by("-created_at", "-id")
    total = orders.count()
    export = exports.write_xlsx(
        _("Work orders"), exports.order_columns(), exports.order_rows(orders, user), total=total
    )
    exports.do_record_export(
        user,
        what="console",
        export=export,
        filters={"q": search, "status": status, "category": category, "street": street},
    )
    return exports.response(export, "workorders")


@require_safe
@login_required
def inbox_export(request: HttpRequest) -> HttpResponseBase:
    """The inbox's list: open assignments (``show=open``, the default) or all."""
    user: Any = request.user
    _require_unit(user)
    show = "all" if request.GET.get("show") == "all" else "open"
    rows = (
        Assignment.objects.visible_to(user)  # type: ignore[arg-type]
        .filter(case_type=_order_type())
        .order_by("-assigned_at", "-id")
    )
    if show == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    export = exports.write_xlsx(
        _("Work-order inbox"), exports.assignment_columns(), exports.assignment_rows(rows), total=rows.count()
    )
    exports.do_record_export(user, what="inbox", export=export, filters={"show": show})
    return exports.response(export, "workorder-inbox")


def _bad_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [m for ms in _errors(exc).values() for m in ms]
    return render(request, "workorders/dashboard/export_refused.html", {"problems": problems}, status=400)


@require_safe
@login_required
def stats_export(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    stats.check_may_view_stats(user)
    try:
        filters, start, end = _stats_filters(request.GET)
    except ValidationError as exc:
        return _bad_request(request, exc)
    return stats_xlsx(user, filters, start, end)


def stats_xlsx(user: Any, filters: dict[str, Any], start: datetime, end: datetime) -> HttpResponseBase:
    """Shared by the page and the API (``?format=xlsx``)."""
    group_by = filters["group_by"]
    rows = stats.stats(group_by, start, end, scope=stats.Scope.for_user(user), granularity=filters["granularity"])
    title = _("Work-order statistics")
    export = exports.write_xlsx(title, exports.stats_columns(group_by), exports.stats_rows(rows, group_by))
    exports.do_record_export(user, what="stats", export=export, filters=filters)
    return exports.response(export, f"workorder-stats-{group_by}")


@require_safe
@login_required
def red_black_export(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    stats.check_may_view_stats(user)
    try:
        month = stats.parse_month(request.GET.get("month"))
    except ValidationError as exc:
        return _bad_request(request, exc)
    return red_black_xlsx(user, month)


def red_black_xlsx(user: Any, month: date, *, size: int = stats.DEFAULT_LIST_SIZE) -> HttpResponseBase:
    result = stats.red_black(month, scope=stats.Scope.for_user(user), size=size)
    export = exports.write_xlsx(_("Red and black list"), exports.red_black_columns(), exports.red_black_rows(result))
    exports.do_record_export(user, what="red_black", export=export, filters={"month": f"{month:%Y-%m}"})
    return exports.response(export, f"workorder-red-black-{month:%Y-%m}")
