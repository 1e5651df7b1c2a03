"""Template filters of the handling engine's pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


def short_time(value: datetime, now: datetime | None = None) -> str:
    """A time as Chinese users read it in a message list: 今天 14:30, 昨天 09:05, 11月25日
    (earlier this year), 2025年12月1日 (earlier years); in English "Today 14:30", "25
    November", "1 Dec 2025" (the active language's formats, ``huying/formats``)."""
    local = timezone.localtime(value)
    today = timezone.localtime(now or timezone.now()).date()
    clock = formats.time_format(local, "TIME_FORMAT")
    if local.date() == today:
        return _("Today %(time)s") % {"time": clock}
    if local.date() == today - timedelta(days=1):
        return _("Yesterday %(time)s") % {"time": clock}
    if local.year == today.year:
        return formats.date_format(local, "MONTH_DAY_FORMAT")
    return formats.date_format(local, "DATE_FORMAT")


@register.filter
def when(value: datetime | None) -> SafeString | str:
    """``<time>`` with the short form (:func:`short_time`) and the full date and time as its
    title and machine-readable value."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(timespec="minutes"),
        formats.date_format(local, "DATETIME_FORMAT"),
        short_time(value),
    )
