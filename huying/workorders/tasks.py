"""Celery tasks. Beat schedule (huying/settings.py ``CELERY_BEAT_SCHEDULE``)::

"workorders-analyse-pending": {"task": "huying.workorders.tasks.analyse_pending", "schedule": 300}
"""

from __future__ import annotations

from celery import shared_task

from huying.workorders import analysis


@shared_task(name="huying.workorders.tasks.analyse", ignore_result=True)
def analyse(order_ids: list[int]) -> int:
    """Category suggestions and duplicates of freshly taken orders (idempotent)."""
    return analysis.analyse_orders(order_ids)


@shared_task(name="huying.workorders.tasks.analyse_pending", ignore_result=True)
def analyse_pending() -> int:
    """New orders whose analysis was lost (a worker died): analysed now (idempotent)."""
    return analysis.analyse_pending()
