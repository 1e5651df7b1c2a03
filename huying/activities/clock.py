"""The activities' clock: ``timezone.now()`` unless a caller replays the past.

The demo loader builds a year of activities through the real actions, each step at its own
moment (a sign-up a week before, a check-in on the day, the finish afterwards), so the
actions' time rules (sign-up deadline, check-in window, finishing once started) hold for
the demo exactly as for people. Nothing else sets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_replayed: ContextVar[dt.datetime | None] = ContextVar("activities_clock", default=None)


def now() -> dt.datetime:
    return _replayed.get() or timezone.now()


@contextmanager
def at(moment: dt.datetime) -> Iterator[dt.datetime]:
    token = _replayed.set(moment)
    try:
        yield moment
    finally:
        _replayed.reset(token)
