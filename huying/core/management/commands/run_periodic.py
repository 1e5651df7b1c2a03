"""``manage.py run_periodic``: the periodic jobs of the embedded set-up (no Redis, no Celery
worker). Runs the entries of settings ``CELERY_BEAT_SCHEDULE`` in this process, as Celery
beat would send them at scale (docs/operations.md "Periodic jobs").

    python manage.py run_periodic            # forever; Ctrl-C stops it
    python manage.py run_periodic --once     # every job once, then exit (cron-friendly)
    python manage.py run_periodic --list
    python manage.py run_periodic --once --only handling-sweep
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from huying.core.periodic import Periodic


class Command(BaseCommand):
    help = "Run the periodic jobs (the Celery beat schedule) in this process: the embedded set-up's beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")
        parser.add_argument("--only", action="append", metavar="NAME", help="Only this job (repeatable).")
        parser.add_argument("--list", action="store_true", help="List the jobs and their schedules.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            periodic = Periodic(clock=timezone.now, only=options["only"])
        except KeyError as error:
            raise CommandError(error.args[0]) from None
        if options["list"]:
            for job in periodic.jobs:
                self.stdout.write(f"{job.name}: {job.task} every {settings.CELERY_BEAT_SCHEDULE[job.name]['schedule']}")
            return
        if options["once"]:
            periodic.tick()
            for job in periodic.jobs:
                self.stdout.write(f"{job.name}: {'failed' if job.failures else 'done'}")
            failed = [job.name for job in periodic.jobs if job.failures]
            if failed:
                raise CommandError(f"failed: {', '.join(failed)}")
            return
        self.stdout.write(f"running {len(periodic.jobs)} periodic jobs; Ctrl-C stops")
        try:
            while True:
                time.sleep(periodic.tick())
        except KeyboardInterrupt:  # pragma: no cover - interactive
            return
