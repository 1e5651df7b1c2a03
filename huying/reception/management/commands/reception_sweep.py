from typing import Any

from django.core.management.base import BaseCommand

from huying.reception.actions import do_sweep


class Command(BaseCommand):
    help = "Open reception sessions whose time has come and end those whose time is over (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = do_sweep()
        self.stdout.write(f"opened {result['opened']}, closed {result['closed']}")
