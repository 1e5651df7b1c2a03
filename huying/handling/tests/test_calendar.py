from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from huying.handling import calendar
from huying.handling.actions import do_delete_calendar_day, do_set_calendar_days
from huying.handling.calendar import WorkingCalendar, add_hours, add_months, add_working_days, is_working_day
from huying.handling.choices import DayKind
from huying.handling.limits import Limit
from huying.handling.models import CalendarDay
from huying.handling.tests.conftest import SHANGHAI, at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 3, 2), True),  # ordinary Monday
        (date(2026, 3, 7), False),  # ordinary Saturday
        (date(2026, 1, 1), False),  # 元旦
        (date(2026, 1, 4), True),  # Sunday, make-up working day for 元旦
        (date(2026, 2, 14), True),  # Saturday, make-up working day before 春节
        (date(2026, 2, 16), False),  # 除夕, a Monday
        (date(2026, 2, 23), False),  # last day of 春节, a Monday
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, make-up working day after 春节
        (date(2026, 5, 9), True),  # Saturday, make-up for 劳动节
        (date(2026, 9, 25), False),  # 中秋节, a Friday
        (date(2026, 10, 7), False),  # 国庆节, a Wednesday
        (date(2026, 10, 10), True),  # Saturday, make-up for 国庆节
        (date(2025, 1, 26), True),  # Sunday, make-up for 春节 2025
        (date(2025, 2, 4), False),
        (date(2025, 10, 8), False),
        (date(2025, 10, 11), True),
    ],
)
def test_official_schedule_is_seeded(day, working):
    assert is_working_day(day) is working


def test_seed_counts():
    assert CalendarDay.objects.filter(date__year=2026, kind=DayKind.HOLIDAY).count() == 33
    assert CalendarDay.objects.filter(date__year=2026, kind=DayKind.WORKDAY).count() == 6
    assert CalendarDay.objects.filter(date__year=2025, kind=DayKind.WORKDAY).count() == 5


def test_same_clock_time_on_working_days():
    assert add_working_days(at(2026, 3, 2, 15, 30), 1) == at(2026, 3, 3, 15, 30)
    assert add_working_days(at(2026, 3, 6, 15, 0), 1) == at(2026, 3, 9, 15, 0)  # Friday → Monday
    assert add_working_days(at(2026, 3, 2, 9, 0), 5) == at(2026, 3, 9, 9, 0)


def test_across_spring_festival_2026():
    # Friday 13 Feb: +1 is the make-up Saturday 14 Feb; +2 skips 15–23 Feb.
    assert add_working_days(at(2026, 2, 13, 10, 0), 1) == at(2026, 2, 14, 10, 0)
    assert add_working_days(at(2026, 2, 13, 10, 0), 2) == at(2026, 2, 24, 10, 0)
    assert add_working_days(at(2026, 2, 12, 17, 0), 5) == at(2026, 2, 26, 17, 0)


def test_rest_day_start_counts_from_next_working_day():
    # Sunday: W = Monday 9 March; 3 working days end with Wednesday → Thursday 00:00.
    assert add_working_days(at(2026, 3, 8, 15, 0), 3) == at(2026, 3, 12, 0, 0)
    # 除夕 (holiday): W = Tuesday 24 Feb; one working day ends at 25 Feb 00:00.
    assert add_working_days(at(2026, 2, 16, 20, 0), 1) == at(2026, 2, 25, 0, 0)
    # Saturday before the make-up Saturday? An ordinary Saturday 7 March → Tuesday 00:00 for 1.
    assert add_working_days(at(2026, 3, 7, 8, 0), 1) == at(2026, 3, 10, 0, 0)


def test_zero_and_negative():
    start = at(2026, 3, 8, 15, 0)
    assert add_working_days(start, 0) == start
    with pytest.raises(calendar.CalendarError):
        add_working_days(start, -1)


def test_working_days_between():
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert calendar.working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert calendar.working_days_between(at(2026, 3, 2, 9), at(2026, 3, 2, 18)) == 0
    assert calendar.working_days_between(at(2026, 3, 6, 23), at(2026, 3, 9, 1)) == 1
    # UTC datetimes are read in Beijing time: 2026-03-06 16:30 UTC is Saturday 00:30.
    utc = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)
    assert calendar.working_days_between(utc, at(2026, 3, 9, 9)) == 1


def test_natural_units():
    assert add_hours(at(2026, 2, 16, 23, 0), 2) == at(2026, 2, 17, 1, 0)
    assert add_months(at(2026, 1, 31, 9, 0), 1) == at(2026, 2, 28, 9, 0)
    assert Limit(30, "minutes").due_from(at(2026, 3, 2, 9, 0)) == at(2026, 3, 2, 9, 30)
    assert Limit(3, "days").due_from(at(2026, 3, 2, 9, 0)) == at(2026, 3, 5, 9, 0)


def test_frozen_now(frozen):
    assert add_working_days(timezone.now(), 5) == at(2026, 3, 9, 9, 0)


def test_snapshot_is_loaded_once(django_assert_num_queries):
    calendar.get_calendar()
    with django_assert_num_queries(0):
        for n in range(1, 60):
            add_working_days(at(2026, 1, 5, 9, 0), n)


def test_a_change_is_seen_at_once(admin):
    assert is_working_day(date(2027, 2, 8))
    do_set_calendar_days(admin, date(2027, 2, 6), date(2027, 2, 12), DayKind.HOLIDAY, "春节")
    assert not is_working_day(date(2027, 2, 8))
    do_delete_calendar_day(admin, date(2027, 2, 8))
    assert is_working_day(date(2027, 2, 8))


def test_only_administrators_change_the_calendar(people):
    from huying.handling.transitions import NotAllowed

    with pytest.raises(NotAllowed):
        do_set_calendar_days(people.dispatcher, date(2027, 1, 1), date(2027, 1, 1), DayKind.HOLIDAY)
    assert not CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()


def test_bad_calendar_input():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        do_set_calendar_days(None, date(2027, 1, 3), date(2027, 1, 1), DayKind.HOLIDAY)
    assert "last" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        do_set_calendar_days(None, date(2027, 1, 1), date(2027, 1, 1), "party")
    assert "kind" in exc.value.message_dict


def test_pure_calendar_without_database():
    cal = WorkingCalendar({date(2030, 1, 1): DayKind.HOLIDAY, date(2030, 1, 5): DayKind.WORKDAY})
    assert not cal.is_working_day(date(2030, 1, 1))
    assert cal.is_working_day(date(2030, 1, 5))
    assert cal.add_working_days(datetime(2029, 12, 31, 9, tzinfo=SHANGHAI), 1) == datetime(
        2030, 1, 2, 9, tzinfo=SHANGHAI
    )
    with pytest.raises(calendar.CalendarError):
        WorkingCalendar({}).add_working_days(datetime(2030, 1, 1, tzinfo=SHANGHAI), -3)
