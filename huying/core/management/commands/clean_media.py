"""Find and remove uploaded files that no database row refers to.

An upload is written to storage before its row is committed; when the transaction then
rolls back (a refused intake, a crash mid-request) the file stays behind. This command lists
such orphans under MEDIA_ROOT and, with ``--delete``, removes them:

    python manage.py clean_media                 # report only
    python manage.py clean_media --delete        # remove orphans older than 24 hours
    python manage.py clean_media --delete --min-age 2

Files younger than ``--min-age`` hours are never touched, so an upload whose transaction is
still running is safe. Every FileField of every installed model counts as a reference.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models


def referenced_names() -> set[str]:
    """The storage names held by every FileField of every model."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and not field.many_to_many:
                column = field.name
                rows = model._default_manager.exclude(**{column: ""}).values_list(column, flat=True)
                names.update(name for name in rows.iterator(chunk_size=5000) if name)
    return names


class Command(BaseCommand):
    help = "List (and with --delete remove) uploaded files that no database row refers to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="Remove the orphans (default: report only).")
        parser.add_argument(
            "--min-age", type=float, default=24.0, help="Only files older than this many hours (default 24)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["min_age"] < 0:
            raise CommandError("--min-age must be zero or more hours.")
        root = Path(settings.MEDIA_ROOT)
        if not root.is_dir():
            self.stdout.write(f"{root} does not exist: nothing to clean.")
            return
        cutoff = time.time() - options["min_age"] * 3600
        known = referenced_names()
        orphans: list[Path] = []
        kept_young = 0
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            name = path.relative_to(root).as_posix()
            if name in known:
                continue
            if path.stat().st_mtime > cutoff:
                kept_young += 1
                continue
            orphans.append(path)
        size = sum(path.stat().st_size for path in orphans)
        for path in orphans:
            self.stdout.write(f"orphan {path.relative_to(root).as_posix()}")
            if options["delete"]:
                path.unlink(missing_ok=True)
        verb = "removed" if options["delete"] else "found (run with --delete to remove)"
        self.stdout.write(
            f"{len(orphans)} orphan files {verb}, {size / 1_000_000:.1f} MB; "
            f"{kept_young} unreferenced files younger than {options['min_age']:g} h left alone."
        )
