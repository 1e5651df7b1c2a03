"""Recompute the work orders' daily summary from scratch (huying/workorders/summary.py).

    python manage.py rebuild_order_summary           # rebuild (a minute at a million orders)
    python manage.py rebuild_order_summary --check   # only compare; exit status 1 if it differs

The actions keep the summary in step in the transaction of every change; rebuilding is for
an existing database (the migration does it once), after bulk loads or repairs made
outside the actions, or to check it. Idempotent. Operator output is English.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huying.workorders import summary


class Command(BaseCommand):
    help = "Recompute the work orders' daily summary from the orders, assignments and ratings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare the stored summary with a rebuild (nothing changes); exit 1 if they differ.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["check"]:
            differences = summary.verify()
            seconds = time.perf_counter() - started
            if differences:
                for key, values in sorted(differences.items())[:20]:
                    self.stdout.write(f"{key}: {values}")
                raise CommandError(f"The summary differs from a rebuild in {len(differences)} rows ({seconds:.1f} s).")
            self.stdout.write(f"The summary agrees with a rebuild ({seconds:.1f} s).")
            return
        rows = summary.rebuild()
        self.stdout.write(f"Rebuilt the order summary: {rows} rows in {time.perf_counter() - started:.1f} s.")
