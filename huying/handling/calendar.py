"""Working-time calendar: the default week (Monday–Friday work, Saturday–Sunday rest)
with the holidays and make-up working days (调休上班) stored as :class:`CalendarDay` rows.

Rules (also in docs/handling-engine.md, "Deadlines"):

- ``add_working_days(start, n)`` from a working day: the same clock time on the n-th
  working day after the start date (Friday 15:00 + 1 → Monday 15:00).
- From a rest day (weekend or holiday) the clock starts at 00:00 of the next working day
  W: the deadline is the end (24:00, i.e. 00:00 of the following day) of the n-th working
  day counting W as the first (Saturday + 3 → end of Wednesday = Thursday 00:00).
- ``n == 0`` returns the start unchanged.
- ``working_days_between(a, b)`` counts the working days after ``a``'s date up to and
  including ``b``'s date (same day 0, Friday → Monday 1), negative when ``b`` < ``a``.

All datetimes are read in the project time zone (Asia/Shanghai). The overrides are loaded
once per process into a :class:`WorkingCalendar` snapshot (one query), and reloaded when a
:class:`CalendarDay` changes (signals clear the local copy and bump a stamp in the shared
cache, which other processes check every ``HANDLING_CALENDAR_RECHECK_SECONDS``). A batch
holds one snapshot: ``cal = get_calendar()`` and call its methods.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.utils import timezone

from huying.handling import conf
from huying.handling.choices import DayKind

ONE_DAY = timedelta(days=1)
# No real schedule has this many rest days in a row; the bound stops a misconfigured
# calendar (every day a holiday) from looping forever.
MAX_SCAN_DAYS = 3660
STAMP_KEY = "handling:calendar:stamp"


class CalendarError(ValueError):
    pass


class WorkingCalendar:
    """An immutable snapshot of the overrides; all arithmetic is in memory."""

    def __init__(self, overrides: Mapping[date, str]) -> None:
        self._overrides = dict(overrides)

    def is_working_day(self, d: date) -> bool:
        kind = self._overrides.get(d)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return d.weekday() < 5

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        for _i in range(MAX_SCAN_DAYS):
            d += ONE_DAY
            if self.is_working_day(d):
                return d
        raise CalendarError("No working day within ten years: check the holiday calendar.")

    def add_working_days(self, start: datetime, n: int) -> datetime:
        if n < 0:
            raise CalendarError("The number of working days cannot be negative.")
        if n == 0:
            return start
        local = timezone.localtime(start)
        day = local.date()
        if self.is_working_day(day):
            for _i in range(n):
                day = self.next_working_day(day)
            return datetime.combine(day, local.time(), tzinfo=local.tzinfo)
        day = self.next_working_day(day)  # W, the first of the n days
        for _i in range(n - 1):
            day = self.next_working_day(day)
        return datetime.combine(day + ONE_DAY, datetime.min.time(), tzinfo=local.tzinfo)

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        start, end = _as_local_date(a), _as_local_date(b)
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += ONE_DAY
            count += self.is_working_day(day)
        return count


def _as_local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def add_hours(start: datetime, hours: float) -> datetime:
    """Natural hours: nights, weekends and holidays count (emergencies do not wait)."""
    return start + timedelta(hours=hours)


def add_days(start: datetime, days: int) -> datetime:
    """Calendar days at the same local clock time."""
    local = timezone.localtime(start)
    return local + timedelta(days=days)


def add_months(start: datetime, months: int) -> datetime:
    """Calendar months at the same local clock time (31 January + 1 → 28/29 February)."""
    local = timezone.localtime(start)
    return local + relativedelta(months=months)


# --- the per-process snapshot ------------------------------------------------------------

_lock = threading.Lock()
_snapshot: WorkingCalendar | None = None
_stamp: str | None = None
_checked_at = 0.0


def _load() -> WorkingCalendar:
    from huying.handling.models import CalendarDay

    return WorkingCalendar(dict(CalendarDay.objects.values_list("date", "kind")))


def get_calendar() -> WorkingCalendar:
    """The current calendar snapshot (one query on first use or after a change)."""
    global _snapshot, _stamp, _checked_at
    with _lock:
        now = time.monotonic()
        if _snapshot is not None and now - _checked_at < conf.calendar_recheck_seconds():
            return _snapshot
        shared = cache.get(STAMP_KEY)
        if _snapshot is None or shared != _stamp:
            _snapshot = _load()
            _stamp = shared
        _checked_at = now
        return _snapshot


def invalidate() -> None:
    """Forget the snapshot here and tell other processes (through the shared cache)."""
    global _snapshot
    with _lock:
        _snapshot = None
    cache.set(STAMP_KEY, uuid.uuid4().hex, timeout=None)


def is_working_day(d: date) -> bool:
    return get_calendar().is_working_day(d)


def add_working_days(start: datetime, n: int) -> datetime:
    return get_calendar().add_working_days(start, n)


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    return get_calendar().working_days_between(a, b)
