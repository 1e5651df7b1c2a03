"""Engine settings, read at call time so tests can override them.

``HANDLING_WARNING_FRACTION``  yellow window as a fraction of the time allowed (default 0.2:
                               yellow once 80 % of the time has passed)
``HANDLING_WARNING_HOURS``     fixed yellow window in hours; when set it replaces the fraction
``HANDLING_RED_INTERVAL_HOURS`` a further red warning every this many hours overdue (24)
``HANDLING_REDS_PER_SUPERVISION_LEVEL`` red warnings per supervision level (2)
``HANDLING_SWEEP_OVERLAP_MINUTES`` how far before its last run's time the deadline sweep
                               looks again for thresholds crossed and changes (15)
``HANDLING_MAX_EXTENSIONS``    default number of extensions per assignment (3)
``HANDLING_CALENDAR_RECHECK_SECONDS`` how often a process checks the shared cache for a
                               calendar change made by another process (30)
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _number(name: str, default: float, *, minimum: float = 0.0, maximum: float | None = None) -> float:
    value = getattr(settings, name, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None
    if number < minimum or (maximum is not None and number > maximum):
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}.")
    return number


def warning_fraction() -> float:
    return _number("HANDLING_WARNING_FRACTION", 0.2, maximum=1.0)


def warning_hours() -> float | None:
    if getattr(settings, "HANDLING_WARNING_HOURS", None) in (None, ""):
        return None
    return _number("HANDLING_WARNING_HOURS", 0)


def red_interval_hours() -> float:
    return _number("HANDLING_RED_INTERVAL_HOURS", 24, minimum=0.01)


def reds_per_supervision_level() -> int:
    return int(_number("HANDLING_REDS_PER_SUPERVISION_LEVEL", 2, minimum=1))


def max_extensions() -> int:
    return int(_number("HANDLING_MAX_EXTENSIONS", 3))


def calendar_recheck_seconds() -> float:
    return _number("HANDLING_CALENDAR_RECHECK_SECONDS", 30)


def sweep_overlap_minutes() -> float:
    return _number("HANDLING_SWEEP_OVERLAP_MINUTES", 15)
