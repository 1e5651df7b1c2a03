"""The work-order figures on the leaders' dashboard (领导驾驶舱): what a leader reads first.

Orders received today and this month, orders overdue now, the 三率 of this month's
assignments (the engine's definitions, :mod:`huying.handling.metrics`, through
:func:`huying.workorders.stats.totals`), the received orders of the last seven days and the
month's red and black list (:func:`huying.workorders.stats.red_black`). Scoped like every
other figure (:meth:`huying.workorders.stats.Scope.for_user`): a district government's
leader reads his district. Leaders of a CPPCC committee handle no work orders and get no
panel. A fixed handful of aggregate queries, whatever the number of orders.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Trunc
from django.utils import timezone

from huying.accounts.choices import Role
from huying.organisations.choices import HANDLING_KINDS
from huying.workorders import stats
from huying.workorders.choices import OrderStatus

TREND_DAYS = 7
LIST_SIZE = 3


def leads_handling_units(user: Any) -> bool:
    """Leaders of a government, department, street or community (the side that handles
    work orders), and administrators. No query: the roles are loaded with the person."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_administrator:
        return True
    return any(
        a.role == Role.LEADER and a.organisation is not None and a.organisation.kind in HANDLING_KINDS
        for a in user.active_roles
    )


def leader_overview(user: Any, now: datetime | None = None) -> dict[str, Any] | None:
    if not leads_handling_units(user):
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    today_start = stats.day_start(today)
    month = today.replace(day=1)
    month_start = stats.day_start(month)
    tomorrow = stats.day_start(today + timedelta(days=1))
    trend_start = stats.day_start(today - timedelta(days=TREND_DAYS - 1))
    scope = stats.Scope.for_user(user)

    since = min(month_start, trend_start)
    received = scope.orders(since=since).filter(created_at__gte=since).exclude(status=OrderStatus.MERGED)
    counts = received.aggregate(
        month=Count("id", filter=Q(created_at__gte=month_start)),
        today=Count("id", filter=Q(created_at__gte=today_start)),
    )
    per_day = dict(
        received.filter(created_at__gte=trend_start)
        .annotate(day=Trunc("created_at", "day", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    per_day = {(d.date() if isinstance(d, datetime) else d): n for d, n in per_day.items()}
    days = [today - timedelta(days=i) for i in range(TREND_DAYS - 1, -1, -1)]
    peak = max([per_day.get(d, 0) for d in days] + [1])
    trend = [{"day": d, "count": per_day.get(d, 0)} for d in days]

    overdue = scope.assignments().overdue(now).order_by().values("case_id").distinct().count()
    return {
        "today": counts["today"],
        "month": counts["month"],
        "month_start": month,
        "overdue": overdue,
        "totals": stats.totals(month_start, tomorrow, scope=scope, now=now),
        "trend": trend,
        "trend_peak": peak,
        "red_black": stats.red_black(month, scope=scope, size=LIST_SIZE, now=now),
        "is_admin": user.is_administrator,
    }
