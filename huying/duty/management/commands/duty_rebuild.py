"""Re-record the acts of existing objects in the members' duty record and recompute the
points ledger: ``manage.py duty_rebuild``. Idempotent: an act already recorded is left
alone (``huying.duty.acts.record``), so it may be run any number of times."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from huying.duty.rebuild import rebuild


class Command(BaseCommand):
    help = "Record the acts of existing proposals (and other registered modules) in the duty record."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            counts = rebuild()
        for name, count in sorted(counts.items()):
            self.stdout.write(f"{name}: {count}")
