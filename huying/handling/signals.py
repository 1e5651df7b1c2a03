"""Signals of the handling engine.

``transitioned`` is sent after the transaction of a handling step commits, with
``sender=Assignment``, ``assignment``, ``event`` and ``action``: workflow apps listen to it
for side effects (they update their own case inside their own actions, not here).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from huying.handling import calendar
from huying.handling.models import CalendarDay

transitioned = Signal()


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
def _calendar_changed(**kwargs: Any) -> None:
    calendar.invalidate()
