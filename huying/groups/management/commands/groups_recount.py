from typing import Any

from django.core.management.base import BaseCommand

from huying.groups.actions import do_recount


class Command(BaseCommand):
    help = (
        "Bring every discussion-group post's place in the kept counters and the duty record into line with "
        "its visibility (not removed, published, in a visible thread). Idempotent; run once after migrating "
        "groups 0002, any number of times after."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"posts changed: {do_recount()}")
