from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from huying.demo.loader import SCALES, describe, load_demo_data
from huying.demo.logins import print_demo_logins


class Command(BaseCommand):
    help = (
        "Load the Guangdong demo dataset (organisation tree, 34 sectors, ~2,000 people, one login per role, "
        "Liwan's routing rules, time limits and ~2,000 work orders in every state, an Open311 demo key). "
        "Idempotent: a second run only checks a marker and prints the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="full",
            help="How many people to create: 'full' (default, ~2,000) or 'small' (for tests).",
        )
        parser.add_argument(
            "--orders",
            type=int,
            default=None,
            help="How many demo work orders (default: 2,000 at full scale, 80 at small scale).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Check every piece even when the marker says it is loaded."
        )
        parser.add_argument("--no-logins", action="store_true", help="Do not print the table of demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's acts send thousands of notifications, each delivery logged at INFO:
        # keep the loader's output to its summary.
        quiet = logging.getLogger("huying.handling.notify")
        level = quiet.level
        quiet.setLevel(logging.WARNING)
        try:
            result = load_demo_data(options["scale"], force=options["force"], orders=options["orders"])
        finally:
            quiet.setLevel(level)
        if result.skipped:
            self.stdout.write(f"Demo data ({result.scale}) is already loaded.")
        else:
            created = ", ".join(describe(result)) or "nothing missing"
            self.stdout.write(f"Demo data ({result.scale}) loaded in {result.seconds:.1f} s: {created}.")
        if not options["no_logins"]:
            with translation.override(settings.LANGUAGE_CODE):
                print_demo_logins(self.stdout)
