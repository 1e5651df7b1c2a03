"""Celery tasks. Beat schedule (huying/settings.py ``CELERY_BEAT_SCHEDULE``)::

"reports-monthly": {"task": "huying.reports.tasks.monthly", "schedule": crontab(minute=30, hour=1, day_of_month=1)}
"""

from __future__ import annotations

from celery import shared_task

from huying.reports.actions import do_generate_monthly


@shared_task(name="huying.reports.tasks.monthly", ignore_result=True)
def monthly() -> dict[str, int]:
    """The previous month's report of every scope that has none yet (idempotent)."""
    results = do_generate_monthly()
    return {
        "generated": sum(1 for r in results if r.generated),
        "existing": sum(1 for r in results if not r.generated),
        "notified": sum(r.notified for r in results),
    }
