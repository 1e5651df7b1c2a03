from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from huying.proposals.models import Proposal
from huying.proposals.search import reindex


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of proposals (word segmentation with jieba; FTS5 on SQLite, "
        "tsvector + GIN on PostgreSQL). Re-creates the index's triggers and tables if they are missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--session", type=int, help="Only the proposals of this session (id).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        queryset = Proposal.objects.all()
        if options["session"]:
            queryset = queryset.filter(session_id=options["session"])
        with transaction.atomic():
            count = reindex(queryset)
        self.stdout.write(f"Indexed {count} proposals in {time.monotonic() - started:.1f} s.")
