"""Celery tasks. Beat schedule (docs/handling-engine.md)::

CELERY_BEAT_SCHEDULE = {"handling-sweep": {"task": "huying.handling.tasks.sweep", "schedule": 300}}
"""

from __future__ import annotations

from celery import shared_task

from huying.handling import sweep as sweeping


@shared_task(name="huying.handling.tasks.sweep", ignore_result=True)
def sweep(batch_size: int = 500) -> dict[str, int]:
    return sweeping.sweep(batch_size=batch_size).as_dict()
