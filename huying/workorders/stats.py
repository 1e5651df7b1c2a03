"""Work-order statistics: the 三率 and the counts by unit, street, first-level category and
period, the monthly red/black list (红黑榜) and the command centre's dashboard figures.

Definitions, formulas and the scope rules are in docs/workorders-metrics.md. The rates are
the handling engine's (:mod:`huying.handling.metrics`); this module groups them the way the
command centre reads them and adds the order counts.

Every function issues a fixed number of aggregate queries whatever the number of orders:
no Python loop ever walks the orders or the assignments (only the few groups the database
returns, or the days of a chart). The cohort of the rates is the assignments *assigned* in
``[start, end)`` (indexed ``(unit, assigned_at)``); the order counts are the orders
*created* in ``[start, end)`` (indexed ``created_at`` and ``(district, status,
created_at)``).

**Two ways to the same figures.** When the stored daily summary
(:mod:`huying.workorders.summary`) covers the scope (everything, or districts and units:
the command centre, a government's leader) and the period runs from local midnight to
local midnight (every page and API call), the counts are sums over its rows: a month is a
few thousand rows at any number of orders. Only what depends on the clock is counted live,
from the open assignments: the overdue column and the dashboard's "overdue now". Other
scopes (a department's leader, unit staff: "the orders ever assigned to these units") are
computed from the orders and assignments, as is everything when ``stored=False`` (the
tests compare both ways on the same data).

For the benchmark and other callers::

    from huying.workorders.stats import Scope, unit_stats
    rows = unit_stats(start, end, scope=Scope.for_user(user))   # or Scope.all(), Scope.of_district(d)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.handling.metrics import (
    ASSIGNMENT_COUNTS,
    FEEDBACK_COUNTS,
    HandlingMetrics,
    cohort,
    cohort_feedback,
    merge_counts,
    overdue_condition,
    prefixed,
)
from huying.handling.models import Assignment, AssignmentQuerySet
from huying.handling.supervision import DeadlineState, deadline_state
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.workorders import summary
from huying.workorders.choices import FOCUS_CATEGORIES, OPEN_ORDER_STATUSES, OrderStatus
from huying.workorders.models import Category, WorkOrder

WORKFLOW = "workorder"

# Who may see statistics (their scope) and who may open the command centre's dashboard.
STATS_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN, Role.UNIT_STAFF, Role.STREET_HANDLER})
DASHBOARD_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN})

GROUPINGS = ("unit", "street", "category", "period")
GRANULARITIES = ("day", "week", "month")

# The red/black list's composite score: weights of the 三率 (docs/workorders-metrics.md).
DEFAULT_WEIGHTS = {"response_rate": 0.3, "resolution_rate": 0.3, "satisfaction_rate": 0.4}
DEFAULT_MIN_VOLUME = 10
DEFAULT_LIST_SIZE = 5

# Longest ranges accepted (a day-by-day table of ten years helps nobody and costs a lot).
MAX_RANGE_DAYS = 366 * 3
MAX_DAY_ROWS = 366


def check_may_view_stats(user: Any) -> None:
    if not (getattr(user, "is_authenticated", False) and (user.is_administrator or user.role_set & STATS_ROLES)):
        raise PermissionDenied(
            _(
                "Work-order statistics are open only to dispatchers, leaders, handling units, "
                "street handlers and administrators."
            )
        )


def check_may_view_dashboard(user: Any) -> None:
    if not (getattr(user, "is_authenticated", False) and (user.is_administrator or user.role_set & DASHBOARD_ROLES)):
        raise PermissionDenied(
            _("The command centre's dashboard is open only to dispatchers, leaders and administrators.")
        )


# --- scope ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """The part of the work orders a person's figures cover.

    ``everything`` for administrators. Otherwise the rates count the assignments of the
    units ``unit_ids``, and the order counts the orders of the districts ``district_ids``
    plus the orders assigned to ``order_unit_ids`` (docs/workorders-metrics.md, "Scope").
    Ids, not path prefixes: ``unit_id IN (…)`` uses the ``(unit, assigned_at)`` index and
    needs no join."""

    everything: bool = False
    unit_ids: tuple[int, ...] = ()
    district_ids: tuple[int, ...] = ()
    order_unit_ids: tuple[int, ...] = ()

    @classmethod
    def all(cls) -> Scope:
        return cls(everything=True)

    @classmethod
    def of_district(cls, district: Organisation) -> Scope:
        """What the district's command centre sees: its units and its orders."""
        return cls._build(unit_roots=[district.path], district_roots=[district.path], order_unit_roots=[])

    @classmethod
    def of_unit(cls, unit: Organisation) -> Scope:
        """What a unit's staff see: the unit and the units below it."""
        return cls._build(unit_roots=[unit.path], district_roots=[], order_unit_roots=[unit.path])

    @classmethod
    def for_user(cls, user: Any) -> Scope:
        """Administrators: everything. Dispatchers of a command centre: its district.
        Leaders: their organisation's subtree (the orders of the districts in it; below a
        district, the orders assigned to units in it). Unit staff and street handlers:
        their organisation's subtree. Everyone else: nothing."""
        if not getattr(user, "is_authenticated", False):
            return cls()
        if user.is_administrator:
            return cls.all()
        unit_roots: list[str] = []
        district_roots: list[str] = []
        order_unit_roots: list[str] = []
        for role in user.active_roles:
            org = role.organisation
            if org is None:
                continue
            if role.role == Role.DISPATCHER and org.kind == OrgKind.COMMAND_CENTRE and org.parent_id:
                district_path = org.ancestor_paths()[-1]
                unit_roots.append(district_path)
                district_roots.append(district_path)
            elif role.role == Role.LEADER:
                unit_roots.append(org.path)
                (district_roots if org.kind == OrgKind.GOVERNMENT else order_unit_roots).append(org.path)
            elif role.role in (Role.UNIT_STAFF, Role.STREET_HANDLER):
                unit_roots.append(org.path)
                order_unit_roots.append(org.path)
        return cls._build(unit_roots=unit_roots, district_roots=district_roots, order_unit_roots=order_unit_roots)

    @classmethod
    def _build(cls, *, unit_roots: list[str], district_roots: list[str], order_unit_roots: list[str]) -> Scope:
        roots = sorted(set(unit_roots) | set(district_roots) | set(order_unit_roots))
        if not roots:
            return cls()
        condition = Q()
        for root in roots:
            condition |= Q(path__startswith=root)
        units: set[int] = set()
        districts: set[int] = set()
        order_units: set[int] = set()
        # One query over the organisations under the roots (hundreds, not orders).
        for pk, path, kind in Organisation.objects.filter(condition).values_list("id", "path", "kind"):
            if any(path.startswith(r) for r in unit_roots):
                units.add(pk)
            if kind == OrgKind.GOVERNMENT and any(path.startswith(r) for r in district_roots):
                districts.add(pk)
            if any(path.startswith(r) for r in order_unit_roots):
                order_units.add(pk)
        return cls(
            unit_ids=tuple(sorted(units)),
            district_ids=tuple(sorted(districts)),
            order_unit_ids=tuple(sorted(order_units)),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.unit_ids or self.district_ids or self.order_unit_ids)

    def assignment_condition(self) -> Q | None:
        """``None`` means no restriction."""
        if self.everything:
            return None
        return Q(unit_id__in=self.unit_ids)

    def order_condition(self, since: datetime | None = None) -> Q | None:
        """``since``: the orders asked for were created at or after it, so only assignments
        made since then can concern them (it narrows the subquery, not the answer)."""
        if self.everything:
            return None
        condition = Q(pk__in=[])
        if self.district_ids:
            condition |= Q(district_id__in=self.district_ids)
        if self.order_unit_ids:
            assigned = Assignment.objects.filter(workflow=WORKFLOW, unit_id__in=self.order_unit_ids)
            if since is not None:
                assigned = assigned.filter(assigned_at__gte=since)
            condition |= Q(pk__in=assigned.values("case_id"))
        return condition

    def orders(self, since: datetime | None = None) -> QuerySet[WorkOrder]:
        condition = self.order_condition(since)
        qs = WorkOrder.objects.all()
        return qs if condition is None else qs.filter(condition)

    def assignments(self) -> AssignmentQuerySet:
        condition = self.assignment_condition()
        qs: AssignmentQuerySet = Assignment.objects.filter(workflow=WORKFLOW)
        return qs if condition is None else qs.filter(condition)

    def streets(self) -> QuerySet[Organisation]:
        """The streets a person may filter by: those inside the scope (for everything: the
        streets of districts that have a command centre, not every street of the province)."""
        qs = Organisation.objects.filter(kind=OrgKind.STREET, is_active=True)
        if self.everything:
            with_centre = Organisation.objects.filter(kind=OrgKind.COMMAND_CENTRE).values("parent_id")
            return qs.filter(parent_id__in=with_centre).order_by("name")
        return qs.filter(pk__in=self.unit_ids).order_by("name")


# --- rows -------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatsRow:
    """One line of a statistics table: the engine's counts and rates for the assignments of
    the group, the overdue and called-up assignments, and (except by unit) the order counts."""

    key: Any
    label: str
    metrics: HandlingMetrics
    overdue: int = 0
    tier2: int = 0
    tier3: int = 0
    received: int | None = None
    dispatched: int | None = None
    open: int | None = None
    finished: int | None = None

    def __getattr__(self, name: str) -> Any:
        # The engine's counts and rates read as the row's own (row.assigned, row.response_rate).
        if name.startswith("__") or name == "metrics":
            raise AttributeError(name)
        return getattr(self.metrics, name)


def sum_metrics(items: Iterable[HandlingMetrics], key: dict[str, Any] | None = None) -> HandlingMetrics:
    """Counts add up across groups (each assignment and each rating is in one group)."""
    names = [f.name for f in fields(HandlingMetrics) if f.name != "key"]
    totals = dict.fromkeys(names, 0)
    for m in items:
        for name in names:
            totals[name] += getattr(m, name)
    return HandlingMetrics(key=key or {}, **totals)


EXTRA_NAMES = ("overdue", "tier2", "tier3")


def _extra_counts(now: datetime) -> dict[str, Count]:
    return {
        "overdue": Count("id", filter=overdue_condition(now)),
        "tier2": Count("id", filter=Q(tier=2)),
        "tier3": Count("id", filter=Q(tier=3)),
    }


ORDER_COUNTS: dict[str, Count] = {
    "received": Count("id", filter=~Q(status=OrderStatus.MERGED)),
    "dispatched": Count(
        "id",
        filter=Q(
            status__in=(OrderStatus.DISPATCHED, OrderStatus.IN_PROGRESS, OrderStatus.RESOLVED, OrderStatus.CLOSED)
        ),
    ),
    "open": Count("id", filter=Q(status__in=OPEN_ORDER_STATUSES)),
    "finished": Count("id", filter=Q(status__in=(OrderStatus.RESOLVED, OrderStatus.CLOSED))),
}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


ORDER_TABLE = WorkOrder._meta.db_table
ASSIGNMENT_TABLE = Assignment._meta.db_table


def _order_column(column: str) -> RawSQL:
    # Identifiers from the model's metadata, quoted; nothing from a request reaches the SQL.
    return RawSQL(f"{_quote(ORDER_TABLE)}.{_quote(column)}", ())  # noqa: S611


def _joined_to_orders(qs: QuerySet[Any], street: int | None = None) -> QuerySet[Any]:
    """Join the assignments (or their ratings, which join the assignments) to their orders.

    ``Assignment.case_id`` is a generic reference with no relation Django could follow, so
    the join is spelled out with ``extra(tables=…, where=…)``: an inner join on the
    primary key, about twice as fast as a correlated subquery per assignment at a million
    orders. A ``GenericRelation`` on ``WorkOrder`` would give the same join but would also
    make deleting an order delete its handling history."""
    where = [f"{_quote(ORDER_TABLE)}.{_quote('id')} = {_quote(ASSIGNMENT_TABLE)}.{_quote('case_id')}"]
    params: list[Any] = []
    if street is not None:
        where.append(f"{_quote(ORDER_TABLE)}.{_quote('street_id')} = %s")
        params.append(street)
    return qs.extra(tables=[ORDER_TABLE], where=where, params=params)  # noqa: S610 - constants; the street is a parameter


@dataclass(frozen=True)
class _Key:
    """How one grouping reads its key in each of the three queries."""

    assignment: Any = None
    feedback: Any = None
    order: Any = None
    join_orders: bool = False


def _period_key(granularity: str) -> _Key:
    tz = timezone.get_current_timezone()
    return _Key(
        assignment=Trunc("assigned_at", granularity, tzinfo=tz),
        feedback=Trunc("assignment__assigned_at", granularity, tzinfo=tz),
        order=Trunc("created_at", granularity, tzinfo=tz),
    )


KEYS = {
    "unit": _Key(assignment=F("unit_id"), feedback=F("assignment__unit_id")),
    "street": _Key(
        assignment=_order_column("street_id"),
        feedback=_order_column("street_id"),
        order=F("street_id"),
        join_orders=True,
    ),
    "category": _Key(
        assignment=_order_column("category_id"),
        feedback=_order_column("category_id"),
        order=F("category_id"),
        join_orders=True,
    ),
}


def _assignment_groups(
    start: datetime, end: datetime, scope: Scope, now: datetime, key: _Key | None, street: int | None = None
) -> dict[Any, tuple[HandlingMetrics, dict[str, int]]]:
    """Two queries: the cohort's assignments counted per group (with the overdue and
    called-up counts), and their current ratings counted per group."""
    assignments: QuerySet[Any] = cohort(start, end, workflow=WORKFLOW)
    feedback: QuerySet[Any] = cohort_feedback(start, end, workflow=WORKFLOW)
    condition = scope.assignment_condition()
    if condition is not None:
        assignments = assignments.filter(condition)
        feedback = feedback.filter(prefixed(condition, "assignment__"))
    # A rating is recorded after the assignment it rates was made: ratings older than the
    # period cannot count, and skipping them early spares the join most of the table.
    feedback = feedback.filter(created_at__gte=start)
    if street is not None or (key is not None and key.join_orders):
        assignments = _joined_to_orders(assignments, street)
        feedback = _joined_to_orders(feedback, street)
    counts = {**ASSIGNMENT_COUNTS, **_extra_counts(now)}
    if key is None:
        row = assignments.aggregate(**counts)
        row.update(feedback.aggregate(**FEEDBACK_COUNTS))
        row["group"] = None
        assignment_rows, feedback_rows = [row], [row]
    else:
        assignment_rows = list(
            assignments.order_by().annotate(group=key.assignment).values("group").annotate(**counts).order_by()
        )
        feedback_rows = list(
            feedback.order_by().annotate(group=key.feedback).values("group").annotate(**FEEDBACK_COUNTS).order_by()
        )
    extras = {row["group"]: {name: row[name] for name in EXTRA_NAMES} for row in assignment_rows}
    return {
        m.key["group"]: (m, extras[m.key["group"]]) for m in merge_counts(("group",), assignment_rows, feedback_rows)
    }


def _order_groups(
    start: datetime, end: datetime, scope: Scope, key: Any, street: int | None = None
) -> dict[Any, dict[str, int]]:
    orders = scope.orders(since=start).filter(created_at__gte=start, created_at__lt=end)
    if street is not None:
        orders = orders.filter(street_id=street)
    rows = orders.order_by().annotate(group=key).values("group").annotate(**ORDER_COUNTS).order_by()
    return {row.pop("group"): row for row in rows}


def _row(key: Any, label: str, groups: Any, orders: dict[str, int] | None) -> StatsRow:
    metrics, extras = groups if groups is not None else (HandlingMetrics(), dict.fromkeys(EXTRA_NAMES, 0))
    return StatsRow(key=key, label=label, metrics=metrics, **extras, **(orders or {}))


def _names(ids: Iterable[Any]) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    return dict(Organisation.objects.filter(pk__in=ids).values_list("id", "name")) if ids else {}


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- read from the stored daily summary ------------------------------------------------------
def _at_midnight(moment: datetime) -> bool:
    return timezone.localtime(moment, summary.zone()).time() == time.min


def from_summary(scope: Scope, start: datetime, end: datetime, stored: bool | None = None) -> bool:
    """Whether the figures of ``[start, end)`` for ``scope`` are read from the stored summary
    (``stored`` forces one way: ``False`` computes from the rows)."""
    if stored is not None:
        return stored
    return summary.covers(scope) and _at_midnight(start) and _at_midnight(end)


# How each grouping reads its key from the summary's rows, and the live key it stands for.
SUMMARY_KEYS: dict[str, tuple[str, Any]] = {
    "unit": ("unit_id", lambda value: value),
    "street": ("street_id", lambda value: value or None),
    "category": ("category", lambda value: summary.top_code(value) or None),
    "day": ("day", lambda value: value),
}


Groups = dict[Any, tuple[HandlingMetrics, dict[str, int]]]


def _regroup(groups: Iterable[tuple[Any, HandlingMetrics, dict[str, int]]], to_key: Any) -> Groups:
    """Counts added up under ``to_key(key)`` (categories to their first level, days to
    their week or month, summary keys to the statistics' keys)."""
    parts: dict[Any, list[HandlingMetrics]] = defaultdict(list)
    extras: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(EXTRA_NAMES, 0))
    for key, metrics, extra in groups:
        new_key = to_key(key)
        parts[new_key].append(metrics)
        for name, n in extra.items():
            extras[new_key][name] += n
    return {key: (sum_metrics(ms, {"group": key}), extras[key]) for key, ms in parts.items()}


def _regroup_orders(orders: Iterable[tuple[Any, dict[str, int]]], to_key: Any) -> dict[Any, dict[str, int]]:
    """Order counts added up under ``to_key(key)``."""
    result: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ORDER_COUNTS, 0))
    for key, counts in orders:
        row = result[to_key(key)]
        for name, n in counts.items():
            row[name] += n
    return dict(result)


def _stored_groups(
    start: datetime, end: datetime, scope: Scope, grouping: str | None, street: int | None = None
) -> dict[Any, tuple[HandlingMetrics, dict[str, int]]]:
    """The cohort's counts per group (``grouping`` a key of :data:`SUMMARY_KEYS`, ``None``
    for one total under ``None``) from the summary: one query. ``overdue`` is left at 0
    (:func:`_overdue_counts` adds it)."""
    field, to_key = SUMMARY_KEYS[grouping] if grouping else ("district_id", lambda value: None)
    found = summary.metrics(scope, *summary.days(start, end), by=(field,), street=street)
    return _regroup(((value, m, tiers) for (value,), (m, tiers) in found.items()), to_key)


def _overdue_counts(
    start: datetime,
    end: datetime,
    scope: Scope,
    now: datetime,
    grouping: str | None,
    street: int | None = None,
    tree: dict[int, CategoryNode] | None = None,
) -> dict[Any, int]:
    """The cohort's assignments overdue at ``now`` per group, counted live from the open
    assignments (a few thousand rows, whatever the number of orders): one query (and the
    category tree, by category, unless given)."""
    qs: QuerySet[Any] = cohort(start, end, workflow=WORKFLOW).filter(overdue_condition(now))
    condition = scope.assignment_condition()
    if condition is not None:
        qs = qs.filter(condition)
    if street is not None or grouping in ("street", "category"):
        qs = _joined_to_orders(qs, street)
    if grouping is None:
        return {None: qs.count()}
    if grouping == "day":
        expression: Any = Trunc("assigned_at", "day", tzinfo=summary.zone())
    else:
        expression = KEYS[grouping].assignment
    rows = qs.order_by().annotate(group=expression).values_list("group").annotate(n=Count("id")).order_by()
    counts: dict[Any, int] = defaultdict(int)
    if grouping == "category" and tree is None:
        tree = category_tree()
    for group, n in rows:
        if grouping == "category":
            group = _roll_up(tree or {}, group)
        elif grouping == "day":
            group = _as_day(group)
        counts[group] += n
    return counts


def _stored_assignment_groups(
    start: datetime,
    end: datetime,
    scope: Scope,
    now: datetime,
    grouping: str | None,
    street: int | None = None,
    tree: dict[int, CategoryNode] | None = None,
) -> dict[Any, tuple[HandlingMetrics, dict[str, int]]]:
    """:func:`_assignment_groups` from the summary plus the live overdue counts: two queries."""
    groups = _stored_groups(start, end, scope, grouping, street)
    for key, n in _overdue_counts(start, end, scope, now, grouping, street, tree).items():
        if n:
            metrics, extras = groups.get(key) or (HandlingMetrics(key={"group": key}), dict.fromkeys(EXTRA_NAMES, 0))
            groups[key] = (metrics, {**extras, "overdue": n})
    return groups


def _stored_order_groups(
    start: datetime, end: datetime, scope: Scope, grouping: str, street: int | None = None
) -> dict[Any, dict[str, int]]:
    """:func:`_order_groups` from the summary: one query."""
    field, to_key = SUMMARY_KEYS[grouping]
    found = summary.order_counts(scope, *summary.days(start, end), by=(field,), street=street)
    return _regroup_orders(
        ((value, {name: getattr(c, name) for name in ORDER_COUNTS}) for (value,), c in found.items()), to_key
    )


def _period_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


# --- the four groupings -------------------------------------------------------------------
def unit_stats(
    start: datetime,
    end: datetime,
    *,
    scope: Scope | None = None,
    now: datetime | None = None,
    stored: bool | None = None,
) -> list[StatsRow]:
    """三率 and counts per handling unit for the assignments assigned in ``[start, end)``.

    Three queries: from the summary, its unit rows, the overdue assignments per unit and
    the units' names; else assignments per unit (``unit_id IN (…)`` and the
    ``assigned_at`` range: the ``(unit, assigned_at)`` index), their current ratings per
    unit, the units' names. ``scope=None`` is everything. Rows: most assignments first."""
    scope = scope or Scope.all()
    if scope.is_empty:
        return []
    if from_summary(scope, start, end, stored):
        groups = _stored_assignment_groups(start, end, scope, _now(now), "unit")
    else:
        groups = _assignment_groups(start, end, scope, _now(now), KEYS["unit"])
    names = _names(groups)
    rows = [_row(unit, names.get(unit, str(unit)), g, None) for unit, g in groups.items()]
    return sorted(rows, key=lambda r: (-r.metrics.assigned, r.label))


def street_stats(
    start: datetime,
    end: datetime,
    *,
    scope: Scope | None = None,
    now: datetime | None = None,
    stored: bool | None = None,
) -> list[StatsRow]:
    """Per street of the orders: the orders created in the period and the 三率 of the
    assignments made in it. Four queries (from the summary, or the assignments joined to
    their orders)."""
    scope = scope or Scope.all()
    if scope.is_empty:
        return []
    if from_summary(scope, start, end, stored):
        groups = _stored_assignment_groups(start, end, scope, _now(now), "street")
        orders = _stored_order_groups(start, end, scope, "street")
    else:
        groups = _assignment_groups(start, end, scope, _now(now), KEYS["street"])
        orders = _order_groups(start, end, scope, KEYS["street"].order)
    keys = set(groups) | set(orders)
    names = _names(keys)
    no_street = _("No street given")
    rows = [
        _row(k, names.get(k, no_street) if k is not None else no_street, groups.get(k), orders.get(k)) for k in keys
    ]
    return sorted(rows, key=lambda r: (r.key is None, -(r.received or 0), r.label))


@dataclass(frozen=True)
class CategoryNode:
    pk: int
    code: str
    name: str
    level: int


def category_tree() -> dict[int, CategoryNode]:
    return {
        pk: CategoryNode(pk, code, name, level)
        for pk, code, name, level in Category.objects.values_list("id", "code", "name", "level")
    }


def _roll_up(tree: dict[int, CategoryNode], category_id: int | None, length: int = 2) -> str | None:
    node = tree.get(category_id) if category_id is not None else None
    return node.code[:length] if node is not None and len(node.code) >= length else None


def category_stats(
    start: datetime,
    end: datetime,
    *,
    scope: Scope | None = None,
    now: datetime | None = None,
    stored: bool | None = None,
) -> list[StatsRow]:
    """Per first-level category (市容环境, 环境卫生, …): the orders grouped by their category
    in the database (or the summary), then the few category groups added up to their
    first level."""
    scope = scope or Scope.all()
    if scope.is_empty:
        return []
    tree = category_tree()
    if from_summary(scope, start, end, stored):
        # Keyed by the first-level code already.
        groups = _stored_assignment_groups(start, end, scope, _now(now), "category", tree=tree)
        orders = _stored_order_groups(start, end, scope, "category")
        code_of: Any = lambda code: code  # noqa: E731
    else:
        groups = _assignment_groups(start, end, scope, _now(now), KEYS["category"])
        orders = _order_groups(start, end, scope, KEYS["category"].order)
        code_of = lambda category_id: _roll_up(tree, category_id)  # noqa: E731

    top = {n.code: n for n in tree.values() if n.level == 1}
    by_code = _regroup(((key, m, extra) for key, (m, extra) in groups.items()), code_of)
    order_counts = _regroup_orders(orders.items(), code_of)
    rows = [
        _row(
            code,
            top[code].name if code in top else _("Not categorised"),
            by_code.get(code),
            order_counts.get(code, dict.fromkeys(ORDER_COUNTS, 0)),
        )
        for code in set(by_code) | set(order_counts)
    ]
    return sorted(rows, key=lambda r: (r.key is None, r.key or ""))


def period_starts(start: datetime, end: datetime, granularity: str) -> list[date]:
    """The first day of every day/week (Monday)/month that overlaps ``[start, end)``."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(end - timedelta(microseconds=1)).date()
    if granularity == "week":
        first -= timedelta(days=first.weekday())
    elif granularity == "month":
        first = first.replace(day=1)
    days = []
    current = first
    while current <= last:
        days.append(current)
        if granularity == "day":
            current += timedelta(days=1)
        elif granularity == "week":
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return days


def period_label(day: date, granularity: str) -> str:
    if granularity == "month":
        return _("%(year)d-%(month)02d") % {"year": day.year, "month": day.month}
    if granularity == "week":
        iso = day.isocalendar()
        return _("%(year)d week %(week)d (from %(day)s)") % {
            "year": iso[0],
            "week": iso[1],
            "day": day.strftime("%m-%d"),
        }
    return day.isoformat()


def _as_day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value  # type: ignore[no-any-return]


def period_stats(
    start: datetime,
    end: datetime,
    *,
    granularity: str = "day",
    scope: Scope | None = None,
    now: datetime | None = None,
    stored: bool | None = None,
) -> list[StatsRow]:
    """Per day, week (from Monday) or month, in the project's time zone: the orders created
    and the assignments made in each period. Every period of the range has a row."""
    if granularity not in GRANULARITIES:
        raise ValidationError({"granularity": _("Choose day, week or month.")})
    scope = scope or Scope.all()
    days = period_starts(start, end, granularity)
    if scope.is_empty:
        return [_row(d, period_label(d, granularity), None, dict.fromkeys(ORDER_COUNTS, 0)) for d in days]
    if from_summary(scope, start, end, stored):
        groups, orders = _stored_periods(start, end, scope, _now(now), granularity)
    else:
        key = _period_key(granularity)
        groups = {_as_day(k): v for k, v in _assignment_groups(start, end, scope, _now(now), key).items()}
        orders = {_as_day(k): v for k, v in _order_groups(start, end, scope, key.order).items()}
    empty = dict.fromkeys(ORDER_COUNTS, 0)
    return [_row(d, period_label(d, granularity), groups.get(d), orders.get(d, empty)) for d in days]


def _stored_periods(
    start: datetime, end: datetime, scope: Scope, now: datetime, granularity: str
) -> tuple[Groups, dict[Any, dict[str, int]]]:
    """The summary's days (and the live overdue counts per day) added up per period."""

    def period(day: date) -> date:
        return _period_start(day, granularity)

    days = _stored_assignment_groups(start, end, scope, now, "day")
    groups = _regroup(((day, m, extra) for day, (m, extra) in days.items()), period)
    return groups, _regroup_orders(_stored_order_groups(start, end, scope, "day").items(), period)


def stats(
    group_by: str,
    start: datetime,
    end: datetime,
    *,
    scope: Scope | None = None,
    granularity: str = "day",
    now: datetime | None = None,
    stored: bool | None = None,
) -> list[StatsRow]:
    if group_by == "unit":
        return unit_stats(start, end, scope=scope, now=now, stored=stored)
    if group_by == "street":
        return street_stats(start, end, scope=scope, now=now, stored=stored)
    if group_by == "category":
        return category_stats(start, end, scope=scope, now=now, stored=stored)
    if group_by == "period":
        return period_stats(start, end, granularity=granularity, scope=scope, now=now, stored=stored)
    raise ValidationError({"group_by": _("Group by unit, street, category or period.")})


def totals(
    start: datetime,
    end: datetime,
    *,
    scope: Scope | None = None,
    street: int | None = None,
    now: datetime | None = None,
    stored: bool | None = None,
) -> StatsRow:
    """One row for the whole scope (the dashboard's rate tiles). Two queries (plus the join
    to the orders when a street is chosen)."""
    scope = scope or Scope.all()
    if scope.is_empty:
        return _row(None, "", None, None)
    if from_summary(scope, start, end, stored):
        groups = _stored_assignment_groups(start, end, scope, _now(now), None, street=street)
    else:
        groups = _assignment_groups(start, end, scope, _now(now), None, street=street)
    return _row(None, "", groups.get(None), None)


# --- dates --------------------------------------------------------------------------------
def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def parse_date_range(date_from: Any, date_to: Any, *, today: date | None = None) -> tuple[datetime, datetime]:
    """Inclusive dates (``YYYY-MM-DD`` strings or dates) → ``[start, end)`` at local
    midnight. Defaults: from the first of the current month to today."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def parse(value: Any, name: str, default: date) -> date:
        if value in (None, ""):
            return default
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            errors[name] = [_("Enter a date such as 2026-10-01.")]
            return default

    first = parse(date_from, "date_from", today.replace(day=1))
    last = parse(date_to, "date_to", today)
    if not errors and last < first:
        errors["date_to"] = [_("The end date is before the start date.")]
    if not errors and (last - first).days >= MAX_RANGE_DAYS:
        errors["date_to"] = [_("Choose at most three years.")]
    if errors:
        raise ValidationError(errors)
    return day_start(first), day_start(last + timedelta(days=1))


def parse_month(value: Any, *, today: date | None = None) -> date:
    """``YYYY-MM`` → the month's first day; empty → the current month."""
    if value in (None, ""):
        return (today or timezone.localdate()).replace(day=1)
    try:
        year, month = (int(part) for part in str(value).strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValidationError({"month": _("Enter a month such as 2026-10.")}) from None


def month_bounds(month: date) -> tuple[datetime, datetime]:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day_start(month), day_start(following)


def check_granularity(start: datetime, end: datetime, granularity: str) -> None:
    if granularity not in GRANULARITIES:
        raise ValidationError({"granularity": _("Choose day, week or month.")})
    if granularity == "day" and (end - start).days > MAX_DAY_ROWS:
        raise ValidationError({"granularity": _("Choose weeks or months for more than a year.")})


# --- red/black list -------------------------------------------------------------------------
def ranking_weights() -> dict[str, float]:
    return dict(getattr(settings, "WORKORDERS_RANKING_WEIGHTS", DEFAULT_WEIGHTS))


def ranking_min_volume() -> int:
    return int(getattr(settings, "WORKORDERS_RANKING_MIN_VOLUME", DEFAULT_MIN_VOLUME))


def composite_score(row: StatsRow, weights: dict[str, float] | None = None) -> float | None:
    """Weighted 三率 on a 0–100 scale. A rate with nothing to measure (no ratings yet) is
    left out and the other weights are scaled up to 100 %; no rate at all → ``None``."""
    weights = weights or ranking_weights()
    parts = [(w, getattr(row.metrics, name)) for name, w in weights.items()]
    present = [(w, r) for w, r in parts if r is not None]
    total = sum(w for w, _r in present)
    if not present or total <= 0:
        return None
    return round(100 * sum(w * r for w, r in present) / total, 2)


@dataclass(frozen=True)
class Ranked:
    rank: int
    score: float
    row: StatsRow


@dataclass(frozen=True)
class RedBlack:
    month: date
    red: list[Ranked]
    black: list[Ranked]
    ranking: list[Ranked]
    below_volume: list[StatsRow]
    weights: dict[str, float] = field(default_factory=dict)
    min_volume: int = DEFAULT_MIN_VOLUME


def red_black(
    month: date,
    *,
    scope: Scope | None = None,
    size: int = DEFAULT_LIST_SIZE,
    min_volume: int | None = None,
    weights: dict[str, float] | None = None,
    now: datetime | None = None,
    rows: list[StatsRow] | None = None,
    stored: bool | None = None,
) -> RedBlack:
    """红黑榜 of ``month``: the units with at least ``min_volume`` assignments in the month,
    ranked by :func:`composite_score` (ties: more assignments first, then the name). The
    ``size`` best are the red list; the ``size`` worst of the others the black list, worst
    first. A unit is never on both. ``rows``: the month's :func:`unit_stats` rows when the
    caller has them already (the cockpit reads them from the stored summary)."""
    start, end = month_bounds(month)
    weights = weights or ranking_weights()
    min_volume = ranking_min_volume() if min_volume is None else min_volume
    if rows is None:
        rows = unit_stats(start, end, scope=scope, now=now, stored=stored)
    scored = []
    below = []
    for row in rows:
        score = composite_score(row, weights)
        if row.metrics.assigned < min_volume or score is None:
            below.append(row)
        else:
            scored.append((score, row))
    scored.sort(key=lambda item: (-item[0], -item[1].metrics.assigned, item[1].label))
    ranking = [Ranked(rank=i + 1, score=score, row=row) for i, (score, row) in enumerate(scored)]
    red = ranking[:size]
    rest = ranking[len(red) :]
    black = list(reversed(rest[-size:])) if size else []
    return RedBlack(
        month=month, red=red, black=black, ranking=ranking, below_volume=below, weights=weights, min_volume=min_volume
    )


# --- dashboard ----------------------------------------------------------------------------
PERIODS = ("month", "last_month", "30d", "90d", "year")
TREND_DAYS = (30, 90)


def period_bounds(period: str, today: date | None = None) -> tuple[datetime, datetime]:
    """The dashboard's periods: this month, last month, the last 30 or 90 days (today
    included), this year."""
    today = today or timezone.localdate()
    tomorrow = day_start(today + timedelta(days=1))
    if period == "month":
        return day_start(today.replace(day=1)), tomorrow
    if period == "last_month":
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        return month_bounds(last_month)
    if period == "30d":
        return day_start(today - timedelta(days=29)), tomorrow
    if period == "90d":
        return day_start(today - timedelta(days=89)), tomorrow
    if period == "year":
        return day_start(today.replace(month=1, day=1)), tomorrow
    raise ValidationError({"period": _("Choose this month, last month, 30 days, 90 days or this year.")})


@dataclass(frozen=True)
class OverdueItem:
    assignment: Assignment
    order: WorkOrder | None
    state: DeadlineState
    overdue_hours: int


@dataclass(frozen=True)
class CategoryCount:
    code: str | None
    name: str
    count: int
    children: list[CategoryCount] = field(default_factory=list)


@dataclass(frozen=True)
class StreetPoint:
    street_id: int | None
    name: str
    count: int
    latitude: float | None
    longitude: float | None


@dataclass
class Dashboard:
    start: datetime
    end: datetime
    today_received: int
    received: int
    open_now: int
    overdue_now: int
    totals: StatsRow
    by_status: list[tuple[str, str, int]]
    overdue: list[OverdueItem]
    categories: list[CategoryCount]
    focus: list[CategoryCount]
    trend: list[tuple[date, int]]
    streets: list[StreetPoint]
    red_black: RedBlack


@dataclass(frozen=True)
class _OrderSide:
    """The dashboard's order figures, read one way or the other."""

    by_status: dict[str, int]
    today_received: int
    open_now: int
    by_code: dict[str | None, int]  # the period's orders by category code (None: none)
    trend: dict[date, int]
    streets: list[StreetPoint]


def _open_now(scope: Scope, street: int | None) -> int:
    """The orders open now, counted live: the ``(district, status, created_at)`` index holds
    them (a summary of every day would read a year of rows for the same figure)."""
    qs = scope.orders().filter(status__in=OPEN_ORDER_STATUSES)
    return (qs.filter(street_id=street) if street is not None else qs).count()


def _orders_live(
    scope: Scope, start: datetime, end: datetime, street: int | None, trend_start: datetime, now: datetime
) -> _OrderSide:
    today_start = day_start(timezone.localdate(now))
    tomorrow = day_start(timezone.localdate(now) + timedelta(days=1))

    def orders(since: datetime) -> QuerySet[WorkOrder]:
        qs = scope.orders(since=since)
        return qs.filter(street_id=street) if street is not None else qs

    period_orders = orders(start).filter(created_at__gte=start, created_at__lt=end)
    by_status = dict(period_orders.order_by().values_list("status").annotate(n=Count("id")).order_by())
    today_received = orders(today_start).filter(created_at__gte=today_start).exclude(status=OrderStatus.MERGED).count()
    open_now = _open_now(scope, street)
    tree = category_tree()
    by_code: dict[str | None, int] = defaultdict(int)
    for category_id, n in period_orders.order_by().values_list("category_id").annotate(n=Count("id")).order_by():
        node = tree.get(category_id) if category_id is not None else None
        by_code[node.code if node is not None else None] += n
    trend = {
        _as_day(k): n
        for k, n in orders(trend_start)
        .filter(created_at__gte=trend_start, created_at__lt=tomorrow)
        .exclude(status=OrderStatus.MERGED)
        .order_by()
        .annotate(day=Trunc("created_at", "day", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    }
    street_rows = (
        period_orders.exclude(status=OrderStatus.MERGED)
        .order_by()
        .values("street_id", "street__name")
        .annotate(n=Count("id"), lat=Avg("latitude"), lng=Avg("longitude"))
        .order_by("-n", "street__name")
    )
    streets = [
        StreetPoint(
            street_id=row["street_id"],
            name=row["street__name"] or _("No street given"),
            count=row["n"],
            latitude=float(row["lat"]) if row["lat"] is not None else None,
            longitude=float(row["lng"]) if row["lng"] is not None else None,
        )
        for row in street_rows
    ]
    return _OrderSide(by_status, today_received, open_now, dict(by_code), trend, streets)  # type: ignore[arg-type]


def _orders_stored(
    scope: Scope, start: datetime, end: datetime, street: int | None, trend_start: datetime, now: datetime
) -> _OrderSide:
    """The same figures from the summary's order rows: two queries (the period by category
    and street, the days since the trend's start), the streets' names and the open orders
    (live)."""
    today = timezone.localdate(now)
    period = summary.order_counts(scope, *summary.days(start, end), by=("category", "street_id"), street=street)
    by_status: dict[str, int] = defaultdict(int)
    by_code: dict[str | None, int] = defaultdict(int)
    per_street: dict[int | None, list[Any]] = {}
    for (code, street_id), c in period.items():
        for status, n in c.by_status.items():
            by_status[status] += n
        by_code[code or None] += sum(c.by_status.values())
        if c.received:
            entry = per_street.setdefault(street_id or None, [0, 0, Decimal(0), Decimal(0)])
            entry[0] += c.received
            entry[1] += c.located
            entry[2] += c.lat_sum
            entry[3] += c.lng_sum
    days = summary.order_counts(scope, summary.local_day(trend_start), today, by=("day",), street=street)
    trend = {day: c.received for (day,), c in days.items()}
    names = _names(per_street)
    no_street = _("No street given")
    streets = [
        StreetPoint(
            street_id=street_id,
            name=names.get(street_id, no_street) if street_id is not None else no_street,
            count=n,
            latitude=float(lat / located) if located else None,
            longitude=float(lng / located) if located else None,
        )
        for street_id, (n, located, lat, lng) in per_street.items()
    ]
    streets.sort(key=lambda p: (-p.count, p.name))
    return _OrderSide(dict(by_status), trend.get(today, 0), _open_now(scope, street), dict(by_code), trend, streets)


def dashboard(
    scope: Scope,
    *,
    start: datetime,
    end: datetime,
    street: int | None = None,
    trend_days: int = 30,
    month: date | None = None,
    overdue_limit: int = 20,
    now: datetime | None = None,
    stored: bool | None = None,
) -> Dashboard:
    """Everything the command centre's dashboard shows, in a fixed number of queries
    (pinned by the tests): the tiles, the orders by status, category (六乱 and 五类车 broken
    out) and street (with the mean coordinates of the street's orders), the daily trend,
    the overdue list and the red/black list of ``month`` (default: the month of ``start``).
    From the stored summary when it covers the scope (:func:`from_summary`); what depends
    on the clock (overdue now, the overdue list) is always read live."""
    now = _now(now)
    today = timezone.localdate(now)
    trend_start = day_start(today - timedelta(days=trend_days - 1))
    use_summary = from_summary(scope, start, end, stored)
    if scope.is_empty:
        side = _OrderSide({}, 0, 0, {}, {}, [])
    elif use_summary:
        side = _orders_stored(scope, start, end, street, trend_start, now)
    else:
        side = _orders_live(scope, start, end, street, trend_start, now)
    by_status = [(value, str(label), side.by_status.get(value, 0)) for value, label in OrderStatus.choices]
    received = sum(n for s, n in side.by_status.items() if s != OrderStatus.MERGED)

    overdue_qs: QuerySet[Any] = scope.assignments().overdue(now) if not scope.is_empty else Assignment.objects.none()
    if street is not None:
        overdue_qs = _joined_to_orders(overdue_qs, street)
    overdue_now = overdue_qs.order_by().values("case_id").distinct().count()
    overdue_rows = list(
        overdue_qs.select_related("unit").order_by(F("resolve_due").asc(nulls_last=True), "accept_due", "id")[
            :overdue_limit
        ]
    )
    order_map = WorkOrder.objects.select_related("street", "category").in_bulk([a.case_id for a in overdue_rows])
    overdue = []
    for a in overdue_rows:
        state = deadline_state(a, now)
        hours = int((now - state.due).total_seconds() // 3600) if state.due else 0
        overdue.append(OverdueItem(assignment=a, order=order_map.get(a.case_id), state=state, overdue_hours=hours))

    categories, focus = _category_counts(side.by_code)
    trend = [(d, side.trend.get(d, 0)) for d in (today - timedelta(days=i) for i in range(trend_days - 1, -1, -1))]
    month = month or timezone.localtime(start).date().replace(day=1)
    month_start, month_end = month_bounds(month)
    if street is None and start == month_start and (end == month_end or now <= end <= month_end):
        # The period is the red/black list's month, or the month so far (nothing is
        # assigned or rated after now): its unit rows add up to the totals (each
        # assignment, rating and overdue case is in one unit's row).
        unit_rows = unit_stats(month_start, month_end, scope=scope, now=now, stored=stored)
        ranked = red_black(month, scope=scope, now=now, rows=unit_rows)
        whole = StatsRow(
            key=None,
            label="",
            metrics=sum_metrics([r.metrics for r in unit_rows], {"group": None}),
            **{name: sum(getattr(r, name) for r in unit_rows) for name in EXTRA_NAMES},
        )
    else:
        ranked = red_black(month, scope=scope, now=now, stored=stored)
        whole = totals(start, end, scope=scope, street=street, now=now, stored=stored)
    return Dashboard(
        start=start,
        end=end,
        today_received=side.today_received,
        received=received,
        open_now=side.open_now,
        overdue_now=overdue_now,
        totals=whole,
        by_status=by_status,
        overdue=overdue,
        categories=categories,
        focus=focus,
        trend=trend,
        streets=side.streets,
        red_black=ranked,
    )


def district_codes(scope: Scope, *, start: datetime, end: datetime, stored: bool | None = None) -> list[str]:
    """Division codes of the districts the dashboard's map outlines: those of the scope and
    those of the period's orders (one query; two from the summary)."""
    if scope.is_empty:
        return []
    in_period: Any
    if from_summary(scope, start, end, stored):
        in_period = {
            district for (district,) in summary.order_counts(scope, *summary.days(start, end), by=("district_id",))
        }
    else:
        in_period = scope.orders(since=start).filter(created_at__gte=start, created_at__lt=end).values("district_id")
    codes = (
        Organisation.objects.filter(Q(pk__in=scope.district_ids) | Q(pk__in=in_period))
        .exclude(division_code="")
        .values_list("division_code", flat=True)
        .distinct()
    )
    return sorted(codes)


def _category_counts(by_code: dict[str | None, int]) -> tuple[list[CategoryCount], list[CategoryCount]]:
    """Orders per first-level category, and the focus categories (六乱, 五类车) per child,
    from the orders per category code (None: not categorised). One query (the names)."""
    names = dict(Category.objects.values_list("code", "name"))
    top: dict[str | None, int] = defaultdict(int)
    for code, n in by_code.items():
        top[summary.top_code(code) or None] += n
    categories = [
        CategoryCount(code=code, name=names[code] if code in names else _("Not categorised"), count=n)
        for code, n in sorted(top.items(), key=lambda item: (-item[1], item[0] or "~"))
        if n
    ]
    focus = []
    for focus_code in FOCUS_CATEGORIES:
        if focus_code not in names:
            continue
        children: dict[str, int] = defaultdict(int)
        total = 0
        for code, n in by_code.items():
            if code is None or not code.startswith(focus_code):
                continue
            total += n
            children[code[:6]] += n
        focus.append(
            CategoryCount(
                code=focus_code,
                name=names[focus_code],
                count=total,
                children=[
                    CategoryCount(code=c, name=names.get(c, c) if c != focus_code else _("Not more specific"), count=n)
                    for c, n in sorted(children.items())
                ],
            )
        )
    return categories, focus
