"""The stored daily summary (huying/workorders/summary.py) equals the figures computed from
the raw rows, after random but seeded work done through the real actions: intake,
dispatch (re-categorising), accept, return and dispatch again, call up, extensions,
resolve, ratings (superseded, dissatisfied and reopened), reopen, close, cancel and merge —
and refused steps, which must leave it as it was. Over two months and across midnight in
Beijing time (the days are local dates), for everything and for one district: by unit,
street, category and day, the order counts, and the cockpit's work-order half read from
the summary against the same half computed from the orders. The summary kept by the
actions also equals a rebuild from scratch (``rebuild_order_summary``)."""

from __future__ import annotations

import copy
import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction

from conftest import SharedPeople, Tree
from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.cockpit import data as cockpit
from huying.handling import transitions as engine
from huying.handling.actions import do_record_feedback
from huying.handling.choices import OPEN_STATUSES, ExtensionStatus, Status
from huying.handling.metrics import HandlingMetrics
from huying.handling.models import Assignment, ExtensionRequest
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions, deadlines, stats, summary
from huying.workorders.choices import Channel, OrderStatus
from huying.workorders.models import Category, WorkOrder
from huying.workorders.stats import Scope
from huying.workorders.summary import OrderSummary
from huying.workorders.tests.conftest import build_shared_unit_staff
from huying.workorders.tests.metrics_data import SHANGHAI

pytestmark = pytest.mark.django_db

SEED = 20261203
STEPS = 200
START = datetime(2026, 9, 24, 21, 0, tzinfo=SHANGHAI)
NOW = datetime(2026, 10, 30, 23, 30, tzinfo=SHANGHAI)
MONTHS = [
    (datetime(2026, 9, 1, tzinfo=SHANGHAI), datetime(2026, 10, 1, tzinfo=SHANGHAI)),
    (datetime(2026, 10, 1, tzinfo=SHANGHAI), datetime(2026, 11, 1, tzinfo=SHANGHAI)),
]
CATEGORIES = ("010101", "010201", "0201", "0401", "")
COUNTS = tuple(f for f in HandlingMetrics.__dataclass_fields__ if f != "key")


class Work:
    """Random steps through the real actions; a refused step is part of the test."""

    def __init__(self, tree: Tree, dispatcher: User, street_handler: User, charlie: User) -> None:
        self.rng = random.Random(SEED)
        self.tree = tree
        self.dispatcher = dispatcher
        self.hualin = OrganisationFactory(
            name="华林街道", kind=OrgKind.STREET, level=OrgLevel.STREET, parent=tree.district_gov
        )
        self.handlers: dict[int, User] = {
            tree.street.pk: street_handler,
            tree.department.pk: charlie,
            self.hualin.pk: UserFactory(username="hualin", roles=[(Role.STREET_HANDLER, self.hualin)]),
            tree.district_gov.pk: UserFactory(username="quzhang", roles=[(Role.LEADER, tree.district_gov)]),
        }
        self.units = [tree.street, self.hualin, tree.department]
        self.categories = {c.code: c for c in Category.objects.filter(code__in=[c for c in CATEGORIES if c])}
        self.orders: list[WorkOrder] = []
        self.refused = 0
        self.done: defaultdict[str, int] = defaultdict(int)

    # --- helpers
    def order(self, statuses: tuple[str, ...]) -> WorkOrder | None:
        pks = [o.pk for o in self.orders]
        found = list(WorkOrder.objects.filter(pk__in=pks, status__in=statuses).order_by("pk"))
        return self.rng.choice(found) if found else None

    def assignment(self, statuses: tuple[str, ...]) -> Assignment | None:
        found = list(
            Assignment.objects.filter(
                workflow="workorder", case_id__in=[o.pk for o in self.orders], status__in=statuses
            ).order_by("pk")
        )
        return self.rng.choice(found) if found else None

    def handler(self, a: Assignment) -> User:
        return self.handlers[a.unit_id]

    # --- steps
    def intake(self) -> None:
        n = len(self.orders) + 1
        street = self.rng.choice(["沙面街道", "华林街道", ""])
        placed = self.rng.random() < 0.7
        data = {
            "external_id": f"R-{n}",
            "content": f"第{n}件：路口有人乱摆卖，占用人行道。",
            "caller_name": "张三",
            "caller_phone": "13812341234",
            "nature": "投诉",
            "category": self.rng.choice(CATEGORIES),
            "address": "沙面大街1号",
            "street": street,
            "community": "沙面社区" if street == "沙面街道" else "",
            "latitude": round(23.10 + self.rng.random() / 100, 6) if placed else None,
            "longitude": round(113.24 + self.rng.random() / 100, 6) if placed else None,
        }
        self.orders.append(actions.do_intake(self.dispatcher, data, Channel.HOTLINE).order)

    def dispatch(self) -> None:
        order = self.order((OrderStatus.NEW,))
        if order is not None:
            category = self.categories[self.rng.choice([c for c in CATEGORIES if c])]
            actions.do_dispatch(self.dispatcher, order, self.rng.choice(self.units), category=category)

    def accept(self) -> None:
        a = self.assignment((Status.ASSIGNED,))
        if a is not None:
            engine.do_accept(self.handler(a), a)

    def give_back(self) -> None:
        a = self.assignment((Status.ASSIGNED,))
        if a is not None:
            engine.do_return(self.handler(a), a, reason="不属于本单位职责")

    def resolve(self) -> None:
        a = self.assignment((Status.ACCEPTED, Status.RESPONDED, Status.REOPENED))
        if a is not None:
            actions.do_resolve(self.handler(a), a, result="已处理")

    def escalate(self) -> None:
        a = self.assignment((Status.ACCEPTED,))
        if a is not None and a.unit_id == self.tree.department.pk:
            engine.do_escalate(self.handler(a), a, to_unit=self.tree.district_gov, reason="需区政府协调")

    def extension(self) -> None:
        a = self.assignment((Status.ACCEPTED, Status.REOPENED))
        if a is not None:
            until = (a.resolve_due or engine.timezone.now()) + timedelta(days=self.rng.randint(2, 9))
            request = engine.do_request_extension(self.handler(a), a, until=until, reason="需要协调")
            if self.rng.random() < 0.7:
                engine.do_approve_extension(self.dispatcher, request)
            else:
                engine.do_refuse_extension(self.dispatcher, request, reason="理由不足")

    def rate(self) -> None:
        order = self.order((OrderStatus.RESOLVED,))
        if order is not None:
            do_record_feedback(
                self.dispatcher,
                order,
                rating=self.rng.choice(["satisfied", "basically_satisfied", "dissatisfied"]),
                channel="phone",
                rater_name=self.rng.choice(["张三", "李四"]),
                solved=self.rng.choice([True, False, None]),
                attributable_to_unit=self.rng.random() < 0.4,
            )

    def reopen(self) -> None:
        order = self.order((OrderStatus.RESOLVED,))
        if order is not None:
            actions.do_reopen(self.dispatcher, order, reason="群众反映仍未解决")

    def close(self) -> None:
        order = self.order((OrderStatus.RESOLVED,))
        if order is not None:
            actions.do_close(self.dispatcher, order, note="回访无法接通")

    def cancel(self) -> None:
        order = self.order((OrderStatus.NEW, OrderStatus.DISPATCHED))
        if order is not None:
            actions.do_cancel(self.dispatcher, order, reason="重复来电")

    def merge(self) -> None:
        parent, child = self.order(actions.MERGEABLE), self.order(actions.MERGEABLE)
        if parent is not None and child is not None:
            actions.do_merge(self.dispatcher, parent, [child], reason="同一事项")

    def refused_step(self) -> None:
        """A step that must be refused: nothing may change, the summary included."""
        a = self.assignment((Status.RESOLVED, Status.CLOSED))
        if a is not None:
            engine.do_accept(self.handler(a), a)

    def run(self, steps: int, start: datetime = START) -> None:
        moves = [
            (self.intake, 6),
            (self.dispatch, 5),
            (self.accept, 5),
            (self.give_back, 1),
            (self.resolve, 4),
            (self.escalate, 1),
            (self.extension, 1),
            (self.rate, 3),
            (self.reopen, 1),
            (self.close, 2),
            (self.cancel, 1),
            (self.merge, 1),
            (self.refused_step, 1),
        ]
        functions, weights = zip(*moves, strict=True)
        moment = start
        with time_machine.travel(moment, tick=False) as clock:
            for _ in range(steps):
                moment += timedelta(minutes=self.rng.randint(20, 16 * 60))
                clock.move_to(min(moment, NOW - timedelta(minutes=1)))
                step = self.rng.choices(functions, weights)[0]
                try:
                    step()
                    self.done[step.__name__] += 1
                except (ValidationError, PermissionDenied):
                    self.refused += 1


def build_shared_work(shared: SharedPeople) -> dict[str, Any]:
    """The random work, built once for the module (SHARED_PEOPLE_MODULES, root conftest.py)
    in the rolled-back outer transaction; each test reads it in its own savepoint."""
    staff = build_shared_unit_staff(shared)
    work = Work(shared.tree, staff["dispatcher"], staff["street_handler"], shared.people["charlie"])
    work.run(STEPS)
    return {**staff, "work": work}


build_shared_data = build_shared_work


@pytest.fixture
def work(_shared_people: SharedPeople | None) -> Work:
    assert _shared_people is not None
    found = _shared_people.data["work"]
    assert isinstance(found, Work)
    return found


def counts(m: HandlingMetrics) -> tuple[int, ...]:
    return tuple(getattr(m, name) for name in COUNTS)


def scopes(work: Work) -> list[Scope]:
    return [Scope.all(), Scope.of_district(work.tree.district_gov)]


def test_the_random_work_covers_every_step(work: Work) -> None:
    """The seed exercises what the summary must follow (a guard on the test itself)."""
    for step in ("intake", "dispatch", "accept", "give_back", "resolve", "rate", "close", "merge", "cancel"):
        assert work.done[step] > 0, step
    assert work.refused > 0
    assert WorkOrder.objects.filter(status=OrderStatus.MERGED).exists()
    assert Assignment.objects.filter(status=Status.CANCELLED).exists()
    assert Assignment.objects.filter(reopen_count__gt=0).exists()
    assert Assignment.objects.filter(tier=2).exists()
    assert ExtensionRequest.objects.filter(status=ExtensionStatus.APPROVED).exists()
    assert OrderSummary.objects.exclude(unit_id=0).filter(rated__gt=0).exists()


def test_the_stored_nearest_deadline_gives_the_live_queue_at_any_moment(work: Work) -> None:
    """The order's stored ``next_warn_at`` / ``next_due`` (kept by the adapter on every
    move, huying/workorders/deadlines.py) give the console's 督办 queue and its red badges
    exactly as the assignments' live ``overdue`` / ``due_soon`` conditions do, at moments
    from the start of the work to well after it; and a rebuild from scratch finds the same."""
    of_orders = Assignment.objects.filter(case_type__model="workorder")
    kept = dict(WorkOrder.objects.values_list("pk", "next_warn_at"))
    assert sum(w is not None for w in kept.values()) >= 5, "the work leaves orders with running deadlines"
    seen_red = seen_yellow = 0
    moment = START
    while moment < NOW + timedelta(days=12):
        flagged_live = set((of_orders.overdue(moment) | of_orders.due_soon(moment)).values_list("case_id", flat=True))
        red_live = set(of_orders.overdue(moment).values_list("case_id", flat=True))
        assert set(WorkOrder.objects.filter(next_warn_at__lte=moment).values_list("pk", flat=True)) == flagged_live
        assert set(WorkOrder.objects.filter(next_due__lt=moment).values_list("pk", flat=True)) == red_live
        seen_red += bool(red_live)
        seen_yellow += bool(flagged_live - red_live)
        moment += timedelta(hours=7)
    assert seen_red and seen_yellow, "some moments have red and some have only-yellow orders"
    WorkOrder.objects.update(next_warn_at=None, next_due=None)
    deadlines.rebuild()
    assert dict(WorkOrder.objects.values_list("pk", "next_warn_at")) == kept


def test_the_kept_summary_equals_a_rebuild_from_scratch(work: Work) -> None:
    assert summary.verify() == {}
    kept = summary.stored_rows()
    call_command("rebuild_order_summary")
    assert summary.stored_rows() == kept
    call_command("rebuild_order_summary", "--check")


def test_a_deferred_block_leaves_the_rows_that_counting_every_step_leaves(work: Work) -> None:
    """summary.deferred() (the demo's bulk load): more random work, on the orders made
    before the block and on new ones, refused steps included, counted once at the block's
    end: the summary still equals a rebuild."""
    more = copy.copy(work)
    more.rng, more.orders, more.done, more.refused = random.Random(SEED + 1), list(work.orders), defaultdict(int), 0
    before = len(more.orders)
    with transaction.atomic(), summary.deferred():
        more.run(60, start=NOW - timedelta(minutes=1))  # where the first work ended
        with pytest.raises(RuntimeError, match="do not nest"), summary.deferred():
            pass
    assert len(more.orders) > before and more.refused > 0
    assert {"dispatch", "resolve"} <= set(more.done)
    assert summary.verify() == {}


def test_a_deferred_block_leaves_the_deadlines_that_refreshing_every_move_leaves(work: Work) -> None:
    """deadlines.deferred() (the demo's bulk load): more random work, each order's nearest
    deadline recomputed once at the block's end: the same as a rebuild from scratch."""
    more = copy.copy(work)
    more.rng, more.orders, more.done, more.refused = random.Random(SEED + 2), list(work.orders), defaultdict(int), 0
    before = dict(WorkOrder.objects.values_list("pk", "next_warn_at"))
    with transaction.atomic(), deadlines.deferred():
        more.run(60, start=NOW - timedelta(minutes=1))
        with pytest.raises(RuntimeError, match="do not nest"), deadlines.deferred():
            pass
    kept = dict(WorkOrder.objects.values_list("pk", "next_warn_at"))
    assert kept != before, "the block's moves changed deadlines"
    kept_pairs = {pk: (w, d) for pk, w, d in WorkOrder.objects.values_list("pk", "next_warn_at", "next_due")}
    WorkOrder.objects.update(next_warn_at=None, next_due=None)
    deadlines.rebuild()
    assert {pk: (w, d) for pk, w, d in WorkOrder.objects.values_list("pk", "next_warn_at", "next_due")} == kept_pairs


def test_a_wrong_summary_is_found_and_rebuilt(work: Work) -> None:
    row = OrderSummary.objects.exclude(unit_id=0).first()
    assert row is not None
    OrderSummary.objects.filter(pk=row.pk).update(assigned=row.assigned + 5)
    with pytest.raises(Exception, match="differs from a rebuild in 1 rows"):
        call_command("rebuild_order_summary", "--check")
    call_command("rebuild_order_summary")
    assert summary.verify() == {}


def test_by_unit_as_computed_from_the_rows(work: Work) -> None:
    for scope in scopes(work):
        for start, end in MONTHS:
            live = {r.key: r for r in stats.unit_stats(start, end, scope=scope, now=NOW, stored=False)}
            stored = {r.key: r for r in summary.unit_stats(start, end, scope=scope)}
            assert set(stored) == set(live) and live
            for unit, row in live.items():
                assert counts(stored[unit].metrics) == counts(row.metrics), row.label
                assert (stored[unit].tier2, stored[unit].tier3) == (row.tier2, row.tier3)
                assert stored[unit].label == row.label


def test_by_street_and_by_day_as_computed_from_the_rows(work: Work) -> None:
    for scope in scopes(work):
        for start, end in MONTHS:
            first, last = summary.days(start, end)
            for grouping, key in (("street", "street_id"), ("day", "day")):
                if grouping == "street":
                    live = {r.key or 0: r for r in stats.street_stats(start, end, scope=scope, now=NOW, stored=False)}
                else:
                    live = {
                        r.key: r
                        for r in stats.period_stats(start, end, granularity="day", scope=scope, now=NOW, stored=False)
                    }
                rates = summary.metrics(scope, first, last, by=(key,))
                orders = summary.order_counts(scope, first, last, by=(key,))
                for k, row in live.items():
                    m = rates.get((k,), (HandlingMetrics(), {}))[0]
                    assert counts(m) == counts(row.metrics), (grouping, k)
                    o = orders.get((k,))
                    got = (o.received, o.dispatched, o.open, o.finished) if o else (0, 0, 0, 0)
                    assert got == (row.received, row.dispatched, row.open, row.finished), (grouping, k)
                assert {k for (k,), (m, _t) in rates.items() if m.assigned} <= set(live)
                assert {k for (k,), o in orders.items() if sum(o.by_status.values())} <= set(live)


def test_by_category_as_computed_from_the_rows(work: Work) -> None:
    for scope in scopes(work):
        for start, end in MONTHS:
            live = {r.key: r for r in stats.category_stats(start, end, scope=scope, now=NOW, stored=False)}
            rolled: dict[Any, list[HandlingMetrics]] = defaultdict(list)
            received: dict[Any, int] = defaultdict(int)
            first, last = summary.days(start, end)
            # The summary's key is the first-level code ("" for none), or inside the focus
            # categories the order's own code: rolled up to the first level.
            for (code,), (m, _tiers) in summary.metrics(scope, first, last, by=("category",)).items():
                rolled[summary.top_code(code) or None].append(m)
            for (code,), o in summary.order_counts(scope, first, last, by=("category",)).items():
                received[summary.top_code(code) or None] += o.received
            for code, row in live.items():
                assert counts(stats.sum_metrics(rolled.get(code, []))) == counts(row.metrics), code
                assert received.get(code, 0) == row.received, code


def row_figures(row: stats.StatsRow) -> tuple[Any, ...]:
    return (
        row.key,
        row.label,
        counts(row.metrics),
        row.overdue,
        row.tier2,
        row.tier3,
        row.received,
        row.dispatched,
        row.open,
        row.finished,
    )


def dashboard_figures(d: stats.Dashboard) -> dict[str, Any]:
    return {
        "tiles": (d.today_received, d.received, d.open_now, d.overdue_now),
        "totals": row_figures(d.totals),
        "by_status": d.by_status,
        "overdue": [(item.assignment.pk, item.overdue_hours) for item in d.overdue],
        "categories": d.categories,
        "focus": d.focus,
        "trend": d.trend,
        "streets": [
            (p.street_id, p.name, p.count, p.latitude and round(p.latitude, 6), p.longitude and round(p.longitude, 6))
            for p in d.streets
        ],
        "red": [(r.rank, r.score, row_figures(r.row)) for r in d.red_black.red],
        "black": [(r.rank, r.score, row_figures(r.row)) for r in d.red_black.black],
        "below": [row_figures(r) for r in d.red_black.below_volume],
    }


def test_the_statistics_and_the_dashboard_read_the_same_figures_from_the_summary(work: Work) -> None:
    """Every grouping, granularity, total and the whole dashboard, read from the summary
    (with the live overdue counts) and computed from the rows: the same figures."""
    seen_overdue = seen_focus = False
    streets = [None, work.tree.street.pk, work.hualin.pk]
    for scope in scopes(work):
        # The last period is October so far (NOW is its last evening): the dashboard adds up
        # the month's unit rows for it too.
        so_far = (MONTHS[1][0], datetime(2026, 10, 31, tzinfo=SHANGHAI))
        for start, end in [*MONTHS, (MONTHS[0][0], MONTHS[1][1]), so_far]:
            for group_by, granularity in [
                ("unit", "day"),
                ("street", "day"),
                ("category", "day"),
                ("period", "day"),
                ("period", "week"),
                ("period", "month"),
            ]:
                both = [
                    [
                        row_figures(r)
                        for r in stats.stats(
                            group_by, start, end, scope=scope, granularity=granularity, now=NOW, stored=stored
                        )
                    ]
                    for stored in (True, False)
                ]
                assert both[0] == both[1], (group_by, granularity, start)
                seen_overdue |= any(figures[3] for figures in both[0])
            for street in streets:
                stored, live = (
                    row_figures(stats.totals(start, end, scope=scope, street=street, now=NOW, stored=flag))
                    for flag in (True, False)
                )
                assert stored == live, street
                stored_board, live_board = (
                    dashboard_figures(
                        stats.dashboard(scope, start=start, end=end, street=street, trend_days=90, now=NOW, stored=flag)
                    )
                    for flag in (True, False)
                )
                assert stored_board == live_board, street
                assert stored_board["totals"] == live, street  # also where they add up the unit rows
                seen_focus |= any(c.count for f in stored_board["focus"] for c in f.children)
    # A guard on the test: the data exercises the live overdue column and the focus breakdown.
    assert seen_overdue and seen_focus
    # And the pages' own choice: the command centre's scope and whole days read the summary.
    scope = Scope.of_district(work.tree.district_gov)
    assert stats.from_summary(scope, *MONTHS[0])
    assert not stats.from_summary(scope, MONTHS[0][0] + timedelta(hours=1), MONTHS[0][1])


def test_the_cockpit_reads_the_same_figures_from_the_summary(work: Work) -> None:
    leader = work.handlers[work.tree.district_gov.pk]
    for moment in (NOW, datetime(2026, 10, 1, 0, 30, tzinfo=SHANGHAI), datetime(2026, 9, 30, 23, 59, tzinfo=SHANGHAI)):
        with time_machine.travel(moment, tick=False):
            for scope in scopes(work):
                stored = cockpit.workorder_half(leader, scope, moment, stored=True)
                live = cockpit.workorder_half(leader, scope, moment, stored=False)
                assert stored == live
                if moment == NOW:
                    assert stored["month"] > 0 and stored["assigned"] > 0 and stored["streets"]
    scope = Scope.for_user(leader)
    assert summary.covers(scope)
    assert not summary.covers(Scope.of_unit(work.tree.department))


def test_refused_and_open_work_leaves_no_trace(work: Work) -> None:
    """A refused step inside the summary's savepoint changes nothing (checked again here on
    one open assignment: accepting it twice)."""
    a = (
        Assignment.objects.filter(workflow="workorder", status__in=OPEN_STATUSES)
        .exclude(status=Status.ASSIGNED)
        .first()
    )
    assert a is not None
    before = summary.stored_rows()
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError):
        engine.do_accept(work.handler(a), a)
    assert summary.stored_rows() == before
    assert Organisation.objects.filter(pk=work.hualin.pk).exists()
