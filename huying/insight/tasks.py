"""Celery tasks. Beat schedule (settings.CELERY_BEAT_SCHEDULE, docs/insight.md)::

"insight-refresh-topics": {"task": "huying.insight.tasks.refresh_topics", "schedule": 600}
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from huying.insight import refresh


@shared_task(name="huying.insight.tasks.refresh_topics", ignore_result=True)
def refresh_topics(full: bool = False) -> dict[str, Any]:
    """Place the texts new since the last run (``full``: recompute every topic)."""
    return refresh.refresh(full=full).as_dict()
