"""The embedded set-up's beat: the jobs of settings ``CELERY_BEAT_SCHEDULE`` run in this
process (``manage.py run_periodic``), with Celery's own schedule arithmetic.

At scale Celery beat sends the same entries to the workers (``make prod``); without Redis
there is no broker and no worker, so one process runs each task itself when it is due. Every
job runs once at start, then whenever its schedule says (seconds, or a ``crontab`` in
``TIME_ZONE``). A job that fails is logged and tried again at its next turn; the loop goes
on. The clock is injected so that the tests drive it without waiting.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from celery.schedules import BaseSchedule, schedule
from django.conf import settings

logger = logging.getLogger(__name__)

Runner = Callable[[str, dict[str, Any]], Any]


@dataclass
class Job:
    name: str
    task: str
    schedule: BaseSchedule
    kwargs: dict[str, Any] = field(default_factory=dict)
    last_run: datetime | None = None
    runs: int = 0
    failures: int = 0


def run_task(task: str, kwargs: dict[str, Any]) -> Any:
    """Run a registered Celery task here and now (not through a broker); raise its error."""
    from huying.celery import app

    app.loader.import_default_modules()
    if task not in app.tasks:
        raise LookupError(f"task {task!r} is not registered (is its tasks module installed?)")
    return app.tasks[task].apply(kwargs=kwargs, throw=True).get()


class Periodic:
    def __init__(
        self,
        entries: dict[str, dict[str, Any]] | None = None,
        *,
        clock: Callable[[], datetime],
        runner: Runner = run_task,
        only: list[str] | None = None,
    ) -> None:
        entries = settings.CELERY_BEAT_SCHEDULE if entries is None else entries
        unknown = sorted(set(only or ()) - set(entries))
        if unknown:
            raise KeyError(f"unknown job(s): {', '.join(unknown)}; known: {', '.join(sorted(entries))}")
        self.clock = clock
        self.runner = runner
        self.jobs = [
            Job(name, entry["task"], self._schedule(entry["schedule"]), dict(entry.get("kwargs") or {}))
            for name, entry in entries.items()
            if not only or name in only
        ]

    def _schedule(self, value: Any) -> BaseSchedule:
        if isinstance(value, int | float):
            value = schedule(timedelta(seconds=value))
        elif isinstance(value, timedelta):
            value = schedule(value)
        else:
            value = copy.copy(value)
        value.nowfun = self.clock
        return value

    def tick(self) -> float:
        """Run every job that is due now; return the seconds until the next one is due."""
        waits = []
        for job in self.jobs:
            if job.last_run is None:
                due, wait = True, job.schedule.remaining_estimate(self.clock()).total_seconds()
            else:
                due, wait = job.schedule.is_due(job.last_run)
            if due:
                self._run(job)
                due, wait = job.schedule.is_due(job.last_run)
            waits.append(max(float(wait), 1.0))
        return min(waits, default=60.0)

    def _run(self, job: Job) -> None:
        job.last_run = self.clock()
        job.runs += 1
        try:
            result = self.runner(job.task, job.kwargs)
        except Exception:
            job.failures += 1
            logger.exception("periodic job %s (%s) failed; next turn as scheduled", job.name, job.task)
            return
        logger.info("periodic job %s (%s) done: %s", job.name, job.task, result)
