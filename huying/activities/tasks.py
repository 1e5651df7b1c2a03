"""Celery task of the activities. Beat schedule (docs/activities.md)::

CELERY_BEAT_SCHEDULE = {"activity-reminders": {"task": "huying.activities.tasks.remind", "schedule": 600}}
"""

from __future__ import annotations

from celery import shared_task

from huying.activities import reminders


@shared_task(name="huying.activities.tasks.remind", ignore_result=True)
def remind() -> dict[str, int]:
    return reminders.sweep().as_dict()
