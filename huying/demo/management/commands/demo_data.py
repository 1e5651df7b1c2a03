from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the Guangdong demo dataset (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("demo data: not yet implemented")
