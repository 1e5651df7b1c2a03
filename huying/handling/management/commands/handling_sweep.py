from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huying.handling.sweep import sweep


class Command(BaseCommand):
    help = "Send due deadline warnings and raise supervision (idempotent). --loop SECONDS repeats it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--full",
            action="store_true",
            help="Read every open assignment past a threshold, not only those crossed or changed since the last run.",
        )
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="Run again every SECONDS until stopped.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["loop"] is not None and options["loop"] <= 0:
            raise CommandError("--loop must be a positive number of seconds.")
        while True:
            result = sweep(batch_size=options["batch_size"], full=options["full"])
            self.stdout.write(
                "swept {scanned} assignments in {batches} batches: {yellow} yellow, {red} red, "
                "{escalated} supervision raised".format(**result.as_dict())
            )
            if options["loop"] is None:
                return
            try:
                time.sleep(options["loop"])
            except KeyboardInterrupt:  # pragma: no cover - interactive
                return
