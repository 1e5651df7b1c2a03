from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from huying.activities import reminders


class Command(BaseCommand):
    help = "Send the reminders due before activities (idempotent: each reminder once)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders.sweep()
        self.stdout.write(f"activities={result.activities} reminders={result.reminders}")
