"""Template filters of the work-order statistics pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils.translation import gettext, ngettext

register = template.Library()

EMPTY = "—"


@register.filter
def pct(value: Any) -> str:
    """A share 0–1 as a percentage with one decimal (``0.953`` → ``95.3%``); a rate with
    nothing to measure (``None``) as "—", never 0 % or 100 %."""
    if value is None or value == "":
        return EMPTY
    return f"{float(value) * 100:.1f}%"


@register.filter
def dash(value: Any) -> Any:
    """``None`` as "—" (counts that do not apply to a grouping)."""
    return EMPTY if value is None else value


@register.filter
def duration(value: Any) -> str:
    """A length of time as days and hours (``875`` hours → "36天11小时" / "36 days 11 hours"):
    a whole number of hours or a ``timedelta``. The one way durations are shown on pages."""
    if value is None or value == "":
        return EMPTY
    total = int(value.total_seconds() // 3600) if isinstance(value, timedelta) else int(value)
    if total < 1:
        return gettext("less than an hour")
    days, hours = divmod(total, 24)
    day_text = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    hour_text = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if not days:
        return hour_text
    if not hours:
        return day_text
    return gettext("%(days)s %(hours)s") % {"days": day_text, "hours": hour_text}
