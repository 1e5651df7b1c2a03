"""Work-order statistics on a hand-built month (metrics_data.py): every rate's numerator and
denominator, the groupings, the scope of each person, the red/black list and the number
of queries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import SharedPeople
from huying.handling.metrics import HandlingMetrics
from huying.workorders import actions, stats
from huying.workorders.stats import Scope, StatsRow
from huying.workorders.tests.metrics_data import (
    NOW,
    OCTOBER,
    SHANGHAI,
    Month,
    T,
    _order,
    build_shared_month,
    shared_month,
)

pytestmark = pytest.mark.django_db


# The month is built once per module (SHARED_PEOPLE_MODULES, root conftest.py) and each
# test reads its own copy; what a test adds is rolled back with its savepoint.
build_shared_data = build_shared_month


@pytest.fixture
def month(_shared_people: SharedPeople | None) -> Month:
    return shared_month(_shared_people)


START, END = OCTOBER


def by_label(rows: list[StatsRow]) -> dict[str, StatsRow]:
    return {r.label: r for r in rows}


def counts(row: StatsRow) -> tuple[int, ...]:
    m = row.metrics
    return (
        m.assigned,
        m.accepted_in_time,
        m.handled,
        m.resolved,
        m.resolved_on_time,
        m.returned,
        m.reopened,
        m.resolved_ever,
        m.rated,
        m.satisfied,
        m.solved_answered,
        m.solved,
    )


# --- rates, with known numerators and denominators ------------------------------------------
def test_unit_rates_on_the_hand_built_month(month: Month) -> None:
    rows = by_label(stats.unit_stats(START, END, scope=Scope.of_district(month.tree.district_gov), now=NOW))
    assert set(rows) == {"沙面街道", "荔湾区城市管理和综合执法局", "荔湾区人民政府"}

    street = rows["沙面街道"]
    # assigned, in time, handled, resolved, on time, returned, reopened, resolved ever,
    # rated, satisfied, answered "solved?", solved
    assert counts(street) == (3, 1, 2, 2, 1, 1, 1, 2, 2, 2, 2, 1)
    assert street.metrics.response_rate == pytest.approx(1 / 3)
    assert street.metrics.completion_rate == 1.0
    assert street.metrics.resolution_rate == pytest.approx(1 / 2)
    assert street.metrics.satisfaction_rate == 1.0  # 满意 + 基本满意; the superseded 不满意 is not counted
    assert street.metrics.on_time_rate == pytest.approx(1 / 2)
    assert street.metrics.return_rate == pytest.approx(1 / 3)
    assert street.metrics.reopen_rate == pytest.approx(1 / 2)
    assert (street.overdue, street.tier2, street.tier3) == (0, 0, 0)

    department = rows["荔湾区城市管理和综合执法局"]
    assert counts(department) == (2, 2, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0)
    assert department.metrics.response_rate == 1.0 and department.metrics.completion_rate == 1.0
    assert department.metrics.satisfaction_rate == 0.0 and department.metrics.resolution_rate == 0.0

    district = rows["荔湾区人民政府"]  # called up at tier 2, not accepted: overdue
    assert counts(district) == (1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert (district.overdue, district.tier2, district.tier3) == (1, 1, 0)
    assert district.metrics.response_rate == 0.0 and district.metrics.completion_rate == 0.0
    # Nothing to measure: None (shown as "—"), never 0 or 100 %.
    assert district.metrics.satisfaction_rate is None
    assert district.metrics.resolution_rate is None
    assert district.metrics.on_time_rate is None
    assert district.metrics.reopen_rate is None


def test_totals_of_the_district(month: Month) -> None:
    total = stats.totals(START, END, scope=Scope.of_district(month.tree.district_gov), now=NOW)
    assert counts(total) == (6, 3, 4, 3, 2, 1, 1, 3, 3, 2, 3, 1)
    assert total.metrics.response_rate == 0.5
    assert total.metrics.completion_rate == 0.75
    assert total.metrics.satisfaction_rate == pytest.approx(2 / 3)
    assert total.metrics.resolution_rate == pytest.approx(1 / 3)
    assert total.metrics.on_time_rate == pytest.approx(2 / 3)
    assert total.metrics.return_rate == pytest.approx(1 / 6)
    assert total.metrics.reopen_rate == pytest.approx(1 / 3)
    assert (total.overdue, total.tier2) == (1, 1)


def test_rates_agree_with_the_engine(month: Month) -> None:
    from huying.handling.metrics import handling_metrics

    engine = {
        m.key["unit"]: m
        for m in handling_metrics(START, END, workflow="workorder")
        if m.key["unit"] != month.yuexiu_street.pk
    }
    ours = {r.key: r.metrics for r in stats.unit_stats(START, END, scope=Scope.of_district(month.tree.district_gov))}
    assert set(engine) == set(ours)
    for unit, m in engine.items():
        assert counts(StatsRow(None, "", m)) == counts(StatsRow(None, "", ours[unit]))


def test_no_data_gives_none_rates_and_empty_tables(month: Month) -> None:
    start, end = datetime(2026, 12, 1, tzinfo=SHANGHAI), datetime(2027, 1, 1, tzinfo=SHANGHAI)
    scope = Scope.of_district(month.tree.district_gov)
    assert stats.unit_stats(start, end, scope=scope) == []
    assert stats.street_stats(start, end, scope=scope) == []
    total = stats.totals(start, end, scope=scope)
    assert total.metrics.assigned == 0
    for name in ("response_rate", "completion_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"):
        assert getattr(total.metrics, name) is None
    days = stats.period_stats(start, end, granularity="week", scope=scope)
    assert [d.key for d in days][:2] == [date(2026, 11, 30), date(2026, 12, 7)]
    assert all(d.received == 0 and d.metrics.assigned == 0 for d in days)


# --- groupings ------------------------------------------------------------------------------
def test_by_street_orders_and_rates(month: Month) -> None:
    rows = by_label(stats.street_stats(START, END, scope=Scope.of_district(month.tree.district_gov), now=NOW))
    assert set(rows) == {"沙面街道", "华林街道"}
    shamian, hualin = rows["沙面街道"], rows["华林街道"]
    assert (shamian.received, shamian.dispatched, shamian.open, shamian.finished) == (3, 3, 0, 3)
    assert (hualin.received, hualin.dispatched, hualin.open, hualin.finished) == (2, 1, 2, 0)
    # The department's part in O3 (a 沙面 order) counts for 沙面 street.
    assert shamian.metrics.assigned == 4 and shamian.metrics.returned == 1
    assert hualin.metrics.assigned == 2 and (hualin.overdue, hualin.tier2) == (1, 1)
    assert hualin.metrics.rated == 0 and hualin.metrics.satisfaction_rate is None


def test_by_first_level_category(month: Month) -> None:
    rows = {r.key: r for r in stats.category_stats(START, END, scope=Scope.of_district(month.tree.district_gov))}
    assert set(rows) == {"01", "02", "04"}
    assert rows["01"].label == "市容环境"
    assert (rows["01"].received, rows["01"].metrics.assigned) == (3, 2)  # O1, O2 (五类车) and O5 (not dispatched)
    assert (rows["02"].received, rows["02"].metrics.assigned, rows["02"].metrics.returned) == (1, 2, 1)
    assert (rows["04"].received, rows["04"].metrics.assigned, rows["04"].tier2) == (1, 2, 1)
    assert rows["01"].metrics.satisfied == 2 and rows["02"].metrics.satisfied == 0


def test_by_period(month: Month) -> None:
    scope = Scope.of_district(month.tree.district_gov)
    days = stats.period_stats(START, END, granularity="day", scope=scope, now=NOW)
    assert len(days) == 31 and days[0].key == date(2026, 10, 1)
    monday = {d.key: d for d in days}[date(2026, 10, 12)]
    assert (monday.received, monday.metrics.assigned) == (5, 6)  # a3b and a4b were made that day too
    assert sum(d.metrics.assigned for d in days) == 6 and sum(d.received or 0 for d in days) == 5
    weeks = stats.period_stats(START, END, granularity="week", scope=scope, now=NOW)
    assert weeks[0].key == date(2026, 9, 28)  # the week that contains 1 October, from its Monday
    assert [w.metrics.assigned for w in weeks if w.metrics.assigned] == [6]
    (october,) = stats.period_stats(START, END, granularity="month", scope=scope, now=NOW)
    assert october.key == date(2026, 10, 1) and october.received == 5
    assert october.metrics.response_rate == 0.5
    with pytest.raises(ValidationError) as error:
        stats.period_stats(START, END, granularity="hour", scope=scope)
    assert "granularity" in error.value.message_dict


def test_september_is_its_own_month(month: Month) -> None:
    september = (datetime(2026, 9, 1, tzinfo=SHANGHAI), datetime(2026, 10, 1, tzinfo=SHANGHAI))
    rows = stats.unit_stats(*september, scope=Scope.of_district(month.tree.district_gov))
    assert [(r.label, r.metrics.assigned) for r in rows] == [("沙面街道", 1)]


# --- scope ------------------------------------------------------------------------------------
def units_seen(user: Any) -> set[str]:
    return {r.label for r in stats.unit_stats(START, END, scope=Scope.for_user(user))}


def orders_seen(user: Any) -> int:
    return sum(r.received or 0 for r in stats.street_stats(START, END, scope=Scope.for_user(user)))


def test_scope_of_each_person(month: Month, admin: Any) -> None:
    lw = {"沙面街道", "荔湾区城市管理和综合执法局", "荔湾区人民政府"}
    assert units_seen(month.dispatcher) == lw and orders_seen(month.dispatcher) == 5
    assert units_seen(month.leader) == lw and orders_seen(month.leader) == 5
    assert units_seen(admin) == lw | {"北京街道"} and orders_seen(admin) == 6
    # Another district's dispatcher sees nothing of this one.
    assert units_seen(month.other_dispatcher) == {"北京街道"} and orders_seen(month.other_dispatcher) == 1
    # Units see their subtree: the street its own assignments and the orders ever assigned to it.
    assert units_seen(month.street_handler) == {"沙面街道"} and orders_seen(month.street_handler) == 3
    assert units_seen(month.department_staff) == {"荔湾区城市管理和综合执法局"}
    assert orders_seen(month.department_staff) == 2  # O3 and O4


@pytest.mark.parametrize("person", ["alice", "bob", "dora"])
def test_others_have_an_empty_scope_and_are_refused(month: Month, person: str, request: Any) -> None:
    user = request.getfixturevalue(person)
    scope = Scope.for_user(user)
    assert scope.is_empty and stats.unit_stats(START, END, scope=scope) == []
    assert stats.street_stats(START, END, scope=scope) == []
    with pytest.raises(PermissionDenied):
        stats.check_may_view_stats(user)
    with pytest.raises(PermissionDenied):
        stats.check_may_view_dashboard(user)


def test_units_may_see_stats_but_not_the_dashboard(month: Month) -> None:
    stats.check_may_view_stats(month.street_handler)
    with pytest.raises(PermissionDenied):
        stats.check_may_view_dashboard(month.street_handler)
    stats.check_may_view_dashboard(month.dispatcher)
    stats.check_may_view_dashboard(month.leader)


def test_scope_orders_match_the_order_list_for_district_people(month: Month, admin: Any) -> None:
    from huying.workorders.models import WorkOrder

    for user in (month.dispatcher, month.other_dispatcher, month.street_handler, month.department_staff, admin):
        ours = set(Scope.for_user(user).orders().values_list("pk", flat=True))
        assert ours == set(WorkOrder.objects.visible_to(user).values_list("pk", flat=True)), user.username


# --- red/black list ---------------------------------------------------------------------------
def test_composite_score_weights_and_missing_rates() -> None:
    def row(**counts: int) -> StatsRow:
        return StatsRow(key=1, label="x", metrics=HandlingMetrics(**counts))

    full = row(assigned=10, accepted_in_time=8, solved_answered=4, solved=2, rated=4, satisfied=3)
    assert stats.composite_score(full) == pytest.approx(100 * (0.3 * 0.8 + 0.3 * 0.5 + 0.4 * 0.75))
    # No ratings yet: the response rate alone, its weight scaled up to 100 %.
    assert stats.composite_score(row(assigned=4, accepted_in_time=3)) == 75.0
    assert stats.composite_score(row()) is None
    assert stats.composite_score(full, {"response_rate": 1.0}) == 80.0


def test_red_black_ordering_and_volume(month: Month) -> None:
    scope = Scope.of_district(month.tree.district_gov)
    result = stats.red_black(date(2026, 10, 1), scope=scope, size=1, min_volume=1, now=NOW)
    assert [(i.rank, i.row.label, i.score) for i in result.ranking] == [
        (1, "沙面街道", 65.0),
        (2, "荔湾区城市管理和综合执法局", 30.0),
        (3, "荔湾区人民政府", 0.0),
    ]
    assert [i.row.label for i in result.red] == ["沙面街道"]
    assert [i.row.label for i in result.black] == ["荔湾区人民政府"]

    result = stats.red_black(date(2026, 10, 1), scope=scope, size=1, min_volume=2, now=NOW)
    assert [i.row.label for i in result.red] == ["沙面街道"]
    assert [i.row.label for i in result.black] == ["荔湾区城市管理和综合执法局"]
    assert [r.label for r in result.below_volume] == ["荔湾区人民政府"]

    # Never on both lists: with room for five, everyone is red and nobody black.
    result = stats.red_black(date(2026, 10, 1), scope=scope, size=5, min_volume=1, now=NOW)
    assert len(result.red) == 3 and result.black == []

    # Worst first on the black list.
    result = stats.red_black(date(2026, 10, 1), scope=scope, size=2, min_volume=1, now=NOW)
    assert [i.row.label for i in result.black] == ["荔湾区人民政府"]


def test_month_and_range_parsing() -> None:
    assert stats.parse_month("2026-10") == date(2026, 10, 1)
    assert stats.month_bounds(date(2026, 12, 1)) == (
        datetime(2026, 12, 1, tzinfo=SHANGHAI),
        datetime(2027, 1, 1, tzinfo=SHANGHAI),
    )
    for bad in ("2026-13", "October", "2026"):
        with pytest.raises(ValidationError) as error:
            stats.parse_month(bad)
        assert "month" in error.value.message_dict
    start, end = stats.parse_date_range("2026-10-01", "2026-10-31")
    assert (start, end) == OCTOBER
    with pytest.raises(ValidationError) as error:
        stats.parse_date_range("2026-10-31", "2026-10-01")
    assert "date_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        stats.parse_date_range("yesterday", "")
    assert "date_from" in error.value.message_dict


# --- query counts -------------------------------------------------------------------------------
def test_query_counts_do_not_grow_with_the_data(month: Month, django_assert_num_queries: Any) -> None:
    scope = Scope.of_district(month.tree.district_gov)

    def run() -> None:
        with django_assert_num_queries(3):
            stats.unit_stats(START, END, scope=scope, now=NOW)
        with django_assert_num_queries(4):
            stats.street_stats(START, END, scope=scope, now=NOW)
        with django_assert_num_queries(4):
            stats.category_stats(START, END, scope=scope, now=NOW)
        with django_assert_num_queries(3):
            stats.period_stats(START, END, granularity="day", scope=scope, now=NOW)
        with django_assert_num_queries(1):
            Scope.of_district(month.tree.district_gov)

    run()
    with time_machine.travel(T, tick=False):
        for n in range(10, 16):
            order = _order(month.dispatcher, str(n), category="0301")
            actions.do_dispatch(month.dispatcher, order, month.tree.department, category=order.category)
    run()
