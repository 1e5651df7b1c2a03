"""``manage.py refresh_topics [--full]``: place the texts new since the last run in the
stored hot topics (or recompute them all), then raise today's emerging-topic alerts."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from huying.insight.refresh import refresh


class Command(BaseCommand):
    help = "Refresh the stored hot topics from the texts new since the last run (--full: recompute all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Forget the stored topics and read every text.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        outcome = refresh(full=options["full"])
        self.stdout.write(
            _("%(texts)d texts read, %(new)d new topics, %(touched)d topics changed, %(alerts)d alerts (%(s).1f s).")
            % {
                "texts": outcome.texts,
                "new": outcome.new_topics,
                "touched": outcome.touched_topics,
                "alerts": outcome.alerts,
                "s": time.perf_counter() - started,
            }
        )
