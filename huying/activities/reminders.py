"""Reminders before an activity: a periodic, idempotent sweep (``manage.py
activity_reminders`` and the Celery beat task ``huying.activities.tasks.remind``).

Participants who are invited, signed up or whose leave was refused get a notice a day
before (when the sweep first runs inside the 24 hours, unless fewer than two hours are
left) and two hours before. Each reminder is a :class:`~huying.activities.models.Reminder`
row, unique per activity, member and slot: a second run sends nothing twice, and two
sweeps at once take turns per activity (its row is locked while its reminders are
written), the unique constraint backing it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from huying.activities import clock, notifications
from huying.activities.choices import ActivityStatus, ParticipationStatus, ReminderSlot
from huying.activities.models import Activity, Reminder

P = ParticipationStatus
REMINDED = (P.INVITED, P.SIGNED_UP, P.LEAVE_REFUSED)
SLOTS = ((ReminderSlot.DAY, dt.timedelta(hours=24)), (ReminderSlot.HOURS, dt.timedelta(hours=2)))


@dataclass
class SweepResult:
    activities: int = 0
    reminders: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"activities": self.activities, "reminders": self.reminders}


def sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or clock.now()
    result = SweepResult()
    upcoming = Activity.objects.filter(
        status=ActivityStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=now + dt.timedelta(hours=24)
    ).order_by("starts_at", "id")
    for activity in upcoming:
        result.activities += 1
        left = activity.starts_at - now
        slot = ReminderSlot.HOURS if left <= dt.timedelta(hours=2) else ReminderSlot.DAY
        with transaction.atomic():
            # Two sweeps at once take turns per activity: the second finds the rows made.
            Activity.objects.select_for_update().filter(pk=activity.pk).first()
            members = list(activity.participations.filter(status__in=REMINDED).values_list("member_id", flat=True))
            already = set(
                Reminder.objects.filter(activity=activity, slot=slot, member_id__in=members).values_list(
                    "member_id", flat=True
                )
            )
            fresh = [m for m in members if m not in already]
            if not fresh:
                continue
            Reminder.objects.bulk_create(
                [Reminder(activity=activity, member_id=m, slot=slot, sent_at=now) for m in fresh],
            )
            notifications.send(activity, fresh, notifications.REMINDER)
            result.reminders += len(fresh)
    return result
