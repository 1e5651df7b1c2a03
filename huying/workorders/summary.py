"""The work orders' daily summary (日汇总): stored counts per day, district, street,
first-level category and unit, kept in step with the orders in the transaction of every
change, so that the month's figures (the cockpit's tiles, trend and map, the statistics
pages and API, the dashboard, the 三率 and the red/black list by unit, street, category or
period) are sums over a few thousand rows instead of scans of a
million orders. Definitions: docs/workorders-metrics.md ("Stored daily summary").

One table, two kinds of rows, both keyed ``(day, district_id, street_id, category,
unit_id)``: ``category`` is the order's first-level category code (``"01"`` 市容环境…, the
two first characters of its category's code, as the statistics roll categories up;
``""`` not categorised) — except inside the dashboard's focus categories 六乱 and 五类车
(``FOCUS_CATEGORIES``), kept at the order's own code so the dashboard can break them out
(:func:`summary_code`; readers roll up with :func:`top_code`), ``0`` stands for no street (plain integers, no foreign keys, so
that the upsert's key has no NULLs):

- **order rows** (``unit_id = 0``): the orders *created* on ``day`` (local date in
  ``TIME_ZONE``) by their current status (``orders_new`` … ``orders_cancelled``), and of
  those not merged, how many carry coordinates and the sums of their latitudes and
  longitudes (a street's mean position on the map);
- **assignment rows** (``unit_id`` = the unit): the ``workorder`` assignments *assigned* on
  ``day`` (cancelled ones left out, the cohort of :func:`huying.handling.metrics.cohort`)
  with every count of :class:`~huying.handling.metrics.HandlingMetrics`, the called-up
  counts ``tier2``/``tier3``, and their current ratings (``rated`` … ``solved``), under the
  district, street and category of their order.

Nothing that depends on the clock is stored ("overdue now" stays a live, indexed count).

**How it stays exact.** Every change of an order, of one of its assignments or ratings
happens inside :func:`tracking` (the work-order actions, the order's transitions, and the
handling engine through the policy's ``track_cases``): it locks the orders, computes their
contribution before the change, lets it happen, computes it again and adds the difference
to the summary rows — in the same transaction, so the summary commits or rolls back with
the change. Contributions are computed by :func:`contributions` (Python, from the rows)
and by :func:`rebuild` (set-based SQL, from scratch: ``manage.py rebuild_order_summary``);
``tests/test_summary.py`` checks both against the live statistics after random work.

Reading it (the API for the cockpit, the statistics and the monthly report)::

    from huying.workorders import summary
    summary.covers(scope)                                      # can the summary answer this scope?
    summary.order_days(scope, first_day, last_day)             # {(day, street_id): OrderCounts}
    summary.unit_metrics(scope, first_day, last_day)           # {unit_id: (HandlingMetrics, tiers)}
    summary.metrics(scope, first_day, last_day, by=("street_id",))  # or "category", "day"…
    summary.unit_stats(start, end, scope=scope)                # stats.unit_stats' rows

A category whose code changes (the tree is edited) leaves its past orders under the old
first-level code until ``rebuild_order_summary`` runs.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Sum
from django.utils import timezone

from huying.handling.choices import Rating, Status
from huying.handling.metrics import NOT_HANDLED, RESOLVED, HandlingMetrics
from huying.workorders.choices import FOCUS_CATEGORIES, OrderStatus

if TYPE_CHECKING:
    from huying.workorders.stats import Scope, StatsRow

WORKFLOW = "workorder"

KEY_FIELDS = ("day", "district_id", "street_id", "category", "unit_id")
ORDER_STATUS_FIELDS = {status.value: f"orders_{status.value}" for status in OrderStatus}
LOCATION_FIELDS = ("orders_located", "orders_lat_sum", "orders_lng_sum")
ASSIGNMENT_FIELDS = (
    "assigned",
    "accepted_in_time",
    "handled",
    "resolved",
    "resolved_on_time",
    "returned",
    "reopened",
    "resolved_ever",
    "tier2",
    "tier3",
)
FEEDBACK_FIELDS = ("rated", "satisfied", "solved_answered", "solved")
COUNT_FIELDS = (*ORDER_STATUS_FIELDS.values(), *LOCATION_FIELDS, *ASSIGNMENT_FIELDS, *FEEDBACK_FIELDS)
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)
DISPATCHED_STATUSES = (OrderStatus.DISPATCHED, OrderStatus.IN_PROGRESS, OrderStatus.RESOLVED, OrderStatus.CLOSED)
OPEN_STATUSES = (OrderStatus.NEW, OrderStatus.DISPATCHED, OrderStatus.IN_PROGRESS)
FINISHED_STATUSES = (OrderStatus.RESOLVED, OrderStatus.CLOSED)


class OrderSummary(models.Model):
    """One day's counts for one (district, street, category, unit); see the module docstring."""

    day = models.DateField("day")
    district_id = models.IntegerField("district")
    street_id = models.IntegerField("street", default=0)
    category = models.CharField("category", max_length=6, default="")
    unit_id = models.IntegerField("unit", default=0)

    orders_new = models.IntegerField(default=0, db_default=0)
    orders_dispatched = models.IntegerField(default=0, db_default=0)
    orders_in_progress = models.IntegerField(default=0, db_default=0)
    orders_resolved = models.IntegerField(default=0, db_default=0)
    orders_closed = models.IntegerField(default=0, db_default=0)
    orders_merged = models.IntegerField(default=0, db_default=0)
    orders_cancelled = models.IntegerField(default=0, db_default=0)
    orders_located = models.IntegerField(default=0, db_default=0)
    orders_lat_sum = models.DecimalField(max_digits=20, decimal_places=6, default=Decimal(0), db_default=Decimal(0))
    orders_lng_sum = models.DecimalField(max_digits=20, decimal_places=6, default=Decimal(0), db_default=Decimal(0))

    assigned = models.IntegerField(default=0, db_default=0)
    accepted_in_time = models.IntegerField(default=0, db_default=0)
    handled = models.IntegerField(default=0, db_default=0)
    resolved = models.IntegerField(default=0, db_default=0)
    resolved_on_time = models.IntegerField(default=0, db_default=0)
    returned = models.IntegerField(default=0, db_default=0)
    reopened = models.IntegerField(default=0, db_default=0)
    resolved_ever = models.IntegerField(default=0, db_default=0)
    tier2 = models.IntegerField(default=0, db_default=0)
    tier3 = models.IntegerField(default=0, db_default=0)
    rated = models.IntegerField(default=0, db_default=0)
    satisfied = models.IntegerField(default=0, db_default=0)
    solved_answered = models.IntegerField(default=0, db_default=0)
    solved = models.IntegerField(default=0, db_default=0)

    class Meta:
        app_label = "workorders"
        verbose_name = "order summary"
        verbose_name_plural = "order summaries"
        constraints = [models.UniqueConstraint(fields=list(KEY_FIELDS), name="ordersummary_key")]
        # Covering, partial: a month's order rows or unit rows are read from the index alone
        # (PostgreSQL ``INCLUDE``), in day order, however the rows were updated since.
        indexes = [
            models.Index(
                fields=["day", "street_id"],
                include=["district_id", *ORDER_STATUS_FIELDS.values(), *LOCATION_FIELDS],
                condition=models.Q(unit_id=0),
                name="ordersummary_orders_day",
            ),
            models.Index(
                fields=["day", "unit_id"],
                include=[*ASSIGNMENT_FIELDS, *FEEDBACK_FIELDS],
                condition=~models.Q(unit_id=0),
                name="ordersummary_units_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} d{self.district_id} s{self.street_id} c{self.category} u{self.unit_id}"


Key = tuple[date, int, int, str, int]  # day, district, street (0: none), summary_code, unit (0: none)
Vector = dict[str, Any]


def zone() -> Any:
    """Days are local dates in the project's time zone, as the statistics' periods."""
    return timezone.get_default_timezone()


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, zone()).date()


# --- contributions (Python, for the orders a change touches) -----------------------------------
def _add(target: dict[Key, Vector], key: Key, values: Vector) -> None:
    row = target.setdefault(key, {})
    for name, value in values.items():
        if value:
            row[name] = row.get(name, 0) + value


def _order_vector(status: str, latitude: Any, longitude: Any) -> Vector:
    values: Vector = {ORDER_STATUS_FIELDS[status]: 1}
    if status != OrderStatus.MERGED and latitude is not None:
        values.update(orders_located=1, orders_lat_sum=Decimal(latitude), orders_lng_sum=Decimal(longitude))
    return values


def _assignment_vector(a: dict[str, Any]) -> Vector:
    status = a["status"]
    resolved = status in RESOLVED
    accepted_in_time = a["accepted_at"] is not None and (a["accept_due"] is None or a["accepted_at"] <= a["accept_due"])
    on_time = resolved and (a["resolve_due"] is None or a["resolved_at"] <= a["resolve_due"])
    return {
        "assigned": 1,
        "accepted_in_time": int(accepted_in_time),
        "handled": int(status not in NOT_HANDLED),
        "resolved": int(resolved),
        "resolved_on_time": int(on_time),
        "returned": int(status == Status.RETURNED),
        "reopened": int(a["reopen_count"] > 0),
        "resolved_ever": int(resolved or a["reopen_count"] > 0),
        "tier2": int(a["tier"] == 2),
        "tier3": int(a["tier"] == 3),
    }


def _feedback_vector(rating: str, solved: bool | None) -> Vector:
    return {
        "rated": 1,
        "satisfied": int(rating in SATISFIED),
        "solved_answered": int(solved is not None),
        "solved": int(solved is True),
    }


def top_code(code: str | None) -> str:
    """The first-level category of a category code (``stats._roll_up``); ``""`` for none."""
    return code[:2] if code and len(code) >= 2 else ""


def summary_code(code: str | None) -> str:
    """The category an order is counted under: its first-level code, or, inside the
    dashboard's focus categories (六乱, 五类车), its own code (down to the third level, so
    the dashboard breaks them out from the summary). ``""`` for none. Readers that want
    first-level figures roll it up with :func:`top_code`."""
    if code and code.startswith(FOCUS_CATEGORIES):
        return code[:6]
    return top_code(code)


def case_type_id() -> int:
    from huying.workorders.models import WorkOrder

    return ContentType.objects.get_for_model(WorkOrder).pk


def contributions(order_ids: Sequence[int]) -> dict[Key, Vector]:
    """What the orders ``order_ids`` (with their assignments and current ratings) add to the
    summary now: three queries."""
    from huying.handling.models import Assignment, Feedback
    from huying.workorders.models import WorkOrder

    result: dict[Key, Vector] = {}
    if not order_ids:
        return result
    orders: dict[int, dict[str, Any]] = {
        row["id"]: dict(row)
        for row in WorkOrder.objects.filter(pk__in=order_ids).values(
            "id", "created_at", "status", "district_id", "street_id", "category__code", "latitude", "longitude"
        )
    }
    for o in orders.values():
        o["top"] = summary_code(o["category__code"])
        key = (local_day(o["created_at"]), o["district_id"], o["street_id"] or 0, o["top"], 0)
        _add(result, key, _order_vector(o["status"], o["latitude"], o["longitude"]))
    assignments: list[dict[str, Any]] = [
        dict(row)
        for row in Assignment.objects.filter(workflow=WORKFLOW, case_type_id=case_type_id(), case_id__in=list(orders))
        .exclude(status=Status.CANCELLED)
        .values(
            "id",
            "case_id",
            "unit_id",
            "assigned_at",
            "status",
            "tier",
            "accepted_at",
            "accept_due",
            "resolved_at",
            "resolve_due",
            "reopen_count",
        )
    ]
    keys: dict[int, Key] = {}
    for a in assignments:
        o = orders[a["case_id"]]
        key = (local_day(a["assigned_at"]), o["district_id"], o["street_id"] or 0, o["top"], a["unit_id"])
        keys[a["id"]] = key
        _add(result, key, _assignment_vector(a))
    if keys:
        for assignment_id, rating, solved in Feedback.objects.filter(
            superseded=False, assignment_id__in=list(keys)
        ).values_list("assignment_id", "rating", "solved"):
            _add(result, keys[assignment_id], _feedback_vector(rating, solved))
    return result


def difference(after: dict[Key, Vector], before: dict[Key, Vector]) -> dict[Key, Vector]:
    delta: dict[Key, Vector] = {}
    for key in set(after) | set(before):
        new, old = after.get(key, {}), before.get(key, {})
        values = {name: new.get(name, 0) - old.get(name, 0) for name in set(new) | set(old)}
        values = {name: value for name, value in values.items() if value}
        if values:
            delta[key] = values
    return delta


def _param(name: str, value: Any) -> Any:
    if name == "day":
        return connection.ops.adapt_datefield_value(value)
    if name in ("orders_lat_sum", "orders_lng_sum"):
        return connection.ops.adapt_decimalfield_value(Decimal(value), 20, 6)
    return value


def apply(delta: dict[Key, Vector]) -> None:
    """Add ``delta`` to the summary rows (one upsert; keys in order, so that two
    transactions adding to the same rows lock them in the same order)."""
    if not delta:
        return
    sql, params = upsert_sql(delta)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def upsert_sql(delta: dict[Key, Vector]) -> tuple[str, list[Any]]:
    """The statement :func:`apply` runs (a caller may send it inside its own)."""
    head, row, tail = _upsert_text(connection.vendor)
    params: list[Any] = []
    for key in sorted(delta):
        values = delta[key]
        params.extend(_param(name, value) for name, value in zip(KEY_FIELDS, key, strict=True))
        params.extend(_param(name, values.get(name, 0)) for name in COUNT_FIELDS)
    return f"{head}{', '.join([row] * len(delta))}{tail}", params


@functools.cache
def _upsert_text(vendor: str) -> tuple[str, str, str]:
    """The upsert's text around its rows, built once per database engine (a hotline push
    sends it with one row)."""
    table = connection.ops.quote_name(OrderSummary._meta.db_table)
    quoted = [connection.ops.quote_name(c) for c in (*KEY_FIELDS, *COUNT_FIELDS)]
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in quoted[len(KEY_FIELDS) :])
    return (
        f"INSERT INTO {table} ({', '.join(quoted)}) VALUES ",  # noqa: S608 - names from the model
        "(" + ", ".join(["%s"] * len(quoted)) + ")",
        f" ON CONFLICT ({', '.join(quoted[: len(KEY_FIELDS)])}) DO UPDATE SET {updates}",
    )


# --- keeping it in step -------------------------------------------------------------------------
_local = threading.local()


def _tracked() -> set[int]:
    found: set[int] | None = getattr(_local, "orders", None)
    if found is None:
        found = _local.orders = set()
    return found


@contextmanager
def tracking(order_ids: Iterable[int | None]) -> Iterator[None]:
    """Around any change of the orders ``order_ids``, their assignments or their ratings:
    locks the orders, and after the change adds the difference it made to the summary, in
    the same transaction (a savepoint: an error rolls back both). Nested blocks for an
    order already tracked do nothing (the outer one counts the whole change)."""
    from huying.workorders.models import WorkOrder

    deferring: _Deferred | None = getattr(_local, "deferred", None)
    if deferring is not None:
        deferring.touch({int(pk) for pk in order_ids if pk})
        yield
        return
    tracked = _tracked()
    ids = sorted({int(pk) for pk in order_ids if pk} - tracked)
    if not ids:
        yield
        return
    with transaction.atomic():
        list(WorkOrder.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk").values_list("pk"))
        before = contributions(ids)
        tracked.update(ids)
        try:
            yield
        finally:
            tracked.difference_update(ids)
        apply(difference(contributions(ids), before))


class _Deferred:
    """The orders a :func:`deferred` block touched, and what they counted before it."""

    def __init__(self) -> None:
        self.before: dict[Key, Vector] = {}
        self.seen: set[int] = set()

    def touch(self, ids: set[int]) -> None:
        fresh = sorted(ids - self.seen)
        if fresh:  # first touched now: what they count before any change of this block
            for key, values in contributions(fresh).items():
                _add(self.before, key, values)
            self.seen.update(fresh)


@contextmanager
def deferred() -> Iterator[None]:
    """For a bulk load by a single writer (the demo's generated history): inside the block
    the tracked changes only note the orders they touch (an order's contribution is read
    once, at its first touch; a new order counted nothing before), and the block adds the
    net difference at its end, in the caller's transaction. The summary is a sum, so the
    rows come out as step-by-step tracking leaves them (tested), for a few queries a block
    instead of about seven a change. No row locks: not for concurrent writers. Runs inside
    ``transaction.atomic``; not nested."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("summary.deferred() must run inside the transaction that makes the changes.")
    if getattr(_local, "deferred", None) is not None:
        raise RuntimeError("summary.deferred() blocks do not nest.")
    state = _local.deferred = _Deferred()
    try:
        yield
        if state.seen:
            apply(difference(contributions(sorted(state.seen)), state.before))
    finally:
        _local.deferred = None


def track_cases(case_ids: Sequence[int]) -> Any:
    """The work-order policy's ``track_cases`` (the handling engine's changes)."""
    return tracking(case_ids)


def record_new(orders: Sequence[Any]) -> None:
    """Count orders just saved, from the objects themselves (no query but the upsert): a
    new order has no assignment or rating yet, so its contribution is its own row's —
    the same as :func:`contributions` reads back (tested; intake has already rounded the
    coordinates as the columns store them)."""
    deferring: _Deferred | None = getattr(_local, "deferred", None)
    if deferring is not None:
        deferring.seen.update(order.pk for order in orders)  # new: they counted nothing before
        return
    apply(new_orders_delta(orders))


def is_deferred() -> bool:
    """Whether this thread is inside :func:`deferred` (its counting waits for the end)."""
    return getattr(_local, "deferred", None) is not None


def new_orders_delta(orders: Sequence[Any]) -> dict[Key, Vector]:
    """What :func:`record_new` adds for these orders (they need not be saved yet, only
    their ``created_at`` set)."""
    result: dict[Key, Vector] = {}
    for order in orders:
        code = order.category.code if order.category_id is not None else None
        key = (local_day(order.created_at), order.district_id, order.street_id or 0, summary_code(code), 0)
        _add(result, key, _order_vector(order.status, order.latitude, order.longitude))
    return result


# --- rebuilding from scratch (set-based) -----------------------------------------------------------
def _sum_if(condition: str, value: str = "1") -> str:
    return f"SUM(CASE WHEN {condition} THEN {value} ELSE 0 END)"


def _rebuild_sql() -> tuple[str, list[Any]]:
    """One ``SELECT`` of every summary row, in key order: the order rows, the assignment
    rows and their ratings, each grouped by the key, added up per key. The same
    definitions as :func:`contributions` (tested)."""
    from huying.handling.models import Assignment, Feedback
    from huying.workorders.models import Category, WorkOrder

    q = connection.ops.quote_name
    orders, assignments, feedback, categories = (
        q(m._meta.db_table) for m in (WorkOrder, Assignment, Feedback, Category)
    )
    tzname = str(zone())

    def day(column: str) -> tuple[str, list[Any]]:
        sql, params = connection.ops.datetime_cast_date_sql(column, (), tzname)
        return sql, list(params)

    def constants(values: Sequence[str]) -> str:
        return "(" + ", ".join(f"'{v}'" for v in values) + ")"  # the engine's own status codes

    focus = " OR ".join(f"c.code LIKE '{code}%%'" for code in FOCUS_CATEGORIES)  # constants
    top = f"CASE WHEN {focus} THEN SUBSTR(c.code, 1, 6) WHEN LENGTH(c.code) >= 2 THEN SUBSTR(c.code, 1, 2) ELSE '' END"
    category = f"LEFT JOIN {categories} c ON c.id = o.category_id"
    joined = f"{orders} o {category}"
    zeros = dict.fromkeys(COUNT_FIELDS, "0")

    def select(key: str, values: dict[str, str], source: str) -> str:
        columns = ", ".join(f"{values.get(name, zeros[name])} AS {q(name)}" for name in COUNT_FIELDS)
        return f"SELECT {key}, {columns} FROM {source} GROUP BY 1, 2, 3, 4, 5"  # noqa: S608 - constants

    merged = f"'{OrderStatus.MERGED.value}'"
    located = f"o.status <> {merged} AND o.latitude IS NOT NULL"
    order_day, order_params = day("o.created_at")
    order_values = {field: _sum_if(f"o.status = '{status}'") for status, field in ORDER_STATUS_FIELDS.items()}
    order_values.update(
        orders_located=_sum_if(located),
        orders_lat_sum=_sum_if(located, "o.latitude"),
        orders_lng_sum=_sum_if(located, "o.longitude"),
    )
    aliases = [q(name) for name in KEY_FIELDS]

    def keyed(*columns: str) -> str:
        return ", ".join(f"{c} AS {a}" for c, a in zip(columns, aliases, strict=True))

    order_key = keyed(order_day, "o.district_id", "COALESCE(o.street_id, 0)", top, "0")

    resolved, not_handled = constants(RESOLVED), constants(NOT_HANDLED)
    assigned_day, assigned_params = day("a.assigned_at")
    key = keyed(assigned_day, "o.district_id", "COALESCE(o.street_id, 0)", top, "a.unit_id")
    cohort = (
        f"a.workflow = '{WORKFLOW}' AND a.case_type_id = {int(case_type_id())} "
        f"AND a.status <> '{Status.CANCELLED.value}'"
    )
    assignment_values = {
        "assigned": "COUNT(*)",
        "accepted_in_time": _sum_if(
            "a.accepted_at IS NOT NULL AND (a.accept_due IS NULL OR a.accepted_at <= a.accept_due)"
        ),
        "handled": _sum_if(f"a.status NOT IN {not_handled}"),
        "resolved": _sum_if(f"a.status IN {resolved}"),
        "resolved_on_time": _sum_if(
            f"a.status IN {resolved} AND (a.resolve_due IS NULL OR a.resolved_at <= a.resolve_due)"
        ),
        "returned": _sum_if(f"a.status = '{Status.RETURNED.value}'"),
        "reopened": _sum_if("a.reopen_count > 0"),
        "resolved_ever": _sum_if(f"(a.status IN {resolved} OR a.reopen_count > 0)"),
        "tier2": _sum_if("a.tier = 2"),
        "tier3": _sum_if("a.tier = 3"),
    }
    feedback_values = {
        "rated": "COUNT(*)",
        "satisfied": _sum_if(f"f.rating IN {constants(SATISFIED)}"),
        "solved_answered": _sum_if("f.solved IS NOT NULL"),
        "solved": _sum_if("f.solved = %s"),
    }
    parts = [
        select(order_key, order_values, joined),
        select(
            key, assignment_values, f"{assignments} a JOIN {orders} o ON o.id = a.case_id {category} WHERE {cohort}"
        ),
        select(
            key,
            feedback_values,
            f"{feedback} f JOIN {assignments} a ON a.id = f.assignment_id JOIN {orders} o ON o.id = a.case_id "
            f"{category} "
            f"WHERE f.superseded = %s AND {cohort}",
        ),
    ]
    names = aliases
    union = " UNION ALL ".join(f"SELECT * FROM ({part}) part_{i}" for i, part in enumerate(parts))  # noqa: S608
    sql = (
        f"SELECT {', '.join(names)}, {', '.join(f'SUM({q(n)})' for n in COUNT_FIELDS)} "  # noqa: S608
        f"FROM ({union}) parts GROUP BY {', '.join(names)} ORDER BY {', '.join(names)}"
    )
    # Parameters in the order they appear: the days' time zones, then the ratings' flags.
    return sql, [*order_params, *assigned_params, *assigned_params, True, False]


@transaction.atomic
def rebuild() -> int:
    """Recompute the whole summary from the orders, assignments and ratings (one set-based
    ``INSERT … SELECT``, rows written in key order); answers the number of rows. On
    PostgreSQL the summary is locked meanwhile: a change made during the rebuild waits for
    it, then adds its difference to the rebuilt rows."""
    table = connection.ops.quote_name(OrderSummary._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in (*KEY_FIELDS, *COUNT_FIELDS))
    sql, params = _rebuild_sql()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
    return OrderSummary.objects.count()


# --- reading it ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrderCounts:
    """Orders created in a group of days, by status; of those not merged, how many are placed
    on the map and the sums of their coordinates."""

    by_status: dict[str, int]
    located: int = 0
    lat_sum: Decimal = Decimal(0)
    lng_sum: Decimal = Decimal(0)

    @property
    def received(self) -> int:
        return sum(self.by_status.values()) - self.by_status.get(OrderStatus.MERGED, 0)

    @property
    def dispatched(self) -> int:
        return sum(self.by_status.get(s, 0) for s in DISPATCHED_STATUSES)

    @property
    def open(self) -> int:
        return sum(self.by_status.get(s, 0) for s in OPEN_STATUSES)

    @property
    def finished(self) -> int:
        return sum(self.by_status.get(s, 0) for s in FINISHED_STATUSES)


def covers(scope: Scope) -> bool:
    """Whether the summary answers ``scope``: everything, or districts and units (a command
    centre, a government's leader). Scopes that count "the orders ever assigned to these
    units" (a department's leader, unit staff) are not in it: their callers compute live."""
    return scope.everything or not scope.order_unit_ids


GROUPS = KEY_FIELDS


def _rows(scope: Scope, first: date | None, last: date, *, orders: bool, street: int | None = None) -> Any:
    qs = OrderSummary.objects.filter(day__lte=last)
    if first is not None:
        qs = qs.filter(day__gte=first)
    if street is not None:
        qs = qs.filter(street_id=street)
    if orders:
        qs = qs.filter(unit_id=0)
        return qs if scope.everything else qs.filter(district_id__in=scope.district_ids)
    qs = qs.exclude(unit_id=0)
    return qs if scope.everything else qs.filter(unit_id__in=scope.unit_ids)


def order_counts(
    scope: Scope, first: date | None, last: date, by: Sequence[str] = ("day", "street_id"), *, street: int | None = None
) -> dict[tuple[Any, ...], OrderCounts]:
    """The orders of ``scope`` created on the days ``first``…``last`` (inclusive; ``first``
    ``None``: since the first), grouped
    by ``by`` (summary key fields; ``0`` stands for no street, ``""`` for no category), of
    one street if ``street`` is given. One query."""
    if any(name not in GROUPS for name in by):
        raise ValueError(f"group by {by}")
    sums = {field: Sum(field) for field in (*ORDER_STATUS_FIELDS.values(), *LOCATION_FIELDS)}
    result = {}
    for row in _rows(scope, first, last, orders=True, street=street).order_by().values(*by).annotate(**sums):
        if not any(row[field] for field in ORDER_STATUS_FIELDS.values()):
            continue  # every order once counted here has moved on (another day, street…)
        result[tuple(row[name] for name in by)] = OrderCounts(
            by_status={status: row[field] or 0 for status, field in ORDER_STATUS_FIELDS.items()},
            located=row["orders_located"] or 0,
            lat_sum=Decimal(row["orders_lat_sum"] or 0),
            lng_sum=Decimal(row["orders_lng_sum"] or 0),
        )
    return result


def metrics(
    scope: Scope, first: date, last: date, by: Sequence[str] = ("unit_id",), *, street: int | None = None
) -> dict[tuple[Any, ...], tuple[HandlingMetrics, dict[str, int]]]:
    """The 三率 counts of the assignments of ``scope`` made on the days ``first``…``last``
    (the units of the scope, as :func:`huying.workorders.stats.unit_stats`), grouped by
    ``by``, of the orders of one street if ``street`` is given:
    ``{key: (HandlingMetrics, {"tier2": n, "tier3": n})}``. One query."""
    if any(name not in GROUPS for name in by):
        raise ValueError(f"group by {by}")
    metric_names = [name for name in (*ASSIGNMENT_FIELDS, *FEEDBACK_FIELDS) if name not in ("tier2", "tier3")]
    sums = {name: Sum(name) for name in (*ASSIGNMENT_FIELDS, *FEEDBACK_FIELDS)}
    result = {}
    for row in _rows(scope, first, last, orders=False, street=street).order_by().values(*by).annotate(**sums):
        if not row["assigned"]:
            continue  # every assignment once counted here was cancelled or moved on
        key = tuple(row[name] for name in by)
        counts = {name: row[name] or 0 for name in metric_names}
        result[key] = (
            HandlingMetrics(key=dict(zip(by, key, strict=True)), **counts),
            {"tier2": row["tier2"] or 0, "tier3": row["tier3"] or 0},
        )
    return result


def days(start: datetime, end: datetime) -> tuple[date, date]:
    """``[start, end)`` at local midnights → the first and last day (inclusive)."""
    return local_day(start), local_day(end - timedelta(microseconds=1))


def stored_rows() -> dict[Key, Vector]:
    """The summary as it is, without rows that count nothing (for :func:`verify`)."""
    rows = {}
    for row in OrderSummary.objects.values(*KEY_FIELDS, *COUNT_FIELDS):
        values = {name: row[name] for name in COUNT_FIELDS if row[name]}
        if values:
            rows[tuple(row[name] for name in KEY_FIELDS)] = values
    return rows  # type: ignore[return-value]


def verify() -> dict[Key, Vector]:
    """What the stored summary lacks against a rebuild from scratch (``{key: rebuilt −
    stored}``, empty when they agree). Rebuilds inside a transaction that is rolled back:
    nothing changes."""
    with transaction.atomic():
        stored = stored_rows()
        rebuild()
        rebuilt = stored_rows()
        transaction.set_rollback(True)
    return difference(rebuilt, stored)


def unit_stats(start: datetime, end: datetime, *, scope: Scope) -> list[StatsRow]:
    """:func:`huying.workorders.stats.unit_stats` read from the summary (two queries: the
    counts, the units' names) for a scope it :func:`covers`; ``[start, end)`` at local
    midnights. The rows' ``overdue`` is 0: "overdue now" depends on the clock, not stored."""
    from huying.workorders.stats import StatsRow, _names

    if scope.is_empty:
        return []
    groups = metrics(scope, *days(start, end), by=("unit_id",))
    names = _names(unit for (unit,) in groups)
    rows = [
        StatsRow(
            key=unit,
            label=names.get(unit, str(unit)),
            metrics=replace(m, key={"group": unit}),
            **tiers,
        )
        for (unit,), (m, tiers) in groups.items()
    ]
    return sorted(rows, key=lambda r: (-r.metrics.assigned, r.label))
